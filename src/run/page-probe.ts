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
import type { ElementHandle, Page } from 'puppeteer-core';
import type { Progress } from './progress.ts';
import { errorText } from '../common/text.ts';
import { parsedSelector, puppeteerSelector } from '../fixtures/selector.ts';

/** A regular expression as data, so it can cross into the page. */
export interface PatternSource {
  source: string;
  flags: string;
}

/** `equals` is compared after collapsing whitespace on both sides (the caller collapses its own side). */
export type Matcher = { equals: string } | { contains: string } | { matches: PatternSource };

/**
 * What must hold. Elements, texts and counts are also what a snapshot reads, in this order. Selectors are written
 * as fixtures write them (CSS, text=..., role=...).
 */
export interface Wants {
  title?: Matcher | undefined;
  url?: Matcher | undefined;
  /** 'any' only reads the element's state. A strict want cannot hold while more than one element matches. */
  elements: { selector: string; state: 'visible' | 'hidden' | 'any'; strict?: boolean }[];
  /** Strict: the one element the selector matches. A null text only reads its text. */
  texts: { selector: string; text: Matcher | null }[];
  /** How many elements match, between min and max (both inclusive). */
  counts?: { selector: string; min: number; max: number | null }[];
}

/** One element as a failure lists it. The text is page data, clipped in the page. */
export interface MatchInfo {
  tag: string;
  id: string;
  classes: string;
  text: string;
}

/** `matches` describes the first few elements, when more than one matches. */
export type ElementState = { count: number; visible: number; disabled: number; matches: MatchInfo[] } | { invalid: string };
export type TextState = { text: string | null; count: number; matches: MatchInfo[] } | { invalid: string };

export interface PageSnapshot {
  title: string;
  url: string;
  /** In the order of wants.elements. */
  elements: ElementState[];
  /** In the order of wants.texts. */
  texts: TextState[];
  /** In the order of wants.counts. */
  counts: ElementState[];
}

/** What woke the look that answered. */
export type Wake = 'first' | 'mutation' | 'frame' | 'poll' | 'timeout' | 'cancel';

export interface PageAnswer {
  snapshot: PageSnapshot;
  /** The wants that do not hold: "title", "url", "element:<i>", "text:<i>", "count:<i>". Empty when all hold. */
  unmet: string[];
  /** A selector the page cannot parse: the state can never hold, so the waiter answers at once. */
  invalid: boolean;
  /** A strict want matches more than one element: the fixture must narrow it, so the waiter answers at once. */
  ambiguous: boolean;
  wokenBy: Wake;
  /** performance.now() in the page when it looked for the last time. */
  seenAtMs: number;
  looks: number;
}

/**
 * A selector as the page resolves it. role= needs the browser's accessibility tree, which only the protocol
 * sees: the runner resolves it (Puppeteer's ::-p-aria) and hands the page the elements, `from` and `length`
 * into the evaluation's extra arguments.
 */
type Target = { css: string } | { text: string } | { from: number; length: number };

interface PageWants {
  title?: Matcher | undefined;
  url?: Matcher | undefined;
  elements: { target: Target; state: 'visible' | 'hidden' | 'any'; strict: boolean }[];
  texts: { target: Target; text: Matcher | null }[];
  counts: { target: Target; min: number; max: number | null }[];
}

interface WaitArgs {
  wants: PageWants;
  timeoutMs: number;
  fallbackMs: number;
  /** An event on `document` that ends the wait early; its name is random, so the page cannot guess it. */
  cancelEvent: string;
  /**
   * Some targets were resolved by the runner: after a change in the page they may be stale, so the waiter answers
   * on the next mutation or poll and the runner resolves them again.
   */
  resolvedByRunner: boolean;
}

/** Runs inside the page, so it must stand alone: it is sent as source text and may use nothing from this file. */
function waitInPage(args: WaitArgs, ...resolved: Element[]): Promise<PageAnswer> {
  const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
  const problem = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  // Visible: a non-empty box, and not hidden by display, visibility or content-visibility (here or above).
  const isVisible = (element: Element): boolean => {
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && element.checkVisibility({ visibilityProperty: true });
  };
  // text=: the same elements as Puppeteer's ::-p-text. An element's text is its text nodes and its descendants'
  // (shadow roots included), or the value of a text field or <select>; script, style and <head> are skipped; of
  // nested elements that contain the text, only the deepest match.
  const suitable = (node: Element) => node.nodeName !== 'SCRIPT' && node.nodeName !== 'STYLE' && !document.head?.contains(node);
  const ownsValue = (node: Node) =>
    node instanceof HTMLSelectElement ||
    node instanceof HTMLTextAreaElement ||
    (node instanceof HTMLInputElement && !['checkbox', 'image', 'radio'].includes(node.type));
  // Each look reads every element's text once (remembered for this look only: the page may change before the next).
  let texts = new Map<Node, string>();
  const fullText = (root: Node): string => {
    const known = texts.get(root);
    if (known !== undefined) return known;
    let text = '';
    if (root instanceof Element && !suitable(root)) text = '';
    else if (ownsValue(root)) text = (root as HTMLInputElement).value;
    else {
      for (let child = root.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) text += child.nodeValue ?? '';
        else if (child.nodeType === Node.ELEMENT_NODE) text += fullText(child);
      }
      if (root instanceof Element && root.shadowRoot) text += fullText(root.shadowRoot);
    }
    texts.set(root, text);
    return text;
  };
  const byText = (root: Node, wanted: string, found: Element[]): boolean => {
    let below = false;
    for (const node of Array.from(root.childNodes)) {
      if (node instanceof Element && suitable(node)) below = byText(node.shadowRoot ?? node, wanted, found) || below;
    }
    if (below) return true;
    if (root instanceof Element && suitable(root) && fullText(root).includes(wanted)) {
      found.push(root);
      return true;
    }
    return false;
  };
  const find = (target: Target): Element[] => {
    if ('css' in target) return Array.from(document.querySelectorAll(target.css));
    if ('text' in target) {
      const found: Element[] = [];
      texts = new Map();
      byText(document, target.text, found);
      return found;
    }
    return resolved.slice(target.from, target.from + target.length).filter((element) => element.isConnected);
  };
  const describe = (found: Element[]): MatchInfo[] =>
    found.length < 2
      ? []
      : found.slice(0, 3).map((element) => ({
          tag: element.tagName.toLowerCase(),
          id: element.id,
          classes: typeof element.className === 'string' ? collapse(element.className) : '',
          text: collapse(element.textContent ?? '').slice(0, 60),
        }));
  const elementState = (target: Target): ElementState => {
    try {
      const found = find(target);
      return {
        count: found.length,
        visible: found.filter(isVisible).length,
        disabled: found.filter((element) => element.matches(':disabled')).length,
        matches: describe(found),
      };
    } catch (error) {
      return { invalid: problem(error) };
    }
  };
  const snapshot = (): PageSnapshot => ({
    title: document.title,
    url: location.href,
    elements: args.wants.elements.map(({ target }) => elementState(target)),
    texts: args.wants.texts.map(({ target }): TextState => {
      try {
        const found = find(target);
        const text = found.length === 1 ? collapse(found[0]!.textContent ?? '') : null;
        return { text, count: found.length, matches: describe(found) };
      } catch (error) {
        return { invalid: problem(error) };
      }
    }),
    counts: args.wants.counts.map(({ target }) => elementState(target)),
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
    let ambiguous = false;
    seen.elements.forEach((state, index) => {
      const want = wants.elements[index]!;
      if ('invalid' in state) invalid = true;
      else if (want.strict && state.count > 1) {
        ambiguous = true;
        unmet.push(`element:${index}`);
      } else if (want.state === 'visible' ? state.visible === 0 : want.state === 'hidden' && state.visible > 0) {
        unmet.push(`element:${index}`);
      }
    });
    seen.texts.forEach((state, index) => {
      const matcher = wants.texts[index]!.text;
      if ('invalid' in state) invalid = true;
      else if (state.count > 1) {
        ambiguous = true;
        unmet.push(`text:${index}`);
      } else if (matcher !== null && !holds(state.text, matcher)) unmet.push(`text:${index}`);
    });
    seen.counts.forEach((state, index) => {
      const { min, max } = wants.counts[index]!;
      if ('invalid' in state) invalid = true;
      else if (state.count < min || (max !== null && state.count > max)) unmet.push(`count:${index}`);
    });
    return { unmet, invalid, ambiguous };
  };

  return new Promise((resolve) => {
    let looks = 0;
    let finished = false;
    const cleanUps: (() => void)[] = [];
    const look = (wokenBy: Wake) => {
      if (finished) return;
      looks += 1;
      const seen = snapshot();
      const { unmet, invalid, ambiguous } = judge(seen);
      const stale = args.resolvedByRunner && (wokenBy === 'mutation' || wokenBy === 'poll');
      if (unmet.length > 0 && !invalid && !ambiguous && !stale && wokenBy !== 'timeout' && wokenBy !== 'cancel') return;
      finished = true;
      for (const cleanUp of cleanUps) cleanUp();
      resolve({ snapshot: seen, unmet, invalid, ambiguous, wokenBy, seenAtMs: performance.now(), looks });
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

/** The wants as the page takes them, with the elements of role= selectors resolved through the protocol. */
interface Prepared {
  wants: PageWants;
  handles: ElementHandle[];
}

async function prepare(page: Page, wants: Wants): Promise<Prepared> {
  const handles: ElementHandle[] = [];
  const target = async (selector: string): Promise<Target> => {
    const parsed = parsedSelector(selector);
    if (parsed.kind === 'css') return { css: parsed.css };
    if (parsed.kind === 'text') return { text: parsed.text };
    const found = await page.$$(puppeteerSelector(parsed));
    const from = handles.length;
    handles.push(...found);
    return { from, length: found.length };
  };
  try {
    const elements = [];
    for (const want of wants.elements) elements.push({ target: await target(want.selector), state: want.state, strict: want.strict ?? false });
    const texts = [];
    for (const want of wants.texts) texts.push({ target: await target(want.selector), text: want.text });
    const counts = [];
    for (const want of wants.counts ?? []) counts.push({ target: await target(want.selector), min: want.min, max: want.max });
    return { wants: { title: wants.title, url: wants.url, elements, texts, counts }, handles };
  } catch (error) {
    release(handles);
    throw error;
  }
}

function release(handles: readonly ElementHandle[]): void {
  for (const handle of handles) void handle.dispose().catch(() => undefined);
}

/** Arms one waiter in the page, with what `prepare` resolved; the resolved handles are released once it answers. */
async function evaluateWaiter(page: Page, wants: Wants, options: Omit<WaitArgs, 'wants' | 'resolvedByRunner'>): Promise<{ answer: Promise<PageAnswer> }> {
  const prepared = await prepare(page, wants);
  const args: WaitArgs = { ...options, wants: prepared.wants, resolvedByRunner: hasRunnerTargets(prepared.wants) };
  const answer = page.evaluate(waitInPage, args, ...prepared.handles);
  const done = () => release(prepared.handles);
  answer.then(done, done);
  return { answer };
}

function hasRunnerTargets(wants: PageWants): boolean {
  return [...wants.elements, ...wants.texts, ...wants.counts].some(({ target }) => 'from' in target);
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
  /Execution context was destroyed|Cannot find context with specified id|Execution context is not available|Inspected target navigated|No node with given id found|Node with given id does not belong to the document|Could not find node with given id/;

/** Reads the state once, with nothing to wait for: one round trip. */
export async function probePage(page: Page, wants: Wants): Promise<PageSnapshot> {
  const { answer } = await evaluateWaiter(page, wants, { timeoutMs: 0, fallbackMs: FALLBACK_POLL_MS, cancelEvent: '' });
  return (await answer).snapshot;
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
    const options = { timeoutMs: Math.min(Math.max(0, left), LONGEST_EVALUATION_MS), fallbackMs: FALLBACK_POLL_MS, cancelEvent };
    try {
      const answer = await untilAborted(page, (await evaluateWaiter(page, wants, options)).answer, progress.signal, cancelEvent);
      progress.ensureRunning();
      result = { held: answer!.unmet.length === 0 && !answer!.invalid && !answer!.ambiguous, answer, waitedMs: waited(), lastError: null };
      if (result.held || answer!.invalid || answer!.ambiguous) return result;
    } catch (error) {
      if (!BETWEEN_DOCUMENTS.test(errorText(error))) throw error;
      result = { ...result, waitedMs: waited(), lastError: errorText(error) };
      if (budget.budgetMs - waited() > 0) await pause(Math.min(REARM_PAUSE_MS, budget.budgetMs - waited()), progress.signal);
    }
    if (budget.budgetMs - waited() <= 0) return result;
  }
}
