/**
 * Evidence for a failed attempt: failures/<fixture-id>/attempt-<n>.{png,html,log} in the report folder. Each
 * capture is bounded and may fail on its own: the others still happen, its path is null, and the log says why.
 * The log keeps page text whole and verbatim; it is data, shown as written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import type { LoadedFixture } from '../fixtures/schema.ts';
import { clip, REPORT_LIMITS as L } from '../report/limits.ts';
import type { AttemptError, PageLog } from '../report/schema.ts';
import type { PageSignals } from './page-signals.ts';
import type { TraceEntry } from './progress.ts';
import { withDeadline } from './deadline.ts';
import { errorText } from '../common/text.ts';

export interface Evidence {
  screenshot: string | null;
  html: string | null;
  log: string | null;
  /** Set only when the screenshot does not show the whole page: why, and where it was cut. */
  screenshotNote?: string;
}

/**
 * Screenshots show the whole page, as far down as this many CSS pixels (about eight laptop screens): what went
 * wrong is often below the fold, while a page that scrolls forever must not give a screenshot of hundreds of MB.
 */
export const MAX_SCREENSHOT_CSS_HEIGHT = 8000;
/** And as far as this many device pixels, for pages emulating a high pixel ratio (Chrome's own limit is 16384). */
export const MAX_SCREENSHOT_DEVICE_HEIGHT = 16_000;

/** What the log tells about the attempt. */
export interface AttemptRecord {
  fixture: LoadedFixture;
  attemptNumber: number;
  url: string;
  startedAt: string;
  durationMs: number;
  timeoutMs: number;
  error: AttemptError;
  trace: readonly TraceEntry[];
  signals: PageSignals;
}

export interface EvidenceRequest {
  page: Page;
  reportDir: string;
  record: AttemptRecord;
  /** Why the page cannot be captured (browser gone, page never opened), or null to capture it. */
  skipPageCaptures: string | null;
  /** Bound for each capture; they run side by side. */
  captureBudgetMs: number;
  /** Hides secret values in the page HTML and the log (a screenshot cannot be redacted). */
  redact?: (text: string) => string;
}

type Capture = { path: string | null; note: string };

interface Screenshot {
  png: Uint8Array;
  /** Where the page was cut, or null when the screenshot shows all of it. */
  cut: string | null;
}

/**
 * The whole page, from its top, up to the height cap. The page's size comes from the browser's layout (not from
 * the page's scripts, which could say anything); the width is the viewport's, as the user sees it.
 */
async function fullPageScreenshot(page: Page): Promise<Screenshot> {
  const session = await page.createCDPSession();
  let metrics;
  try {
    metrics = await session.send('Page.getLayoutMetrics');
  } finally {
    await session.detach().catch(() => {});
  }
  const scale = page.viewport()?.deviceScaleFactor ?? 1;
  const cap = Math.max(1, Math.min(MAX_SCREENSHOT_CSS_HEIGHT, Math.floor(MAX_SCREENSHOT_DEVICE_HEIGHT / Math.max(1, scale))));
  const width = Math.max(1, Math.round(metrics.cssLayoutViewport.clientWidth));
  const pageHeight = Math.ceil(Math.max(metrics.cssContentSize.height, metrics.cssLayoutViewport.clientHeight));
  const height = Math.max(1, Math.min(pageHeight, cap));
  const png = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width, height }, captureBeyondViewport: true });
  const cut = pageHeight > cap ? `cut at ${cap} of the page's ${pageHeight} CSS px (the page HTML has all of it)` : null;
  return { png, cut };
}

/** Report-relative path, always with "/": it goes into report.json. */
export function evidencePath(fixtureId: string, attemptNumber: number, extension: 'png' | 'html' | 'log'): string {
  return `failures/${fixtureId}/attempt-${attemptNumber}.${extension}`;
}

async function capture(
  request: EvidenceRequest,
  extension: 'png' | 'html',
  what: string,
  take: () => Promise<Uint8Array | string>,
): Promise<Capture> {
  if (request.skipPageCaptures) return { path: null, note: `not captured: ${request.skipPageCaptures}` };
  const relative = evidencePath(request.record.fixture.id, request.record.attemptNumber, extension);
  try {
    const content = await withDeadline(take(), request.captureBudgetMs, what);
    await fs.writeFile(path.join(request.reportDir, relative), content);
    return { path: relative, note: relative };
  } catch (error) {
    return { path: null, note: `not captured: ${errorText(error)}` };
  }
}

/** The evidence kept, and why there is none when its folder could not be made (the log cannot say it then). */
export async function writeEvidence(request: EvidenceRequest): Promise<{ evidence: Evidence; lost: string | null }> {
  const { record, reportDir, page } = request;
  const folder = path.join(reportDir, 'failures', record.fixture.id);
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (error) {
    const lost = `No evidence was kept: its folder could not be created (${errorText(error)}).`;
    return { evidence: { screenshot: null, html: null, log: null }, lost };
  }
  const redact = request.redact ?? ((text: string) => text);
  let cut: string | null = null;
  const [screenshot, html] = await Promise.all([
    capture(request, 'png', 'the screenshot', async () => {
      const shot = await fullPageScreenshot(page);
      cut = shot.cut;
      return shot.png;
    }),
    capture(request, 'html', 'the page HTML', async () => redact(await page.content())),
  ]);
  const screenshotNote = screenshot.path !== null && cut !== null ? `screenshot ${cut}` : null;
  const logPath = evidencePath(record.fixture.id, record.attemptNumber, 'log');
  const shotLine = screenshotNote ? `${screenshot.note}: ${screenshotNote}` : screenshot.note;
  const text = redact(formatAttemptLog(record, { screenshot: shotLine, html: html.note }));
  const log = await fs.writeFile(path.join(reportDir, logPath), text).then(
    () => logPath,
    () => null,
  );
  return { evidence: { screenshot: screenshot.path, html: html.path, log, ...(screenshotNote ? { screenshotNote } : {}) }, lost: null };
}

/** The console error types a page's code logs, and uncaught errors: kept first when a list is cut. */
const ERROR_TYPES: ReadonlySet<string> = new Set(['error', 'assert', 'uncaught']);

/**
 * Errors before the rest, within the limit, then back in the order they happened: a page that logs a lot cannot
 * crowd its errors out of the report.
 */
function keepFirst<T extends { atMs: number }>(entries: readonly T[], important: (entry: T) => boolean): T[] {
  const indexed = entries.map((entry, index) => ({ entry, index }));
  const ranked = [...indexed.filter(({ entry }) => important(entry)), ...indexed.filter(({ entry }) => !important(entry))];
  return ranked
    .slice(0, L.maxPageLogEntries)
    .sort((a, b) => a.entry.atMs - b.entry.atMs || a.index - b.index)
    .map(({ entry }) => entry);
}

/** What report.json keeps of the page's console and failed requests: bounded, errors first. */
export function pageLogOf(signals: PageSignals): PageLog {
  const text = (value: string) => clip(value, L.maxPageLogTextChars);
  const millis = (ms: number) => Math.max(0, Math.round(ms));
  const lines = [
    ...signals.consoleMessages.map((entry) => ({
      atMs: millis(entry.atMs),
      type: entry.type.slice(0, 32),
      text: text(entry.text),
      location: entry.location === null ? null : text(entry.location),
      ignored: entry.ignored === null ? null : text(entry.ignored),
    })),
    ...signals.pageErrors.map((entry) => ({
      atMs: millis(entry.atMs),
      type: 'uncaught',
      text: text(entry.stack ? `${entry.message}\n${entry.stack}` : entry.message),
      location: null,
      ignored: entry.ignored === null ? null : text(entry.ignored),
    })),
  ];
  const requests = signals.failedRequests.map((entry) => ({
    atMs: millis(entry.atMs),
    method: entry.method.slice(0, 32),
    url: text(entry.url),
    resourceType: entry.resourceType.slice(0, 32),
    failure: text(entry.failure),
    ignored: entry.ignored === null ? null : text(entry.ignored),
  }));
  const consoleLines = keepFirst(lines, (entry) => ERROR_TYPES.has(entry.type) && entry.ignored === null);
  const failedRequests = keepFirst(requests, (entry) => entry.ignored === null);
  const notWatched = ['console messages', 'page errors', 'failed requests'].reduce((total, list) => total + (signals.dropped[list] ?? 0), 0);
  const omitted = lines.length - consoleLines.length + requests.length - failedRequests.length + notWatched;
  return { console: consoleLines, failedRequests, omitted };
}

const at = (ms: number) => `+${Math.round(ms)}ms`;

function section(title: string, lines: readonly string[]): string[] {
  return [`== ${title} ==`, ...(lines.length > 0 ? lines : ['(none)']), ''];
}

function traceLines(trace: readonly TraceEntry[]): string[] {
  return trace.map((entry) => {
    const took = entry.durationMs === null ? 'still waiting when the attempt ended' : `${Math.round(entry.durationMs)}ms`;
    return `${at(entry.startMs).padEnd(9)} ${entry.outcome.padEnd(7)} ${took.padStart(8)}  ${entry.label}`;
  });
}

function signalSections(signals: PageSignals): string[] {
  const document = signals.mainDocument();
  const failure = signals.mainDocumentFailure();
  const documentLines = [
    ...(document ? [`${document.status} ${document.statusText} ${document.url}`] : []),
    ...(failure ? [`failed: ${failure.errorText} ${failure.url}`] : []),
  ];
  const notCounted = (ignored: string | null) => (ignored ? ` (not counted: ${ignored})` : '');
  // Page text goes in as it came, after a header line of our own.
  const consoleLines = signals.consoleMessages.flatMap((entry) => [
    `${at(entry.atMs)} console.${entry.type}${entry.location ? ` at ${entry.location}` : ''}${notCounted(entry.ignored)}`,
    entry.text,
  ]);
  const errorLines = signals.pageErrors.flatMap((entry) => [
    `${at(entry.atMs)} uncaught${notCounted(entry.ignored)}`,
    entry.message,
    ...(entry.stack ? [entry.stack] : []),
  ]);
  const requestLines = signals.failedRequests.map(
    (entry) =>
      `${at(entry.atMs)} ${entry.failure} ${entry.method} ${entry.url} (${entry.resourceType})${notCounted(entry.ignored)}`,
  );
  const droppedLines = Object.entries(signals.dropped).map(([list, count]) => `${count} ${list} left out`);
  return [
    ...section('main document', documentLines),
    ...section(`console (${signals.consoleMessages.length})`, consoleLines),
    ...section(`uncaught page errors (${signals.pageErrors.length})`, errorLines),
    ...section(`failed requests (${signals.failedRequests.length})`, requestLines),
    ...section('dialogs (dismissed)', signals.dialogs),
    ...(droppedLines.length > 0 ? section('limits', droppedLines) : []),
  ];
}

function formatAttemptLog(record: AttemptRecord, captures: { screenshot: string; html: string }): string {
  const { fixture } = record;
  const lines = [
    `reliability-smoke: fixture ${fixture.id}, attempt ${record.attemptNumber}`,
    `file: ${fixture.file}:${fixture.line}`,
    `url: ${record.url}`,
    `started: ${record.startedAt}, took ${Math.round(record.durationMs)}ms of a ${Math.round(record.timeoutMs)}ms timeout`,
    `result: failed (${record.error.kind})`,
    '',
    ...section('error', [record.error.message]),
    ...section('trace (start, outcome, duration, what)', traceLines(record.trace)),
    ...signalSections(record.signals),
    ...section('evidence', [`screenshot: ${captures.screenshot}`, `html: ${captures.html}`]),
  ];
  return `${lines.join('\n')}\n`;
}
