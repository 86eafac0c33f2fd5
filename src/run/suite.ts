/**
 * Runs a suite of fixtures (navigation, timeout, browser and config first, then assertions, then script errors): at most `concurrency` at once, each in an isolated browser
 * session, with retries, per-attempt and suite timeouts, and recovery from browser crashes. It always returns
 * a SuiteRun, so a report gets written, except when the very first browser launch fails: then it throws
 * BrowserLaunchError, which the engine turns into a report of its own.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { runAttempt } from './attempt.ts';
import { createBrowserHost } from './browser-host.ts';
import { errorText } from '../common/text.ts';
import { checkFixtureConfig, parkedRun, runFixture, type FixtureRunner } from './fixture-run.ts';
import { createLimiter } from './limiter.ts';
import { createSessionPool } from './session-pool.ts';
import { createSuiteControl } from './suite-control.ts';
import { type RunAttempt, type SuiteOptions, type SuiteRun } from './types.ts';
import { systemClock } from '../common/types.ts';
import type { FixtureRun } from '../report/build.ts';

export { BrowserLaunchError } from './browser-host.ts';

/** The parts of the runner that tests and the benchmark may swap or tighten; production uses the defaults. */
export interface SuiteInternals {
  runAttempt: RunAttempt;
  /** Time past an attempt's own timeout before the suite aborts it: room to write its evidence (ms). */
  attemptGraceMs: number;
  /** Time an aborted attempt gets to return before the suite records it itself and moves on (ms). */
  abandonAfterMs: number;
  /** Browser relaunches allowed per suite; after that the remaining fixtures are skipped. */
  maxRelaunches: number;
  /** Extra tries per fixture when a browser crash ended its attempt, beyond its own retries. */
  maxBrowserRetries: number;
  /** Bound for each step of opening, resetting or closing a session, and for closing the browser (ms). */
  stepTimeoutMs: number;
}

const DEFAULT_INTERNALS: SuiteInternals = {
  runAttempt,
  attemptGraceMs: 10_000,
  abandonAfterMs: 5_000,
  maxRelaunches: 3,
  maxBrowserRetries: 2,
  stepTimeoutMs: 10_000,
};

export function runSuite(fixtures: LoadedFixture[], options: SuiteOptions): Promise<SuiteRun> {
  return runSuiteWith(DEFAULT_INTERNALS, fixtures, options);
}

export async function runSuiteWith(
  overrides: Partial<SuiteInternals>,
  fixtures: LoadedFixture[],
  options: SuiteOptions,
): Promise<SuiteRun> {
  const internals = { ...DEFAULT_INTERNALS, ...overrides };
  // Before anything starts: a bad concurrency is a caller's bug, not a reason to launch Chrome first.
  const limiter = createLimiter(options.concurrency);
  const clock = options.clock ?? systemClock;
  const control = createSuiteControl({ suiteTimeoutMs: options.suiteTimeoutMs, timer: options.suiteTimer, signal: options.signal });
  const host = createBrowserHost({
    launcher: options.launcher,
    logger: options.logger,
    maxRelaunches: internals.maxRelaunches,
    closeTimeoutMs: internals.stepTimeoutMs,
    onCrash: (browser) => control.browserCrashed(browser),
  });
  try {
    if (needsBrowser(fixtures, options.baseUrl)) await host.start();
    const pool = createSessionPool({ host, logger: options.logger, stepTimeoutMs: internals.stepTimeoutMs });
    const warnings: string[] = [];
    const runner: FixtureRunner = {
      ...internals,
      pool,
      control,
      clock,
      logger: options.logger,
      warnings,
      reportDir: options.reportDir,
      baseUrl: options.baseUrl,
      defaultRetries: options.defaultRetries,
      defaultTimeoutMs: options.defaultTimeoutMs,
      defaultExpectTimeoutMs: options.defaultExpectTimeoutMs,
      site: options.site ?? null,
      siteDownNote: options.siteDownNote ?? (() => null),
      redact: options.redact ?? ((text) => text),
    };
    const runs = await Promise.all(
      fixtures.map((fixture) =>
        // A parked fixture takes no worker: it is reported as soon as the suite starts.
        (isParked(fixture) ? Promise.resolve(parkedRun(fixture, options.baseUrl)) : limiter.run(() => runFixture(fixture, runner))).then((run) =>
          notify(run, options),
        ),
      ),
    );
    if (host.launches > 1) warnings.push(relaunchWarning(host.launches - 1));
    return {
      fixtures: runs,
      interrupted: control.stopped,
      warnings,
      stats: { browserLaunches: host.launches, ...pool.stats },
    };
  } finally {
    control.dispose();
    await host.close();
  }
}

/** Fixtures that cannot run as written are config failures and need no browser; parked ones never run. */
function needsBrowser(fixtures: LoadedFixture[], baseUrl: string | null): boolean {
  return fixtures.some((fixture) => !isParked(fixture) && checkFixtureConfig(fixture, baseUrl).problem === null);
}

function isParked(fixture: LoadedFixture): fixture is LoadedFixture & { skip: string } {
  return fixture.skip !== undefined;
}

function notify(run: FixtureRun, options: SuiteOptions): FixtureRun {
  try {
    options.onFixtureDone?.(run);
  } catch (error) {
    // A broken progress printer must not lose the results of the suite.
    options.logger.warn(`onFixtureDone failed for ${run.fixture.id}: ${errorText(error)}`);
  }
  return run;
}

function relaunchWarning(relaunches: number): string {
  return (
    `The browser crashed or disconnected during the suite and was relaunched ${relaunches} time(s). ` +
    'Fixtures running at that moment recorded a "browser" attempt and were tried again.'
  );
}
