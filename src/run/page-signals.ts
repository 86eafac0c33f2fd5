/**
 * What a page does by itself during one attempt: console messages, uncaught errors, failed requests, dialogs and
 * the main document's response. The page is reused for the next fixture, so every listener added here is
 * removed by `detach()`, and nothing else (interception, CDP sessions) is set up: listening costs no round trip.
 */
import type { ConsoleMessage, Dialog, Frame, HTTPRequest, HTTPResponse, Page, PageEvents } from 'puppeteer-core';
import { clip } from '../report/limits.ts';
import { AttemptFailure } from './failure.ts';
import { errorText } from '../common/text.ts';
import { WEB_SCHEMES } from '../fixtures/urls.ts';

export const DEFAULT_VIEWPORT = { width: 1280, height: 720 } as const;

/** Bounds on what one attempt keeps, so a page that logs in a loop cannot fill memory or the log. */
const SIGNAL_LIMITS = { maxEntries: 500, maxTextChars: 16_000 } as const;

/** Why an entry does not count against the fixture, or null when it counts. The log shows both kinds. */
type Ignored = string | null;

export interface ConsoleEntry {
  atMs: number;
  type: string;
  text: string;
  /** "url:line:column" where the message came from, when known. */
  location: string | null;
  ignored: Ignored;
}

export interface PageErrorEntry {
  atMs: number;
  message: string;
  stack: string | null;
  ignored: Ignored;
}

export interface FailedRequest {
  atMs: number;
  method: string;
  url: string;
  resourceType: string;
  /** "net::ERR_CONNECTION_REFUSED" or "HTTP 404 Not Found". */
  failure: string;
  ignored: Ignored;
}

export interface DocumentResponse {
  url: string;
  status: number;
  statusText: string;
}

export interface PageSignals {
  /** Everything seen, for the log, counted or not. */
  readonly consoleMessages: readonly ConsoleEntry[];
  readonly pageErrors: readonly PageErrorEntry[];
  readonly failedRequests: readonly FailedRequest[];
  readonly dialogs: readonly string[];
  /** Entries left out once a list was full, per list name. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Console errors that count against noConsoleErrors. */
  consoleErrors(): ConsoleEntry[];
  /** Uncaught errors that count against noPageErrors. */
  uncaughtErrors(): PageErrorEntry[];
  /** Failed requests that count against noFailedRequests. */
  requestFailures(): FailedRequest[];
  /** The last response to a main-frame navigation: after redirects and steps, the final document. */
  mainDocument(): DocumentResponse | null;
  /** A main-frame navigation that failed at the network level (net::ERR_*), if the last one did. */
  mainDocumentFailure(): { url: string; errorText: string } | null;
  /** Whether a main-frame document of this attempt has arrived (before that, the page shows an earlier one). */
  documentCommitted(): boolean;
  /** Requests still in flight, as "METHOD url": what a page that never finishes loading is waiting for. */
  pendingRequests(): string[];
  /** The URL of a document that is not a web page (file:, chrome:…) the main frame went to, if it did. */
  leftTheWeb(): string | null;
  detach(): void;
}

export interface WatchOptions {
  elapsedMs: () => number;
  /**
   * Hides secret values in what the page says (console, errors, request URLs, dialogs), before any of it is clipped:
   * a secret cut in half would no longer be recognised later.
   */
  redact?: (text: string) => string;
  /** The page crashed or closed: the attempt cannot go on. */
  onFatal: (failure: AttemptFailure) => void;
}

const ERROR_CONSOLE_TYPES: ReadonlySet<string> = new Set(['error', 'assert']);
const NETWORK_CONSOLE_PREFIX = 'Failed to load resource';

/**
 * Requests the browser makes by itself, such as the favicon: no page code asked for them, so they never count.
 * The path check also covers a favicon request that started before this attempt's listeners.
 */
function isBrowserOwnUrl(url: string): boolean {
  try {
    return new URL(url).pathname.endsWith('/favicon.ico');
  } catch {
    return false;
  }
}

export function isBrowserOwn(request: HTTPRequest): boolean {
  if (isBrowserOwnUrl(request.url())) return true;
  return request.resourceType() === 'other' && request.initiator()?.type === 'other' && !request.isNavigationRequest();
}

/** The request for the main frame's document: its status and failure are checked on their own. */
export function isMainDocument(request: HTTPRequest, page: Page): boolean {
  return request.isNavigationRequest() && request.frame() === page.mainFrame();
}

function formatLocation(location: { url?: string; lineNumber?: number; columnNumber?: number }): string | null {
  if (!location.url) return null;
  const line = location.lineNumber === undefined ? '' : `:${location.lineNumber + 1}`;
  const column = location.columnNumber === undefined ? '' : `:${location.columnNumber + 1}`;
  return `${location.url}${line}${column}`;
}

function describePageError(value: unknown): { message: string; stack: string | null } {
  if (!(value instanceof Error)) return { message: errorText(value), stack: null };
  // Without an exception object, puppeteer passes CDP's own text, which already reads "Uncaught Error: ...".
  const message = value.message.startsWith('Uncaught') ? value.message : `${value.name || 'Error'}: ${value.message}`;
  const stackLines = (value.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return { message, stack: stackLines.length > 0 ? stackLines.join('\n') : null };
}

function redactNullable(text: string | null, redact: (text: string) => string): string | null {
  return text === null ? null : redact(text);
}

/**
 * What the main frame may show besides http(s) pages: the blank page a session starts on, and Chrome's error page
 * for a load that failed. Chrome itself refuses pages that link or redirect to file:, chrome: or view-source:; this
 * holds whatever else opens them (a URL known only at run time, a browser-initiated navigation).
 */
const BROWSER_PAGES: ReadonlySet<string> = new Set(['about:', 'chrome-error:']);

function leavesTheWeb(url: string): boolean {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  return !WEB_SCHEMES.includes(protocol) && !BROWSER_PAGES.has(protocol);
}

/** The attempt's one failure once the page left the web: any other would quote what the page showed there. */
export function leftTheWebFailure(url: string): AttemptFailure {
  const message = `The page went to ${url}, which is not an http or https page: the attempt stops there, and nothing of that page is kept.`;
  return new AttemptFailure('navigation', message);
}

/**
 * The browser's own line about a request that failed ("Failed to load resource: …"), as opposed to what the page's
 * code logs: it comes from Chrome's log, not from a console call, so it carries no arguments. It belongs to the
 * request, which expect.noFailedRequests governs; noConsoleErrors is about the page's code.
 */
function isBrowserNetworkLine(message: ConsoleMessage, text: string): boolean {
  return text.startsWith(NETWORK_CONSOLE_PREFIX) && message.args().length === 0;
}

const EARLIER_DOCUMENT = "it came from the earlier document, before this attempt's page arrived";
const BROWSER_OWN = 'a request the browser made by itself';
const MAIN_DOCUMENT = "the main document's status is checked on its own (expect.status)";
const FAILED_REQUEST = "the browser's line about a failed request, which expect.noFailedRequests governs";
const counted = <T extends { ignored: Ignored }>(entries: readonly T[]) => entries.filter((entry) => !entry.ignored);

export function watchPage(page: Page, options: WatchOptions): PageSignals {
  const redact = options.redact ?? ((text: string) => text);
  const consoleMessages: ConsoleEntry[] = [];
  const pageErrors: PageErrorEntry[] = [];
  const failedRequests: FailedRequest[] = [];
  const dialogs: string[] = [];
  const dropped: Record<string, number> = {};
  const browserOwnUrls = new Set<string>();
  const documentUrls = new Set<string>();
  const pending = new Set<HTTPRequest>();
  let committed = false;
  let consoleErrorsKept = 0;
  let mainDocument: DocumentResponse | null = null;
  let mainDocumentFailure: { url: string; errorText: string } | null = null;

  const keep = <T>(list: T[], name: string, entry: T) => {
    if (list.length < SIGNAL_LIMITS.maxEntries) list.push(entry);
    else dropped[name] = (dropped[name] ?? 0) + 1;
  };
  const consoleIgnored = (message: ConsoleMessage, text: string, url: string | undefined): Ignored => {
    if (!ERROR_CONSOLE_TYPES.has(message.type())) return null;
    if (!committed) return EARLIER_DOCUMENT;
    if (url !== undefined && (browserOwnUrls.has(url) || isBrowserOwnUrl(url))) return BROWSER_OWN;
    if (!isBrowserNetworkLine(message, text)) return null;
    return url !== undefined && documentUrls.has(url) ? MAIN_DOCUMENT : FAILED_REQUEST;
  };
  const recordFailedRequest = (request: HTTPRequest, failure: string) =>
    keep(failedRequests, 'failed requests', {
      atMs: options.elapsedMs(),
      method: request.method(),
      url: clip(redact(request.url()), SIGNAL_LIMITS.maxTextChars),
      resourceType: request.resourceType(),
      failure,
      ignored: committed ? null : EARLIER_DOCUMENT,
    });

  const onRequest = (request: HTTPRequest) => {
    if (isBrowserOwn(request)) {
      browserOwnUrls.add(request.url());
      return;
    }
    if (isMainDocument(request, page)) documentUrls.add(request.url());
    pending.add(request);
  };
  let leftTheWeb: string | null = null;
  const onFrameNavigated = (frame: Frame) => {
    if (frame !== page.mainFrame()) return;
    committed = true;
    if (leftTheWeb !== null || !leavesTheWeb(frame.url())) return;
    leftTheWeb = clip(frame.url(), SIGNAL_LIMITS.maxTextChars);
    options.onFatal(leftTheWebFailure(leftTheWeb));
  };
  const onRequestFinished = (request: HTTPRequest) => void pending.delete(request);
  const onResponse = (response: HTTPResponse) => {
    const request = response.request();
    if (isMainDocument(request, page)) {
      mainDocument = { url: redact(response.url()), status: response.status(), statusText: redact(response.statusText()) };
      mainDocumentFailure = null;
    } else if (response.status() >= 400 && !isBrowserOwn(request)) {
      recordFailedRequest(request, `HTTP ${response.status()} ${response.statusText()}`.trim());
    }
  };
  const onRequestFailed = (request: HTTPRequest) => {
    pending.delete(request);
    const failure = redact(request.failure()?.errorText ?? 'failed');
    // Aborted requests were cancelled on purpose: by a navigation, or by the page itself (AbortController).
    if (failure === 'net::ERR_ABORTED' || isBrowserOwn(request)) return;
    if (isMainDocument(request, page)) mainDocumentFailure = { url: redact(request.url()), errorText: failure };
    else recordFailedRequest(request, failure);
  };
  const onConsole = (message: ConsoleMessage) => {
    const location = message.location();
    const text = redact(message.text());
    const isError = ERROR_CONSOLE_TYPES.has(message.type());
    // Errors and other messages are capped apart, so a page that logs a lot cannot crowd out its errors.
    const keptSoFar = isError ? consoleErrorsKept : consoleMessages.length - consoleErrorsKept;
    if (keptSoFar >= SIGNAL_LIMITS.maxEntries) {
      dropped['console messages'] = (dropped['console messages'] ?? 0) + 1;
    } else {
      if (isError) consoleErrorsKept += 1;
      consoleMessages.push({
        atMs: options.elapsedMs(),
        type: message.type(),
        text: clip(text, SIGNAL_LIMITS.maxTextChars),
        location: redactNullable(formatLocation(location), redact),
        ignored: consoleIgnored(message, text, location.url),
      });
    }
    // With a listener, the argument handles are ours to release (puppeteer releases them when nobody listens).
    for (const arg of message.args()) void arg.dispose().catch(() => undefined);
  };
  const onPageError = (error: unknown) => {
    const described = describePageError(error);
    const message = redact(described.message);
    const stack = redactNullable(described.stack, redact);
    const ignored = committed ? null : EARLIER_DOCUMENT;
    keep(pageErrors, 'page errors', { atMs: options.elapsedMs(), message: clip(message, SIGNAL_LIMITS.maxTextChars), stack, ignored });
  };
  // A dialog blocks the page until it is answered. Dismiss it, as Playwright does, but let the page unload.
  const onDialog = (dialog: Dialog) => {
    keep(dialogs, 'dialogs', `${dialog.type()}: ${clip(redact(dialog.message()), SIGNAL_LIMITS.maxTextChars)}`);
    const answer = dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss();
    void answer.catch(() => undefined);
  };
  const onCrash = () => options.onFatal(new AttemptFailure('browser', 'The page crashed: its renderer process ended.'));
  const onClose = () => options.onFatal(new AttemptFailure('browser', 'The page was closed during the attempt.'));

  const stopListening: (() => void)[] = [];
  const listen = <K extends keyof PageEvents>(event: K, handler: (value: PageEvents[K]) => void) => {
    page.on(event, handler);
    stopListening.push(() => page.off(event, handler));
  };
  listen('request', onRequest);
  listen('response', onResponse);
  listen('requestfailed', onRequestFailed);
  listen('requestfinished', onRequestFinished);
  listen('framenavigated', onFrameNavigated);
  listen('console', onConsole);
  listen('pageerror', onPageError);
  listen('dialog', onDialog);
  listen('error', onCrash);
  listen('close', onClose);

  return {
    consoleMessages,
    pageErrors,
    failedRequests,
    dialogs,
    dropped,
    mainDocument: () => mainDocument,
    mainDocumentFailure: () => mainDocumentFailure,
    documentCommitted: () => committed,
    pendingRequests: () => [...pending].map((request) => `${request.method()} ${redact(request.url())}`),
    leftTheWeb: () => leftTheWeb,
    consoleErrors: () => counted(consoleMessages).filter((entry) => ERROR_CONSOLE_TYPES.has(entry.type)),
    uncaughtErrors: () => counted(pageErrors),
    requestFailures: () => counted(failedRequests),
    detach: () => stopListening.splice(0).forEach((stop) => stop()),
  };
}
