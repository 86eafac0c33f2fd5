/**
 * report.html as a string: written beside report.json in every outcome, what it shows for each kind of run, that
 * hostile text never becomes markup, that its policy allows only its own script and style, and its size.
 * What it does in a browser is in html-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { finishWith } from '../../src/engine/outcome.ts';
import { reportStoppedRun, usageDiagnostic } from '../../src/engine/stopped-run.ts';
import { buildPreflightReport, buildReport } from '../../src/report/build.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';
import type { Report } from '../../src/report/schema.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { attempt, baseInput, context, dataReport, loaded, run, suite } from '../support/report-helpers.ts';
import { largeReport } from '../support/large-report.ts';
import { tempDir } from '../support/temp.ts';

const render = (report: Report) => renderHtmlReport(report, summaryViewOf(report, { context: report.run, commandArgs: ['--base-url', 'https://staging.example.com'] }));

/** The fixture ids of the cards, in page order. */
const cardIds = (html: string) => [...html.matchAll(/<details class="fx [a-z]+" id="([^"]+)"/g)].map((match) => match[1]);

/** The text of the page with tags dropped and entities decoded: roughly what a reader sees. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('report.html is written beside report.json', () => {
  const cases: [string, () => Report][] = [
    ['a full run', () => dataReport('report-failing-flaky.json')],
    ['a selected run', () => ({ ...dataReport('report-all-passed.json'), mode: 'selected' as const })],
    ['a rerun', () => dataReport('report-rerun-same-sha.json')],
    ['a preflight stop', () => dataReport('report-preflight-no-artifact.json')],
  ];
  for (const [label, reportOf] of cases) {
    test(`for ${label}`, async (t) => {
      const dir = tempDir(t);
      const report = reportOf();
      const outcome = await finishWith(report, dir, report.fixtures.length, { context: report.run });
      assert.equal(outcome.htmlPath, path.join(dir, 'report.html'));
      const html = await readFile(outcome.htmlPath!, 'utf8');
      assert.match(html, /^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
      assert.match(html, new RegExp(`mode ${report.mode}`));
      assert.deepEqual(cardIds(html).sort(), report.fixtures.map((fixture) => fixture.id).sort(), 'a card for every fixture');
    });
  }

  test('for a run stopped before the engine started: the diagnostic and what to do', async (t) => {
    const dir = tempDir(t);
    const outcome = await reportStoppedRun({
      diagnostic: usageDiagnostic(['retries: must be a whole number from 0 to 10, not "many"']),
      reportDir: dir,
      context: context(),
      toolVersion: '0.1.0',
    });
    const text = visibleText(await readFile(outcome.htmlPath!, 'utf8'));
    assert.match(text, /✗ FAIL/);
    assert.match(text, /No fixture ran\./);
    assert.match(text, /Stopped before any fixture ran: usage/);
    assert.match(text, /retries: must be a whole number from 0 to 10, not "many"/);
    assert.match(text, /Fix the inputs named above and run again\./);
  });
});

describe('what report.html shows', () => {
  test('the verdict, the counts and every fixture, failures first, the first failures open', () => {
    const html = render(dataReport('report-failing-flaky.json'));
    const text = visibleText(html);
    assert.match(text, /✗ FAIL reliability-smoke/);
    assert.match(text, /7 fixtures2 failed1 flaky0 skipped4 passed/);
    assert.deepEqual(cardIds(html).slice(0, 3), ['home-help-menu', 'account-from-home', 'login-flow']);
    assert.match(html, /<details class="fx failed" id="home-help-menu" data-status="failed" data-search="home-help-menu the help menu opens on hover home navigation" open>/);
    assert.match(html, /<details class="fx flaky" id="login-flow" data-status="flaky" data-search="[^"]*">/, 'a flaky card starts closed');
    assert.match(html, /<button type="button" data-filter="failed" aria-pressed="false">Failed <b>2<\/b><\/button>/);
    assert.doesNotMatch(html, /data-filter="skipped"/, 'no filter for a status nobody has');
    assert.match(html, /<input id="_search" type="search"/);
  });

  test('each failed attempt: file and line, kind, duration, message, a lazy screenshot to enlarge, and its log and page', () => {
    const html = render(dataReport('report-failing-flaky.json'));
    const card = html.slice(html.indexOf('id="home-help-menu"'), html.indexOf('id="account-from-home"'));
    assert.match(card, /fixtures\/home\.smoke\.yml:26/);
    assert.match(card, /Attempt 2 <span class="badge failed">failed<\/span> <span class="kind">assertion<\/span> 30\.1s/);
    assert.match(card, /<pre class="error">expect\.visible\[0\]: &quot;#help-items a\[href=&#39;\/about\.html&#39;\]&quot; is not visible/);
    assert.match(card, /<a class="shot" href="failures\/home-help-menu\/attempt-1\.png"><img src="failures\/home-help-menu\/attempt-1\.png" loading="lazy" alt="Screenshot of home-help-menu, attempt 1"/);
    assert.match(card, /<a href="failures\/home-help-menu\/attempt-2\.log"[^>]*>attempt log<\/a>/);
    assert.match(card, /<a href="failures\/home-help-menu\/attempt-2\.html"[^>]*>page HTML<\/a>/);
    assert.match(card, /No console lines or requests were recorded for this attempt\./, 'a report from before the page log says so');
  });

  test('the console lines and failed requests of an attempt, with what does not count marked', () => {
    const report = buildReport(
      baseInput(
        suite([
          run(loaded('cart'), [
            {
              ...attempt('cart', 1, { kind: 'script-error', message: 'The page logged 1 console error' }),
              pageLog: {
                console: [
                  { atMs: 120, type: 'error', text: 'cart failed: 503', location: 'https://shop.example.com/app.js:1:20', ignored: null },
                  { atMs: 130, type: 'error', text: 'Failed to load resource', location: null, ignored: 'a request the browser made by itself' },
                ],
                failedRequests: [{ atMs: 110, method: 'GET', url: 'https://shop.example.com/api/cart', resourceType: 'fetch', failure: 'HTTP 503 Service Unavailable', ignored: null }],
                omitted: 3,
              },
            },
          ]),
        ]),
      ),
    );
    const text = visibleText(render(report));
    assert.match(text, /Console \(2\)\+120ms error cart failed: 503 https:\/\/shop\.example\.com\/app\.js:1:20/);
    assert.match(text, /Failed to load resource \(not counted: a request the browser made by itself\)/);
    assert.match(text, /Failed requests \(1\)\+110ms GET https:\/\/shop\.example\.com\/api\/cart HTTP 503 Service Unavailable fetch/);
    assert.match(text, /3 more entries are in the attempt log\./);
  });

  test('a rerun: its source, what recovered, what still fails and what was carried over', () => {
    const html = render(dataReport('report-rerun-same-sha.json'));
    const text = visibleText(html);
    assert.match(html, /<h2>Rerun of <a href="https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/13579246801\/attempts\/1" rel="noopener noreferrer">run 13579246801 \(attempt 1\)<\/a><\/h2>/);
    assert.match(text, /Source: artifact reliability-smoke-13579246801-1, commit 3f9c2a7d1e8b/);
    assert.match(html, /<li>Recovered \(1\): <a href="#home-help-menu"><code>home-help-menu<\/code><\/a><\/li>/);
    assert.match(html, /<li>Still failing \(1\): <a href="#account-from-home">/);
    assert.match(text, /Carried over \(5\): home-loads \(passed\), home-deals-render \(passed\), login-flow \(flaky\)/);
    assert.match(text, /Carried over from run 13579246801 attempt 1 at commit 3f9c2a7d1e8b: not run this time\. Its evidence is in the artifact reliability-smoke-13579246801-1\./);
    assert.match(text, /Recovered: it failed in the source run and passes now\./);
  });

  test('a preflight stop: the diagnostic and the fallback commands', () => {
    const report = buildPreflightReport({
      ...baseInput(suite([]), { mode: 'rerun-failed' }),
      diagnostic: preflightDiagnostic({
        code: 'artifact-expired',
        message: 'The artifact of run 13579246801 has expired.',
        guidance: ['Run the fixtures that failed there by hand:'],
        fallbackIds: ['home-help-menu', 'account-from-home'],
        commandArgs: ['--base-url', 'https://staging.example.com'],
      }),
    });
    const html = render(report);
    const text = visibleText(html);
    assert.match(text, /Stopped before any fixture ran: artifact-expired/);
    assert.match(text, /The artifact of run 13579246801 has expired\./);
    assert.match(html, /<pre class="cmd">fixtures: home-help-menu,account-from-home<\/pre>/);
    assert.match(html, /<pre class="cmd">npx reliability-smoke --base-url https:\/\/staging\.example\.com --fixture home-help-menu --fixture account-from-home<\/pre>/);
    assert.match(html, /<pre class="cmd">npx reliability-smoke --base-url https:\/\/staging\.example\.com<\/pre>/);
    assert.deepEqual(cardIds(html), []);
    assert.doesNotMatch(html, /id="_search"/, 'no toolbar without fixtures');
  });

  test('the commands for the next attempt: the Action forms only for a run on GitHub', () => {
    const onGitHub = visibleText(render(dataReport('report-failing-flaky.json')));
    assert.match(onGitHub, /gh workflow run Smoke -R acme\/shop-web --ref main -f rerun-failed=true/);
    assert.match(onGitHub, /fixtures: home-help-menu,account-from-home/);
    const local = dataReport('report-failing-flaky.json');
    const localText = visibleText(render({ ...local, run: { ...local.run, runId: null, runAttempt: null, workflow: null, repository: null, serverUrl: null } }));
    assert.doesNotMatch(localText, /gh workflow run|fixtures: home/);
    assert.match(localText, /npx reliability-smoke --base-url https:\/\/staging\.example\.com --fixture home-help-menu --fixture account-from-home/);
  });
});

describe('report.html and hostile text', () => {
  const HOSTILE = {
    title: `</style><script>alert("title")</script><img src=x onerror=alert(1)> "quoted" 'single' \u202Eevil\u202C`,
    message: `</script><script>alert("message")</script>\n<a href="javascript:alert(1)">click</a> --> <!-- \u2066isolate\u2069 \u0007bell`,
    consoleText: `<iframe src="javascript:alert(1)"></iframe>' onmouseover='alert(1)`,
    url: `javascript:alert(document.domain)//"><svg onload=alert(1)>`,
    tag: `"><b>tag</b>`,
  };

  function hostileReport(): Report {
    const failed = attempt('hostile', 1, { kind: 'assertion', message: HOSTILE.message });
    return buildReport(
      baseInput(
        suite(
          [
            run(loaded('hostile', { title: HOSTILE.title, tags: [HOSTILE.tag, 'javascript:alert(1)'], file: `fixtures/<b>${HOSTILE.tag}.smoke.yml` }), [
              {
                ...failed,
                pageLog: {
                  console: [{ atMs: 1, type: `error"><script>`, text: HOSTILE.consoleText, location: HOSTILE.url, ignored: `</li><script>alert(2)</script>` }],
                  failedRequests: [{ atMs: 2, method: 'GET<b>', url: HOSTILE.url, resourceType: 'script', failure: `<script>alert(3)</script>`, ignored: null }],
                  omitted: 0,
                },
              },
            ]),
            run(loaded('skipped-one', { title: HOSTILE.title }), [], `skipped: ${HOSTILE.message}`),
          ],
          { warnings: [HOSTILE.message] },
        ),
        { run: context(undefined, { serverUrl: 'javascript:alert(1)//', repository: `<script>alert("repo")</script>`, ref: HOSTILE.title }), baseUrl: HOSTILE.url },
      ),
    );
  }

  test('nothing from the report becomes markup: only the page’s own tags, attributes and links', () => {
    const html = render(hostileReport());
    assert.equal(html.match(/<script/gi)?.length, 1, 'one script element: the page’s own');
    assert.equal(html.match(/<\/script/gi)?.length, 1);
    assert.equal(html.match(/<style/gi)?.length, 1);
    assert.equal(html.match(/<\/style/gi)?.length, 1);
    assert.doesNotMatch(html, /<!--/, 'no comment can open');
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => match[1]!.toLowerCase()));
    const allowed = ['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h4', 'h5', 'p', 'span', 'strong', 'b', 'code', 'pre', 'a', 'img', 'section', 'div', 'details', 'summary', 'ul', 'ol', 'li', 'button', 'input', 'footer', 'dialog', 'script'];
    assert.deepEqual([...tags].filter((tag) => !allowed.includes(tag)), []);
    // Every tag of the page is one of ours: its attributes are a closed set, and none is an event handler.
    const attributes = new Set([...html.matchAll(/<[a-z][a-z0-9]*((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/g)].flatMap((match) => [...match[1]!.matchAll(/\s([a-z-]+)(?:="[^"]*")?/g)].map((m) => m[1])));
    assert.deepEqual([...attributes].filter((name) => /^on/.test(name!)), []);
    for (const [, value] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      assert.match(value!, /^(#[a-z0-9][a-z0-9._-]*|failures\/[a-z0-9][a-z0-9._-]*\/attempt-\d+\.(png|html|log)|https:\/\/[^"]*)$/, `link ${value}`);
    }
    assert.doesNotMatch(html, /href="javascript|src="javascript/i);
  });

  test('the text is still there, escaped, and invisible characters are shown, never applied', () => {
    const html = render(hostileReport());
    assert.ok(html.includes('&lt;/style&gt;&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('&lt;iframe src=&quot;javascript:alert(1)&quot;&gt;&lt;/iframe&gt;&#39; onmouseover=&#39;alert(1)'));
    assert.ok(html.includes('data-search="hostile &lt;/style&gt;&lt;script&gt;'), 'attribute values are escaped too');
    assert.ok(html.includes('\\u202eevil\\u202c') && html.includes('\\u2066isolate\\u2069') && html.includes('\\x07bell'));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(html, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    const text = visibleText(html);
    assert.ok(text.includes(HOSTILE.consoleText));
    assert.ok(text.includes(`skipped: </script><script>alert("message")</script>`), 'a skip reason shows on one line');
    assert.match(html, /<li class="c-other[ "]/, 'a console type that is not a plain word never becomes a class name');
  });

  test('links only where the run made the URL: no run link from a javascript: server URL, none to odd evidence paths', () => {
    const report = hostileReport();
    const html = render(report);
    assert.doesNotMatch(html, /<a href="javascript/);
    assert.match(visibleText(html), /run 13579246801 \(attempt 1\)/, 'the run is named, without a link');
    const odd = structuredClone(report);
    odd.fixtures[0]!.attempts[0]!.evidence = { screenshot: '../../../etc/passwd.png', html: 'javascript:alert(1)', log: 'https://evil.example/x.log' };
    const oddHtml = render(odd);
    assert.doesNotMatch(oddHtml, /passwd|evil\.example|href="javascript/);
    assert.match(oddHtml, /No screenshot\./);
  });
});

describe('the policy of report.html', () => {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

  test('allows its own script and style by hash, images beside it, and nothing else', () => {
    const html = render(dataReport('report-failing-flaky.json'));
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(csp, 'the policy is in the page');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    assert.equal(
      csp,
      `default-src 'none'; script-src 'sha256-${sha256(script)}'; style-src 'sha256-${sha256(style)}'; img-src 'self' file:; base-uri 'none'; form-action 'none'`,
    );
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'), 'the policy comes before anything it governs');
    assert.doesNotMatch(html, /\sstyle="/, 'no style attribute (the policy would block it)');
  });
});

describe('the size of report.html', () => {
  const MB = 1024 * 1024;
  test('500 fixtures with 50 failures, each failure with its message, console lines and failed requests: under 2 MB', () => {
    const html = render(largeReport({ fixtures: 500, failures: 50 }));
    assert.equal(cardIds(html).length, 500);
    assert.ok(Buffer.byteLength(html) < 2 * MB, `${Buffer.byteLength(html)} bytes`);
    assert.doesNotMatch(html, /left out here to keep this page small/);
  });

  test('still under 2 MB when every failed attempt fills its message and page log to the limits', () => {
    const html = render(largeReport({ fixtures: 500, failures: 50, full: true }));
    assert.ok(Buffer.byteLength(html) < 2 * MB, `${Buffer.byteLength(html)} bytes`);
    // The first failures keep everything; the later ones point to their logs.
    const cards = cardIds(html);
    const first = html.slice(html.indexOf(`id="${cards[0]}"`), html.indexOf(`id="${cards[1]}"`));
    assert.doesNotMatch(first, /left out here/);
    assert.match(first, /Console \(20\)/);
    const last = html.slice(html.indexOf(`id="${cards[49]}"`), html.indexOf(`id="${cards[50]}"`));
    assert.match(last, /Console lines and failed requests are left out here to keep this page small: see the attempt log/);
    assert.match(last, /more characters cut\]<\/pre>/);
  });
});
