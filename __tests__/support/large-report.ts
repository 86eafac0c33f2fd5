/**
 * A big report built by the real report builder, for the size of report.html (its test and `npm run bench`):
 * 500 fixtures of which 50 fail on both attempts (retries 1), with error messages, console lines and failed
 * requests. `full` fills every failed attempt's page log and message to the report's limits: the largest page
 * such a run can produce.
 */
import type { LoadedFixture } from '../../src/fixtures/schema.ts';
import { buildReport } from '../../src/report/build.ts';
import { REPORT_LIMITS as L } from '../../src/report/limits.ts';
import type { Attempt, PageLog, Report } from '../../src/report/schema.ts';
import { attempt, baseInput, loaded, run, suite } from './report-helpers.ts';

export interface LargeReportShape {
  fixtures: number;
  failures: number;
  /** Every failed attempt's message and page log at the report's limits. */
  full?: boolean;
}

const AREAS = ['checkout', 'search', 'account', 'catalog', 'cart', 'home', 'help', 'orders', 'profile', 'admin'];

function fixtureOf(index: number): LoadedFixture {
  const area = AREAS[index % AREAS.length]!;
  return loaded(`${area}-page-${String(index).padStart(3, '0')}`, {
    title: `The ${area} page ${index} renders its main content and its navigation`,
    tags: [area, index % 3 === 0 ? 'critical' : 'regular'],
    url: `/${area}/${index}`,
    file: `fixtures/${area}.smoke.yml`,
    line: 3 + (index % 40) * 12,
  });
}

function text(length: number, seed: string): string {
  return `${seed} `.repeat(Math.ceil(length / (seed.length + 1))).slice(0, length);
}

function realisticLog(id: string): PageLog {
  const at = (ms: number) => ms;
  return {
    console: [
      { atMs: at(12), type: 'log', text: `[app] booting ${id} (build 2026.03.02-1)`, location: 'https://shop.example.com/assets/app-5f3c.js:1:2044', ignored: null },
      { atMs: at(140), type: 'info', text: '[analytics] queued 3 events', location: 'https://shop.example.com/assets/vendor-91ab.js:2:118', ignored: null },
      { atMs: at(380), type: 'warn', text: '[app] feature flag "new-cart" missing, using default', location: 'https://shop.example.com/assets/app-5f3c.js:1:9120', ignored: null },
      { atMs: at(410), type: 'error', text: 'Failed to load resource: the server responded with a status of 503 (Service Unavailable)', location: 'https://shop.example.com/api/cart', ignored: null },
      { atMs: at(415), type: 'error', text: `[cart] request failed: 503 Service Unavailable for ${id}`, location: 'https://shop.example.com/assets/app-5f3c.js:1:30211', ignored: null },
      { atMs: at(420), type: 'uncaught', text: "TypeError: Cannot read properties of undefined (reading 'items')\n    at renderCart (https://shop.example.com/assets/app-5f3c.js:1:30544)\n    at https://shop.example.com/assets/app-5f3c.js:1:30990", location: null, ignored: null },
    ],
    failedRequests: [
      { atMs: at(405), method: 'GET', url: 'https://shop.example.com/api/cart?session=1', resourceType: 'fetch', failure: 'HTTP 503 Service Unavailable', ignored: null },
      { atMs: at(600), method: 'GET', url: 'https://cdn.example.com/img/banner-spring.webp', resourceType: 'image', failure: 'net::ERR_CONNECTION_RESET', ignored: null },
    ],
    omitted: 0,
  };
}

function fullLog(id: string): PageLog {
  const max = L.maxPageLogTextChars;
  return {
    console: Array.from({ length: L.maxPageLogEntries }, (_, index) => ({
      atMs: index * 10,
      type: index % 2 === 0 ? 'error' : 'log',
      text: text(max, `${id} console line ${index}`),
      location: text(max, 'https://shop.example.com/assets/app.js'),
      ignored: null,
    })),
    failedRequests: Array.from({ length: L.maxPageLogEntries }, (_, index) => ({
      atMs: index * 10,
      method: 'GET',
      url: text(max, `https://shop.example.com/api/${id}/${index}`),
      resourceType: 'fetch',
      failure: 'HTTP 503 Service Unavailable',
      ignored: null,
    })),
    omitted: 480,
  };
}

function failedAttempt(id: string, n: number, full: boolean): Attempt {
  const message = full
    ? text(L.maxMessageChars, `expect.visible "#cart-total" to be visible for ${id}`)
    : `expect.visible "#cart-total" to be visible, but no element matches it (waited 5.0s)\n` +
      `Also not holding: expect.text "h1" to contain "Cart", found "Something went wrong"\n` +
      `The page logged 2 console errors and 1 uncaught page error; see the console below.`;
  const failed = attempt(id, n, { kind: n === 1 ? 'assertion' : 'timeout', message }, 5_200);
  return { ...failed, pageLog: full ? fullLog(id) : realisticLog(id) };
}

/** The report of such a run, as the real builder makes it (and validates it). */
export function largeReport(shape: LargeReportShape): Report {
  const runs = Array.from({ length: shape.fixtures }, (_, index) => {
    const fixture = fixtureOf(index);
    // Failures spread through the suite, so the page has to sort them first.
    const fails = index % Math.floor(shape.fixtures / shape.failures) === 0 && index / Math.floor(shape.fixtures / shape.failures) < shape.failures;
    const attempts = fails ? [failedAttempt(fixture.id, 1, shape.full ?? false), failedAttempt(fixture.id, 2, shape.full ?? false)] : [attempt(fixture.id, 1, undefined, 800 + (index % 7) * 100)];
    return run(fixture, attempts);
  });
  return buildReport(baseInput(suite(runs), { durationMs: 4 * 60_000 }));
}
