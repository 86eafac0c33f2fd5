/**
 * Selectors in real Chromium: strict actions and text checks (one element, or a config failure that lists the
 * matches at once), text= and role= in every place a selector is accepted, and expect.count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run } from '../support/attempt-harness.ts';
import { probePage } from '../../src/run/page-probe.ts';
import { parsedSelector, puppeteerSelector } from '../../src/fixtures/selector.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

/** A docs page: a heading anchor and a body link share a class, two tables have header cells. */
const DOCS = `
  <article class="markdown-section">
    <h2 id="install"><a class="anchor" href="#install">Install</a></h2>
    <p>Run the installer, then <a class="anchor" id="guide" href="#guide">read the guide</a>.</p>
    <table><tr><th>Option</th></tr><tr><td>retries</td></tr></table>
    <table><tr><th>Input</th></tr><tr><td>timeout</td></tr></table>
    <ul id="items"><li>one</li><li>two</li><li class="gone" style="display: none">three</li></ul>
  </article>
  <p id="out"></p>
  <script>
    document.querySelectorAll('a').forEach((a) => a.addEventListener('click', () => {
      document.getElementById('out').textContent = 'clicked ' + a.textContent;
    }));
  </script>`;

/** A sign-in form whose controls are found by their role and accessible name, or by their text. */
const FORM = `
  <nav><a href="#home">Home</a> <a href="#help">Help</a></nav>
  <form onsubmit="return false">
    <label for="email">Email</label> <input id="email">
    <label for="size">Size</label> <select id="size"><option value="s">Small</option><option value="m">Medium</option></select>
    <button type="button" id="sign-in">Sign in</button>
    <button type="button" aria-label="Close dialog">×</button>
    <button type="button" style="display: none">Hidden action</button>
  </form>
  <h1>Welcome</h1>
  <p id="status">Signed out</p>
  <script>
    document.getElementById('sign-in').addEventListener('click', () => {
      document.getElementById('status').textContent = 'Signed in as ' + document.getElementById('email').value;
      // Arrives late, so checks that name it by role or text have to wait and look again.
      setTimeout(() => {
        const button = document.createElement('button');
        button.textContent = 'Sign out';
        document.body.append(button);
        for (const text of ['first', 'second', 'third']) {
          const li = document.createElement('li');
          li.textContent = text;
          document.getElementById('late').append(li);
        }
      }, 150);
    });
  </script>
  <ul id="late"></ul>`;

/** Text in the places where "contains the text" is easy to get wrong. */
const TRICKY = `
  <div id="outer">Sign <b>in</b> here <span>Sign in</span></div>
  <input value="Sign in please"> <textarea>Sign in later</textarea> <input type="checkbox" value="Sign in">
  <select><option>Sign in</option><option selected>other</option></select>
  <p>sign IN</p> <p>Sign   in</p> <p hidden>Sign in hidden</p>
  <div id="host"></div>
  <script>/* Sign in */ document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<em>Sign in shadow</em>';</script>
  <style>/* Sign in */</style>`;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
  site.route('/docs', html(DOCS, 'Docs'));
  site.route('/form', html(FORM, 'Sign in'));
  site.route('/tricky', html(TRICKY, 'Sign in'));
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('strict selectors', () => {
  it('fails a click whose selector matches more than one element at once, as config, listing the matches', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/docs`, fixture: { steps: [{ click: '.markdown-section a' }] } });
    assert.equal(attempt.error?.kind, 'config');
    const message = attempt.error.message;
    assert.equal(headline(attempt), 'step 1 (click ".markdown-section a"): ".markdown-section a" matches 2 elements; it must match exactly one.');
    assert.match(message, /\n {2}1\. <a> class "anchor" text "Install"\n {2}2\. <a> id "guide" class "anchor" text "read the guide"\n/);
    assert.match(message, /Narrow it: a more specific CSS selector/);
    // Not a timeout: it failed as soon as it saw two matches, and clicked neither.
    assert.equal(await page.$eval('#out', (out) => out.textContent), '');
  });

  it('fails a text check whose selector matches more than one element, instead of reading the first', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/docs`, fixture: { expect: { text: { selector: 'th', equals: 'Option' } } } });
    assert.equal(attempt.error?.kind, 'config');
    assert.equal(headline(attempt), 'expect.text "th" matches 2 elements; it must match exactly one.');
    assert.match(attempt.error.message, /1\. <th> text "Option"\n {2}2\. <th> text "Input"/);
  });

  it('lists the first three matches and how many more', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/docs`, fixture: { steps: [{ waitFor: { selector: 'td, th', state: 'visible' } }] } });
    assert.equal(attempt.error?.kind, 'config');
    assert.match(attempt.error.message, /matches 4 elements/);
    assert.match(attempt.error.message, /\n {2}3\. <th> text "Input"\n {2}\.\.\. and 1 more\n/);
  });

  it('acts on a narrowed selector, and visible/hidden still check every match', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/docs`,
      fixture: {
        steps: [{ click: 'p a.anchor' }, { waitFor: 'table:first-of-type th' }],
        expect: {
          visible: ['.markdown-section a', 'th'],
          hidden: ['#items .gone', 'dialog'],
          text: { selector: '#out', equals: 'clicked read the guide' },
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('fails a hidden check when one of several matches is visible', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/docs`, fixture: { expect: { hidden: ['#items li'], timeout: 200 } } });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^expect\.hidden "#items li" to be hidden, but 2 matching elements are visible/);
  });
});

describe('text= selectors', () => {
  it('match in the page exactly what Puppeteer matches for the steps', TEST, async (t) => {
    const page = await newPage(browser, t);
    await page.goto(`${site.url}/tricky`);
    const selectors = ['text=Sign in', 'text=Sign', 'text=in here', 'text=sign IN', 'text=Sign   in', 'text=shadow', 'text=please', 'text=other', 'text=Sign in hidden'];
    const snapshot = await probePage(page, { elements: [], texts: [], counts: selectors.map((selector) => ({ selector, min: 0, max: null })) });
    const inPage = snapshot.counts.map((state) => ('count' in state ? state.count : state.invalid));
    const byPuppeteer = await Promise.all(selectors.map(async (selector) => (await page.$$(puppeteerSelector(parsedSelector(selector)))).length));
    assert.deepEqual(inPage, byPuppeteer);
    assert.ok(byPuppeteer.every((count) => count > 0), `every text is found somewhere: ${byPuppeteer.join(', ')}`);
  });

  it('find elements by the text they contain in steps, waitFor, visible, hidden, text and count', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: {
        steps: [
          { fill: { selector: '#email', value: 'ada@example.com' } },
          { hover: 'text=Welcome' },
          { press: { selector: 'text=Sign in', key: 'Tab' } },
          { click: 'text=Sign in' },
          { waitFor: 'text=Sign out' },
        ],
        expect: {
          visible: ['text=Welcome', 'text=Sign out'],
          hidden: ['text=Hidden action', 'text=Nothing like this'],
          text: { selector: 'text=Signed in as', equals: 'Signed in as ada@example.com' },
          count: [{ selector: 'text=Sign', equals: 3 }, { selector: 'text="Help"', equals: 1 }],
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('are case-sensitive and match the deepest element only', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/docs`,
      // "read the guide" is inside a <p> (and an <article>) whose text also contains it: only the <a> matches, and
      // then #out, which the click fills with "clicked read the guide".
      fixture: {
        steps: [{ click: 'text=read the guide' }],
        expect: {
          count: [
            { selector: 'text=INSTALL', equals: 0 },
            { selector: 'text=the guide', equals: 2 },
            { selector: 'text=Run the installer', equals: 1 },
          ],
          text: { selector: 'text=Run the installer', contains: 'then read the guide' },
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('are strict in actions too', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/form`, fixture: { steps: [{ click: 'text=Sign' }] } });
    assert.equal(attempt.error?.kind, 'config');
    assert.match(headline(attempt), /"text=Sign" matches 2 elements; it must match exactly one\.$/);
  });
});

describe('role= selectors', () => {
  it('find elements by role and accessible name in steps, waitFor, visible, hidden, text and count', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: {
        steps: [
          { fill: { selector: 'role=textbox[name="Email"]', value: 'grace@example.com' } },
          { press: { selector: 'role=textbox[name="Email"]', key: 'End' } },
          { select: { selector: 'role=combobox[name="Size"]', value: 'm' } },
          { hover: 'role=button[name="Close dialog"]' },
          { click: 'role=button[name="Sign in"]' },
          // The button is added after the click: the role is resolved again as the page changes.
          { waitFor: "role=button[name='Sign out']" },
        ],
        expect: {
          visible: ['role=heading[name="Welcome"]', 'role=link'],
          hidden: ['role=button[name="Hidden action"]', 'role=dialog'],
          text: { selector: 'role=heading', equals: 'Welcome' },
          count: [
            { selector: 'role=button', equals: 3 },
            { selector: 'role=link', min: 2, max: 2 },
            { selector: 'role=listitem', min: 3 },
            // The name is compared whole and case-sensitively.
            { selector: 'role=heading[name="welcome"]', equals: 0 },
            { selector: 'role=heading[name="Welc"]', equals: 0 },
            { selector: 'role=button[name="Sign in"]', equals: 1 },
          ],
        },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
    assert.equal(await page.$eval('#status', (status) => status.textContent), 'Signed in as grace@example.com');
    assert.equal(await page.$eval('#size', (select) => (select as HTMLSelectElement).value), 'm');
  });

  it('are strict in actions, and a name that matches nothing times out saying so', TEST, async (t) => {
    const page = await newPage(browser, t);
    const ambiguous = await run(t, { page, url: `${site.url}/form`, fixture: { steps: [{ click: 'role=link' }] } });
    assert.equal(ambiguous.attempt.error?.kind, 'config');
    assert.match(ambiguous.attempt.error.message, /"role=link" matches 2 elements[^]*1\. <a> text "Home"\n {2}2\. <a> text "Help"/);
    const missing = await run(t, { page, url: `${site.url}/form`, timeoutMs: 3000, fixture: { steps: [{ click: 'role=button[name="Sign up"]' }] } });
    assert.equal(missing.attempt.error?.kind, 'timeout');
    assert.match(headline(missing.attempt), /click "role=button\[name=\\"Sign up\\"\]"\): no element matches "role=button\[name=\\"Sign up\\"\]"\.$/);
  });
});

describe('expect.count', () => {
  it('waits until the count holds', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/form`,
      fixture: { steps: [{ click: '#sign-in' }], expect: { count: { selector: '#late li', equals: 3 } } },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('fails with the last count it saw once the expect timeout ends', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/docs`,
      fixture: {
        expect: {
          count: [
            { selector: '#items li', min: 1, max: 2 },
            { selector: 'table', equals: 2 },
            { selector: '.anchor', min: 5 },
            { selector: 'th', max: 1 },
          ],
          timeout: 300,
        },
      },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    const lines = attempt.error.message.split('\n');
    assert.match(lines[0]!, /^expect\.count "#items li" to be between 1 and 2, found 3 matching elements \(waited \d+\.\ds, the expect timeout\)$/);
    assert.equal(lines[1], 'Also not holding: expect.count ".anchor" to be at least 5, found 2 matching elements');
    assert.equal(lines[2], 'Also not holding: expect.count "th" to be at most 1, found 2 matching elements');
  });
});
