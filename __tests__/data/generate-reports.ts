/**
 * Regenerates the report files in this folder from the real report builder, so they always pass the schema:
 *   node __tests__/data/generate-reports.ts
 * They describe the demo fixtures in fixtures/ (ids, files, lines) on an invented repository.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { buildPreflightReport, buildReport } from '../../src/report/build.ts';
import { carryOver } from '../../src/rerun/carry-over.ts';
import type { Report } from '../../src/report/schema.ts';
import { attempt, baseInput, context, dataPath, loaded, run, setClock, SHA_A, suite } from '../support/report-helpers.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';

const demo = {
  homeLoads: loaded('home-loads', { title: 'Home page loads with its brand and tagline', tags: ['critical', 'home'], url: '/', file: 'fixtures/home.smoke.yml', line: 4 }),
  deals: loaded('home-deals-render', { title: 'Deals arrive after the page has loaded', tags: ['home'], url: '/', file: 'fixtures/home.smoke.yml', line: 17 }),
  help: loaded('home-help-menu', { title: 'The help menu opens on hover', tags: ['home', 'navigation'], url: '/', file: 'fixtures/home.smoke.yml', line: 26 }),
  login: loaded('login-flow', { title: 'Signing in greets the user by email', tags: ['critical', 'auth'], url: '/login.html', file: 'fixtures/login.smoke.yml', line: 3, retries: 1 }),
  about: loaded('about-on-mobile', { title: 'About page on a phone', tags: ['mobile'], url: '/about.html', file: 'fixtures/pages.smoke.yaml', line: 3 }),
  account: loaded('account-from-home', { title: 'The account page is one click from home', tags: ['auth'], url: '/', file: 'fixtures/pages.smoke.yaml', line: 14 }),
  search: loaded('products-search', { title: 'Searching products filters the list', tags: ['products'], url: '/products.html', file: 'fixtures/products.smoke.json', line: 5 }),
};
const suiteFixtures = Object.values(demo);

const helpFailure = {
  kind: 'assertion' as const,
  message:
    'expect.visible[0]: "#help-items a[href=\'/about.html\']" is not visible: it is in the page but hidden by CSS ' +
    '(display: none)\nwaited 30000ms; last state: hidden',
};
const accountTimeout = {
  kind: 'timeout' as const,
  message: 'Attempt timed out after 30000ms during step 2 (click "#account-link")',
};

function write(name: string, report: Report): string {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(dataPath(name), text);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const failing = buildReport(
  baseInput(
    suite([
      run(demo.homeLoads, [attempt('home-loads', 1)]),
      run(demo.deals, [attempt('home-deals-render', 1, undefined, 2300)]),
      run(demo.help, [attempt('home-help-menu', 1, helpFailure, 30_100), attempt('home-help-menu', 2, helpFailure, 30_080)]),
      run(demo.login, [
        attempt('login-flow', 1, { kind: 'navigation', message: 'net::ERR_CONNECTION_RESET at http://127.0.0.1:4173/login.html' }, 310),
        attempt('login-flow', 2, undefined, 1900),
      ]),
      run(demo.about, [attempt('about-on-mobile', 1, undefined, 950)]),
      run(demo.account, [attempt('account-from-home', 1, accountTimeout, 30_000), attempt('account-from-home', 2, accountTimeout, 30_000)]),
      run(demo.search, [attempt('products-search', 1, undefined, 1600)]),
    ]),
    { durationMs: 63_900 },
  ),
);
const failingDigest = write('report-failing-flaky.json', failing);

const RERUN_START = '2026-03-02T06:25:00.000Z';
setClock(RERUN_START);
const rerun = buildReport(
  baseInput(
    suite([
      run(demo.help, [attempt('home-help-menu', 1, undefined, 1400)]),
      run(demo.account, [
        attempt('account-from-home', 1, {
          kind: 'script-error',
          message: "TypeError: Cannot read properties of undefined (reading 'email')\n    at http://127.0.0.1:4173/app.js:12:5",
        }, 2100),
        attempt('account-from-home', 2, {
          kind: 'script-error',
          message: "TypeError: Cannot read properties of undefined (reading 'email')\n    at http://127.0.0.1:4173/app.js:12:5",
        }, 2050),
      ]),
    ]),
    {
      mode: 'rerun-failed',
      run: context(SHA_A, { runAttempt: 2, event: 'workflow_dispatch' }),
      startedAt: RERUN_START,
      durationMs: 9_800,
      rerun: carryOver({
        source: failing,
        origin: {
          runId: '13579246801',
          runAttempt: 1,
          artifactId: '2718281828',
          artifactName: 'reliability-smoke-13579246801-1',
          url: 'https://github.com/acme/shop-web/actions/runs/13579246801',
          path: null,
          digest: failingDigest,
        },
        carryOverWhenShaUnknown: false,
        suite: suiteFixtures,
      }),
    },
  ),
);
write('report-rerun-same-sha.json', rerun);

const allPassed = buildReport(
  baseInput(
    suite(suiteFixtures.map((fixture) => run(fixture, [attempt(fixture.id, 1)]))),
    { run: context(SHA_A, { runId: '13579246700' }), durationMs: 12_300 },
  ),
);
write('report-all-passed.json', allPassed);

const preflight = buildPreflightReport({
  ...baseInput(suite([]), { mode: 'rerun-failed', durationMs: 800 }),
  selection: { ...baseInput(suite([])).selection, selected: [] },
  diagnostic: preflightDiagnostic({
    code: 'no-artifact',
    message:
      'No earlier run of workflow "Smoke" on branch main has an artifact named reliability-smoke-*: there is nothing to rerun from.',
    guidance: [
      'Run the full suite once; its report becomes the source of the next rerun.',
      'Or name the run to rerun from with the artifact-run-id input.',
    ],
    fallbackIds: [],
  }),
});
write('report-preflight-no-artifact.json', preflight);

const hostile = {
  title: '<img src=x onerror=alert(1)> | a | b | `code` [x](javascript:alert(1)) **bold** &amp; #1 @here',
  message: 'bad\n::error::pwned\r\n::warning file=x::also ##[error]legacy `tick` | pipe | <script>alert(1)</script> \u0000\u001b[31mred\u0007 \ud800 end',
};
const hostileReport = buildReport(
  baseInput(
    suite([
      run(loaded('hostile-title', { title: hostile.title, file: 'fixtures/we|ird `name`.smoke.yml', line: 7 }), [
        attempt('hostile-title', 1, { kind: 'assertion', message: hostile.message }),
      ]),
      run(loaded('hostile-flaky', { title: '</testcase>]]><!-- x -->', line: 12 }), [
        attempt('hostile-flaky', 1, { kind: 'script-error', message: '"quoted" & \'single\' <tag> \u0008back' }),
        attempt('hostile-flaky', 2),
      ]),
      run(loaded('plain-pass', { line: 20 }), [attempt('plain-pass', 1)]),
    ]),
  ),
);
write('report-hostile-text.json', hostileReport);
console.log('wrote 5 reports to', dataPath(''));
