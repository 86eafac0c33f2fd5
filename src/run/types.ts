/**
 * The contract of the runner: what it needs passed in, and what it gives back. The runner knows nothing of
 * GitHub; the CLI and the Action both drive it through these types.
 */
import type { Browser, Page } from 'puppeteer-core';
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { FixtureRun, RunResults } from '../report/build.ts';
import type { Attempt, AttemptError } from '../report/schema.ts';
import type { Clock, Logger } from '../common/types.ts';
import type { SiteCredentials } from './origin-headers.ts';

/** Starts a browser. The real one launches Chrome through puppeteer-core; tests may wrap it to kill it on cue. */
export interface BrowserLauncher {
  launch(): Promise<Browser>;
  /** Executable path and where it came from, for logs and the report. */
  readonly description: string;
}

export interface SuiteOptions {
  /** Base for relative fixture URLs; null when there is none (relative URLs are then a config failure). */
  baseUrl: string | null;
  concurrency: number;
  /** Used when a fixture sets no retries of its own. */
  defaultRetries: number;
  /** Used when a fixture sets no timeout of its own (ms). */
  defaultTimeoutMs: number;
  /** How long page assertions wait when the fixture's expect sets no timeout (ms); the attempt's timeout still bounds it. */
  defaultExpectTimeoutMs: number;
  /** Bound for the whole suite (ms), or null. */
  suiteTimeoutMs: number | null;
  /** Starts the suite timeout's timer; setTimeout unless given (tests fire it on cue, once what it stops runs). */
  suiteTimer?: SuiteTimer;
  /** Evidence goes to <reportDir>/failures/<fixture-id>/attempt-<n>.{png,html,log}. */
  reportDir: string;
  launcher: BrowserLauncher;
  logger: Logger;
  clock?: Clock;
  /** Called as each fixture reaches its final status, in finishing order. */
  onFixtureDone?: (result: FixtureRun) => void;
  /** Aborting stops the suite: in-flight attempts fail, queued fixtures are skipped. */
  signal?: AbortSignal;
  /** Extra headers and basic-auth credentials, sent only to the base URL's origin and each fixture's own. */
  site?: SiteCredentials | null;
  /** Why the site is down (the app the run started exited), added to the attempts that fail from then on. */
  siteDownNote?: () => string | null;
  /** Hides secret values in evidence files and recorded page text; nothing is hidden when absent. */
  redact?: (text: string) => string;
}

/** Calls `fire` after `delayMs`; returns what cancels it. */
export type SuiteTimer = (delayMs: number, fire: () => void) => () => void;

/** A finished suite: what the report is built from, plus how the isolation went. */
export interface SuiteRun extends RunResults {
  stats: SuiteStats;
}

/** How the isolation went: every fixture gets a clean session, either reset in place or newly created. */
export interface SuiteStats {
  browserLaunches: number;
  sessionsCreated: number;
  sessionsReset: number;
}

/**
 * The reason an attempt's AbortSignal carries when the suite stops it from outside. The attempt records a
 * failure of this kind with this message.
 */
export class AttemptAbort extends Error {
  readonly kind: 'timeout' | 'browser';
  constructor(kind: 'timeout' | 'browser', message: string) {
    super(message);
    this.kind = kind;
    this.name = 'AttemptAbort';
  }
}

/** What one attempt needs. The page belongs to an isolated session that the suite prepared. */
export interface AttemptContext {
  page: Page;
  fixture: LoadedFixture;
  /** Resolved fixture URL. */
  url: string;
  /** Null only for a fixture with no relative URL: runFixture fails any other as a config failure first. */
  baseUrl: string | null;
  attemptNumber: number;
  timeoutMs: number;
  /** How long page assertions wait when their expect block sets no timeout (ms), within what is left of timeoutMs. */
  expectTimeoutMs: number;
  /** Aborts the attempt (suite timeout, browser gone). The attempt then ends quickly with what it knows. */
  signal: AbortSignal;
  /** Absolute path of the report folder; evidence paths in the result are relative to it. */
  reportDir: string;
  clock: Clock;
  /** Hides secret values in the evidence files and in the page text the attempt records. */
  redact?: (text: string) => string;
}

/**
 * One attempt: `runAttempt(context): Promise<Attempt>` in run/attempt.ts. It never throws for anything the page
 * does; it returns a failed attempt with a kind and a message, and writes evidence for failed attempts.
 * Whether the session can be reused afterwards is the session's decision, not the attempt's.
 */
export type RunAttempt = (context: AttemptContext) => Promise<Attempt>;

export type { Attempt, AttemptError, FixtureRun };
