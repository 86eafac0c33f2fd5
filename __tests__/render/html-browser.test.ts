/**
 * report.html in a real Chromium, opened from file:// the way a downloaded artifact is, with every request outside
 * file:// failed: no console errors, no network, the filter and the search, a deep link, a screenshot enlarged, and
 * hostile text that stays text. The report comes from a real CLI run of the demo site with a broken checkout page
 * added, so its screenshots, console lines and failed requests are real.
 *
 * REPORT_SCREENSHOT=docs/report-html.png node --test __tests__/render/html-browser.test.ts also saves the
 * screenshot of the failing report that the README shows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildReport } from '../../src/report/build.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { attempt, baseInput, loaded, run, suite } from '../support/report-helpers.ts';
import { createProject, type Project } from '../support/cli-harness.ts';
import { REPO_ROOT } from '../support/temp.ts';

const BOUND = { timeout: 60_000 };

const CHECKOUT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Checkout · Acme Shop</title><link rel="stylesheet" href="/style.css"></head>
<body>
  <h1 id="brand">Acme Shop</h1>
  <h2>Checkout</h2>
  <p id="cart-status">Loading your cart…</p>
  <script>
    console.log('[checkout] loading the cart');
    fetch('/api/cart')
      .then((response) => {
        if (!response.ok) {
          console.error('[checkout] cart request failed: HTTP ' + response.status);
          document.getElementById('cart-status').textContent = 'Something went wrong. Please try again.';
        }
        return response.json();
      })
      .then((cart) => console.log(cart.items.length));
  </script>
</body>
</html>
`;

const CHECKOUT_FIXTURES = `fixtures:
  - id: checkout-pay
    title: Paying for the cart shows the pay button
    tags: [critical, checkout]
    url: /checkout.html
    expect:
      timeout: 3s
      visible: ["#pay-button"]
  - id: checkout-total
    title: The cart total is shown
    tags: [checkout]
    url: /checkout.html
    expect:
      timeout: 3s
      text: { selector: "#cart-status", contains: "Total" }
      noConsoleErrors: false
      noPageErrors: false
`;

let browser: Browser;
let project: Project;
let reportFile: string;

/** Chromium as the brief for these tests says: no network of its own, no sandbox (root), headless. */
function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

before(async () => {
  project = createProject('smoke-html-');
  fs.cpSync(path.join(REPO_ROOT, 'fixtures'), path.join(project.dir, 'fixtures'), { recursive: true });
  project.write('fixtures/site/checkout.html', CHECKOUT_PAGE);
  project.write('fixtures/checkout.smoke.yml', CHECKOUT_FIXTURES);
  const [cli, launched] = await Promise.all([project.run(['--serve', 'fixtures/site', '--retries', '1']), launch()]);
  browser = launched;
  assert.equal(cli.code, 1, cli.stdout + cli.stderr);
  reportFile = path.join(project.dir, 'smoke-report', 'report.html');
});
after(async () => {
  await browser?.close();
  project?.remove();
});

interface OpenPage {
  page: Page;
  /** Every request the page made, and the ones refused for not being file:. */
  requests: string[];
  refused: string[];
  consoleErrors: string[];
  dialogs: string[];
}

/** Opens a report from file:// with every request outside file:// failed, and waits for its script to be ready. */
async function open(file: string, hash = ''): Promise<OpenPage> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const opened: OpenPage = { page, requests: [], refused: [], consoleErrors: [], dialogs: [] };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    opened.requests.push(request.url());
    if (request.url().startsWith('file:')) void request.continue();
    else {
      opened.refused.push(request.url());
      void request.abort('blockedbyclient');
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => opened.consoleErrors.push(`uncaught: ${String(error)}`));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${pathToFileURL(file).href}${hash}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.getAttribute('data-ready') === 'true');
  return opened;
}

const visibleIds = (page: Page) =>
  page.$$eval('details.fx', (cards) => cards.filter((card) => !(card as HTMLElement).hidden).map((card) => card.id));

describe('report.html from file://', () => {
  it('loads its screenshots from beside it, with no console error and no request outside file://', BOUND, async () => {
    const { page, requests, refused, consoleErrors } = await open(reportFile);
    try {
      // The first failure is open at the top: its screenshot loads from the evidence folder.
      await page.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('details.fx[open] a.shot img');
        return image !== null && image.complete && image.naturalWidth > 0;
      });
      assert.deepEqual(refused, []);
      assert.deepEqual(requests.filter((url) => !url.startsWith('file:')), []);
      assert.ok(requests.some((url) => /\/smoke-report\/failures\/checkout-(pay|total)\/attempt-1\.png$/.test(url)), requests.join('\n'));
      assert.deepEqual(consoleErrors, []);
      const ids = await visibleIds(page);
      assert.deepEqual(ids.slice(0, 2).sort(), ['checkout-pay', 'checkout-total'], 'failures first');
      assert.equal(ids.length, 14);
    } finally {
      await page.close();
    }
  });

  it('shows each failure’s console lines and failed requests as the page logged them', BOUND, async () => {
    const { page } = await open(reportFile);
    try {
      const text = await page.$eval('#checkout-pay', (card) => (card as HTMLElement).innerText);
      assert.match(text, /Attempt 1\s+failed\s+assertion/);
      assert.match(text, /Attempt 2\s+failed\s+assertion/);
      assert.match(text, /log \[checkout\] loading the cart/);
      assert.match(text, /error \[checkout\] cart request failed: HTTP 404/);
      assert.match(text, /GET http:\/\/127\.0\.0\.1:\d+\/api\/cart HTTP 404 Not Found/);
      assert.match(text, /uncaught Uncaught \(in promise\) SyntaxError: Unexpected token/);
    } finally {
      await page.close();
    }
  });

  it('filters by status and searches by id, title or tag', BOUND, async () => {
    const { page, consoleErrors } = await open(reportFile);
    try {
      await page.click('button[data-filter="failed"]');
      assert.deepEqual((await visibleIds(page)).sort(), ['checkout-pay', 'checkout-total']);
      assert.equal(await page.$eval('#_shown', (element) => element.textContent), 'Showing 2 of 14');
      await page.click('button[data-filter="passed"]');
      assert.equal((await visibleIds(page)).length, 11);
      await page.click('button[data-filter="skipped"]');
      assert.deepEqual(await visibleIds(page), ['order-history']);
      await page.click('button[data-filter="all"]');
      assert.equal((await visibleIds(page)).length, 14);

      await page.type('#_search', 'home-');
      assert.deepEqual((await visibleIds(page)).sort(), ['home-banner-stays-hidden', 'home-deals-render', 'home-help-menu', 'home-loads']);
      await clearSearch(page);
      await page.type('#_search', 'PAY BUTTON');
      assert.deepEqual(await visibleIds(page), ['checkout-pay'], 'by words of the title, in any case');
      await clearSearch(page);
      await page.type('#_search', 'critical');
      assert.deepEqual((await visibleIds(page)).sort(), ['checkout-pay', 'home-loads', 'login-flow'], 'by tag');
      await page.click('button[data-filter="failed"]');
      assert.deepEqual(await visibleIds(page), ['checkout-pay'], 'the filter and the search together');
      await clearSearch(page);
      await page.type('#_search', 'no such fixture');
      assert.deepEqual(await visibleIds(page), []);
      assert.equal(await page.$eval('#_empty', (element) => (element as HTMLElement).hidden), false, 'says nothing matches');
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
    }
  });

  it('follows a deep link to a fixture, opening its card, also when the filter hides it', BOUND, async () => {
    const { page } = await open(reportFile, '#products-search');
    try {
      const state = () =>
        page.$eval('#products-search', (card) => ({
          open: (card as HTMLDetailsElement).open,
          hidden: (card as HTMLElement).hidden,
          target: document.querySelector(':target') === card,
          inView: card.getBoundingClientRect().top >= 0 && card.getBoundingClientRect().top < window.innerHeight,
        }));
      assert.deepEqual(await state(), { open: true, hidden: false, target: true, inView: true });
      assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'scrolled to it');

      await page.click('button[data-filter="failed"]');
      await page.evaluate(() => {
        location.hash = '#login-flow';
      });
      await page.waitForFunction(() => (document.getElementById('login-flow') as HTMLDetailsElement | null)?.open === true);
      assert.equal(await page.$eval('#login-flow', (card) => (card as HTMLElement).hidden), false);
      assert.equal(await page.$eval('button[data-filter="all"]', (button) => button.getAttribute('aria-pressed')), 'true', 'the filter was reset');
    } finally {
      await page.close();
    }
  });

  it('enlarges a screenshot on click, and closes it on the next', BOUND, async () => {
    const { page, consoleErrors } = await open(reportFile);
    try {
      const href = await page.$eval('details.fx[open] a.shot', (link) => link.getAttribute('href'));
      assert.match(href ?? '', /^failures\/checkout-(pay|total)\/attempt-1\.png$/);
      await page.click('details.fx[open] a.shot');
      await page.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('#_lightbox[open] img');
        return image !== null && image.complete && image.naturalWidth > 0;
      });
      const shown = await page.$eval('#_lightbox img', (image) => ({ src: (image as HTMLImageElement).src, width: (image as HTMLImageElement).naturalWidth }));
      assert.ok(shown.src.endsWith(`/smoke-report/${href}`), shown.src);
      assert.equal(shown.width, 1280, 'the full screenshot');
      assert.ok(page.url().endsWith('report.html'), 'the page did not navigate to the image');
      await page.click('#_lightbox');
      assert.equal(await page.$eval('#_lightbox', (dialog) => (dialog as HTMLDialogElement).open), false);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
    }
  });

  it('takes a screenshot of the failing report', BOUND, async () => {
    const { page } = await open(reportFile);
    try {
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('details.fx[open] a.shot img')]
          .filter((image) => image.getBoundingClientRect().top < window.innerHeight)
          .every((image) => image.complete && image.naturalWidth > 0),
      );
      const png = Buffer.from(await page.screenshot({ type: 'png' }));
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(png.readUInt32BE(16), 1280, 'as wide as the viewport');
      const target = process.env.REPORT_SCREENSHOT;
      if (target) fs.writeFileSync(path.resolve(REPO_ROOT, target), png);
    } finally {
      await page.close();
    }
  });
});

describe('hostile text in report.html, in the browser', () => {
  const TITLE = `</style><script>alert("title")</script><img src=x onerror=alert("img")> "q" 'q' \u202Eevil`;
  const MESSAGE = `</script><script>alert("message")</script><a href="javascript:alert('link')">click</a> <!-- <svg onload=alert(1)>`;
  const CONSOLE = `<iframe src="javascript:alert('frame')"></iframe>' onmouseover='alert(1)`;

  function writeHostile(dir: string): string {
    const failed = attempt('hostile', 1, { kind: 'assertion', message: MESSAGE });
    const report = buildReport(
      baseInput(
        suite([
          run(loaded('hostile', { title: TITLE, tags: [`"><b>tag</b>`] }), [
            {
              ...failed,
              pageLog: {
                console: [{ atMs: 5, type: 'error', text: CONSOLE, location: `javascript:alert('location')`, ignored: null }],
                failedRequests: [{ atMs: 6, method: 'GET', url: `javascript:alert('request')`, resourceType: 'script', failure: '<b>HTTP 500</b>', ignored: null }],
                omitted: 0,
              },
            },
          ]),
        ]),
      ),
    );
    fs.mkdirSync(path.join(dir, 'failures', 'hostile'), { recursive: true });
    const evidence = fs.readdirSync(path.join(project.dir, 'smoke-report', 'failures', 'checkout-pay')).find((name) => name.endsWith('.png'));
    fs.copyFileSync(path.join(project.dir, 'smoke-report', 'failures', 'checkout-pay', evidence!), path.join(dir, 'failures', 'hostile', 'attempt-1.png'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderHtmlReport(report, summaryViewOf(report)));
    return file;
  }

  it('runs nothing and makes no markup of it: every text is shown as written', BOUND, async () => {
    const dir = fs.mkdtempSync(path.join(project.dir, 'hostile-'));
    const { page, dialogs, consoleErrors, refused } = await open(writeHostile(dir));
    try {
      await page.click('details.fx[open] a.shot');
      await page.waitForFunction(() => document.querySelector('#_lightbox[open]') !== null);
      await page.click('#_lightbox');
      await page.hover('#hostile .text');
      assert.deepEqual(dialogs, [], 'no alert ran');
      assert.deepEqual(consoleErrors, [], 'not even a script the policy had to block');
      assert.deepEqual(refused, []);
      const dom = await page.evaluate(() => ({
        scripts: document.scripts.length,
        foreign: document.querySelectorAll('iframe, svg, object, embed, form, b:not(.toolbar b)').length,
        images: [...document.images].map((image) => image.getAttribute('src')),
        links: [...document.links].map((link) => link.getAttribute('href')),
        title: document.querySelector('#hostile .title')?.textContent,
        message: document.querySelector('#hostile pre.error')?.textContent,
        console: document.querySelector('#hostile .c-error .text')?.textContent,
        tag: document.querySelector('#hostile .tag')?.textContent,
      }));
      assert.equal(dom.scripts, 1);
      assert.equal(dom.foreign, 0);
      assert.deepEqual(dom.images.filter((src) => src !== null && src !== 'failures/hostile/attempt-1.png'), []);
      const own = /^(#hostile|failures\/hostile\/attempt-1\.(png|log|html)|https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/13579246801\/attempts\/1)$/;
      assert.deepEqual(dom.links.filter((href) => !own.test(href ?? '')), [], 'links only to its evidence, its cards and its run');
      assert.equal(dom.title, TITLE.replace('\u202E', '\\u202e'));
      assert.equal(dom.message, MESSAGE);
      assert.equal(dom.console, CONSOLE);
      assert.equal(dom.tag, `"><b>tag</b>`);
    } finally {
      await page.close();
    }
  });

  it('would not run a script that got into the page anyway: the policy allows only the page’s own', BOUND, async () => {
    const dir = fs.mkdtempSync(path.join(project.dir, 'injected-'));
    const file = writeHostile(dir);
    const page = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, page.replace('</main>', '<script>document.title = "injected"</script><img id="beacon" src="https://example.com/x.png"></main>'));
    const { page: opened, consoleErrors, requests } = await open(file);
    try {
      assert.notEqual(await opened.title(), 'injected');
      assert.ok(consoleErrors.some((line) => /Content Security Policy/.test(line)), consoleErrors.join('\n'));
      assert.deepEqual(requests.filter((url) => !url.startsWith('file:')), [], 'the policy stopped the image before any request');
    } finally {
      await opened.close();
    }
  });
});

async function clearSearch(page: Page): Promise<void> {
  await page.$eval('#_search', (input) => {
    (input as HTMLInputElement).value = '';
    input.dispatchEvent(new Event('input'));
  });
}
