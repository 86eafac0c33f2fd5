/**
 * Extra headers and basic-auth credentials go only to the origin of the base URL (and of a fixture's own URL),
 * never to another origin a page loads from. A page on one loopback origin loads a script, an image and a fetch
 * from a second one (another port), frames a basic-auth challenge there, and redirects there; the second origin's
 * request log must show none of the headers and no Authorization. A fixture's own headers stay with it: the next
 * fixture on the same (reset) session does not send them.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startSite, type Site } from '../support/site.ts';
import { closeAll, fixture, recordingLauncher, suiteOptions, type RecordingLauncher } from '../support/suite-kit.ts';
import { runSuite } from '../../src/run/suite.ts';
import type { SuiteRun } from '../../src/run/types.ts';

const BYPASS = 'bypass-token-0f3a9c';
const FIXTURE_ONLY = 'fixture-token-77b2e1';
const CREDENTIALS = { username: 'staging', password: 'correct horse battery' };
const AUTHORIZATION = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

/** Each request a site saw, with the headers that matter here. */
interface Seen {
  path: string;
  bypass: string | null;
  fixture: string | null;
  authorization: string | null;
}

function recorder(seen: Seen[]) {
  return (request: http.IncomingMessage) =>
    seen.push({
      path: (request.url ?? '').split('?')[0] ?? '',
      bypass: (request.headers['x-bypass'] as string | undefined) ?? null,
      fixture: (request.headers['x-fixture'] as string | undefined) ?? null,
      authorization: request.headers.authorization ?? null,
    });
}

function challenge(response: http.ServerResponse): void {
  response.writeHead(401, { 'www-authenticate': 'Basic realm="staging"', 'content-type': 'text/plain' });
  response.end('credentials, please');
}

describe('extra headers and credentials', { timeout: 240_000 }, () => {
  let own: Site;
  let other: Site;
  let launcher: RecordingLauncher;
  const ownSeen: Seen[] = [];
  const otherSeen: Seen[] = [];

  before(async () => {
    other = await startSite();
    own = await startSite();
    const logOwn = recorder(ownSeen);
    const logOther = recorder(otherSeen);
    const answer = (site: Site, path: string, body: (request: http.IncomingMessage, response: http.ServerResponse) => void, log: (r: http.IncomingMessage) => void) =>
      site.route(path, (request, response) => {
        log(request);
        body(request, response);
      });
    const page = (markup: string) => (_request: http.IncomingMessage, response: http.ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><title>t</title>${markup}`);
    };
    answer(
      own,
      '/page',
      page(`<script src="/own.js"></script><script src="${other.url}/script.js"></script><img src="${other.url}/image.png">
        <p id="done"></p><script>fetch('${other.url}/api').then((r) => r.text()).then((text) => { document.getElementById('done').textContent = text; });</script>`),
      logOwn,
    );
    answer(own, '/own.js', (_q, r) => r.writeHead(200, { 'content-type': 'text/javascript' }).end('window.own = 1;'), logOwn);
    answer(own, '/plain', page('<p id="plain">plain</p>'), logOwn);
    answer(own, '/to-other', (_q, r) => r.writeHead(302, { location: `${other.url}/landing` }).end(), logOwn);
    answer(own, '/protected', (request, response) => (request.headers.authorization === AUTHORIZATION ? page('<p id="in">signed in</p>')(request, response) : challenge(response)), logOwn);
    answer(own, '/foreign-challenge', page(`<iframe src="${other.url}/challenge"></iframe><p id="ok">framed</p>`), logOwn);
    answer(other, '/script.js', (_q, r) => r.writeHead(200, { 'content-type': 'text/javascript' }).end('window.other = 1;'), logOther);
    answer(other, '/image.png', (_q, r) => r.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"/>'), logOther);
    answer(other, '/api', (_q, r) => r.writeHead(200, { 'access-control-allow-origin': '*' }).end('fetched'), logOther);
    answer(other, '/landing', page('<p id="landed">landed</p>'), logOther);
    answer(other, '/challenge', (_q, response) => challenge(response), logOther);
    launcher = recordingLauncher();
  });
  after(async () => {
    await closeAll(launcher);
    await own.close();
    await other.close();
  });

  const passed = (run: SuiteRun) => {
    for (const result of run.fixtures) {
      const last = result.attempts.at(-1);
      assert.equal(last?.status, 'passed', `${result.fixture.id}: ${last?.error?.message ?? 'no attempt'}`);
    }
  };

  it('go to the base URL’s origin only: not to scripts, images, fetches, frames or redirects of another origin', async (t) => {
    const fixtures = [
      fixture({ id: 'loads-from-another-origin', url: '/page', headers: { 'X-Fixture': FIXTURE_ONLY }, expect: { text: { selector: '#done', equals: 'fetched' } } }),
      fixture({ id: 'then-a-plain-page', url: '/plain', expect: { visible: ['#plain'] } }),
      fixture({ id: 'redirected-away', url: '/to-other', expect: { visible: ['#landed'] } }),
      fixture({ id: 'behind-basic-auth', url: '/protected', expect: { text: { selector: '#in', equals: 'signed in' } } }),
      // Nobody may answer the frame's challenge, and nothing may wait for it: the page loads and the fixture passes.
      fixture({ id: 'foreign-challenge', url: '/foreign-challenge', timeout: 15_000, expect: { visible: ['#ok'], noConsoleErrors: false } }),
    ];
    const run = await runSuite(
      fixtures,
      suiteOptions(t, { launcher, baseUrl: own.url, site: { headers: [{ name: 'X-Bypass', value: BYPASS }], credentials: CREDENTIALS } }),
    );
    passed(run);
    assert.ok(run.stats.sessionsReset > 0, 'sessions are still reset in place between fixtures');

    const paths = new Set(otherSeen.map((request) => request.path));
    for (const path of ['/script.js', '/image.png', '/api', '/landing', '/challenge']) assert.ok(paths.has(path), `the other origin saw ${path}`);
    assert.deepEqual(
      otherSeen.filter((request) => request.bypass || request.fixture || request.authorization),
      [],
      'the other origin never sees the headers or the credentials',
    );

    const at = (path: string) => ownSeen.filter((request) => request.path === path);
    assert.ok(at('/page').length > 0 && at('/own.js').length > 0);
    for (const request of [...at('/page'), ...at('/own.js')]) {
      assert.deepEqual(request, { path: request.path, bypass: BYPASS, fixture: FIXTURE_ONLY, authorization: AUTHORIZATION });
    }
    for (const request of [...at('/plain'), ...at('/protected')]) {
      assert.deepEqual(request, { path: request.path, bypass: BYPASS, fixture: null, authorization: AUTHORIZATION }, 'a fixture’s own header stays with it');
    }
  });

  it('with headers only, another origin’s requests are not even paused, and still see none', async (t) => {
    otherSeen.length = 0;
    const run = await runSuite(
      [fixture({ id: 'headers-only', url: '/page', expect: { text: { selector: '#done', equals: 'fetched' } } })],
      suiteOptions(t, { launcher, baseUrl: own.url, site: { headers: [{ name: 'X-Bypass', value: BYPASS }], credentials: null } }),
    );
    passed(run);
    assert.ok(otherSeen.length >= 3);
    assert.deepEqual(otherSeen.filter((request) => request.bypass || request.authorization), []);
  });

  it('wrong credentials fail the fixture with the 401, and the session that answered a challenge is not reused', async (t) => {
    const run = await runSuite(
      [fixture({ id: 'wrong-password', url: '/protected', timeout: 15_000 }), fixture({ id: 'next', url: '/plain', expect: { visible: ['#plain'] } })],
      suiteOptions(t, { launcher, baseUrl: own.url, site: { headers: [], credentials: { username: 'staging', password: 'wrong' } } }),
    );
    const [wrong, next] = run.fixtures;
    assert.equal(wrong?.attempts[0]?.error?.kind, 'navigation');
    assert.match(wrong?.attempts[0]?.error?.message ?? '', /answered HTTP 401/);
    assert.equal(next?.attempts[0]?.status, 'passed');
    assert.equal(run.stats.sessionsCreated, 2);
  });
});
