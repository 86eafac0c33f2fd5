/**
 * One attempt of one fixture on a page the suite prepared: open the URL, run the steps, check the expectations,
 * then look at what the page did by itself (console and page errors, failed requests). It never throws for
 * anything the page does: it returns a failed attempt whose kind and message say what went wrong first, in the
 * order of precedence failure.ts gives (navigation, timeout, browser and config, then assertions, then script
 * errors), and writes evidence for it.
 */
import { ConnectionClosedError, TimeoutError, type Page } from 'puppeteer-core';
import { parseTextPattern, type Expect, type PageChecks } from '../fixtures/schema.ts';
import { AttemptAbort, type Attempt, type AttemptContext } from './types.ts';
import { applyEmulation, emulationOf } from './emulation.ts';
import { leftTheWebFailure, watchPage, type FailedRequest, type PageSignals } from './page-signals.ts';
import { createProgress, type Progress, type WorkKind } from './progress.ts';
import { navigate, runSteps, statusCheckedNext, type StepEnv } from './steps.ts';
import { watchResponses, type ResponseWaits } from './response-wait.ts';
import { checkPageExpectations, maxDurationFailure, statusFailure } from './assertions.ts';
import { pageLogOf, writeEvidence } from './evidence.ts';
import { AttemptFailure, composeMessage, failureRank, quote, seconds, timedOut } from './failure.ts';
import { errorText } from '../common/text.ts';

/** How long past its timeout an attempt may run before it is cut: the last expect poll and the diagnosis. */
const HARD_STOP_GRACE_MS = 1000;
/** Bound for each evidence capture; shorter when the suite stopped the attempt, which must end promptly. */
const EVIDENCE_BUDGET_MS = 3000;
const EVIDENCE_BUDGET_WHEN_STOPPED_MS = 750;
/** How many entries of a kind a message lists; the log has them all. */
const LISTED = 5;

const NETWORK_HINTS: Record<string, string> = {
  ERR_CONNECTION_REFUSED: 'Nothing is listening there: is the server running, on that host and port?',
  ERR_NAME_NOT_RESOLVED: 'The host name does not resolve (DNS): check the host in the URL or the base URL.',
  ERR_NAME_RESOLUTION_FAILED: 'The host name could not be resolved (DNS): check the host and the network.',
  ERR_CONNECTION_TIMED_OUT: 'The server did not accept the connection: is it reachable from this machine?',
  ERR_ADDRESS_UNREACHABLE: 'The address is unreachable from this machine: check the host and the network.',
  ERR_CONNECTION_RESET: 'The server reset the connection.',
  ERR_CONNECTION_CLOSED: 'The server closed the connection.',
  ERR_EMPTY_RESPONSE: 'The server closed the connection without answering.',
  ERR_UNSAFE_PORT: 'Chrome refuses to connect to this port: serve the site on another one.',
  ERR_ABORTED: 'The navigation was cancelled: a download, or another navigation that replaced it.',
};

function networkFailure(url: string, code: string): AttemptFailure {
  const name = code.replace(/^net::/, '');
  const hint = NETWORK_HINTS[name] ?? (name.startsWith('ERR_CERT') ? 'The TLS certificate was refused.' : '');
  return new AttemptFailure('navigation', composeMessage(`Could not load ${quote(url)}: ${code}.`, [hint]));
}

/**
 * The main document is a failure of its own: it did not load, or it is an HTTP error nobody asked for (no status
 * check is about to judge it).
 */
function documentFailure(signals: PageSignals, statusChecked: boolean): AttemptFailure | null {
  const failed = signals.mainDocumentFailure();
  if (failed) return networkFailure(failed.url, failed.errorText);
  const document = signals.mainDocument();
  if (statusChecked || document === null || document.status < 400) return null;
  const statusText = document.statusText ? ` ${quote(document.statusText)}` : '';
  return new AttemptFailure(
    'navigation',
    composeMessage(`${quote(document.url)} answered HTTP ${document.status}${statusText}.`, [
      'The main document must not be an HTTP error. If this status is what the page should answer, set expect.status.',
    ]),
  );
}

function isBrowserGone(error: unknown, page: Page): boolean {
  if (!page.browser().connected || page.isClosed() || error instanceof ConnectionClosedError) return true;
  if (error instanceof Error && error.name === 'TargetCloseError') return true;
  return /Target closed|Session closed|Connection closed|Page crashed|frame was detached/i.test(errorText(error));
}

/** What a phase was doing, for messages: "step 2 (click "#buy")", or the navigation it was waiting for. */
function phaseOf(progress: Progress): { label: string; kind: WorkKind | null; waitedMs: number } {
  const current = progress.current() ?? progress.trace.findLast((entry) => entry.outcome === 'failed');
  if (!current) return { label: 'the attempt to start', kind: null, waitedMs: progress.elapsedMs() };
  return { label: current.label, kind: current.kind, waitedMs: current.durationMs ?? progress.elapsedMs() - current.startMs };
}

function timeoutFailure(progress: Progress, signals: PageSignals, headline?: string, details: readonly string[] = []): AttemptFailure {
  const phase = phaseOf(progress);
  const pending = signals.pendingRequests();
  const listed = pending.slice(0, LISTED).map((request) => `  ${quote(request)}`);
  return timedOut(headline ?? `Timed out after ${seconds(phase.waitedMs)} waiting for ${phase.label}.`, progress.timeoutMs, [
    ...details,
    ...(pending.length > 0 ? [`Requests still in flight (${pending.length}):`, ...listed] : []),
  ]);
}

/** The regular expressions of an expect block, as written: the page runs them, on text the page chooses. */
function regexesOf(expect: PageChecks): string[] {
  const texts = expect.text === undefined ? [] : Array.isArray(expect.text) ? expect.text : [expect.text];
  const url = typeof expect.url === 'object' ? expect.url.matches : undefined;
  const title = expect.title !== undefined && parseTextPattern(expect.title) ? expect.title : undefined;
  return [title, url, ...texts.map((check) => check.matches)].filter((pattern): pattern is string => pattern !== undefined);
}

/**
 * Why a page stops answering: its main thread is busy. Chrome runs regular expressions that backtrack too much in
 * linear time (browser.ts), except those with backreferences or lookarounds, which no engine can bound.
 */
function busyPageDetails(fixture: AttemptContext['fixture']): string[] {
  const regexes = [fixture.expect, ...fixture.steps.flatMap((step) => step.expect ?? [])].flatMap(regexesOf);
  const why = 'Its main thread is busy: a script that never yields (an endless loop)';
  if (regexes.length === 0) return [`${why}, or a page that hangs its renderer.`];
  return [
    `${why}, or one of this fixture's regular expressions taking too long on the page's text: ${regexes.slice(0, LISTED).map((regex) => quote(regex)).join(', ')}.`,
    'A pattern with backreferences or lookarounds can backtrack for ever on some text; write it without them, or match less text.',
  ];
}

/** Maps what was thrown to a failure kind. Failures raised with a known kind keep it. */
function failureFromError(error: unknown, page: Page, progress: Progress, signals: PageSignals, redact: (text: string) => string): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  // Puppeteer's errors name the URL they were loading, which may carry a secret; hidden before it is clipped.
  const text = redact(errorText(error));
  const phase = phaseOf(progress);
  if (isBrowserGone(error, page)) {
    return new AttemptFailure('browser', composeMessage(`The browser or the page went away during ${phase.label}.`, [quote(text, 500)]));
  }
  const network = /(net::ERR_[A-Z0-9_]+)(?: at (\S+))?/.exec(text);
  if (network) return networkFailure(signals.mainDocumentFailure()?.url ?? network[2] ?? 'the page', network[1]!);
  if (error instanceof TimeoutError) return timeoutFailure(progress, signals);
  // Anything else went wrong in the page: loading it, or doing what a step or a check asked of it.
  const kind = phase.kind === 'navigation' ? 'navigation' : 'assertion';
  return new AttemptFailure(kind, composeMessage(`${phase.label} failed: ${quote(text, 500)}`));
}

/** The kind and message of an abort from outside (suite timeout, browser gone) come from its reason. */
function abortFailure(reason: unknown, progress: Progress): AttemptFailure {
  const phase = phaseOf(progress);
  const where = `It was stopped after ${seconds(progress.elapsedMs())}, while waiting for ${phase.label}.`;
  if (reason instanceof AttemptAbort) return new AttemptFailure(reason.kind, composeMessage(reason.message, [where]));
  return new AttemptFailure('timeout', composeMessage(`The attempt was stopped from outside: ${errorText(reason)}.`, [where]));
}

/** A promise that rejects with the failure that ends the attempt at once: an abort, a crash, the hard stop. */
function createStop() {
  let fail: (failure: AttemptFailure) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  stopped.catch(() => undefined);
  return { stopped, fail: (failure: AttemptFailure) => fail(failure) };
}

/**
 * Ends the attempt when the suite aborts it, or when it runs past its timeout: every wait has its own bound, but
 * a call into a page that stopped answering has none. Returns the function that disarms both.
 */
function armStops(context: AttemptContext, progress: Progress, signals: PageSignals, fail: (failure: AttemptFailure) => void) {
  const onAbort = () => fail(abortFailure(context.signal.reason, progress));
  context.signal.addEventListener('abort', onAbort, { once: true });
  const hardStop = setTimeout(() => {
    const phase = phaseOf(progress);
    const headline = `Timed out after ${seconds(phase.waitedMs)} waiting for ${phase.label}: the page stopped answering.`;
    fail(timeoutFailure(progress, signals, headline, busyPageDetails(context.fixture)));
  }, context.timeoutMs + HARD_STOP_GRACE_MS);
  return () => {
    clearTimeout(hardStop);
    context.signal.removeEventListener('abort', onAbort);
  };
}

/** The page work of the attempt, in order. */
async function perform(context: AttemptContext, progress: Progress, signals: PageSignals, responses: ResponseWaits) {
  const { page, fixture, baseUrl } = context;
  const env: StepEnv = {
    page,
    progress,
    baseUrl,
    expectTimeoutMs: context.expectTimeoutMs,
    waitUntil: fixture.waitUntil ?? 'load',
    afterNavigation: (statusChecked = fixture.expect.status !== undefined) => {
      const failure = documentFailure(signals, statusChecked);
      if (failure) throw failure;
    },
    mainDocument: () => signals.mainDocument(),
    fixtureExpectTimeoutMs: fixture.expect.timeout,
    responses,
    redact: context.redact ?? ((text) => text),
  };
  // Steps and checks are described as the file has them: a value substituted from the environment stays hidden.
  const written = fixture.written ?? fixture;
  // The viewport goes with the navigation, not before it: no extra round trip, and it applies before layout. A
  // device's user agent goes first: the request must carry it.
  const shownUrl = fixture.written && fixture.written.url !== fixture.url ? fixture.written.url : context.url;
  // waitForResponse steps that come first wait for what the page load causes, so they listen from before it.
  responses.armAfter(-1, 'the page load');
  const statusChecked = statusCheckedNext(fixture.steps, -1);
  const emulation = emulationOf(fixture);
  if (emulation.userAgent === null) await Promise.all([applyEmulation(page, emulation), navigate(env, context.url, shownUrl, statusChecked)]);
  else await applyEmulation(page, emulation).then(() => navigate(env, context.url, shownUrl, statusChecked));
  await runSteps(fixture.steps, env, written.steps);
  await progress.track('check', 'the expect checks', async () => {
    env.afterNavigation();
    const status = statusFailure(fixture.expect.status, signals.mainDocument());
    if (status) throw status;
    await checkPageExpectations(page, fixture.expect, {
      baseUrl,
      progress,
      defaultTimeoutMs: context.expectTimeoutMs,
      written: written.expect,
      redact: context.redact,
    });
  });
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function failedRequestsFailure(signals: PageSignals): AttemptFailure | null {
  const failed = signals.requestFailures();
  if (failed.length === 0) return null;
  const line = (entry: FailedRequest) => `${entry.method} ${quote(entry.url)} ${entry.failure}`;
  return new AttemptFailure(
    'navigation',
    composeMessage(`${plural(failed.length, 'request')} failed (expect.noFailedRequests): ${line(failed[0]!)}`, [
      ...failed.slice(1, LISTED).map((entry) => `Also failed: ${line(entry)}`),
    ]),
  );
}

function scriptFailure(expect: Expect, signals: PageSignals): AttemptFailure | null {
  const pageErrors = expect.noPageErrors ? signals.uncaughtErrors() : [];
  const consoleErrors = expect.noConsoleErrors ? signals.consoleErrors() : [];
  if (pageErrors.length === 0 && consoleErrors.length === 0) return null;
  const where = (location: string | null) => (location ? ` at ${quote(location)}` : '');
  const details = [
    ...pageErrors.slice(0, LISTED).map((entry) => `Uncaught: ${quote(entry.message)}${where(entry.stack?.split('\n')[0]?.trim() ?? null)}`),
    ...consoleErrors.slice(0, LISTED).map((entry) => `console.${entry.type}: ${quote(entry.text)}${where(entry.location)}`),
    'The attempt log has the full text. Set expect.noPageErrors or expect.noConsoleErrors to false if these are expected.',
  ];
  const counts = [
    ...(pageErrors.length > 0 ? [plural(pageErrors.length, 'uncaught page error')] : []),
    ...(consoleErrors.length > 0 ? [plural(consoleErrors.length, 'console error')] : []),
  ].join(' and ');
  const first = pageErrors[0]?.message ?? consoleErrors[0]?.text ?? '';
  return new AttemptFailure('script-error', composeMessage(`The page logged ${counts}; first: ${quote(first)}`, details));
}

/** Checked once the steps and expectations are done, so they never hide a failure of the page itself. */
function afterwardFailures(expect: Expect, signals: PageSignals, elapsedMs: number): (AttemptFailure | null)[] {
  return [
    expect.noFailedRequests ? failedRequestsFailure(signals) : null,
    maxDurationFailure(expect.maxDuration, elapsedMs),
    scriptFailure(expect, signals),
  ];
}

/** The first failure by precedence; the others are named after it, so nothing seen is lost. */
function firstFailure(candidates: (AttemptFailure | null)[]): AttemptFailure | null {
  const failures = candidates.filter((failure): failure is AttemptFailure => failure !== null);
  const ranked = failures.map((failure, order) => ({ failure, order }));
  ranked.sort((a, b) => failureRank(a.failure.kind) - failureRank(b.failure.kind) || a.order - b.order);
  const [first, ...others] = ranked.map(({ failure }) => failure);
  if (!first || others.length === 0) return first ?? null;
  const also = others.map((other) => `Also (${other.kind}): ${other.message.split('\n')[0]}`);
  return new AttemptFailure(first.kind, composeMessage(first.message, also));
}

function skipPageCapturesBecause(page: Page, failure: AttemptFailure, signals: PageSignals): string | null {
  if (signals.leftTheWeb() !== null) return 'the page is not an http or https page, and what it shows must not be kept';
  if (failure.kind === 'browser' || !page.browser().connected || page.isClosed()) return 'the browser or the page is gone';
  if (!signals.documentCommitted()) return 'no document of this attempt arrived, so the page would show an earlier one';
  return null;
}

/** Opens the page, runs the steps and the expectations, and returns the attempt; never throws for the page. */
async function attemptOnPage(context: AttemptContext, progress: Progress, signals: PageSignals, stop: ReturnType<typeof createStop>) {
  const disarm = armStops(context, progress, signals, stop.fail);
  const responses = watchResponses(context.page, context.fixture.steps, { baseUrl: context.baseUrl, redact: context.redact ?? ((text) => text) });
  try {
    if (context.signal.aborted) throw abortFailure(context.signal.reason, progress);
    const work = perform(context, progress, signals, responses);
    work.catch(() => undefined);
    await Promise.race([work, stop.stopped]);
    return null;
  } catch (error) {
    return failureFromError(error, context.page, progress, signals, context.redact ?? ((text) => text));
  } finally {
    disarm();
    responses.detach();
    progress.end();
  }
}

export async function runAttempt(context: AttemptContext): Promise<Attempt> {
  const { page, fixture, clock } = context;
  const startedAt = new Date(clock.now()).toISOString();
  const progress = createProgress(clock, context.timeoutMs);
  const stop = createStop();
  const signals = watchPage(page, { elapsedMs: progress.elapsedMs, onFatal: stop.fail, ...(context.redact ? { redact: context.redact } : {}) });
  try {
    const failure = await attemptOnPage(context, progress, signals, stop);
    const durationMs = progress.elapsedMs();
    const away = signals.leftTheWeb();
    const error = away === null ? firstFailure([failure, ...afterwardFailures(fixture.expect, signals, durationMs)]) : leftTheWebFailure(away);
    if (!error) return { attempt: context.attemptNumber, status: 'passed', startedAt, durationMs, error: null, evidence: null };
    const written = await writeEvidence({
      page,
      reportDir: context.reportDir,
      record: {
        fixture,
        attemptNumber: context.attemptNumber,
        url: context.url,
        startedAt,
        durationMs,
        timeoutMs: context.timeoutMs,
        error: { kind: error.kind, message: error.message },
        trace: progress.trace,
        signals,
      },
      skipPageCaptures: skipPageCapturesBecause(page, error, signals),
      captureBudgetMs: context.signal.aborted ? EVIDENCE_BUDGET_WHEN_STOPPED_MS : EVIDENCE_BUDGET_MS,
      ...(context.redact ? { redact: context.redact } : {}),
    });
    const message = written.lost ? composeMessage(error.message, [written.lost]) : error.message;
    return {
      attempt: context.attemptNumber,
      status: 'failed',
      startedAt,
      durationMs,
      error: { kind: error.kind, message },
      evidence: written.evidence,
      pageLog: pageLogOf(signals),
    };
  } finally {
    // Listeners stay through the evidence captures (a dialog would block a screenshot), then all go.
    signals.detach();
  }
}
