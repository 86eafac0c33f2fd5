/**
 * Fault: the site under test goes down mid-suite and comes back. A fixture whose page loses its connection, and
 * the fixtures that run while the port refuses connections, record `navigation` attempts (each retried, and
 * failed once the retries are spent, with the browser's own error); the suite goes on, and the fixtures that run
 * once the site is back pass as if nothing had happened. Nothing is relaunched or skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveStatus } from '../../src/report/outcome.ts';
import { runSuite } from '../../src/run/suite.ts';
import type { FixtureRun } from '../../src/report/build.ts';
import { html, siteFor } from '../support/site.ts';
import { closeAll, fixture, recordingLauncher, suiteOptions } from '../support/suite-kit.ts';

const kinds = (result: FixtureRun) => result.attempts.map((attempt) => attempt.error?.kind ?? 'passed');

describe('a site that goes down mid-suite and comes back', () => {
  it('fails what ran while it was down as navigation, after retries, and passes the rest', { timeout: 180_000 }, async (t) => {
    const site = await siteFor(t, { '/ok': html('<h1>Hello</h1>', 'OK') });
    site.route('/goes-down', (_request, response) => {
      // The server dies while answering: this connection is cut, and the port refuses the next ones.
      response.socket?.destroy();
      void site.goDown();
    });
    const launcher = recordingLauncher();
    t.after(() => closeAll(launcher));
    const ids = ['before-1', 'before-2', 'goes-down', 'while-down', 'back-1', 'back-2'];
    const fixtures = ids.map((id) => fixture({ id, url: id === 'goes-down' ? '/goes-down' : '/ok', timeout: 30_000, expect: { visible: ['h1'] } }));
    const run = await runSuite(fixtures, {
      ...suiteOptions(t, { launcher, baseUrl: site.url, concurrency: 1, defaultRetries: 1 }),
      // The site is back once the fixture that ran while it was down has used its retries.
      onFixtureDone: (result) => void (result.fixture.id === 'while-down' && site.comeBack()),
    });
    const byId = Object.fromEntries(run.fixtures.map((result) => [result.fixture.id, result]));
    assert.deepEqual(Object.fromEntries(ids.map((id) => [id, kinds(byId[id]!)])), {
      'before-1': ['passed'],
      'before-2': ['passed'],
      'goes-down': ['navigation', 'navigation'],
      'while-down': ['navigation', 'navigation'],
      'back-1': ['passed'],
      'back-2': ['passed'],
    });
    // Which network error a cut connection gives is Chrome's choice (it may resend the GET and find the port closed,
    // or report the socket as reset, closed, empty or not connected): the failure names the page and that error.
    assert.match(byId['goes-down']!.attempts[0]?.error?.message ?? '', /^Could not load "http:\/\/127\.0\.0\.1:\d+\/goes-down": net::ERR_[A-Z_]+\./);
    for (const attempt of byId['while-down']!.attempts) assert.match(attempt.error?.message ?? '', /ERR_CONNECTION_REFUSED/);
    assert.deepEqual(run.fixtures.map((result) => deriveStatus(result.attempts)), ['passed', 'passed', 'failed', 'failed', 'passed', 'passed']);
    assert.equal(run.interrupted, null);
    assert.equal(run.stats.browserLaunches, 1, 'the browser was never the problem');
  });
});
