/**
 * The declarative steps, on a small form page: each action changes the page the way a user's would, and the
 * expectations read the result.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run } from '../support/attempt-harness.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

const FORM = `
  <form onsubmit="return false">
    <input id="name" autocomplete="off">
    <select id="size"><option value="s">Small</option><option value="m">Medium</option></select>
    <select id="extras" multiple><option value="gift">Gift</option><option value="note">Note</option></select>
    <input id="search">
    <button id="save" type="button" disabled>Save</button>
  </form>
  <div id="menu" style="width: 120px; height: 30px">Menu</div>
  <div id="submenu" style="display: none">Submenu</div>
  <div id="spinner">Loading…</div>
  <p id="out"></p>
  <script>
    const keys = [];
    document.addEventListener('keydown', (event) => keys.push(event.key));
    document.getElementById('menu').addEventListener('mouseenter', () => {
      document.getElementById('submenu').style.display = 'block';
    });
    // The button is enabled late, so click has to wait for it.
    setTimeout(() => { document.getElementById('save').disabled = false; }, 200);
    document.getElementById('save').addEventListener('click', () => {
      const extras = [...document.getElementById('extras').selectedOptions].map((option) => option.value);
      document.getElementById('out').textContent = [
        'name=' + document.getElementById('name').value,
        'size=' + document.getElementById('size').value,
        'extras=' + extras.join('+'),
        'search=' + document.getElementById('search').value,
        'keys=' + keys.filter((key) => key === 'Enter' || key === 'Escape').join('+'),
      ].join(' ');
      setTimeout(() => document.getElementById('spinner').remove(), 100);
    });
  </script>`;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
  site.route('/form', html(FORM, 'Form'));
  site.route('/next', html('<h1>Next page</h1>', 'Next'));
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('runAttempt: steps', () => {
  it('runs fill, select, press, hover, waitFor and click on a form', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: {
        steps: [
          { fill: { selector: '#name', value: 'Ada Lovelace' } },
          { select: { selector: '#size', value: 'm' } },
          { select: { selector: '#extras', value: ['gift', 'note'] } },
          { fill: { selector: '#search', value: 'engines' } },
          { press: 'Enter' },
          { press: { key: 'Escape', selector: '#name' } },
          { hover: '#menu' },
          { waitFor: '#submenu' },
          { click: '#save' },
          { waitFor: { selector: '#spinner', state: 'hidden', timeout: '5s' } },
        ],
        expect: {
          visible: ['#submenu'],
          hidden: ['#spinner'],
          text: { selector: '#out', equals: 'name=Ada Lovelace size=m extras=gift+note search=engines keys=Enter+Escape' },
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('follows a goto step relative to the base URL, and checks the final page', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      baseUrl: site.url,
      fixture: { steps: [{ goto: '/next' }], expect: { url: '/next', title: 'Next', status: 200 } },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
    assert.equal(site.hits('/next') >= 1, true);
  });

  it('fails a goto step to a page that answers HTTP 500, as a navigation failure', TEST, async (t) => {
    site.route('/server-error', { status: 500, body: '<title>oops</title>' });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      baseUrl: site.url,
      fixture: { steps: [{ goto: '/server-error' }, { click: '#never' }] },
    });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /\/server-error" answered HTTP 500/);
  });

  it('times out a waitFor step at its own timeout, saying what is still visible', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: { steps: [{ waitFor: { selector: '#spinner', state: 'hidden', timeout: 300 } }] },
    });
    assert.equal(attempt.error?.kind, 'timeout');
    assert.match(
      headline(attempt),
      /^Timed out after \d+\.\ds waiting for step 1 \(waitFor "#spinner" to be hidden\): 1 element matching "#spinner" still visible\.$/,
    );
  });

  it('fails a press step with a key name that does not exist as a config failure', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/form`, fixture: { steps: [{ press: 'Entr' }] } });
    assert.equal(attempt.error?.kind, 'config');
    assert.equal(headline(attempt), 'step 1 (press "Entr"): "Entr" is not a key name puppeteer knows.');
  });

  it('fails a select step on an element that is not a <select>', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: { steps: [{ select: { selector: '#name', value: 'x' } }] },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.equal(headline(attempt), 'step 1 (select "x" in "#name"): the element is an <input>, not a <select>.');
  });
});
