/**
 * Running single attempts in tests: real Chromium (one per test file), a fresh incognito context per test, real
 * temp report folders, and fixtures validated by the real schema.
 */
import net from 'node:net';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import type { FixtureInput } from '../../src/fixtures/schema.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { type Attempt } from '../../src/run/types.ts';
import { fixture, recordingLauncher, tempReportDir } from './suite-kit.ts';
import { systemClock } from '../../src/common/types.ts';

export { tempReportDir };

/** One real Chromium, for a whole test file. */
export function launchBrowser(): Promise<Browser> {
  return recordingLauncher().launch();
}

/** A page in its own incognito context, closed when the test ends. */
export async function newPage(browser: Browser, t: TestContext): Promise<Page> {
  const context = await browser.createBrowserContext();
  t.after(() => context.close().catch(() => {}));
  return context.newPage();
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunOptions {
  page: Page;
  fixture: Omit<FixtureInput, 'id' | 'url'> & { id?: string; url?: string };
  url: string;
  baseUrl?: string | null;
  timeoutMs?: number;
  expectTimeoutMs?: number;
  signal?: AbortSignal;
  attemptNumber?: number;
  reportDir?: string;
}

export interface RunResult {
  attempt: Attempt;
  reportDir: string;
}

export async function run(t: TestContext, options: RunOptions): Promise<RunResult> {
  const reportDir = options.reportDir ?? tempReportDir(t);
  const attempt = await runAttempt({
    page: options.page,
    fixture: fixture({ id: 'test-fixture', url: options.url, ...options.fixture } as FixtureInput),
    url: options.url,
    baseUrl: options.baseUrl ?? null,
    attemptNumber: options.attemptNumber ?? 1,
    timeoutMs: options.timeoutMs ?? 10_000,
    expectTimeoutMs: options.expectTimeoutMs ?? 5_000,
    signal: options.signal ?? new AbortController().signal,
    reportDir,
    clock: systemClock,
  });
  return { attempt, reportDir };
}

/** The first line of a failed attempt's message, or a note that it passed. */
export function headline(attempt: Attempt): string {
  return attempt.error?.message.split('\n')[0] ?? `(passed: ${attempt.status})`;
}
