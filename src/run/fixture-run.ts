/**
 * One fixture from start to final state: its URL, its attempts and retries, and the hard bound around each
 * attempt. Status is not decided here; it is derived from the attempts (report/outcome.ts).
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { BrowserUnavailableError } from './browser-host.ts';
import { boundedAttempt, type AttemptOutcome } from './bounded-attempt.ts';
import { expectationConfigProblems } from './assertions.ts';
import { composeMessage } from './failure.ts';
import { resolveFixtureUrl } from '../fixtures/urls.ts';
import { emulationOf } from './emulation.ts';
import { stepConfigProblems } from './steps.ts';
import type { Session, Viewport } from './session.ts';
import type { SessionPool } from './session-pool.ts';
import { BROWSER_GONE_MESSAGE, type Interruption, type SuiteControl } from './suite-control.ts';
import { clip, REPORT_LIMITS } from '../report/limits.ts';
import { AttemptAbort, type Attempt, type AttemptError, type RunAttempt } from './types.ts';
import type { Clock, Logger } from '../common/types.ts';
import { errorText } from '../common/text.ts';
import type { FixtureRun } from '../report/build.ts';
import { withDeadline } from './deadline.ts';
import { hasInterceptor, interceptorOf, type OriginInterceptor, rulesFor, type SiteCredentials } from './origin-headers.ts';

export interface FixtureRunner {
  runAttempt: RunAttempt;
  pool: SessionPool;
  control: SuiteControl;
  clock: Clock;
  logger: Logger;
  /** Report-level warnings, shared by the whole suite. */
  warnings: string[];
  reportDir: string;
  baseUrl: string | null;
  defaultRetries: number;
  defaultTimeoutMs: number;
  defaultExpectTimeoutMs: number;
  /** Time past an attempt's own timeout before the suite aborts it (ms). */
  attemptGraceMs: number;
  /** Time an aborted attempt gets to return before it is abandoned (ms). */
  abandonAfterMs: number;
  /** Extra tries a fixture gets when a browser crash ended its attempt, beyond its retries. */
  maxBrowserRetries: number;
  /** Bound for setting up a session's request rules (ms). */
  stepTimeoutMs: number;
  /** The extra headers and credentials for the site's origins, or null. */
  site: SiteCredentials | null;
  /** Why the site is down (the app the run started exited), for the attempts that fail from then on; or null. */
  siteDownNote: () => string | null;
  /** Hides secret values in what the attempt writes (evidence) and records (page text). */
  redact: (text: string) => string;
}

const SKIP_REASONS: Record<Interruption['reason'], string> = {
  'suite-timeout': 'Not run: the suite timeout was reached before this fixture started.',
  cancelled: 'Not run: the run was cancelled before this fixture started.',
  'browser-unavailable': 'Not run: the browser was unavailable.',
};

function skipReasonFor(interruption: Interruption): string {
  const reason = SKIP_REASONS[interruption.reason];
  return interruption.reason === 'browser-unavailable' ? `${reason} ${interruption.message}` : reason;
}

/**
 * The fixture's absolute URL, or why it cannot run as written. Known before any browser is involved, so a config
 * failure costs no session and leaves no evidence, and is recorded once rather than on every attempt.
 */
export function checkFixtureConfig(
  fixture: LoadedFixture,
  baseUrl: string | null,
): { url: string; problem: null } | { url: string | null; problem: string } {
  const resolved = resolveFixtureUrl(fixture.url, baseUrl);
  const problems = [
    ...('problem' in resolved ? [resolved.problem] : []),
    ...stepConfigProblems(fixture.steps, baseUrl),
    ...expectationConfigProblems(fixture.expect, baseUrl),
  ];
  if ('url' in resolved && problems.length === 0) return { url: resolved.url, problem: null };
  const url = 'url' in resolved ? resolved.url : null;
  if (problems.length === 1) return { url, problem: problems[0]! };
  return { url, problem: composeMessage(`The fixture cannot run as written (${problems.length} problems):`, problems) };
}

/** A fixture its file parks (`skip: "reason"`): never run, reported as skipped with the reason. */
export function parkedRun(fixture: LoadedFixture & { skip: string }, baseUrl: string | null): FixtureRun {
  const resolved = resolveFixtureUrl(fixture.url, baseUrl);
  return { fixture, url: 'url' in resolved ? resolved.url : null, attempts: [], skipReason: fixture.skip };
}

export async function runFixture(fixture: LoadedFixture, runner: FixtureRunner): Promise<FixtureRun> {
  const config = checkFixtureConfig(fixture, runner.baseUrl);
  if (config.problem !== null) {
    const attempt = failedAttempt(1, runner.clock.now(), runner.clock, 'config', config.problem);
    return { fixture, url: config.url, attempts: [attempt], skipReason: null };
  }
  const retries = fixture.retries ?? runner.defaultRetries;
  const attempts: Attempt[] = [];
  let browserRetries = 0;
  while (!runner.control.stopped) {
    const result = await tryOnce(fixture, config.url, attempts.length + 1, runner);
    if (!result) break;
    attempts.push(result.attempt);
    if (result.attempt.status === 'passed' || result.attempt.error?.kind === 'config') break;
    if (result.browserGone && browserRetries < runner.maxBrowserRetries) {
      browserRetries += 1;
      continue;
    }
    const countedFailures = attempts.length - browserRetries;
    if (countedFailures > retries) break;
  }
  const stopped = runner.control.stopped;
  return { fixture, url: config.url, attempts, skipReason: attempts.length === 0 && stopped ? skipReasonFor(stopped) : null };
}

interface TryResult {
  attempt: Attempt;
  /** The browser went away during this try, so it earns an extra try. */
  browserGone: boolean;
}

/** One attempt on a clean session; null when the suite stopped (or lost its browser) before it could start. */
async function tryOnce(fixture: LoadedFixture, url: string, attemptNumber: number, runner: FixtureRunner): Promise<TryResult | null> {
  const emulation = emulationOf(fixture);
  const acquired = await acquireUnlessStopped(runner, { width: emulation.viewport.width, height: emulation.viewport.height, device: emulation.device });
  if (acquired === null) return null;
  if ('error' in acquired) {
    const message = `Could not open an isolated browser session: ${errorText(acquired.error)}`;
    return { attempt: failedAttempt(attemptNumber, runner.clock.now(), runner.clock, 'browser', message), browserGone: true };
  }
  return runOnSession(acquired.session, fixture, url, attemptNumber, runner);
}

/**
 * Sets the page's request rules for this fixture: its extra headers and credentials for the allowed origins. A page
 * that had rules for an earlier fixture is given this one's, even none. Null when there was nothing to set.
 */
async function applyRequestRules(session: Session, fixture: LoadedFixture, url: string, runner: FixtureRunner): Promise<OriginInterceptor | null> {
  const rules = rulesFor(fixture, url, runner.baseUrl, runner.site);
  if (!rules && !hasInterceptor(session.page)) return null;
  const interceptor = await withDeadline(interceptorOf(session.page), runner.stepTimeoutMs, 'attach the request interceptor');
  await withDeadline(interceptor.use(rules), runner.stepTimeoutMs, 'set the extra headers and credentials');
  return interceptor;
}

async function runOnSession(session: Session, fixture: LoadedFixture, url: string, attemptNumber: number, runner: FixtureRunner): Promise<TryResult> {
  let interceptor: OriginInterceptor | null;
  try {
    interceptor = await applyRequestRules(session, fixture, url, runner);
  } catch (error) {
    await runner.pool.release(session, 'its request rules could not be set');
    const message = `Could not set the extra headers and credentials on the browser session: ${errorText(error)}`;
    return { attempt: failedAttempt(attemptNumber, runner.clock.now(), runner.clock, 'browser', message), browserGone: !session.browser.connected };
  }
  const tracked = runner.control.track(session.browser);
  const startedMs = runner.clock.now();
  const timeoutMs = fixture.timeout ?? runner.defaultTimeoutMs;
  const outcome = await boundedAttempt({
    run: (signal) =>
      runner.runAttempt({
        page: session.page,
        fixture,
        url,
        baseUrl: runner.baseUrl,
        attemptNumber,
        timeoutMs,
        expectTimeoutMs: runner.defaultExpectTimeoutMs,
        signal,
        reportDir: runner.reportDir,
        clock: runner.clock,
        redact: runner.redact,
      }),
    tracked,
    hardBoundMs: timeoutMs + runner.attemptGraceMs,
    abandonAfterMs: runner.abandonAfterMs,
  });
  tracked.untrack();
  interceptor?.forget();
  const browserGone = tracked.browserCrashed || !session.browser.connected;
  const abortReason: unknown = tracked.signal.aborted ? tracked.signal.reason : null;
  const attempt = withSiteDownNote(toAttempt(outcome, { attemptNumber, startedMs, clock: runner.clock, abortReason, browserGone }), runner);
  if (outcome.kind === 'abandoned') noteAbandoned(fixture, attemptNumber, runner);
  await runner.pool.release(session, replaceBecause(outcome, attempt, interceptor));
  return { attempt, browserGone };
}

/** A failure after the started app went away says so: its own message (connection refused…) would not. */
function withSiteDownNote(attempt: Attempt, runner: FixtureRunner): Attempt {
  const note = attempt.status === 'failed' && attempt.error ? runner.siteDownNote() : null;
  if (!note || !attempt.error) return attempt;
  return { ...attempt, error: { ...attempt.error, message: clip(`${attempt.error.message}\n${note}`, REPORT_LIMITS.maxMessageChars) } };
}

async function acquireUnlessStopped(runner: FixtureRunner, viewport: Viewport): Promise<{ session: Session } | { error: unknown } | null> {
  const acquiring = runner.pool.acquire(viewport).then(
    (session) => ({ session }),
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([acquiring, runner.control.whenStopped.then(() => null)]);
  if (first === null) {
    // The suite stopped while we waited: whatever arrives later goes back to the pool unused.
    void acquiring.then((late) => ('session' in late ? runner.pool.release(late.session, null) : undefined)).catch(() => {});
    return null;
  }
  if ('error' in first && first.error instanceof BrowserUnavailableError) {
    const message = `The browser is unavailable: ${first.error.message}.`;
    runner.control.stop({ reason: 'browser-unavailable', message }, new AttemptAbort('browser', message));
    return null;
  }
  return first;
}

function replaceBecause(outcome: AttemptOutcome, attempt: Attempt, interceptor: OriginInterceptor | null): string | null {
  if (outcome.kind === 'abandoned') return 'its attempt did not stop and was abandoned';
  // Chrome keeps credentials given in answer to a challenge for the whole context, where no reset reaches them.
  if (interceptor?.answeredChallenge) return 'it answered a basic-auth challenge, and the browser keeps those credentials for the context';
  // A retry and the next fixture get a brand-new context: a failed page is not trusted to be quiet.
  if (attempt.status === 'failed') return `the attempt failed (${attempt.error?.kind ?? 'unknown'})`;
  return null;
}

function noteAbandoned(fixture: LoadedFixture, attemptNumber: number, runner: FixtureRunner): void {
  const message =
    `Fixture ${fixture.id}, attempt ${attemptNumber}, did not stop within ${runner.abandonAfterMs}ms after it was ` +
    'aborted; it was abandoned and its browser session replaced.';
  runner.warnings.push(message);
  runner.logger.warn(message);
}

interface AttemptFacts {
  attemptNumber: number;
  startedMs: number;
  clock: Clock;
  abortReason: unknown;
  browserGone: boolean;
}

/** The attempt as the report records it. A crash or a suite stop decides the kind, whatever the page saw. */
function toAttempt(outcome: AttemptOutcome, facts: AttemptFacts): Attempt {
  const imposed = imposedError(facts);
  if (outcome.kind === 'returned') {
    const attempt = { ...outcome.attempt, attempt: facts.attemptNumber };
    if (attempt.status === 'passed' || !imposed) return attempt;
    const said = attempt.error?.message ?? '';
    if (attempt.error?.kind === imposed.kind && said.includes(imposed.message)) return attempt;
    const reported = said ? ` The attempt itself reported: ${said}` : '';
    return { ...attempt, error: { kind: imposed.kind, message: clip(imposed.message + reported, REPORT_LIMITS.maxMessageChars) } };
  }
  const fallback: AttemptError =
    outcome.kind === 'threw'
      ? { kind: 'browser', message: `The attempt stopped with an internal error: ${errorText(outcome.error)}` }
      : { kind: 'timeout', message: 'The attempt did not stop after it was aborted.' };
  const error = imposed ?? fallback;
  const suffix = outcome.kind === 'abandoned' ? ' It did not stop when aborted, so it was abandoned.' : '';
  return failedAttempt(facts.attemptNumber, facts.startedMs, facts.clock, error.kind, error.message + suffix);
}

function imposedError(facts: AttemptFacts): AttemptError | null {
  if (facts.browserGone) return { kind: 'browser', message: BROWSER_GONE_MESSAGE };
  if (facts.abortReason instanceof AttemptAbort) return { kind: facts.abortReason.kind, message: facts.abortReason.message };
  return null;
}

function failedAttempt(attemptNumber: number, startedMs: number, clock: Clock, kind: AttemptError['kind'], message: string): Attempt {
  return {
    attempt: attemptNumber,
    status: 'failed',
    startedAt: new Date(startedMs).toISOString(),
    durationMs: Math.max(0, clock.now() - startedMs),
    error: { kind, message: clip(message, REPORT_LIMITS.maxMessageChars) },
    evidence: null,
  };
}
