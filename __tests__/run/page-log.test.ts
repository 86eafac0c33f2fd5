/**
 * What a failed attempt keeps in report.json of the page's console and failed requests (the HTML report shows it):
 * recorded from a real page, bounded with errors first, and absent from passed attempts and older reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { closedPort, launchBrowser, newPage, run } from '../support/attempt-harness.ts';
import { REPORT_LIMITS } from '../../src/report/limits.ts';
import { Attempt, Report } from '../../src/report/schema.ts';
import { dataReport } from '../support/report-helpers.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('the page log of a failed attempt', () => {
  it('records console messages, uncaught errors and failed requests, in the order they happened', TEST, async (t) => {
    const port = await closedPort();
    site.route('/missing.png', { status: 404, body: 'no' });
    site.route(
      '/broken',
      html(`
        <h1>Broken</h1>
        <img src="/missing.png">
        <script>
          console.log('booting <app>');
          console.warn('slow path');
          console.error('cart failed: "500"');
          fetch('http://127.0.0.1:${port}/api').catch(() => {});
        </script>
        <script>throw new TypeError('x is undefined');</script>`),
    );
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/broken`, fixture: { waitUntil: 'networkidle0', expect: { noFailedRequests: true } } });
    assert.equal(attempt.status, 'failed');
    const log = attempt.pageLog;
    assert.ok(log, 'a failed attempt has a page log');
    // The browser's own "Failed to load resource" lines are kept too, interleaved by time; the page's are these.
    const pageLines = log.console.filter((entry) => !entry.text.startsWith('Failed to load resource'));
    const browserLines = log.console.filter((entry) => entry.text.startsWith('Failed to load resource') && !entry.location?.endsWith('/favicon.ico'));
    assert.ok(browserLines.length > 0, 'the browser logged the failed requests');
    for (const entry of browserLines) {
      assert.equal(entry.ignored, "the browser's line about a failed request, which expect.noFailedRequests governs", entry.text);
    }
    const lines = pageLines.map((entry) => `${entry.type}: ${entry.text.split('\n')[0]}`);
    assert.deepEqual(lines, ['log: booting <app>', 'warn: slow path', 'error: cart failed: "500"', 'uncaught: TypeError: x is undefined']);
    assert.match(pageLines[3]!.text, /\n\s+at /, 'an uncaught error keeps its stack');
    // The page's first line, not the log's: the 404 of the image can be logged before the script runs.
    assert.match(pageLines[0]!.location ?? '', /\/broken:\d+:\d+$/);
    const requests = log.failedRequests.map((entry) => `${entry.method} ${new URL(entry.url).pathname} ${entry.failure} ${entry.ignored === null ? 'counted' : 'ignored'}`);
    assert.ok(requests.includes('GET /missing.png HTTP 404 Not Found counted'), requests.join('\n'));
    assert.ok(requests.some((line) => /^GET \/api net::ERR_CONNECTION_REFUSED counted$/.test(line)), requests.join('\n'));
    assert.equal(log.omitted, 0);
    assert.deepEqual(log.console.map((entry) => entry.atMs), log.console.map((entry) => entry.atMs).toSorted((a, b) => a - b));
    assert.ok(Attempt.safeParse(attempt).success, 'the attempt matches the report schema');
  });

  it('keeps errors before other messages when the page logs more than the report keeps', TEST, async (t) => {
    const logs = 3 * REPORT_LIMITS.maxPageLogEntries;
    site.route(
      '/chatty',
      html(`<script>
        for (let i = 0; i < ${logs}; i++) console.log('line ' + i + ' ' + 'x'.repeat(${REPORT_LIMITS.maxPageLogTextChars}));
        console.error('the one that matters');
      </script>`),
    );
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/chatty`, fixture: { expect: { noConsoleErrors: true } } });
    const log = attempt.pageLog;
    assert.ok(log);
    assert.equal(log.console.length, REPORT_LIMITS.maxPageLogEntries);
    assert.equal(log.console.at(-1)?.text, 'the one that matters', 'the error is kept, last as it came last');
    assert.equal(log.omitted, logs + 1 - REPORT_LIMITS.maxPageLogEntries);
    for (const entry of log.console) assert.ok(entry.text.length <= REPORT_LIMITS.maxPageLogTextChars, 'each line is cut to the limit');
    assert.match(log.console[0]!.text, /more characters cut\]$/);
  });

  it('is absent from a passed attempt', TEST, async (t) => {
    site.route('/fine', html('<h1>Fine</h1><script>console.log("hello")</script>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/fine`, fixture: { expect: { visible: ['h1'] } } });
    assert.equal(attempt.status, 'passed');
    assert.equal('pageLog' in attempt, false);
  });
});

describe('reports without a page log', () => {
  it('still validate: a report written before the page log was recorded reads back', () => {
    const report = dataReport('report-failing-flaky.json');
    const failed = report.fixtures.flatMap((fixture) => fixture.attempts).filter((attempt) => attempt.status === 'failed');
    assert.ok(failed.length > 0);
    assert.ok(failed.every((attempt) => attempt.pageLog === undefined));
    assert.ok(Report.safeParse(report).success);
  });

  it('refuse a page log longer than the limit', () => {
    const line = { atMs: 1, type: 'log', text: 'x', location: null, ignored: null };
    const attempt = {
      attempt: 1,
      status: 'failed',
      startedAt: '2026-03-02T06:00:00.000Z',
      durationMs: 10,
      error: { kind: 'assertion', message: 'm' },
      evidence: null,
      pageLog: { console: Array.from({ length: REPORT_LIMITS.maxPageLogEntries + 1 }, () => line), failedRequests: [], omitted: 0 },
    };
    const parsed = Attempt.safeParse(attempt);
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['pageLog', 'console']);
  });
});
