/**
 * `waitForResponse` steps. A response counts only if it was caused by the last action before the wait (click, fill,
 * press, hover, select, goto; the page load when none comes before it), so each wait starts listening just before
 * that action runs: a response that arrives while the action is still running is not missed, and one from earlier
 * never counts. Checks and waits in between (expect, waitFor, other waitForResponse steps) cause no requests, so
 * they do not move that point: a click followed by two waits waits for two responses the click caused, in any order.
 *
 * Listening costs no round trip: the page's network events are on already (page-signals.ts). Response URLs are
 * chosen by the page, so a `matches` pattern runs on them with a time limit: a pattern that backtracks for ever
 * fails its step instead of hanging the runner.
 */
import vm from 'node:vm';
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import { compileMatcher, type Step, type UrlMatcher, type WaitForResponse } from '../fixtures/schema.ts';
import type { Progress } from './progress.ts';
import { timerDelay } from './deadline.ts';
import { AttemptFailure, composeMessage, quote, seconds } from './failure.ts';
import { isBrowserOwn } from './page-signals.ts';
import { clip } from '../report/limits.ts';

/** A response, or a request that failed, as a failure message lists it. */
interface Seen {
  method: string;
  url: string;
  /** "HTTP 500" or "net::ERR_CONNECTION_REFUSED". */
  outcome: string;
  byScript: boolean;
}

/** How many responses a failure lists: the last few are what a reader needs; the attempt log has the requests. */
const LISTED = 5;
/** How many a wait keeps of each list while it listens, so a page that polls cannot fill memory. */
const KEPT = 50;
/** How much of a URL a wait keeps (a data: URL can be megabytes); a message quotes less still. */
const MAX_URL_CHARS = 2000;
/** A pattern that needs longer than this on one URL is backtracking without end, not matching a URL. */
const PATTERN_LIMIT_MS = 500;
/** Statuses a wait accepts when its step names none: any answer that is not an HTTP error. */
const DEFAULT_ACCEPTED = 'any status below 400';

interface Watch {
  readonly want: WaitForResponse;
  /** What the response is waited for from: "step 2 (click "#buy")", or "the page load". */
  readonly cause: string;
  readonly urlMatches: (url: string) => boolean;
  /** How many requests the page had issued when the wait was armed: only later ones can be caused by the action. */
  readonly issuedBefore: number;
  arrived: Seen | null;
  /** Responses to a matching URL whose status was not accepted (or that failed), most recent last. */
  refused: Seen[];
  /** Responses to other URLs, most recent last: what the page did ask for. */
  others: Seen[];
  /** A pattern that ran too long: the step fails with it. */
  broken: AttemptFailure | null;
  wake: () => void;
}

export interface ResponseWaits {
  /** Before the action at step `index` runs (-1: the navigation), starts listening for the waits that follow it. */
  armAfter(index: number, cause: string): void;
  /** Waits up to `budgetMs` for the response of the `waitForResponse` step at `index`; throws a failure naming `label`. */
  wait(index: number, label: string, budget: { progress: Progress; budgetMs: number }): Promise<void>;
  detach(): void;
}

export interface ResponseWaitOptions {
  baseUrl: string | null;
  redact: (text: string) => string;
}

export function watchResponses(page: Page, steps: readonly Step[], options: ResponseWaitOptions): ResponseWaits {
  const watches = new Map<number, Watch>();
  const active = (): Watch[] => [...watches.values()].filter((watch) => watch.arrived === null && watch.broken === null);
  // Requests are numbered as the page issues them. A response is told apart by its request, not by when its event
  // arrives: the browser may report a response after an action started (a busy machine, or a response whose extra
  // details come late) even though its request was issued long before, and that one was not caused by the action.
  const numbered = steps.some((step) => step.waitForResponse !== undefined);
  const issued = new WeakMap<HTTPRequest, number>();
  let issuedCount = 0;
  const onRequest = (request: HTTPRequest) => {
    issuedCount += 1;
    issued.set(request, issuedCount);
  };
  if (numbered) page.on('request', onRequest);
  const see = (request: HTTPRequest, outcome: string, status: number | null) => {
    if (isBrowserOwn(request)) return;
    const url = request.url();
    const byScript = ['fetch', 'xhr'].includes(request.resourceType());
    const seen: Seen = { method: request.method(), url: clip(options.redact(url), MAX_URL_CHARS), outcome, byScript };
    // A request issued before the attempt began listening has no number: it was not caused by any action either.
    const number = issued.get(request) ?? 0;
    for (const watch of active()) {
      if (number <= watch.issuedBefore) continue;
      let matches: boolean;
      try {
        matches = watch.urlMatches(url);
      } catch {
        watch.broken = patternTooSlow(seen.url);
        watch.wake();
        continue;
      }
      if (!matches) keep(watch.others, seen);
      else if (status !== null && accepts(watch.want.status, status)) watch.arrived = seen;
      else keep(watch.refused, seen);
      if (watch.arrived) watch.wake();
    }
  };
  const onResponse = (response: HTTPResponse) => see(response.request(), `HTTP ${response.status()}`, response.status());
  const onRequestFailed = (request: HTTPRequest) => see(request, request.failure()?.errorText ?? 'failed', null);
  let listening = false;

  return {
    armAfter(index, cause) {
      for (let next = index + 1; next < steps.length && !isAction(steps[next]!); next += 1) {
        const want = steps[next]!.waitForResponse;
        if (want === undefined || watches.has(next)) continue;
        const urlMatches = urlTest(want.url, options.baseUrl);
        watches.set(next, {
          want,
          cause,
          urlMatches,
          issuedBefore: issuedCount,
          arrived: null,
          refused: [],
          others: [],
          broken: null,
          wake: () => undefined,
        });
      }
      if (listening || watches.size === 0) return;
      listening = true;
      page.on('response', onResponse);
      page.on('requestfailed', onRequestFailed);
    },
    async wait(index, label, budget) {
      const watch = watches.get(index);
      if (!watch) throw new Error(`step ${index + 1} was not armed before the action it waits on`);
      const started = budget.progress.elapsedMs();
      await untilWoken(watch, budget.budgetMs, budget.progress.signal);
      budget.progress.ensureRunning();
      if (watch.broken) throw new AttemptFailure(watch.broken.kind, composeMessage(`${label}: ${watch.broken.message}`));
      if (watch.arrived) return;
      throw noResponse(watch, label, budget.progress.elapsedMs() - started);
    },
    detach() {
      for (const watch of watches.values()) watch.wake();
      if (numbered) page.off('request', onRequest);
      if (!listening) return;
      page.off('response', onResponse);
      page.off('requestfailed', onRequestFailed);
      listening = false;
    },
  };
}

/** A step that does something to the page, as opposed to one that waits or checks. */
export function isAction(step: Step): boolean {
  return step.expect === undefined && step.waitFor === undefined && step.waitForResponse === undefined;
}

function keep(list: Seen[], seen: Seen): void {
  list.push(seen);
  if (list.length > KEPT) list.shift();
}

function accepts(status: WaitForResponse['status'], actual: number): boolean {
  if (status === undefined) return actual < 400;
  return (Array.isArray(status) ? status : [status]).includes(actual);
}

/** Resolves once the response has arrived, the pattern broke, the budget is spent or the attempt is over. */
function untilWoken(watch: Watch, budgetMs: number, signal: AbortSignal): Promise<void> {
  if (watch.arrived || watch.broken || budgetMs <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      watch.wake = () => undefined;
      resolve();
    };
    const timer = setTimeout(done, timerDelay(budgetMs));
    signal.addEventListener('abort', done, { once: true });
    watch.wake = done;
  });
}

/** How a response URL is tested: exact (after resolving against the base URL), contains, or a pattern. */
function urlTest(url: UrlMatcher, baseUrl: string | null): (actual: string) => boolean {
  if (typeof url === 'string') {
    const wanted = new URL(url, baseUrl ?? undefined).href;
    return (actual) => actual === wanted;
  }
  if (url.contains !== undefined) {
    const needle = url.contains;
    return (actual) => actual.includes(needle);
  }
  return boundedPattern(url.matches ?? '');
}

/**
 * The pattern runs in a context of its own with a time limit, which interrupts even a regular expression that
 * backtracks: the URL comes from the page, and nothing a page does may hang the runner. Throws when time runs out.
 */
function boundedPattern(text: string): (actual: string) => boolean {
  const regex = compileMatcher(text);
  const context = vm.createContext({ regex, url: '' });
  const test = new vm.Script('regex.lastIndex = 0; regex.test(url);');
  return (actual) => {
    context.url = actual;
    return test.runInContext(context, { timeout: PATTERN_LIMIT_MS }) === true;
  };
}

/** The label before it quotes the pattern as written; the value may hold a secret, the URL is shown redacted. */
function patternTooSlow(shownUrl: string): AttemptFailure {
  return new AttemptFailure(
    'config',
    composeMessage(`the pattern took longer than ${seconds(PATTERN_LIMIT_MS)} on the URL ${quote(shownUrl)}.`, [
      'A pattern with nested repeats, backreferences or lookarounds can backtrack for ever on some text; write it without them, or use contains.',
    ]),
  );
}

function describeSeen(seen: Seen): string {
  return `${seen.method} ${quote(seen.url)} ${seen.outcome}`;
}

function acceptedText(status: WaitForResponse['status']): string {
  if (status === undefined) return DEFAULT_ACCEPTED;
  const list = Array.isArray(status) ? status : [status];
  return list.length === 1 ? `status ${list[0]}` : `status ${list.join(', ')}`;
}

/**
 * Why nothing arrived. A response to a matching URL with another status is an assertion failure: the page was
 * answered, wrongly. Otherwise the step timed out, and the message lists what the page's scripts did ask for.
 */
function noResponse(watch: Watch, label: string, waitedMs: number): AttemptFailure {
  const waited = `(waited ${seconds(waitedMs)})`;
  if (watch.refused.length > 0) {
    const last = watch.refused.slice(-LISTED);
    return new AttemptFailure(
      'assertion',
      composeMessage(`${label}: no response with ${acceptedText(watch.want.status)} ${waited}; the last to a matching URL: ${describeSeen(last.at(-1)!)}.`, [
        `Responses to a matching URL (${watch.refused.length}${watch.refused.length >= KEPT ? '+' : ''}, last ${last.length}):`,
        ...last.map((seen) => `  ${describeSeen(seen)}`),
        watch.want.status === undefined ? 'If this status is what the site should answer, set waitForResponse.status.' : '',
      ]),
    );
  }
  const { listed, which } = worthListing(watch);
  return new AttemptFailure(
    'timeout',
    composeMessage(`${label}: no response to a matching URL arrived since ${watch.cause} started ${waited}.`, [
      listed.length === 0 ? `The page received no other response either: does ${watch.cause} make that request?` : `${which} since then:`,
      ...listed.map((seen) => `  ${describeSeen(seen)}`),
    ]),
  );
}

/**
 * What a reader needs when nothing matched: the responses whose URL is most like the one waited for (a typo, another
 * version of the API), or else the page's last fetch and XHR responses (else its last responses of any kind).
 */
function worthListing(watch: Watch): { listed: Seen[]; which: string } {
  const needle = needleOf(watch.want.url);
  const enough = Math.max(3, Math.ceil(needle.length / 2));
  const scored = watch.others.map((seen, order) => ({ seen, order, score: commonRun(needle, pathOf(seen.url)) }));
  const similar = scored.filter(({ score }) => score >= enough).sort((a, b) => b.score - a.score || b.order - a.order);
  if (similar.length > 0) return { listed: similar.slice(0, LISTED).map(({ seen }) => seen), which: 'Responses with a similar URL' };
  const byScript = watch.others.filter((seen) => seen.byScript);
  if (byScript.length > 0) return { listed: byScript.slice(-LISTED), which: "The page's last fetch and XHR responses" };
  return { listed: watch.others.slice(-LISTED), which: "The page's last responses" };
}

/** The text a URL check is about, for likeness: the path and query of a URL, or a pattern without its syntax. */
function needleOf(url: UrlMatcher): string {
  if (typeof url === 'string') return pathOf(url);
  if (url.contains !== undefined) return url.contains;
  return (url.matches ?? '').replace(/\\(.)/g, '$1').replace(/[\^$.*+?()[\]{}|]/g, '');
}

function pathOf(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** Length of the longest run of characters two texts share. */
function commonRun(a: string, b: string): number {
  let best = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j += 1) {
      if (a[i - 1] !== b[j - 1]) continue;
      row[j] = previous[j - 1]! + 1;
      best = Math.max(best, row[j]!);
    }
    previous = row;
  }
  return best;
}
