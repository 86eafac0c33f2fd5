/**
 * Running: no cookies, storage or cache are shared between fixtures. Each test runs fixture A, which
 * leaves state behind, then fixture B on the same origin, with concurrency 1 so that B gets A's session back.
 * B opens a probe page that lists every leak it can see in #leaks, and expects it to read "none": a leak fails
 * B's own expectation, so the tests assert what the report would say. The stats then show whether B's session
 * was reset in place (the normal case) or replaced (a page that is not provably quiet).
 *
 * None of this rests on timing: whether a session is reused is decided by what its page did, in the order it did
 * it (src/run/session-watch.ts), so these results hold on a busy machine (`npm run test:isolation-stress` runs
 * this file 20 times with both cores kept busy).
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import { html, startSite, type Site } from '../support/site.ts';
import { fixture, quietLogger, recordingLauncher, suiteOptions, closeAll, type RecordingLauncher } from '../support/suite-kit.ts';
import type { FixtureInput } from '../../src/fixtures/schema.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { runSuite, runSuiteWith } from '../../src/run/suite.ts';
import type { SuiteRun } from '../../src/run/types.ts';

const TEST_BOUND = { timeout: 60_000 };

/** Everything a page of the same origin can see of an earlier fixture. */
const PROBE_SCRIPT = `
(async () => {
  const leaks = [];
  const note = (what) => leaks.push(what);
  const webStorageOnly = new URLSearchParams(location.search).has('web-storage');
  if (document.cookie) note('cookie ' + document.cookie.slice(0, 100));
  const serverCookies = document.body.dataset.cookies;
  if (serverCookies) note('cookie header ' + serverCookies);
  if (localStorage.length) note('localStorage ' + Object.keys(localStorage).join('+'));
  if (sessionStorage.length) note('sessionStorage ' + Object.keys(sessionStorage).join('+'));
  if (window.name) note('window.name ' + window.name);
  if (history.length > 2) note('history.length ' + history.length);
  // These would make B's own session not reusable (it used them), so a probe that a third fixture follows skips them.
  if (!webStorageOnly && (await indexedDB.databases()).length) note('indexedDB');
  if (!webStorageOnly && (await caches.keys()).length) note('Cache Storage');
  if (!webStorageOnly && (await navigator.serviceWorker.getRegistrations()).length) note('service worker');
  if (new URLSearchParams(location.search).has('popup')) {
    const channel = new BroadcastChannel('smoke');
    const answered = new Promise((resolve) => { channel.onmessage = () => resolve(true); });
    channel.postMessage('anyone there?');
    if (await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 300, false))])) note('popup');
  }
  document.getElementById('leaks').textContent = leaks.length ? leaks.join(', ') : 'none';
})();`;

function probe(request: http.IncomingMessage, response: http.ServerResponse): void {
  const cookies = (request.headers.cookie ?? '').replaceAll('"', '');
  const withCachedScript = (request.url ?? '').includes('cache') ? '<script src="/cached.js"></script>' : '';
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(
    `<!doctype html><title>probe</title>${withCachedScript}<body data-cookies="${cookies}">` +
      `<p id="leaks">checking</p><script>${PROBE_SCRIPT}</script></body>`,
  );
}

/** A page that runs `script`, which calls done() once its state is in place; A waits for that. */
const writer = (script: string, extraBody = '') =>
  html(`${extraBody}<p id="done"></p><script>const done = (text = 'stored') => { document.getElementById('done').textContent = text; };
${script}</script>`);

const WRITERS: Record<string, ReturnType<typeof writer>> = {
  '/cookie': writer(`document.cookie = 'script=1; max-age=3600; path=/'; done();`),
  '/local-storage': writer(`localStorage.setItem('a', '1'); done();`),
  '/session-storage': writer(`sessionStorage.setItem('a', '1'); done();`),
  '/both-storages': writer(`localStorage.setItem('local', '1'); sessionStorage.setItem('session', '1'); done();`),
  '/indexeddb': writer(`const open = indexedDB.open('smoke', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('things');
    // The connection stays open on purpose: the reset must clear a database that is still in use.
    open.onsuccess = () => { const tx = open.result.transaction('things', 'readwrite'); tx.objectStore('things').put('v', 'k'); tx.oncomplete = () => done(); };`),
  '/cache-storage': writer(`caches.open('smoke').then((cache) => cache.put('/thing', new Response('x'))).then(() => done());`),
  '/service-worker': writer(`navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(() => done());`),
  '/http-cache': writer(`done();`, '<script src="/cached.js"></script>'),
  '/history': writer(`for (let i = 0; i < 5; i += 1) history.pushState({}, '', '?step=' + i); done();`),
  '/window-name': writer(`window.name = 'from-a'; done();`),
  '/pagehide': writer(`addEventListener('pagehide', () => localStorage.setItem('pagehide', '1'));
    addEventListener('unload', () => localStorage.setItem('unload', '1')); done();`),
  '/interval': writer(`setInterval(() => localStorage.setItem('interval', String(Date.now())), 5);
    let n = 0; (function chain() { document.cookie = 'chain=' + (n += 1) + '; path=/'; setTimeout(chain, 5); })(); done();`),
  // Big values every millisecond: writes are always on their way to the store when A is stopped.
  '/busy-writer': writer(`const big = 'x'.repeat(200000); let n = 0;
    setInterval(() => { localStorage.setItem('busy-' + (n % 20), big + n); sessionStorage.setItem('busy-' + (n % 5), big + n); n += 1; }, 1);
    const crumbs = 'y'.repeat(2000); setInterval(() => { for (let i = 0; i < 10; i += 1) document.cookie = 'busy' + i + '=' + crumbs + n + '; path=/'; }, 1);
    const wait = () => (localStorage.length > 5 ? done() : setTimeout(wait, 5)); wait();`),
  // A loop of messages to itself, as React's scheduler runs: it stops with the scripts, not with the timers.
  '/message-loop': writer(`const channel = new MessageChannel(); let n = 0;
    channel.port1.onmessage = () => { localStorage.setItem('loop', String(n += 1)); channel.port2.postMessage(0); };
    channel.port2.postMessage(0); done();`),
  '/websocket': writer(`const socket = new WebSocket(location.origin.replace('http', 'ws') + '/socket');
    socket.onmessage = () => localStorage.setItem('socket', '1'); socket.onopen = () => done('open');`),
  '/resize': writer(`const write = (what) => () => localStorage.setItem(what, String(innerWidth));
    addEventListener('resize', write('resize'));
    matchMedia('(max-width: 600px)').addEventListener('change', write('media-query'));
    new ResizeObserver(write('resize-observer-' + Math.random())).observe(document.body); done();`),
  '/pending-fetch': writer(`fetch('/never').then(() => localStorage.setItem('late', '1')); done();`),
  '/interactive': html(`<script>window.firstSeen = document.visibilityState;</script>
    <button id="go" onclick="document.getElementById('out').textContent = 'clicked while ' + window.firstSeen">go</button>
    <input id="name"><p id="out"></p>`),
  '/fragment': html(`<p id="state">fresh</p><button id="use" onclick="document.getElementById('state').textContent = 'used'">use</button>`),
  '/asks-service-worker': writer(`navigator.serviceWorker.getRegistrations().then(() => done());`),
  '/worker': writer(`const worker = new Worker('/worker.js'); worker.onmessage = () => done(worker instanceof Worker ? 'worker running' : 'not a Worker');`),
  '/popup-opener': writer(
    `const channel = new BroadcastChannel('smoke'); channel.onmessage = (event) => { if (event.data === 'popup ready') done('popup open'); };`,
    `<button id="open" onclick="window.open('/popup', 'popup')">open</button>`,
  ),
  '/popup': writer(`const channel = new BroadcastChannel('smoke');
    channel.onmessage = (event) => { if (event.data === 'anyone there?') channel.postMessage('still here'); };
    channel.postMessage('popup ready'); done();`),
};

const OTHER_ROUTES = {
  '/never': () => {},
  '/worker.js': { headers: { 'content-type': 'text/javascript' }, body: `postMessage('up'); setInterval(() => {}, 1000);` },
  '/sw.js': { headers: { 'content-type': 'text/javascript' }, body: `self.addEventListener('fetch', () => {});` },
  '/cached.js': { headers: { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }, body: 'window.cached = true;' },
  '/set-cookie': {
    headers: { 'content-type': 'text/html', 'set-cookie': 'server=1; Path=/; HttpOnly; Max-Age=3600' },
    body: '<!doctype html><title>set</title><p id="done">stored</p>',
  },
};

describe('each fixture runs in an isolated browser session', { timeout: 300_000 }, () => {
  let site: Site;
  /** Another origin (same host, another port), for fixtures that visit two. */
  let otherSite: Site;
  let launcher: RecordingLauncher;

  before(async () => {
    site = await startSite({ ...WRITERS, ...OTHER_ROUTES, '/probe': probe });
    otherSite = await startSite({ ...WRITERS, '/probe': probe });
    launcher = recordingLauncher();
  });
  after(async () => {
    await closeAll(launcher);
    await site.close();
    await otherSite.close();
  });

  const runPair = async (t: TestContext, a: Partial<FixtureInput> & { url: string }, probeQuery = '', b: Partial<FixtureInput> = {}) => {
    const logger = quietLogger();
    const fixtures = [
      fixture({ id: 'a-writes', expect: { text: { selector: '#done', contains: 'stored' } }, ...a }),
      fixture({ id: 'b-checks', url: `/probe${probeQuery}`, timeout: 10_000, expect: { text: { selector: '#leaks', equals: 'none' } }, ...b }),
    ];
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, logger, baseUrl: site.url, concurrency: 1 }));
    return { run, logger };
  };

  const assertBothPassed = (run: SuiteRun) => {
    for (const result of run.fixtures) {
      const last = result.attempts.at(-1);
      assert.equal(result.attempts.length, 1, `${result.fixture.id} ran once`);
      assert.equal(last?.status, 'passed', `${result.fixture.id}: ${last?.error?.message ?? ''}`);
    }
  };

  /** B got A's session back, cleaned in place, not a new one. */
  const assertResetInPlace = (run: SuiteRun) => assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 1, sessionsReset: 1 });

  const RESET_CASES: [string, Partial<FixtureInput> & { url: string }][] = [
    ['a cookie set by document.cookie', { url: '/cookie' }],
    ['a cookie set by a Set-Cookie header (HttpOnly)', { url: '/set-cookie' }],
    ['localStorage', { url: '/local-storage' }],
    ['sessionStorage', { url: '/session-storage' }],
    ['history entries', { url: '/history' }],
    ['window.name', { url: '/window-name' }],
  ];
  for (const [what, a] of RESET_CASES) {
    it(`B sees nothing of ${what} that A left`, TEST_BOUND, async (t) => {
      const { run } = await runPair(t, a);
      assertBothPassed(run);
      assertResetInPlace(run);
    });
  }

  /** B got a new session, for the reason named. */
  const assertReplaced = (run: SuiteRun, logger: ReturnType<typeof quietLogger>, reason: RegExp) => {
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 0 });
    assert.match(logger.lines.join('\n'), reason);
  };

  const REPLACED_CASES: [string, Partial<FixtureInput> & { url: string }, RegExp][] = [
    ['IndexedDB, with the connection still open', { url: '/indexeddb' }, /replaced: the page used indexedDB, which the reset can neither stop nor clear in step with the page/],
    ['Cache Storage', { url: '/cache-storage' }, /replaced: the page used caches, which/],
    // Either reason replaces it: the use of the API, or the worker itself, whichever the early check sees first.
    ['a registered service worker', { url: '/service-worker' }, /replaced: (the page used navigator\.serviceWorker|the context had other pages or workers \(a service_worker target)/],
  ];
  for (const [what, a, reason] of REPLACED_CASES) {
    it(`B sees nothing of ${what} that A left: A used storage that cannot be cleared in step with its writes, so B gets a new session`, TEST_BOUND, async (t) => {
      const { run, logger } = await runPair(t, a);
      assertBothPassed(run);
      assertReplaced(run, logger, reason);
    });
  }

  it('B requests again from the server a resource that A cached with max-age=3600', TEST_BOUND, async (t) => {
    const before = site.hits('/cached.js');
    const { run } = await runPair(t, { url: '/http-cache' }, '?cache');
    assertBothPassed(run);
    assertResetInPlace(run);
    assert.equal(site.hits('/cached.js') - before, 2, 'A and B each fetched /cached.js from the server');
  });

  it("A's timers cannot write into B's storage: they are stopped before the clear", TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/interval' });
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it("writes A is still making when it is stopped never reach B: Web Storage and cookies are cleared in step with them", TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/busy-writer' });
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it("A's loop of messages to itself stops with its scripts and writes nothing B can see", TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/message-loop' });
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it("an open WebSocket could still run A's code after the reset, so B gets a new session", TEST_BOUND, async (t) => {
    const { run, logger } = await runPair(t, { url: '/websocket', expect: { text: { selector: '#done', equals: 'open' } } });
    assertBothPassed(run);
    assertReplaced(run, logger, /replaced: the page still had 1 request in flight/);
  });

  it("A's resize, media-query and ResizeObserver callbacks cannot write into B's storage: another viewport gets a new session", TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/resize', viewport: { width: 800, height: 600 } }, '', { viewport: { width: 500, height: 400 } });
    assertBothPassed(run);
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 0 });
  });

  it('a fixture with the same viewport as A reuses the session, and A\'s resize listeners never fire', TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/resize', viewport: { width: 800, height: 600 } }, '', { viewport: { width: 800, height: 600 } });
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it("a request A left in flight could still run A's code after the reset, so B gets a new session", TEST_BOUND, async (t) => {
    const { run } = await runPair(t, { url: '/pending-fetch' });
    assertBothPassed(run);
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 0 });
  });

  it('a page that used Web Storage on an origin it then left is not reused, and neither origin keeps anything', TEST_BOUND, async (t) => {
    const logger = quietLogger();
    const fixtures = [
      fixture({
        id: 'a-writes-two-origins',
        url: '/both-storages',
        steps: [{ waitFor: '#done:not(:empty)' }, { goto: `${otherSite.url}/both-storages` }],
        expect: { text: { selector: '#done', equals: 'stored' } },
      }),
      fixture({ id: 'b-checks-first-origin', url: '/probe?web-storage', timeout: 10_000, expect: { text: { selector: '#leaks', equals: 'none' } } }),
      fixture({ id: 'c-checks-second-origin', url: `${otherSite.url}/probe?web-storage`, timeout: 10_000, expect: { text: { selector: '#leaks', equals: 'none' } } }),
    ];
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, logger, baseUrl: site.url, concurrency: 1 }));
    for (const result of run.fixtures) assert.equal(result.attempts.at(-1)?.status, 'passed', result.attempts.at(-1)?.error?.message);
    // A left the first origin's storage behind it; B only read the storage of the origin it ended on.
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 1 });
    assert.match(logger.lines.join('\n'), new RegExp(`replaced: the page used Web Storage on ${site.url.replace(/[.]/g, '\\.')}, which it has left`));
  });

  it('B can click and fill on a session reset in place, and its page starts visible as in a fresh context', TEST_BOUND, async (t) => {
    const fixtures = [
      fixture({ id: 'a-plain', url: '/local-storage', expect: { text: { selector: '#done', contains: 'stored' } } }),
      fixture({
        id: 'b-interacts',
        url: '/interactive',
        timeout: 10_000,
        steps: [{ fill: { selector: '#name', value: 'Ada' } }, { hover: '#go' }, { click: '#go' }],
        expect: { text: { selector: '#out', equals: 'clicked while visible' } },
      }),
    ];
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, baseUrl: site.url, concurrency: 1 }));
    for (const result of run.fixtures) assert.equal(result.attempts.at(-1)?.status, 'passed', result.attempts.at(-1)?.error?.message);
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 1, sessionsReset: 1 });
  });

  it('B gets a new document even when its URL differs from A\'s only by the fragment', TEST_BOUND, async (t) => {
    const fixtures = [
      fixture({ id: 'a-uses-page', url: '/fragment', steps: [{ click: '#use' }], expect: { text: { selector: '#state', equals: 'used' } } }),
      fixture({ id: 'b-same-page', url: '/fragment#section', timeout: 10_000, expect: { text: { selector: '#state', equals: 'fresh' } } }),
    ];
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, baseUrl: site.url, concurrency: 1 }));
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it('a dialog the page opens after its attempt is dismissed, so the session is still reset in place', TEST_BOUND, async (t) => {
    const fixtures = [
      fixture({ id: 'a-alerts-late', url: '/local-storage', expect: { text: { selector: '#done', equals: 'stored' } } }),
      fixture({ id: 'b-checks', url: '/probe', timeout: 10_000, expect: { text: { selector: '#leaks', equals: 'none' } } }),
    ];
    const run = await runSuiteWith(
      {
        // After the real attempt (and its dialog listener) is done, the page raises an alert, as a late timer would.
        // The evaluation only returns once the alert has been answered.
        runAttempt: async (context) => {
          const attempt = await runAttempt(context);
          if (context.fixture.id === 'a-alerts-late') {
            await context.page.evaluate(() => new Promise((resolve) => setTimeout(() => resolve(alert('late')), 0)));
          }
          return attempt;
        },
      },
      fixtures,
      suiteOptions(t, { launcher, baseUrl: site.url, concurrency: 1 }),
    );
    assertBothPassed(run);
    assertResetInPlace(run);
  });

  it('a page with pagehide or unload handlers is not reused, and its handlers write nothing B can see', TEST_BOUND, async (t) => {
    const { run, logger } = await runPair(t, { url: '/pagehide' });
    assertBothPassed(run);
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 0 });
    assert.match(logger.lines.join('\n'), /replaced: the page has [a-z, ]*pagehide/);
  });

  it('a page that only asked whether a service worker is registered is not reused either: touching the API is enough', TEST_BOUND, async (t) => {
    const { run, logger } = await runPair(t, { url: '/asks-service-worker' });
    assertBothPassed(run);
    assertReplaced(run, logger, /replaced: the page used navigator\.serviceWorker/);
  });

  it('a page that started a worker is not reused', TEST_BOUND, async (t) => {
    const { run, logger } = await runPair(t, { url: '/worker', expect: { text: { selector: '#done', equals: 'worker running' } } });
    assertBothPassed(run);
    // Either reason: the page's use of Worker (always seen, in order), or the worker's own event if it came first.
    assertReplaced(run, logger, /replaced: (the page used Worker|the context had other pages or workers \(a worker)/);
  });

  it('a popup opened by A is gone for B', TEST_BOUND, async (t) => {
    const { run, logger } = await runPair(
      t,
      { url: '/popup-opener', steps: [{ click: '#open' }], expect: { text: { selector: '#done', equals: 'popup open' } } },
      '?popup',
    );
    assertBothPassed(run);
    assert.deepEqual(run.stats, { browserLaunches: 1, sessionsCreated: 2, sessionsReset: 0 });
    assert.match(logger.lines.join('\n'), /replaced: the context had other pages or workers \(a page target/);
  });
});
