/**
 * The waitForResponse step: it waits for a response the action before it caused, listening from before that action,
 * so a response that comes while the action is still running counts and one from before it never does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run, tempReportDir } from '../support/attempt-harness.ts';
import { fixture } from '../support/suite-kit.ts';
import { resolveFixtureValues } from '../../src/secrets/fixture-values.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { systemClock } from '../../src/common/types.ts';

const TEST = { timeout: 60_000 };
const JSON_OK = { headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

let browser: Browser;
let site: Site;

/**
 * "Save" fetches /api/save; "Save now" asks for /api/save and then /api/other with synchronous XHRs, so both
 * responses have arrived before the click even returns; "Nothing" asks for nothing. The page itself asks for /api/boot while it loads, synchronously, so that
 * response is in before the load ends.
 */
const SHOP = `
  <button id="save" type="button">Save</button>
  <button id="save-now" type="button">Save now</button>
  <button id="fail" type="button">Fail</button>
  <button id="nothing" type="button">Nothing</button>
  <p id="out"></p>
  <script>
    const boot = new XMLHttpRequest();
    boot.open('GET', '/api/boot?session=1', false);
    boot.send();
    document.getElementById('save').addEventListener('click', () => {
      fetch('/api/save?item=7', { method: 'POST' }).then(() => { document.getElementById('out').textContent = 'saved'; });
    });
    document.getElementById('save-now').addEventListener('click', () => {
      const request = new XMLHttpRequest();
      request.open('POST', '/api/save?item=8', false);
      request.send();
      const audit = new XMLHttpRequest();
      audit.open('GET', '/api/other?audit=8', false);
      audit.send();
      document.getElementById('out').textContent = 'saved at once';
    });
    document.getElementById('fail').addEventListener('click', () => {
      fetch('/api/broken').then(() => fetch('/api/broken')).then(() => fetch('/api/other'));
    });
  </script>`;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
  site.route('/shop', html(SHOP, 'Shop'));
  site.route('/api/boot', JSON_OK);
  site.route('/api/save', JSON_OK);
  site.route('/api/other', JSON_OK);
  site.route('/api/broken', { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"boom"}' });
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('runAttempt: waitForResponse', () => {
  it('waits for the response a click causes, by contains, pattern or exact URL, then goes on', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      baseUrl: site.url,
      fixture: {
        steps: [
          { click: '#save' },
          { waitForResponse: { url: { contains: '/api/save' }, status: 200 } },
          { click: '#save' },
          { waitForResponse: { url: { matches: '/\\/API\\/SAVE\\?item=\\d+$/i' } } },
          { click: '#save' },
          { waitForResponse: { url: '/api/save?item=7', status: [200, 201] } },
        ],
        expect: { text: { selector: '#out', equals: 'saved' } },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('counts responses that arrived before the action they follow had even returned, for each wait after it', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      fixture: {
        // The request is synchronous: its response is in before the click step ends, so only a listener armed before
        // the click can see it. Waits and checks in between do not move that point.
        steps: [
          { click: '#save-now' },
          { expect: { text: { selector: '#out', equals: 'saved at once' } } },
          { waitForResponse: { url: { contains: '/api/other?audit=8' } } },
          { waitForResponse: { url: { contains: '/api/save?item=8' }, status: 200 } },
        ],
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('as the first step, waits for a response the page load caused', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      fixture: { steps: [{ waitForResponse: { url: { contains: '/api/boot' } } }, { click: '#save' }, { waitForResponse: { url: { contains: '/api/save' } } }] },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('never counts a response from before the action, and lists the responses since with a similar URL', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      fixture: { steps: [{ click: '#save' }, { waitForResponse: { url: { contains: '/api/boot' }, timeout: 500 } }] },
    });
    assert.equal(attempt.error?.kind, 'timeout');
    const [first, ...details] = (attempt.error?.message ?? '').split('\n');
    assert.match(
      first ?? '',
      /^step 2 \(waitForResponse containing "\/api\/boot"\): no response to a matching URL arrived since step 1 \(click "#save"\) started \(waited \d+\.\ds\)\.$/,
    );
    assert.equal(details[0], 'Responses with a similar URL since then:');
    assert.match(details[1] ?? '', /^ {2}POST "http:\/\/127\.0\.0\.1:\d+\/api\/save\?item=7" HTTP 200$/);
  });

  it('never counts a response that arrives after the action when its request was made before it', TEST, async (t) => {
    // The page asks for /api/held as it loads; the server answers it only once the click has asked for
    // /api/release, so its response surely arrives after the click started, though the click did not cause it.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    site.route('/held', html(`<button id="release" type="button">Release</button><script>
      fetch('/api/held?n=1');
      document.getElementById('release').addEventListener('click', () => fetch('/api/release'));
    </script>`, 'Held'));
    site.route('/api/held', (_request, response) => {
      void released.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}'));
    });
    site.route('/api/release', (_request, response) => {
      release();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/held`,
      fixture: {
        waitUntil: 'domcontentloaded',
        steps: [{ click: '#release' }, { waitForResponse: { url: { contains: '/api/held' }, timeout: 1500 } }],
      },
    });
    assert.equal(attempt.error?.kind, 'timeout', headline(attempt));
    assert.match(attempt.error?.message ?? '', /^step 2 \(waitForResponse containing "\/api\/held"\): no response to a matching URL arrived since step 1 \(click "#release"\) started/);
  });

  it("lists the page's last fetch and XHR responses when no URL is like the one waited for", TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      fixture: { steps: [{ click: '#save' }, { waitForResponse: { url: { contains: '/graphql/checkout-mutation' }, timeout: 500 } }] },
    });
    assert.equal(attempt.error?.kind, 'timeout');
    const details = (attempt.error?.message ?? '').split('\n').slice(1);
    assert.equal(details[0], "The page's last fetch and XHR responses since then:");
    assert.match(details[1] ?? '', /^ {2}POST "http:\/\/127\.0\.0\.1:\d+\/api\/save\?item=7" HTTP 200$/);
  });

  it('says when the page asked for nothing at all after the action', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/shop`,
      fixture: { steps: [{ click: '#nothing' }, { waitForResponse: { url: { contains: '/api/save' }, timeout: 300 } }] },
    });
    assert.equal(attempt.error?.kind, 'timeout');
    assert.match(attempt.error?.message ?? '', /The page received no other response either: does step 1 \(click "#nothing"\) make that request\?/);
  });

  it('does not take an HTTP error unless status accepts it, and lists the responses to that URL', TEST, async (t) => {
    const refused = await run(t, {
      page: await newPage(browser, t),
      url: `${site.url}/shop`,
      fixture: { steps: [{ click: '#fail' }, { waitForResponse: { url: { contains: '/api/broken' }, timeout: 1000 } }] },
    });
    assert.equal(refused.attempt.error?.kind, 'assertion');
    const lines = (refused.attempt.error?.message ?? '').split('\n');
    assert.match(
      lines[0] ?? '',
      /^step 2 \(waitForResponse containing "\/api\/broken"\): no response with any status below 400 \(waited \d+\.\ds\); the last to a matching URL: GET ".*\/api\/broken" HTTP 500\.$/,
    );
    assert.equal(lines.filter((line) => /^ {2}GET ".*\/api\/broken" HTTP 500$/.test(line)).length, 2, lines.join('\n'));
    assert.ok(lines.includes('If this status is what the site should answer, set waitForResponse.status.'), lines.join('\n'));

    const accepted = await run(t, {
      page: await newPage(browser, t),
      url: `${site.url}/shop`,
      fixture: { steps: [{ click: '#fail' }, { waitForResponse: { url: { contains: '/api/broken' }, status: 500 } }] },
    });
    assert.equal(accepted.attempt.status, 'passed', headline(accepted.attempt));
  });

  it('fails a pattern that backtracks for ever on a URL, instead of hanging the runner', TEST, async (t) => {
    site.route(`/api/${'a'.repeat(40)}`, JSON_OK);
    site.route('/slow-pattern', html(`<script>fetch('/api/${'a'.repeat(40)}')</script>`, 'Slow pattern'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/slow-pattern`,
      fixture: { steps: [{ waitForResponse: { url: { matches: '(a+)+b' } } }] },
    });
    assert.equal(attempt.error?.kind, 'config');
    assert.match(headline(attempt), /^step 1 \(waitForResponse matching "\(a\+\)\+b"\): the pattern took longer than 0\.5s on the URL ".*\/api\/a+"\.$/);
  });

  it('takes its URL from the environment, and shows the reference, never the value', TEST, async (t) => {
    const written = fixture({
      id: 'env-response',
      url: `${site.url}/shop`,
      steps: [{ click: '#save' }, { waitForResponse: { url: { contains: '${{ env.SMOKE_API }}' } } }, { click: '#save' }, { waitForResponse: { url: { contains: '${{ env.SMOKE_OTHER }}' }, timeout: 300 } }],
    });
    const resolved = resolveFixtureValues([written], { SMOKE_API: '/api/save', SMOKE_OTHER: '/api/private-7' });
    assert.deepEqual(resolved.problems, []);
    const attempt = await runAttempt({
      page: await newPage(browser, t),
      fixture: resolved.fixtures[0]!,
      url: `${site.url}/shop`,
      baseUrl: null,
      attemptNumber: 1,
      timeoutMs: 20_000,
      expectTimeoutMs: 5_000,
      signal: new AbortController().signal,
      reportDir: tempReportDir(t),
      clock: systemClock,
      redact: (text) => text.replaceAll('/api/private-7', '***'),
    });
    assert.equal(attempt.error?.kind, 'timeout', 'step 2 saw /api/save; step 4 saw nothing like the other value');
    assert.match(headline(attempt), /^step 4 \(waitForResponse containing "\$\{\{ env\.SMOKE_OTHER \}\}"\): no response to a matching URL arrived/);
    assert.doesNotMatch(attempt.error?.message ?? '', /private-7/);
  });
});
