/**
 * Fault: the browser fails under the suite. Chrome killed (SIGKILL) mid-suite, a page's renderer crashing (what
 * chrome://crash does, sent over CDP: fixture URLs are http(s) only) and a page stuck in an endless script loop.
 * The suite finishes; the fixtures that were affected record `browser` or `timeout` attempts and are retried; the
 * others are unaffected.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import { html, startSite, type Site } from '../support/site.ts';
import { closeAll, fixture, type quietLogger, recordingLauncher, suiteOptions, type RecordingLauncher } from '../support/suite-kit.ts';
import { deriveStatus } from '../../src/report/outcome.ts';
import { runSuite, runSuiteWith } from '../../src/run/suite.ts';
import type { SuiteOptions, SuiteRun } from '../../src/run/types.ts';
import type { FixtureRun } from '../../src/report/build.ts';

const TEST_BOUND = { timeout: 120_000 };
const OK_PAGE = html('<h1>Hello</h1>', 'OK');

const statusOf = (result: FixtureRun) => deriveStatus(result.attempts);
const byId = (run: SuiteRun, id: string): FixtureRun => {
  const found = run.fixtures.find((result) => result.fixture.id === id);
  assert.ok(found, `fixture ${id} is in the run`);
  return found;
};
const kinds = (result: FixtureRun) => result.attempts.map((attempt) => attempt.error?.kind ?? 'passed');

/** Every fixture but the affected ones passed at its first attempt. */
function othersUnaffected(run: SuiteRun, affected: string[]): void {
  for (const result of run.fixtures.filter((candidate) => !affected.includes(candidate.fixture.id))) {
    assert.deepEqual(kinds(result), ['passed'], `${result.fixture.id} was not affected`);
  }
}

describe('a browser that fails under the suite', { timeout: 600_000 }, () => {
  let site: Site;
  let launcher: RecordingLauncher;

  before(async () => {
    site = await startSite({ '/ok': OK_PAGE });
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

  it('relaunches a browser killed mid-suite, retries the fixture it interrupted, and finishes the rest', TEST_BOUND, async (t) => {
    const suite = options(t, { concurrency: 2, defaultRetries: 0 });
    site.route('/kills-browser', (_request, response, hit) => {
      // First visit: Chrome dies while this fixture is in flight. The relaunched browser gets the page.
      if (hit === 1) launcher.latest().process()?.kill('SIGKILL');
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>back</title><h1>back</h1>');
    });
    const fixtures = [
      fixture({ id: 'before-1', url: '/ok' }),
      fixture({ id: 'before-2', url: '/ok' }),
      fixture({ id: 'victim', url: '/kills-browser', expect: { visible: ['h1'] } }),
      ...Array.from({ length: 4 }, (_, index) => fixture({ id: `after-${index}`, url: '/ok' })),
    ];
    const run = await runSuite(fixtures, suite);
    const victim = byId(run, 'victim');
    assert.deepEqual(kinds(victim), ['browser', 'passed']);
    for (const result of run.fixtures) {
      assert.equal(result.attempts.at(-1)?.status, 'passed', `${result.fixture.id} passed in the end`);
      assert.ok(kinds(result).every((kind) => kind === 'browser' || kind === 'passed'), `${result.fixture.id}: ${kinds(result)}`);
    }
    assert.equal(run.stats.browserLaunches, 2);
    assert.equal(run.interrupted, null);
    assert.match(run.warnings.join('\n'), /relaunched 1 time/);
    assert.match((suite.logger as ReturnType<typeof quietLogger>).lines.join('\n'), /warn: The browser disconnected unexpectedly/);
  });

  it('skips the remaining fixtures once the browser has died more often than relaunches are allowed', TEST_BOUND, async (t) => {
    const suite = options(t, { concurrency: 1, defaultRetries: 0 });
    site.route('/always-kills', () => launcher.latest().process()?.kill('SIGKILL'));
    const fixtures = [fixture({ id: 'killer', url: '/always-kills' }), fixture({ id: 'never-ran', url: '/ok' })];
    const run = await runSuiteWith({ maxRelaunches: 1 }, fixtures, suite);
    assert.equal(run.interrupted?.reason, 'browser-unavailable');
    assert.deepEqual(kinds(byId(run, 'killer')), ['browser', 'browser']);
    assert.match(byId(run, 'never-ran').skipReason ?? '', /browser was unavailable/);
    assert.equal(run.stats.browserLaunches, 2);
  });

  it("a page whose renderer crashes records a browser attempt, is retried in a new page, and the browser is kept", TEST_BOUND, async (t) => {
    const suite = options(t, { concurrency: 2, defaultRetries: 1 });
    site.route('/crashes', (_request, response, hit) => {
      // First visit: #late would come only after a minute, so the attempt is still waiting for it when the page's
      // renderer dies, as chrome://crash makes it die. The retry gets it at once.
      const late = hit === 1 ? `<script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<p id="late">late</p>'), 60000)</script>` : '<p id="late">late</p>';
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>crash</title><h1>crash</h1>${late}`);
      if (hit === 1) void crashRendererOf(launcher, '/crashes');
    });
    const fixtures = [
      fixture({ id: 'before', url: '/ok' }),
      fixture({ id: 'crashed', url: '/crashes', timeout: 90_000, expect: { visible: ['#late'], timeout: 90_000 } }),
      ...Array.from({ length: 3 }, (_, index) => fixture({ id: `after-${index}`, url: '/ok' })),
    ];
    const run = await runSuite(fixtures, suite);
    const crashed = byId(run, 'crashed');
    assert.equal(kinds(crashed)[0], 'browser', `${kinds(crashed)}: ${crashed.attempts[0]?.error?.message}`);
    assert.match(crashed.attempts[0]?.error?.message ?? '', /crashed/);
    assert.deepEqual(kinds(crashed), ['browser', 'passed'], 'the crashed attempt was retried in a new page');
    othersUnaffected(run, ['crashed']);
    assert.equal(run.stats.browserLaunches, 1, 'a renderer crash does not cost the browser');
    assert.equal(run.interrupted, null);
  });

  it('a page stuck in an endless script loop times out, is retried, and the fixtures beside it are unaffected', TEST_BOUND, async (t) => {
    const suite = options(t, { concurrency: 2, defaultRetries: 1 });
    site.route('/spins', (_request, response, hit) => {
      // First visit: a script that never yields, so the page never finishes loading and answers nothing.
      const body = hit === 1 ? '<script>for (;;) {}</script>' : '<h1>Hello</h1>';
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>OK</title>${body}`);
    });
    const fixtures = [
      fixture({ id: 'spinning', url: '/spins', timeout: 3000, expect: { visible: ['h1'] } }),
      ...Array.from({ length: 4 }, (_, index) => fixture({ id: `beside-${index}`, url: '/ok', timeout: 60_000 })),
    ];
    const run = await runSuite(fixtures, suite);
    const spinning = byId(run, 'spinning');
    assert.deepEqual(kinds(spinning), ['timeout', 'passed'], spinning.attempts[0]?.error?.message);
    assert.equal(statusOf(spinning), 'flaky');
    othersUnaffected(run, ['spinning']);
    assert.equal(run.interrupted, null);
  });
});

/** Crashes the renderer of the page that loads `path`, over CDP: the effect of visiting chrome://crash. */
async function crashRendererOf(launcher: RecordingLauncher, path: string): Promise<void> {
  const target = await launcher.latest().waitForTarget((candidate) => new URL(candidate.url() || 'about:blank').pathname === path, { timeout: 30_000 });
  const session = await target.createCDPSession();
  // Chrome answers nothing: the renderer is gone before it could.
  await session.send('Page.crash').catch(() => {});
}
