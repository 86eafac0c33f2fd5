/**
 * runAttempt on pages that should pass: every kind of expectation, late rendering, the browser's own favicon
 * request, every step type, and a page reused for the next attempt.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Attempt as AttemptSchema } from '../../src/report/schema.ts';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run } from '../support/attempt-harness.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

const LATE_ELEMENT = `<script>
  setTimeout(() => {
    const p = document.createElement('p');
    p.id = 'late';
    p.textContent = 'rendered late';
    document.body.append(p);
  }, 300);
</script>`;

describe('runAttempt: pages that pass', () => {
  it('passes a fixture that uses every kind of expectation, and writes no evidence', TEST, async (t) => {
    site.route(
      '/all',
      html(
        `<h1 id="heading">Welcome   home</h1>
         <p id="total">Total:
           42 items</p>
         <div id="gone" style="display: none">hidden by display</div>
         <div id="invisible" style="visibility: hidden">hidden by visibility</div>
         <div id="empty"></div>`,
        'Shop  home',
      ),
    );
    const page = await newPage(browser, t);
    const { attempt, reportDir } = await run(t, {
      page,
      url: `${site.url}/all`,
      baseUrl: site.url,
      fixture: {
        expect: {
          status: [200, 203],
          title: 'Shop home',
          url: '/all',
          visible: ['#heading', 'p'],
          hidden: ['#gone', '#invisible', '#empty', '#absent'],
          text: [
            { selector: '#total', contains: 'Total: 42' },
            { selector: '#heading', equals: 'Welcome home' },
            { selector: '#total', matches: '/^total: \\d+ items$/i' },
          ],
          noConsoleErrors: true,
          noPageErrors: true,
          noFailedRequests: true,
          maxDuration: '30s',
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
    assert.equal(attempt.error, null);
    assert.equal(attempt.evidence, null);
    assert.equal(attempt.attempt, 1);
    AttemptSchema.parse(attempt);
    assert.equal(fs.existsSync(path.join(reportDir, 'failures')), false);
  });

  it('accepts a regular expression for the title and patterns for the URL', TEST, async (t) => {
    site.route('/pattern', html('<p>hi</p>', 'Order #1234 confirmed'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/pattern?ref=mail`,
      fixture: { expect: { title: '/^Order #\\d+ confirmed$/', url: { matches: '/pattern\\?ref=' } } },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
    const second = await run(t, {
      page,
      url: `${site.url}/pattern?ref=mail`,
      fixture: { expect: { url: { contains: '?ref=mail' } } },
    });
    assert.equal(second.attempt.status, 'passed', headline(second.attempt));
  });

  it('waits for an element that the page renders late', TEST, async (t) => {
    site.route('/late', html(LATE_ELEMENT));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/late`,
      fixture: { expect: { visible: ['#late'], text: { selector: '#late', equals: 'rendered late' } } },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it("passes on a site without a favicon: the browser's own request is neither a console error nor a failed request", TEST, async (t) => {
    const local = await startSite();
    t.after(() => local.close());
    // The page shows #ready only once the server has answered the favicon request with a 404, so the
    // browser's console error for it arrives while the attempt is still looking.
    local.route('/', html(`<script>
      fetch('/favicon-answered').then(() => {
        const p = document.createElement('p');
        p.id = 'ready';
        p.textContent = 'ready';
        document.body.append(p);
      });
    </script>`));
    local.route('/favicon-answered', async (_request, response) => {
      await local.waitForHit('/favicon.ico');
      setImmediate(() => response.end('ok'));
    });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${local.url}/`,
      fixture: { steps: [{ waitFor: '#ready' }], expect: { noConsoleErrors: true, noFailedRequests: true } },
    });
    assert.equal(local.hits('/favicon.ico'), 1, 'the browser asked for the favicon during the attempt');
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('accepts an HTTP error page when expect.status asks for it, without counting its console error', TEST, async (t) => {
    site.route('/missing', { status: 404, headers: { 'content-type': 'text/html' }, body: '<title>Not here</title><h1>404</h1>' });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/missing`,
      fixture: { expect: { status: 404, title: 'Not here', noFailedRequests: true } },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('sets the viewport of the fixture, and the default one otherwise', TEST, async (t) => {
    site.route('/size', html('<p id="size"></p><script>size.textContent = innerWidth + "x" + innerHeight</script>'));
    const page = await newPage(browser, t);
    const small = await run(t, {
      page,
      url: `${site.url}/size`,
      fixture: { viewport: { width: 400, height: 300 }, expect: { text: { selector: '#size', equals: '400x300' } } },
    });
    assert.equal(small.attempt.status, 'passed', headline(small.attempt));
    const standard = await run(t, {
      page,
      url: `${site.url}/size`,
      fixture: { expect: { text: { selector: '#size', equals: '1280x720' } } },
    });
    assert.equal(standard.attempt.status, 'passed', headline(standard.attempt));
  });
});
