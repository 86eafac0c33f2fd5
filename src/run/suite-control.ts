/**
 * What can stop attempts from outside: the suite timeout, the caller's AbortSignal, and a browser crash. Every
 * running attempt is registered here, so each of these aborts exactly the attempts it concerns, with an
 * AttemptAbort that says why.
 */
import type { Browser } from 'puppeteer-core';
import { timerDelay } from './deadline.ts';
import { AttemptAbort, type SuiteRun, type SuiteTimer } from './types.ts';

export type Interruption = NonNullable<SuiteRun['interrupted']>;

export interface TrackedAttempt {
  readonly signal: AbortSignal;
  /** Aborts this attempt only (its own hard time bound). */
  abort(reason: AttemptAbort): void;
  /** True when the attempt's browser crashed while it ran. */
  readonly browserCrashed: boolean;
  untrack(): void;
}

export interface SuiteControl {
  /** Why the suite stopped, or null while it runs. */
  readonly stopped: Interruption | null;
  /** Settles when the suite stops, so waits (a relaunch, a session) can be cut short. */
  readonly whenStopped: Promise<Interruption>;
  stop(interruption: Interruption, abort: AttemptAbort): void;
  track(browser: Browser): TrackedAttempt;
  /** Aborts the attempts running on a browser that went away. */
  browserCrashed(browser: Browser): void;
  dispose(): void;
}

export interface SuiteControlOptions {
  suiteTimeoutMs: number | null;
  timer?: SuiteTimer | undefined;
  signal: AbortSignal | undefined;
}

const realTimer: SuiteTimer = (delayMs, fire) => {
  const timer = setTimeout(fire, delayMs);
  return () => clearTimeout(timer);
};

interface Entry {
  controller: AbortController;
  browser: Browser;
  browserCrashed: boolean;
}

/** Whether the fixture is tried again depends on what is left (retries, relaunches), so this does not promise it. */
export const BROWSER_GONE_MESSAGE = 'The browser disconnected (it crashed or was killed) while this attempt was running.';

function crash(entry: Entry): void {
  entry.browserCrashed = true;
  entry.controller.abort(new AttemptAbort('browser', BROWSER_GONE_MESSAGE));
}

export function createSuiteControl(options: SuiteControlOptions): SuiteControl {
  const running = new Set<Entry>();
  let stopped: Interruption | null = null;
  let stoppedWith: AttemptAbort | null = null;
  let announce: (interruption: Interruption) => void = () => {};
  const whenStopped = new Promise<Interruption>((resolve) => {
    announce = resolve;
  });

  const stop = (interruption: Interruption, abort: AttemptAbort) => {
    if (stopped) return;
    stopped = interruption;
    stoppedWith = abort;
    announce(interruption);
    for (const entry of running) entry.controller.abort(abort);
  };

  const ms = options.suiteTimeoutMs;
  const cancelTimer =
    ms === null
      ? () => {}
      : (options.timer ?? realTimer)(timerDelay(ms), () =>
          stop(
            { reason: 'suite-timeout', message: `The suite timeout of ${ms}ms was reached: running fixtures were stopped and the rest were not run.` },
            new AttemptAbort('timeout', `The suite timeout of ${ms}ms was reached while this attempt was running.`),
          ),
        );
  const onCancel = () =>
    stop(
      { reason: 'cancelled', message: 'The run was cancelled: running fixtures were stopped and the rest were not run.' },
      new AttemptAbort('timeout', 'The run was cancelled while this attempt was running.'),
    );
  if (options.signal?.aborted) onCancel();
  else options.signal?.addEventListener('abort', onCancel, { once: true });

  return {
    get stopped() {
      return stopped;
    },
    whenStopped,
    stop,
    track(browser) {
      const entry: Entry = { controller: new AbortController(), browser, browserCrashed: false };
      running.add(entry);
      // A stop or a crash that came between taking a session and starting the attempt still counts.
      if (stoppedWith) entry.controller.abort(stoppedWith);
      else if (!browser.connected) crash(entry);
      return {
        signal: entry.controller.signal,
        abort: (reason) => entry.controller.abort(reason),
        get browserCrashed() {
          return entry.browserCrashed;
        },
        untrack: () => void running.delete(entry),
      };
    },
    browserCrashed(browser) {
      for (const entry of running) if (entry.browser === browser) crash(entry);
    },
    dispose() {
      cancelTimer();
      options.signal?.removeEventListener('abort', onCancel);
    },
  };
}
