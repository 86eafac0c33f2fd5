/**
 * Looking at the page: the expectations (or a waitFor step) are judged inside the page, which re-checks them
 * the moment something may have changed, so a check holds within a frame of the page making it true and the
 * happy path costs one round trip.
 *
 * One page.evaluate arms a waiter in the document. It looks at once; then again after every batch of DOM
 * mutations (in the task that made them, before the next frame), on every animation frame (for what changes
 * without a mutation: CSS, layout, images loading, history.pushState), and on a coarse fallback timer (for a
 * page that renders no frames). It answers when the state holds, or with the last state it saw when its time
 * is up. A navigation destroys the waiter with its document, and the next one is armed in the new document.
 */
import type { Page } from 'puppeteer-core';
import type { Progress } from './progress.ts';
import { errorText } from '../common/text.ts';

/** A regular expression as data, so it can cross into the page. */
export interface PatternSource {
  source: string;
  flags: string;
}

/** `equals` is compared after collapsing whitespace on both sides (the caller collapses its own side). */
export type Matcher = { equals: string } | { contains: string } | { matches: PatternSource };

/** What must hold. Elements and texts are also what a snapshot reads, in this order. */
export interface Wants {
  title?: Matcher | undefined;
  url?: Matcher | undefined;
  /** 'any' only reads the element's state. */
  elements: { selector: string; state: 'visible' | 'hidden' | 'any' }[];
  /** A null text only reads the first match's text. */
  texts: { selector: string; text: Matcher | null }[];
}

export type ElementState = { count: number; visible: number; disabled: number } | { invalid: string };
export type TextState = { text: string | null } | { invalid: string };

export interface PageSnapshot {
  title: string;
  url: string;
  /** In the order of wants.elements. */
  elements: ElementState[];
  /** In the order of wants.texts. */
  texts: TextState[];
}

/** What woke the look that answered. */
export type Wake = 'first' | 'mutation' | 'frame' | 'poll' | 'timeout' | 'cancel';

export interface PageAnswer {
  snapshot: PageSnapshot;
  /** The wants that do not hold: "title", "url", "element:<i>", "text:<i>". Empty when all hold. */
  unmet: string[];
  /** A selector the page cannot parse: the state can never hold, so the waiter answers at once. */
  invalid: boolean;
  wokenBy: Wake;
  /** performance.now() in the page when it looked for the last time. */
  seenAtMs: number;
  looks: number;
}

interface WaitArgs {
  wants: Wants;
  timeoutMs: number;
  fallbackMs: number;
  /** An event on `document` that ends the wait early; its name is random, so the page cannot guess it. */
  cancelEvent: string;
}

/** Runs inside the page, so it must stand alone: it is sent as source text and may use nothing from this file. */
function waitInPage(args: WaitArgs): Promise<PageAnswer> {
  const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
  const problem = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  // Visible: a non-empty box, and not hidden by display, visibility or content-visibility (here or above).
  const isVisible = (element: Element): boolean => {
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && element.checkVisibility({ visibilityProperty: true });
  };
  const snapshot = (): PageSnapshot => ({
    title: document.title,
    url: location.href,
    elements: args.wants.elements.map(({ selector }): ElementState => {
      try {
        const found = Array.from(document.querySelectorAll(selector));
        return {
          count: found.length,
          visible: found.filter(isVisible).length,
          disabled: found.filter((element) => element.matches(':disabled')).length,
        };
      } catch (error) {
        return { invalid: problem(error) };
      }
    }),
    texts: args.wants.texts.map(({ selector }): TextState => {
      try {
        const element = document.querySelector(selector);
        return { text: element === null ? null : collapse(element.textContent ?? '') };
      } catch (error) {
        return { invalid: problem(error) };
      }
    }),
  });
  const holds = (value: string | null, matcher: Matcher): boolean => {
    if (value === null) return false;
    if ('equals' in matcher) return collapse(value) === matcher.equals;
    if ('contains' in matcher) return value.includes(matcher.contains);
    return new RegExp(matcher.matches.source, matcher.matches.flags).test(value);
  };
  const judge = (seen: PageSnapshot) => {
    const unmet: string[] = [];
    const { wants } = args;
    if (wants.title && !holds(seen.title, wants.title)) unmet.push('title');
    if (wants.url && !holds(seen.url, wants.url)) unmet.push('url');
    let invalid = false;
    seen.elements.forEach((state, index) => {
      if ('invalid' in state) invalid = true;
      else if (wants.elements[index]!.state === 'visible' ? state.visible === 0 : wants.elements[index]!.state === 'hidden' && state.visible > 0) {
        unmet.push(`element:${index}`);
      }
    });
    seen.texts.forEach((state, index) => {
      const matcher = wants.texts[index]!.text;
      if ('invalid' in state) invalid = true;
      else if (matcher !== null && !holds(state.text, matcher)) unmet.push(`text:${index}`);
    });
    return { unmet, invalid };
  };

  return new Promise((resolve) => {
    let looks = 0;
    let finished = false;
    const cleanUps: (() => void)[] = [];
    const look = (wokenBy: Wake) => {
      if (finished) return;
      looks += 1;
      const seen = snapshot();
      const { unmet, invalid } = judge(seen);
      if (unmet.length > 0 && !invalid && wokenBy !== 'timeout' && wokenBy !== 'cancel') return;
      finished = true;
      for (const cleanUp of cleanUps) cleanUp();
      resolve({ snapshot: seen, unmet, invalid, wokenBy, seenAtMs: performance.now(), looks });
    };
    look(args.timeoutMs <= 0 ? 'timeout' : 'first');
    if (finished) return;
    const observer = new MutationObserver(() => look('mutation'));
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    cleanUps.push(() => observer.disconnect());
    let frame = 0;
    const onFrame = () => {
      look('frame');
      if (!finished) frame = requestAnimationFrame(onFrame);
    };
    frame = requestAnimationFrame(onFrame);
    cleanUps.push(() => cancelAnimationFrame(frame));
    const poll = setInterval(() => look('poll'), args.fallbackMs);
    const timer = setTimeout(() => look('timeout'), args.timeoutMs);
    cleanUps.push(() => {
      clearInterval(poll);
      clearTimeout(timer);
    });
    const cancel = () => look('cancel');
    document.addEventListener(args.cancelEvent, cancel);
    cleanUps.push(() => document.removeEventListener(args.cancelEvent, cancel));
  });
}

/** For what no mutation or frame reports: a page that renders no frames (hidden, or throttled). */
const FALLBACK_POLL_MS = 100;
/**
 * One evaluation waits at most this long, then the next is armed: a CDP call that stays open longer than the
 * browser's protocol timeout would fail on its own.
 */
const LONGEST_EVALUATION_MS = 30_000;
/** Between two documents, the page has no context to arm a waiter in for a moment: try again after this. */
const REARM_PAUSE_MS = 20;

/** Errors that only mean the page is between two documents: the waiter is armed again in the new one. */
const BETWEEN_DOCUMENTS =
  /Execution context was destroyed|Cannot find context with specified id|Execution context is not available|Inspected target navigated/;

/** Reads the state once, with nothing to wait for: one round trip. */
export async function probePage(page: Page, wants: Wants): Promise<PageSnapshot> {
  const answer = await page.evaluate(waitInPage, { wants, timeoutMs: 0, fallbackMs: FALLBACK_POLL_MS, cancelEvent: '' });
  return answer.snapshot;
}

export interface WaitResult {
  held: boolean;
  /** The last answer the page gave, or null if it never answered between navigations. */
  answer: PageAnswer | null;
  waitedMs: number;
  /** Why the last evaluation failed, when it did. */
  lastError: string | null;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves as `answer` does, or with null as soon as `signal` aborts; the waiter in the page is then told to
 * stop, so nothing of this attempt keeps running in the page.
 */
function untilAborted(page: Page, answer: Promise<PageAnswer>, signal: AbortSignal, cancelEvent: string): Promise<PageAnswer | null> {
  answer.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      resolve(null);
      void page.evaluate((name) => document.dispatchEvent(new Event(name)), cancelEvent).catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Waits until every want holds or `budgetMs` has passed, and returns the last state the page showed. A short
 * budget still looks once; an invalid selector answers at once.
 */
export async function waitForPage(page: Page, wants: Wants, budget: { progress: Progress; budgetMs: number }): Promise<WaitResult> {
  const { progress } = budget;
  const started = progress.elapsedMs();
  const waited = () => progress.elapsedMs() - started;
  let result: WaitResult = { held: false, answer: null, waitedMs: 0, lastError: null };
  for (;;) {
    progress.ensureRunning();
    const left = budget.budgetMs - waited();
    const cancelEvent = `reliability-smoke-cancel-${Math.random().toString(36).slice(2)}`;
    const args: WaitArgs = { wants, timeoutMs: Math.min(Math.max(0, left), LONGEST_EVALUATION_MS), fallbackMs: FALLBACK_POLL_MS, cancelEvent };
    try {
      const answer = await untilAborted(page, page.evaluate(waitInPage, args), progress.signal, cancelEvent);
      progress.ensureRunning();
      result = { held: answer!.unmet.length === 0 && !answer!.invalid, answer, waitedMs: waited(), lastError: null };
      if (result.held || answer!.invalid) return result;
    } catch (error) {
      if (!BETWEEN_DOCUMENTS.test(errorText(error))) throw error;
      result = { ...result, waitedMs: waited(), lastError: errorText(error) };
      if (budget.budgetMs - waited() > 0) await pause(Math.min(REARM_PAUSE_MS, budget.budgetMs - waited()), progress.signal);
    }
    if (budget.budgetMs - waited() <= 0) return result;
  }
}
