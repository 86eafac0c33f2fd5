/**
 * A step's `expect`: the same page checks as the final expect, at that point of the steps, waiting the same way; a
 * failure names the step and stops the steps after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { headline, launchBrowser, newPage, run, tempReportDir } from '../support/attempt-harness.ts';
import { resolveFixtureValues } from '../../src/secrets/fixture-values.ts';
import { fixture } from '../support/suite-kit.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { systemClock } from '../../src/common/types.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

/** A cart: "Add" updates the count only after a while, and "Checkout" goes to the next page. */
const CART = `
  <h1 id="heading">Cart</h1>
  <p id="count">0 items</p>
  <button id="add" type="button">Add</button>
  <a id="checkout" href="/checkout">Checkout</a>
  <div id="toast" style="display: none">Added</div>
  <script>
    document.getElementById('add').addEventListener('click', () => {
      setTimeout(() => {
        document.getElementById('count').textContent = '1 item';
        document.getElementById('toast').style.display = 'block';
      }, 150);
    });
  </script>`;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
  site.route('/cart', html(CART, 'Cart'));
  site.route('/checkout', html('<h1 id="pay">Pay</h1>', 'Checkout'));
  site.route('/gone', { status: 404, headers: { 'content-type': 'text/html' }, body: '<title>Not found</title><h1 id="missing">Not found</h1>' });
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('runAttempt: expect as a step', () => {
  it('checks the page between steps, waiting for what renders late, then goes on', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/cart`,
      fixture: {
        steps: [
          { expect: { title: 'Cart', text: { selector: '#count', equals: '0 items' }, hidden: ['#toast'], status: 200 } },
          { click: '#add' },
          { expect: { text: { selector: '#count', equals: '1 item' }, visible: ['#toast'] } },
          { click: '#checkout' },
          { expect: { url: { contains: '/checkout' }, title: 'Checkout', status: 200 } },
        ],
        expect: { visible: ['#pay'] },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('fails at the step that does not hold, naming it and its checks, and runs none of the steps after it', TEST, async (t) => {
    const page = await newPage(browser, t);
    const checkoutsBefore = site.hits('/checkout');
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/cart`,
      fixture: {
        steps: [
          { click: '#add' },
          { expect: { text: { selector: '#count', equals: '2 items' }, visible: ['#toast'], timeout: 400 } },
          { click: '#checkout' },
        ],
      },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(
      headline(attempt),
      /^step 2 \(expect visible "#toast", text "#count"\): expect\.text "#count" to equal "2 items", found "1 item" \(waited \d+\.\ds, the expect timeout\)$/,
    );
    assert.equal(site.hits('/checkout'), checkoutsBefore, 'the click after the failed check did not run');
  });

  it("waits as long as the fixture's expect.timeout when the step sets none", TEST, async (t) => {
    const page = await newPage(browser, t);
    // The attempt may take 50s: had the step waited for the whole attempt, this test would time out instead.
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/cart`,
      timeoutMs: 50_000,
      fixture: { steps: [{ expect: { visible: ['#never'] } }], expect: { timeout: 300 } },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^step 1 \(expect visible "#never"\): expect\.visible "#never" to be visible, but no element matches it/);
  });

  it('judges an HTTP error page by the status a step expects, and fails a status that differs', TEST, async (t) => {
    const page = await newPage(browser, t);
    const passing = await run(t, {
      page,
      url: `${site.url}/cart`,
      baseUrl: site.url,
      fixture: { steps: [{ goto: '/gone' }, { waitFor: '#missing' }, { expect: { status: 404, visible: ['#missing'] } }, { goto: '/cart' }] },
    });
    assert.equal(passing.attempt.status, 'passed', headline(passing.attempt));
    const judgedAtTheEnd = await run(t, {
      page: await newPage(browser, t),
      url: `${site.url}/gone`,
      fixture: { steps: [{ expect: { visible: ['#missing'] } }], expect: { status: 404 } },
    });
    assert.equal(judgedAtTheEnd.attempt.status, 'passed', headline(judgedAtTheEnd.attempt));
    const failing = await run(t, {
      page: await newPage(browser, t),
      url: `${site.url}/cart`,
      baseUrl: site.url,
      fixture: { steps: [{ click: '#checkout' }, { expect: { url: { contains: '/checkout' }, status: 201 } }] },
    });
    assert.equal(failing.attempt.error?.kind, 'assertion');
    assert.match(headline(failing.attempt), /^step 2 \(expect status 201, url "\/checkout"\): expect\.status to be 201, found 200 "OK" for ".*\/checkout"$/);
  });

  it('keeps an HTTP error page a navigation failure when no step expects its status', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/cart`,
      baseUrl: site.url,
      fixture: { steps: [{ goto: '/gone' }, { expect: { visible: ['#missing'] } }] },
    });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /\/gone" answered HTTP 404/);
  });

  it('fails an invalid selector in a step as a config failure of that step', TEST, async (t) => {
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/cart`, fixture: { steps: [{ expect: { visible: ['p:no-such-pseudo-class'] } }] } });
    assert.equal(attempt.error?.kind, 'config');
    assert.match(headline(attempt), /^step 1 \(expect visible "p:no-such-pseudo-class"\): expect\.visible "p:no-such-pseudo-class" is not a valid CSS selector\.$/);
  });

  it('checks a value from the environment, and its message shows the reference, never the value', TEST, async (t) => {
    const page = await newPage(browser, t);
    const written = fixture({
      id: 'env-step',
      url: `${site.url}/cart`,
      steps: [{ expect: { text: { selector: '#heading', equals: '${{ env.SMOKE_HEADING }}' } } }, { expect: { text: { selector: '#count', contains: '${{ env.SMOKE_COUNT }}' }, timeout: 300 } }],
    });
    const resolved = resolveFixtureValues([written], { SMOKE_HEADING: 'Cart', SMOKE_COUNT: 'secret-count-42' });
    assert.deepEqual(resolved.problems, []);
    const attempt = await runAttempt({
      page,
      fixture: resolved.fixtures[0]!,
      url: `${site.url}/cart`,
      baseUrl: null,
      attemptNumber: 1,
      timeoutMs: 20_000,
      expectTimeoutMs: 5_000,
      signal: new AbortController().signal,
      reportDir: tempReportDir(t),
      clock: systemClock,
      redact: (text) => text.replaceAll('secret-count-42', '***'),
    });
    assert.equal(attempt.error?.kind, 'assertion', 'step 1 held with the substituted heading; step 2 did not');
    assert.match(headline(attempt), /^step 2 \(expect text "#count"\): expect\.text "#count" to contain "\$\{\{ env\.SMOKE_COUNT \}\}", found "0 items"/);
    assert.doesNotMatch(attempt.error?.message ?? '', /secret-count-42/);
  });
});
