/**
 * Looking at the page: one in-page evaluation reads everything the expectations (or a waitFor step) need, and a
 * poll repeats it with a backoff like Playwright's web-first assertions, so a page that renders late still
 * passes and the happy path costs one round trip.
 */
import type { Page } from 'puppeteer-core';
import type { Progress } from './progress.ts';
import { errorText } from '../common/text.ts';

export interface ProbeQuery {
  /** Selectors whose matches are counted: all, visible, disabled. */
  elements: string[];
  /** Selectors whose first match's text (whitespace collapsed) is read. */
  texts: string[];
}

export type ElementState = { count: number; visible: number; disabled: number } | { invalid: string };
export type TextState = { text: string | null } | { invalid: string };

export interface PageSnapshot {
  title: string;
  url: string;
  /** In the order of query.elements. */
  elements: ElementState[];
  /** In the order of query.texts. */
  texts: TextState[];
}

/** Runs inside the page, so it must stand alone: it is sent as source text and may use nothing from this file. */
function snapshotPage(query: ProbeQuery): PageSnapshot {
  // Visible: a non-empty box, and not hidden by display, visibility or content-visibility (here or above).
  const isVisible = (element: Element): boolean => {
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && element.checkVisibility({ visibilityProperty: true });
  };
  const problem = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const elements = query.elements.map((selector): ElementState => {
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
  });
  const texts = query.texts.map((selector): TextState => {
    try {
      const element = document.querySelector(selector);
      return { text: element === null ? null : (element.textContent ?? '').replace(/\s+/g, ' ').trim() };
    } catch (error) {
      return { invalid: problem(error) };
    }
  });
  return { title: document.title, url: location.href, elements, texts };
}

/** One evaluation, one round trip. */
export function probePage(page: Page, query: ProbeQuery): Promise<PageSnapshot> {
  return page.evaluate(snapshotPage, query);
}

/** Errors that only mean the page is between two documents: the next poll will see the new one. */
const BETWEEN_DOCUMENTS =
  /Execution context was destroyed|Cannot find context with specified id|Execution context is not available|Inspected target navigated/;

/** Playwright's expect intervals: at once, then 100, 250, 500ms, then every second. */
const POLL_BACKOFF_MS = [100, 250, 500, 1000] as const;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // Aborted while the last probe was out: an abort event will not come again.
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

export interface PollResult<F> {
  held: boolean;
  /** The last failure seen, or null when the check held or the page never answered. */
  failure: F | null;
  /** The last snapshot the page answered with, or null if it never answered between navigations. */
  snapshot: PageSnapshot | null;
  waitedMs: number;
  /** Why the last evaluation failed, when it did. */
  lastError: string | null;
}

/**
 * Probes until `check` returns null (it holds) or `budgetMs` has passed, and returns the last failure. A poll is
 * made at the end of the budget too, so a short budget still looks at least once.
 */
export async function pollPage<F>(
  page: Page,
  query: ProbeQuery,
  check: (snapshot: PageSnapshot) => F | null,
  budget: { progress: Progress; budgetMs: number },
): Promise<PollResult<F>> {
  const { progress } = budget;
  const started = progress.elapsedMs();
  const waited = () => progress.elapsedMs() - started;
  let result: PollResult<F> = { held: false, failure: null, snapshot: null, waitedMs: 0, lastError: null };
  for (let poll = 0; ; poll += 1) {
    progress.ensureRunning();
    try {
      const snapshot = await probePage(page, query);
      const failure = check(snapshot);
      result = { held: failure === null, failure, snapshot, waitedMs: waited(), lastError: null };
      if (result.held) return result;
    } catch (error) {
      if (!BETWEEN_DOCUMENTS.test(errorText(error))) throw error;
      result = { ...result, waitedMs: waited(), lastError: errorText(error) };
    }
    const left = budget.budgetMs - waited();
    if (left <= 0) return result;
    await pause(Math.min(POLL_BACKOFF_MS[poll] ?? 1000, left), progress.signal);
  }
}
