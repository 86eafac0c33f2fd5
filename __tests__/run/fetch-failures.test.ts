/**
 * A request the page's own code makes with fetch() and that answers 404: it counts against noFailedRequests only,
 * never as a console error (the browser logs a "Failed to load resource" line for it), while console.error from
 * the page's code still counts against noConsoleErrors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run } from '../support/attempt-harness.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

/** Fetches a missing API and says when the answer came; with ?log, also logs an error of its own. */
const APP = html(`
  <p id="done"></p>
  <script>
    fetch('/api/missing').then((response) => {
      if (location.search === '?log') console.error('cart failed: HTTP ' + response.status);
      document.getElementById('done').textContent = 'answered ' + response.status;
    });
  </script>`);

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
  site.route('/app', APP);
  site.route('/api/missing', { status: 404, body: '{"error":"not found"}' });
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('a fetch() that answers 404', () => {
  const answered = { text: { selector: '#done', equals: 'answered 404' } };

  it('fails nothing with noFailedRequests: false, though the browser logs a line about it', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/app`, fixture: { expect: { ...answered, noFailedRequests: false, noConsoleErrors: true } } });
    assert.equal(attempt.status, 'passed', headline(attempt));
    assert.ok(site.hits('/api/missing') >= 1, 'the page fetched the API');
  });

  it('fails with noFailedRequests: true, naming the URL', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/app`, fixture: { expect: { ...answered, noFailedRequests: true } } });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /^1 request failed \(expect\.noFailedRequests\): GET "http:\/\/127\.0\.0\.1:\d+\/api\/missing" HTTP 404/);
  });

  it("still fails on the page's own console.error, and only that one counts", TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/app?log`, fixture: { expect: { text: { selector: '#done', equals: 'answered 404' } } } });
    assert.equal(attempt.error?.kind, 'script-error');
    assert.equal(headline(attempt), 'The page logged 1 console error; first: "cart failed: HTTP 404"');
    const browserLine = attempt.pageLog?.console.find((entry) => entry.text.startsWith('Failed to load resource') && entry.location?.includes('/api/missing'));
    assert.ok(browserLine, JSON.stringify(attempt.pageLog?.console));
    assert.equal(browserLine.ignored, "the browser's line about a failed request, which expect.noFailedRequests governs");
  });
});
