/**
 * What suite tests share: fixtures written the way a fixture file would give them, a real Chromium launcher
 * that remembers the browsers it started (so a test can kill one), a logger that keeps its lines, and
 * SuiteOptions with test-sized defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Fixture, type FixtureInput } from '../../src/fixtures/schema.ts';
import type { LoadedFixture } from '../../src/fixtures/schema.ts';
import { createLauncher, findBrowser } from '../../src/run/browser.ts';
import type { BrowserLauncher, SuiteOptions } from '../../src/run/types.ts';
import type { Logger } from '../../src/common/types.ts';

export function fixture(input: FixtureInput, line = 1): LoadedFixture {
  return { ...Fixture.parse(input), file: 'fixtures/test.smoke.yml', line };
}

export interface RecordingLauncher extends BrowserLauncher {
  /** Every browser this launcher started, oldest first. */
  readonly browsers: Browser[];
  /** The browser started last. */
  latest(): Browser;
}

export function recordingLauncher(logger: Logger = quietLogger()): RecordingLauncher {
  const real = createLauncher(findBrowser({ env: process.env }), logger);
  const browsers: Browser[] = [];
  return {
    description: real.description,
    browsers,
    latest() {
      const last = browsers.at(-1);
      if (!last) throw new Error('no browser was launched yet');
      return last;
    },
    async launch() {
      const browser = await real.launch();
      browsers.push(browser);
      return browser;
    },
  };
}

export interface MemoryLogger extends Logger {
  readonly lines: string[];
}

export function quietLogger(): MemoryLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => void lines.push(`info: ${message}`),
    warn: (message) => void lines.push(`warn: ${message}`),
    debug: (message) => void lines.push(`debug: ${message}`),
  };
}

/** A real temp folder for a test's report, removed when the test ends. */
export function tempReportDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-suite-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function suiteOptions(t: TestContext, overrides: Partial<SuiteOptions> & Pick<SuiteOptions, 'launcher'>): SuiteOptions {
  return {
    baseUrl: null,
    concurrency: 1,
    defaultRetries: 0,
    defaultTimeoutMs: 10_000,
    defaultExpectTimeoutMs: 5_000,
    suiteTimeoutMs: null,
    reportDir: tempReportDir(t),
    logger: quietLogger(),
    ...overrides,
  };
}

/** Kills every browser a launcher started that is still there, for after-hooks. */
export async function closeAll(launcher: RecordingLauncher): Promise<void> {
  for (const browser of launcher.browsers) {
    if (browser.connected) await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
  }
}
