/**
 * What an attempt leaves behind: evidence for failures (and none for passes), page text kept as data, a prompt
 * end when the suite aborts it, and a page with no listeners of ours, ready for the next fixture.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { Attempt as AttemptSchema } from '../../src/report/schema.ts';
import { AttemptAbort } from '../../src/run/types.ts';
import { MAX_SCREENSHOT_CSS_HEIGHT } from '../../src/run/evidence.ts';
import { hang, html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run, tempReportDir } from '../support/attempt-harness.ts';

const TEST = { timeout: 60_000 };
/** Everything an attempt listens to on the page. */
const PAGE_EVENTS = ['request', 'response', 'requestfailed', 'requestfinished', 'framenavigated', 'console', 'pageerror', 'dialog', 'error', 'close'] as const;

let browser: Browser;
let site: Site;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

function listenerCounts(page: Page): number[] {
  return PAGE_EVENTS.map((event) => page.listenerCount(event));
}

describe('runAttempt: evidence', () => {
  it('writes a screenshot, the HTML and a log for a failed attempt', TEST, async (t) => {
    site.route('/fails', html('<p id="total">41 items</p><script>console.log("booting"); console.warn("slow")</script>'));
    const page = await newPage(browser, t);
    const { attempt, reportDir } = await run(t, {
      page,
      url: `${site.url}/fails`,
      attemptNumber: 2,
      fixture: { id: 'checkout.total', expect: { text: { selector: '#total', contains: '42' }, timeout: 200 } },
    });
    assert.equal(attempt.status, 'failed');
    AttemptSchema.parse(attempt);
    assert.deepEqual(attempt.evidence, {
      screenshot: 'failures/checkout.total/attempt-2.png',
      html: 'failures/checkout.total/attempt-2.html',
      log: 'failures/checkout.total/attempt-2.log',
    });
    const read = (relative: string) => fs.readFileSync(path.join(reportDir, relative));
    const png = read('failures/checkout.total/attempt-2.png');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.match(read('failures/checkout.total/attempt-2.html').toString(), /<p id="total">41 items<\/p>/);
    const log = read('failures/checkout.total/attempt-2.log').toString();
    assert.ok(log.includes(attempt.error!.message), 'the log holds the whole message');
    assert.match(log, /console\.log at \S+\/fails:1:\d+\nbooting\n/);
    assert.match(log, /console\.warn at \S+\nslow\n/);
    assert.match(log, /ok .*"http:\/\/127\.0\.0\.1:\d+\/fails" to load \(waitUntil: load\)/);
    assert.match(log, /failed .*the expect checks/);
  });

  it('takes the screenshot of the whole page, below the fold too, up to a height cap that the report notes', TEST, async (t) => {
    // A table far below the fold, as on a long API documentation page; and a page that never ends.
    site.route('/long', html('<div style="height:3000px">intro</div><table id="responses"><tr><td>200</td></tr></table>'));
    site.route('/endless', html('<div style="height:20000px;background:linear-gradient(red,blue)">feed</div>'));
    const sizeOf = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
    const failing = async (id: string, url: string) => {
      const page = await newPage(browser, t);
      const result = await run(t, { page, url, fixture: { id, viewport: { width: 800, height: 600 }, expect: { visible: ['#missing'], timeout: 100 } } });
      assert.equal(result.attempt.status, 'failed');
      AttemptSchema.parse(result.attempt);
      const read = (relative: string) => fs.readFileSync(path.join(result.reportDir, relative));
      return { evidence: result.attempt.evidence!, size: sizeOf(read(`failures/${id}/attempt-1.png`)), log: read(`failures/${id}/attempt-1.log`).toString() };
    };

    const long = await failing('long-page', `${site.url}/long`);
    assert.equal(long.size.width, 800);
    assert.ok(long.size.height > 3000, `the whole page, not the 600px viewport: ${long.size.height}px`);
    assert.ok(long.size.height < 3200, `no more than the page: ${long.size.height}px`);
    assert.equal(long.evidence.screenshotNote, undefined, 'nothing was cut');
    assert.doesNotMatch(long.log, /cut at/);

    const endless = await failing('endless-page', `${site.url}/endless`);
    assert.deepEqual(endless.size, { width: 800, height: MAX_SCREENSHOT_CSS_HEIGHT });
    assert.match(endless.evidence.screenshotNote ?? '', /^screenshot cut at 8000 of the page's 200\d\d CSS px \(the page HTML has all of it\)$/);
    assert.match(endless.log, /^screenshot: failures\/endless-page\/attempt-1\.png: screenshot cut at 8000 of the page's 200\d\d CSS px/m);
  });

  it('says in the message why there is no evidence when its folder cannot be created', TEST, async (t) => {
    site.route('/no-folder', html('<p>here</p>'));
    const page = await newPage(browser, t);
    const reportDir = tempReportDir(t);
    // A file where the failures folder should be: mkdir fails even as root.
    fs.writeFileSync(path.join(reportDir, 'failures'), 'not a folder');
    const { attempt } = await run(t, { page, url: `${site.url}/no-folder`, reportDir, fixture: { expect: { visible: ['#missing'], timeout: 200 } } });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.deepEqual(attempt.evidence, { screenshot: null, html: null, log: null });
    assert.match(attempt.error.message, /\nNo evidence was kept: its folder could not be created \(ENOTDIR/);
  });

  it('writes nothing for a passed attempt', TEST, async (t) => {
    site.route('/passes', html('<p>fine</p>'));
    const page = await newPage(browser, t);
    const { attempt, reportDir } = await run(t, { page, url: `${site.url}/passes`, fixture: { expect: { visible: ['p'] } } });
    assert.equal(attempt.status, 'passed', headline(attempt));
    assert.equal(attempt.evidence, null);
    assert.deepEqual(fs.readdirSync(reportDir), []);
  });

  it('keeps console text verbatim in the log, and clipped and quoted on one line in the message', TEST, async (t) => {
    const hostile = `::error::pwned\n<img src=x onerror=alert(1)>\n${'x'.repeat(3000)}`;
    site.route('/hostile', html(`<p>hi</p><script>console.error(${JSON.stringify(hostile)})</script>`));
    const page = await newPage(browser, t);
    const { attempt, reportDir } = await run(t, { page, url: `${site.url}/hostile`, fixture: {} });
    assert.equal(attempt.error?.kind, 'script-error');
    const message = attempt.error.message;
    assert.ok(message.startsWith('The page logged 1 console error; first: "::error::pwned\\n<img src=x onerror=alert(1)>\\nxxx'));
    assert.ok(message.split('\n').every((line) => !line.startsWith('::') && !line.startsWith('<img')), message);
    assert.match(message, /more characters cut\]"/);
    assert.ok(!message.includes('x'.repeat(1000)), 'the message is clipped');
    const log = fs.readFileSync(path.join(reportDir, attempt.evidence!.log!), 'utf8');
    assert.ok(log.includes(`\n${hostile}\n`), 'the log keeps the text as it came');
  });
});

describe('runAttempt: ending', () => {
  it('ends a hanging attempt promptly when the suite aborts it with a timeout', { timeout: 20_000 }, async (t) => {
    site.route('/stuck', hang());
    const page = await newPage(browser, t);
    const controller = new AbortController();
    const hit = site.waitForHit('/stuck').then(() =>
      controller.abort(new AttemptAbort('timeout', 'The suite timeout of 1s was reached.')),
    );
    // The fixture's own timeout is far away: only the abort can end this attempt within the test's bound.
    const { attempt } = await run(t, { page, url: `${site.url}/stuck`, timeoutMs: 50_000, signal: controller.signal, fixture: {} });
    await hit;
    assert.equal(attempt.error?.kind, 'timeout');
    assert.equal(headline(attempt), 'The suite timeout of 1s was reached.');
    assert.match(attempt.error.message, /\nIt was stopped after \d+\.\ds, while waiting for "http:\/\/127\.0\.0\.1:\d+\/stuck" to load/);
  });

  it('records a browser failure, without page captures, when the suite aborts it because the browser is gone', TEST, async (t) => {
    site.route('/stuck-too', hang());
    const page = await newPage(browser, t);
    const controller = new AbortController();
    void site.waitForHit('/stuck-too').then(() => controller.abort(new AttemptAbort('browser', 'The browser disconnected.')));
    const { attempt } = await run(t, { page, url: `${site.url}/stuck-too`, timeoutMs: 50_000, signal: controller.signal, fixture: {} });
    assert.equal(attempt.error?.kind, 'browser');
    assert.equal(headline(attempt), 'The browser disconnected.');
    assert.equal(attempt.evidence?.screenshot, null);
  });

  it('records a browser failure when the page is closed under it', TEST, async (t) => {
    site.route('/closing', hang());
    const page = await newPage(browser, t);
    void site.waitForHit('/closing').then(() => page.close());
    const { attempt } = await run(t, { page, url: `${site.url}/closing`, timeoutMs: 50_000, fixture: {} });
    assert.equal(attempt.error?.kind, 'browser');
    assert.equal(attempt.evidence?.screenshot, null);
    assert.equal(attempt.evidence?.html, null);
  });

  it('leaves no listeners on the page, so what the page does afterwards is not held against the next attempt', TEST, async (t) => {
    site.route('/first', html('<p>first</p>'));
    site.route('/second', html('<p>second</p>'));
    const page = await newPage(browser, t);
    const before = listenerCounts(page);
    const first = await run(t, { page, url: `${site.url}/first`, fixture: {} });
    assert.equal(first.attempt.status, 'passed', headline(first.attempt));
    assert.deepEqual(listenerCounts(page), before);
    await page.evaluate(() => {
      console.error('logged between attempts');
      setTimeout(() => {
        throw new Error('thrown between attempts');
      });
    });
    const second = await run(t, { page, url: `${site.url}/second`, fixture: { expect: { visible: ['p'] } } });
    assert.equal(second.attempt.status, 'passed', headline(second.attempt));
    assert.deepEqual(listenerCounts(page), before);
    const failing = await run(t, { page, url: `${site.url}/second`, fixture: { expect: { hidden: ['p'], timeout: 100 } } });
    assert.equal(failing.attempt.status, 'failed');
    assert.deepEqual(listenerCounts(page), before, 'a failed attempt removes its listeners too');
  });
});
