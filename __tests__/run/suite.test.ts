/**
 * Running: against real Chromium and the loopback site: retries and flaky fixtures, timeouts of an
 * attempt and of the suite, real concurrency and config failures. A browser or page that dies mid-suite is a
 * fault: faults/browser.test.ts.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import { failTimes, hang, html, startSite, type Site } from '../support/site.ts';
import { closeAll, fixture, quietLogger, recordingLauncher, suiteOptions, type RecordingLauncher } from '../support/suite-kit.ts';
import { deriveStatus } from '../../src/report/outcome.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { createLauncher } from '../../src/run/browser.ts';
import { BrowserLaunchError, runSuite, runSuiteWith } from '../../src/run/suite.ts';
import type { SuiteOptions, SuiteRun } from '../../src/run/types.ts';
import type { FixtureRun } from '../../src/report/build.ts';

const TEST_BOUND = { timeout: 90_000 };
const OK_PAGE = html('<h1>Hello</h1>', 'OK');

const statusOf = (result: FixtureRun) => deriveStatus(result.attempts);
const byId = (run: SuiteRun, id: string): FixtureRun => {
  const found = run.fixtures.find((result) => result.fixture.id === id);
  assert.ok(found, `fixture ${id} is in the run`);
  return found;
};
const kinds = (result: FixtureRun) => result.attempts.map((attempt) => attempt.error?.kind ?? 'passed');

describe('running a suite', { timeout: 600_000 }, () => {
  let site: Site;
  let launcher: RecordingLauncher;

  before(async () => {
    site = await startSite({ '/ok': OK_PAGE, '/hang': hang() });
  });
  afterEach(async () => {
    await closeAll(launcher);
  });
  after(async () => {
    await site.close();
  });

  const options = (t: TestContext, overrides: Partial<SuiteOptions> = {}) => {
    launcher = recordingLauncher();
    return suiteOptions(t, { launcher, baseUrl: site.url, ...overrides });
  };

  it('runs passing fixtures, reports each as it finishes, and returns them in input order', TEST_BOUND, async (t) => {
    const done: string[] = [];
    const fixtures = ['one', 'two', 'three'].map((id) => fixture({ id, url: '/ok', expect: { visible: ['h1'], title: 'OK' } }));
    const run = await runSuite(fixtures, { ...options(t, { concurrency: 2 }), onFixtureDone: (result) => done.push(result.fixture.id) });
    assert.deepEqual(run.fixtures.map((result) => result.fixture.id), ['one', 'two', 'three']);
    assert.deepEqual(run.fixtures.map(statusOf), ['passed', 'passed', 'passed']);
    assert.deepEqual([...done].sort(), ['one', 'three', 'two']);
    assert.equal(run.fixtures[0]?.url, `${site.url}/ok`);
    assert.equal(run.interrupted, null);
    assert.equal(run.stats.browserLaunches, 1);
  });

  it('a page that fails twice and then passes is flaky, with three attempts numbered from 1', TEST_BOUND, async (t) => {
    site.route('/flaky', failTimes(2, OK_PAGE));
    const run = await runSuite([fixture({ id: 'flaky', url: '/flaky', retries: 2 })], options(t, { defaultRetries: 0 }));
    const result = byId(run, 'flaky');
    assert.deepEqual(result.attempts.map((attempt) => attempt.attempt), [1, 2, 3]);
    assert.deepEqual(kinds(result), ['navigation', 'navigation', 'passed']);
    assert.equal(statusOf(result), 'flaky');
    // A failed attempt's retry gets a brand-new context.
    assert.equal(run.stats.sessionsCreated, 3);
  });

  it('a fixture that keeps failing is failed once its retries are spent', TEST_BOUND, async (t) => {
    site.route('/broken', failTimes(100, OK_PAGE));
    const run = await runSuite([fixture({ id: 'broken', url: '/broken' })], options(t, { defaultRetries: 1 }));
    const result = byId(run, 'broken');
    assert.deepEqual(kinds(result), ['navigation', 'navigation']);
    assert.equal(statusOf(result), 'failed');
  });

  it('a page that never answers times out, and the suite goes on to the next fixture', TEST_BOUND, async (t) => {
    const fixtures = [fixture({ id: 'hangs', url: '/hang', timeout: 1500 }), fixture({ id: 'after', url: '/ok' })];
    const run = await runSuite(fixtures, options(t));
    assert.deepEqual(kinds(byId(run, 'hangs')), ['timeout']);
    assert.equal(statusOf(byId(run, 'after')), 'passed');
    assert.equal(run.interrupted, null);
  });

  it('the suite timeout stops the running fixture and skips the queued ones with a reason', TEST_BOUND, async (t) => {
    const fixtures = [
      fixture({ id: 'stuck', url: '/hang', timeout: 60_000 }),
      fixture({ id: 'queued-1', url: '/ok' }),
      fixture({ id: 'queued-2', url: '/ok' }),
    ];
    // The timer fires once the stuck fixture's page has reached the server, not after a wall-clock time that a
    // busy machine could spend opening its session.
    let fireSuiteTimeout = () => {};
    const suiteTimer = (_delayMs: number, fire: () => void) => ((fireSuiteTimeout = fire), () => {});
    void site.waitForHit('/hang', site.hits('/hang') + 1).then(() => fireSuiteTimeout());
    const run = await runSuite(fixtures, options(t, { suiteTimeoutMs: 8000, suiteTimer }));
    assert.equal(run.interrupted?.reason, 'suite-timeout');
    const stuck = byId(run, 'stuck');
    assert.deepEqual(kinds(stuck), ['timeout']);
    assert.match(stuck.attempts[0]?.error?.message ?? '', /suite timeout of 8000ms/);
    for (const id of ['queued-1', 'queued-2']) {
      const queued = byId(run, id);
      assert.equal(queued.attempts.length, 0);
      assert.match(queued.skipReason ?? '', /suite timeout/);
    }
  });

  it('cancelling through the signal stops the suite the same way, and it still returns', TEST_BOUND, async (t) => {
    const cancel = new AbortController();
    site.route('/cancel-me', () => cancel.abort());
    const fixtures = [fixture({ id: 'running', url: '/cancel-me' }), fixture({ id: 'queued', url: '/ok' })];
    const run = await runSuite(fixtures, { ...options(t), signal: cancel.signal });
    assert.equal(run.interrupted?.reason, 'cancelled');
    assert.deepEqual(kinds(byId(run, 'running')), ['timeout']);
    assert.match(byId(run, 'running').attempts[0]?.error?.message ?? '', /cancelled/);
    assert.match(byId(run, 'queued').skipReason ?? '', /cancelled/);
  });

  it('runs two fixtures at once with concurrency 2, and never three', TEST_BOUND, async (t) => {
    const done: string[] = [];
    let most = 0;
    const waiting: http.ServerResponse[] = [];
    // Holds each request until a second one arrives: it only completes if two fixtures really run at once.
    site.route('/pair', (_request, response, hit) => {
      // Fixtures that have started (their request arrived) and not yet finished.
      most = Math.max(most, hit - done.length);
      waiting.push(response);
      if (waiting.length < 2) return;
      for (const held of waiting.splice(0)) {
        held.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>pair</title><h1>pair</h1>');
      }
    });
    const fixtures = Array.from({ length: 6 }, (_, index) => fixture({ id: `pair-${index}`, url: `/pair?n=${index}`, timeout: 20_000 }));
    const run = await runSuite(fixtures, { ...options(t, { concurrency: 2 }), onFixtureDone: (result) => done.push(result.fixture.id) });
    assert.deepEqual(run.fixtures.map(statusOf), Array(6).fill('passed'));
    assert.equal(most, 2);
  });

  it('a config failure is recorded once, never retried, and the other fixtures still run', TEST_BOUND, async (t) => {
    const fixtures = [
      fixture({ id: 'relative', url: '/ok', retries: 3 }),
      fixture({ id: 'relative-goto', url: `${site.url}/ok`, retries: 3, steps: [{ goto: '/elsewhere' }] }),
      fixture({ id: 'absolute', url: `${site.url}/ok` }),
    ];
    const run = await runSuite(fixtures, options(t, { baseUrl: null }));
    const relative = byId(run, 'relative');
    assert.deepEqual(kinds(relative), ['config']);
    assert.equal(relative.url, null);
    assert.match(relative.attempts[0]?.error?.message ?? '', /relative, but no base URL/);
    assert.deepEqual(kinds(byId(run, 'relative-goto')), ['config']);
    assert.equal(statusOf(byId(run, 'absolute')), 'passed');
  });

  it('needs no browser when every fixture is a config failure', TEST_BOUND, async (t) => {
    const run = await runSuite([fixture({ id: 'relative', url: '/ok' })], options(t, { baseUrl: null }));
    assert.deepEqual(kinds(byId(run, 'relative')), ['config']);
    assert.equal(run.stats.browserLaunches, 0);
  });

  it('a relative goto or expect.url without a base URL fails as config before any browser starts, with no evidence', TEST_BOUND, async (t) => {
    site.route('/absolute', OK_PAGE);
    const fixtures = [
      fixture({ id: 'relative-goto', url: `${site.url}/absolute`, retries: 2, steps: [{ goto: '/next' }] }),
      fixture({ id: 'relative-expect', url: `${site.url}/absolute`, retries: 2, expect: { url: '/done' } }),
    ];
    const run = await runSuite(fixtures, options(t, { baseUrl: null }));
    const goto = byId(run, 'relative-goto');
    assert.deepEqual(kinds(goto), ['config']);
    assert.match(goto.attempts[0]?.error?.message ?? '', /^step 1 \(goto "\/next"\) has a relative URL, but there is no base URL/);
    assert.equal(goto.attempts[0]?.evidence, null);
    assert.equal(goto.url, `${site.url}/absolute`);
    const expectUrl = byId(run, 'relative-expect');
    assert.deepEqual(kinds(expectUrl), ['config']);
    assert.match(expectUrl.attempts[0]?.error?.message ?? '', /^expect\.url "\/done" is relative, but there is no base URL/);
    assert.equal(expectUrl.attempts[0]?.evidence, null);
    assert.equal(site.hits('/absolute'), 0);
    assert.equal(run.stats.browserLaunches, 0);
  });

  it('a progress printer that throws loses no result, and the warning says what it threw', TEST_BOUND, async (t) => {
    const suite = options(t, { baseUrl: null });
    const run = await runSuite([fixture({ id: 'relative', url: '/ok' })], {
      ...suite,
      onFixtureDone: () => {
        // Not an Error: a printer may throw anything.
        throw 'the terminal went away';
      },
    });
    assert.deepEqual(kinds(byId(run, 'relative')), ['config']);
    assert.match((suite.logger as ReturnType<typeof quietLogger>).lines.join('\n'), /warn: onFixtureDone failed for relative: the terminal went away/);
  });

  it('records a timeout itself and moves on when an attempt hangs and ignores its abort', TEST_BOUND, async (t) => {
    const suite = options(t);
    const fixtures = [fixture({ id: 'wedged', url: '/ok', timeout: 500 }), fixture({ id: 'next', url: '/ok' })];
    const run = await runSuiteWith(
      {
        // Stands in for a runAttempt stuck on a CDP call that never answers; the rest use the real one.
        runAttempt: (context) => (context.fixture.id === 'wedged' ? new Promise(() => {}) : runAttempt(context)),
        attemptGraceMs: 300,
        abandonAfterMs: 300,
      },
      fixtures,
      suite,
    );
    const wedged = byId(run, 'wedged');
    assert.deepEqual(kinds(wedged), ['timeout']);
    assert.match(wedged.attempts[0]?.error?.message ?? '', /abandoned/);
    assert.equal(statusOf(byId(run, 'next')), 'passed');
    assert.match(run.warnings.join('\n'), /wedged, attempt 1, did not stop/);
    assert.equal(run.stats.sessionsCreated, 2, 'the abandoned session was not reused');
  });

  it('throws BrowserLaunchError naming the executable when the first launch fails', TEST_BOUND, async (t) => {
    const broken = createLauncher({ path: '/bin/false', source: 'browser-path' }, quietLogger(), false);
    await assert.rejects(
      runSuite([fixture({ id: 'one', url: '/ok' })], suiteOptions(t, { launcher: broken, baseUrl: site.url })),
      (error: unknown) => {
        assert.ok(error instanceof BrowserLaunchError);
        assert.match(error.message, /\/bin\/false \(from browser-path\)/);
        assert.match(error.message, /Failed to launch|exit|code/i);
        return true;
      },
    );
  });
});
