/**
 * runAttempt on pages that fail: each failure kind, with a message that says what was expected and what was
 * found, and the precedence between them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { dropConnection, failTimes, hang, html, startSite, type Site } from '../support/site.ts';
import { closedPort, headline, launchBrowser, newPage, run } from '../support/attempt-harness.ts';

const TEST = { timeout: 60_000 };

let browser: Browser;
let site: Site;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite()]);
});
after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

describe('runAttempt: assertion failures', () => {
  it('says what text it expected and what it found', TEST, async (t) => {
    site.route('/total', html('<p id="total">41   items</p>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/total`,
      fixture: { expect: { text: { selector: '#total', contains: '42' }, timeout: '300ms' } },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^expect\.text "#total" to contain "42", found "41 items" \(waited \d+\.\ds, the expect timeout\)$/);
    assert.match(attempt.error.message, /\nThe expect timeout is 0\.3s, from the fixture's expect\.timeout: raise it/);
  });

  it('says when no element matches a selector that must be visible', TEST, async (t) => {
    site.route('/no-cart', html('<p>empty</p><div id="hidden-cart" style="display:none">cart</div>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/no-cart`,
      fixture: { expect: { visible: ['#cart', '#hidden-cart'], timeout: '300ms' } },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^expect\.visible "#cart" to be visible, but no element matches it \(waited/);
    assert.match(
      attempt.error.message,
      /\nAlso not holding: expect\.visible "#hidden-cart" to be visible, but the matching element is not visible/,
    );
  });

  it('fails a page that answers with a status expect.status does not list', TEST, async (t) => {
    site.route('/teapot', { status: 418, body: '<title>teapot</title>' });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/teapot`, fixture: { expect: { status: [200, 204] } } });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^expect\.status to be one of 200, 204, found 418 "I'm a Teapot" for "http:\/\/127\.0\.0\.1:\d+\/teapot"$/);
  });

  it('fails a fixture that takes longer than its maxDuration', TEST, async (t) => {
    site.route('/slow', { ...html('<p>slow</p>'), delayMs: 300 });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/slow`, fixture: { expect: { maxDuration: 100 } } });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(headline(attempt), /^expect\.maxDuration 0\.1s exceeded: the attempt took \d+\.\ds\.$/);
  });

  it('fails a select step whose value the page does not offer, naming the values it does', TEST, async (t) => {
    site.route('/sizes', html('<select id="size"><option value="s">S</option><option value="m">M</option></select>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/sizes`,
      fixture: { steps: [{ select: { selector: '#size', value: 'xl' } }] },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.equal(headline(attempt), 'step 1 (select "xl" in "#size"): the <select> has no option with the value "xl".');
    assert.match(attempt.error.message, /Its option values are: "s", "m"\./);
  });
});

describe('runAttempt: navigation failures', () => {
  it('fails with navigation when nothing listens on the port', TEST, async (t) => {
    const port = await closedPort();
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `http://127.0.0.1:${port}/`, fixture: {} });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.equal(headline(attempt), `Could not load "http://127.0.0.1:${port}/": net::ERR_CONNECTION_REFUSED.`);
    assert.match(attempt.error.message, /is the server running/);
  });

  it('fails with navigation on an HTTP 500 when the fixture sets no expect.status, without running the steps', TEST, async (t) => {
    site.route('/broken', failTimes(1, html('<p>ok</p>'), 500));
    site.route('/after', html('<p>never</p>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/broken`,
      baseUrl: site.url,
      fixture: { steps: [{ goto: '/after' }] },
    });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /^"http:\/\/127\.0\.0\.1:\d+\/broken" answered HTTP 500 "Internal Server Error"\.$/);
    assert.match(attempt.error.message, /set expect\.status/);
    assert.equal(site.hits('/after'), 0);
  });

  it('fails with navigation on a failed subresource when expect.noFailedRequests is true', TEST, async (t) => {
    site.route('/with-broken-image', html('<img src="/dropped.png"><p>page</p>'));
    site.route('/dropped.png', dropConnection());
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/with-broken-image`,
      fixture: { expect: { noFailedRequests: true } },
    });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /^1 request failed \(expect\.noFailedRequests\): GET "http:\/\/127\.0\.0\.1:\d+\/dropped\.png" net::ERR_/);
    // The browser's console line about it belongs to the request: it is not a second failure.
    assert.doesNotMatch(attempt.error.message, /console error/);
  });

  it("a failed subresource fails nothing by default: the browser's own console line about it is not a console error", TEST, async (t) => {
    site.route('/with-broken-image', html('<img src="/dropped.png"><img src="/missing.png"><p>page</p>'));
    site.route('/dropped.png', dropConnection());
    site.route('/missing.png', { status: 404, body: 'no' });
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/with-broken-image`, fixture: { expect: { visible: ['p'] } } });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it("a page's own console.error that reads like the browser's line still counts", TEST, async (t) => {
    site.route('/mimic', html(`<p>page</p><script>console.error('Failed to load resource: the cart');</script>`));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/mimic`, fixture: {} });
    assert.equal(attempt.error?.kind, 'script-error');
    assert.match(headline(attempt), /^The page logged 1 console error; first: "Failed to load resource: the cart"/);
  });
});

describe('runAttempt: timeouts', () => {
  it('times out on a page that never answers, saying what it waited for', TEST, async (t) => {
    site.route('/hang', hang());
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/hang`, timeoutMs: 1500, fixture: {} });
    assert.equal(attempt.error?.kind, 'timeout');
    assert.match(headline(attempt), /^Timed out after \d+\.\ds waiting for "http:\/\/127\.0\.0\.1:\d+\/hang" to load \(waitUntil: load\)\.$/);
    assert.match(attempt.error.message, /The attempt's timeout is 1\.5s\./);
    assert.match(attempt.error.message, /Requests still in flight \(1\):\n {2}"GET http:\/\/127\.0\.0\.1:\d+\/hang"/);
  });

  it('times out on a step whose element never appears, saying why', TEST, async (t) => {
    site.route('/no-button', html('<button id="other">other</button>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/no-button`,
      timeoutMs: 1500,
      fixture: { steps: [{ click: '#buy' }] },
    });
    assert.equal(attempt.error?.kind, 'timeout');
    assert.match(headline(attempt), /^Timed out after \d+\.\ds waiting for step 1 \(click "#buy"\): no element matches "#buy"\.$/);
  });
});

describe('runAttempt: script errors', () => {
  it('fails on an uncaught error in the page', TEST, async (t) => {
    site.route('/throws', html('<p>hi</p><script>null.boom()</script>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, { page, url: `${site.url}/throws`, fixture: { expect: { visible: ['p'] } } });
    assert.equal(attempt.error?.kind, 'script-error');
    assert.match(headline(attempt), /^The page logged 1 uncaught page error; first: "TypeError: Cannot read properties of null/);
  });

  it('fails on console.error, unless noConsoleErrors is false', TEST, async (t) => {
    site.route('/logs', html('<p>hi</p><script>console.error("payment widget failed", 42)</script>'));
    const page = await newPage(browser, t);
    const strict = await run(t, { page, url: `${site.url}/logs`, fixture: {} });
    assert.equal(strict.attempt.error?.kind, 'script-error');
    assert.equal(headline(strict.attempt), 'The page logged 1 console error; first: "payment widget failed 42"');
    const lenient = await run(t, { page, url: `${site.url}/logs`, fixture: { expect: { noConsoleErrors: false } } });
    assert.equal(lenient.attempt.status, 'passed', headline(lenient.attempt));
  });

  it('reports an assertion before a script error when both happen', TEST, async (t) => {
    site.route('/both', html('<p id="x">found</p><script>console.error("noise")</script>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/both`,
      fixture: { expect: { text: { selector: '#x', equals: 'wanted' }, timeout: '200ms' } },
    });
    assert.equal(attempt.error?.kind, 'assertion');
    assert.match(attempt.error.message, /\nAlso \(script-error\): The page logged 1 console error; first: "noise"/);
  });
});

describe('runAttempt: config failures', () => {
  // A dangling combinator or an unclosed bracket already fails loading; the browser judges the rest.
  it('fails an expectation with a CSS selector the browser refuses without waiting', TEST, async (t) => {
    site.route('/selector', html('<p>hi</p>'));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/selector`,
      fixture: { expect: { visible: ['p', 'p:no-such-pseudo-class'] } },
    });
    assert.equal(attempt.error?.kind, 'config');
    assert.equal(headline(attempt), 'expect.visible "p:no-such-pseudo-class" is not a valid CSS selector.');
  });
});

describe('runAttempt: only http and https pages', () => {
  const SECRET = 'runner-secret-4f1c9a';
  /** A file on the runner that a fixture must never be able to show, and so never put into a report. */
  const secretFile = (t: TestContext) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-secret-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'secret.txt');
    fs.writeFileSync(file, `<title>${SECRET}</title><p id="s">${SECRET}</p>`);
    return `file://${file}`;
  };
  /** Everything the attempt left: its record, and every evidence file. */
  const everything = (attempt: unknown, reportDir: string) => {
    const files = fs.existsSync(path.join(reportDir, 'failures'))
      ? fs.readdirSync(path.join(reportDir, 'failures'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      : [];
    return [JSON.stringify(attempt), ...files.map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'latin1'))].join('\n');
  };

  it('refuses to open a URL that is not http or https, even one known only at run time', TEST, async (t) => {
    const page = await newPage(browser, t);
    const file = secretFile(t);
    const { attempt, reportDir } = await run(t, { page, url: file, fixture: { url: '/' } });
    assert.equal(attempt.error?.kind, 'config');
    assert.equal(headline(attempt), `Refused to open "${file}": it must be an http or https URL, or a path relative to the base URL, not a file: URL.`);
    assert.equal(page.url(), 'about:blank', 'the browser was never asked to open it');
    assert.doesNotMatch(everything(attempt, reportDir), new RegExp(SECRET));
  });

  it('a goto step to another scheme is refused the same way', TEST, async (t) => {
    site.route('/start', html('<p>start</p>'));
    const page = await newPage(browser, t);
    const file = secretFile(t);
    const { attempt } = await run(t, { page, url: `${site.url}/start`, fixture: { steps: [{ goto: '/x' }] }, baseUrl: file.replace(/secret\.txt$/, '') });
    assert.equal(attempt.error?.kind, 'config');
    assert.match(headline(attempt), /^Refused to open "file:\/\/.*\/x": it must be an http or https URL/);
  });

  it('a page that redirects to file: fails as a navigation, and nothing of the file is kept', TEST, async (t) => {
    const file = secretFile(t);
    site.route('/to-file', { status: 302, headers: { location: file } });
    const page = await newPage(browser, t);
    const { attempt, reportDir } = await run(t, { page, url: `${site.url}/to-file`, fixture: { expect: { title: SECRET } } });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.match(headline(attempt), /net::ERR_UNSAFE_REDIRECT/);
    assert.doesNotMatch(everything(attempt, reportDir), new RegExp(SECRET));
  });

  it('a page whose links go to file:, chrome: or view-source: stays where it was', TEST, async (t) => {
    const file = secretFile(t);
    const targets = [file, 'chrome://version', `view-source:${site.url}/links`];
    site.route('/links', html(targets.map((target, i) => `<a id="l${i}" href="${target}">${i}</a>`).join(' ')));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/links`,
      fixture: {
        steps: [{ click: '#l0' }, { click: '#l1' }, { click: '#l2' }],
        // Chrome logs "Not allowed to load local resource" for each.
        expect: { url: `${site.url}/links`, title: 'Test page', noConsoleErrors: false },
      },
    });
    assert.equal(attempt.status, 'passed', headline(attempt));
  });

  it('a page that ends up on a file: URL anyway stops the attempt at once, with no screenshot or HTML of it', TEST, async (t) => {
    const file = secretFile(t);
    site.route('/waits', html('<p>waiting</p>'));
    const page = await newPage(browser, t);
    // Something other than the page opens the file mid-attempt (the browser, a DevTools client).
    page.once('load', () => void page.goto(file).catch(() => undefined));
    const { attempt, reportDir } = await run(t, { page, url: `${site.url}/waits`, fixture: { steps: [{ waitFor: '#never' }] } });
    assert.equal(attempt.error?.kind, 'navigation');
    assert.equal(
      attempt.error?.message,
      `The page went to ${file}, which is not an http or https page: the attempt stops there, and nothing of that page is kept.`,
    );
    assert.equal(attempt.evidence?.screenshot ?? null, null);
    assert.equal(attempt.evidence?.html ?? null, null);
    assert.doesNotMatch(everything(attempt, reportDir), new RegExp(SECRET));
  });
});

describe('runAttempt: regular expressions against hostile page text', () => {
  const AS = 'a'.repeat(40);

  it('one that backtracks catastrophically runs in linear time and fails as an assertion', TEST, async (t) => {
    site.route('/backtracking', html(`<p id="t">${AS}b</p>`, `${AS}b`));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/backtracking`,
      fixture: { expect: { title: '/^(a|a)*$/', text: { selector: '#t', matches: '^(a+)+$' }, timeout: 1000 } },
    });
    assert.equal(attempt.error?.kind, 'assertion', attempt.error?.message);
    assert.match(headline(attempt), /^expect\.title to match \/\^\(a\|a\)\*\$\/, found "a{40}b"/);
    assert.match(attempt.error.message, /Also not holding: expect\.text "#t" to match/);
  });

  it('one that no engine can bound (a lookaround) cannot hang the runner: the attempt times out and says which pattern', TEST, async (t) => {
    site.route('/lookaround', html(`<p id="t">${AS}b</p>`));
    const page = await newPage(browser, t);
    const { attempt } = await run(t, {
      page,
      url: `${site.url}/lookaround`,
      timeoutMs: 2000,
      fixture: { expect: { text: { selector: '#t', matches: '^(?=(a|a)*)(a|a)*$' } } },
    });
    assert.equal(attempt.error?.kind, 'timeout', attempt.error?.message);
    assert.match(headline(attempt), /: the page stopped answering\.$/);
    assert.match(attempt.error.message, /one of this fixture's regular expressions taking too long on the page's text: "\^\(\?=\(a\|a\)\*\)\(a\|a\)\*\$"/);
  });
});
