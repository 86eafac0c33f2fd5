/**
 * Device emulation in real Chromium: a fixture with `device: "iPhone 15"` gets the phone's user agent (in the
 * request and in the page), its width, device scale factor and touch; `viewport` beside it sets only the size. The
 * page a worker reuses for the next fixture does not keep the emulation: with concurrency 1 every fixture gets the
 * previous one's session back when it can, and a desktop fixture after a phone one must see a desktop.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startSite, type Site } from '../support/site.ts';
import { closeAll, fixture, quietLogger, recordingLauncher, suiteOptions, type RecordingLauncher } from '../support/suite-kit.ts';
import type { FixtureInput } from '../../src/fixtures/schema.ts';
import { runSuite } from '../../src/run/suite.ts';

const TEST_BOUND = { timeout: 90_000 };

/** Writes what the page sees of the device it runs on, and the user agent its request carried. */
function lookPage(request: http.IncomingMessage, response: http.ServerResponse): void {
  const sent = (request.headers['user-agent'] ?? '').replace(/[<&"]/g, '');
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  // Like any mobile site: without this, a phone lays the page out 980px wide (and so does the emulation).
  response.end(`<!doctype html><title>look</title><meta name="viewport" content="width=device-width, initial-scale=1">
<p id="sent">${sent}</p><p id="ua"></p><p id="width"></p><p id="dpr"></p><p id="touch"></p><p id="pointer"></p>
<script>
  const show = (id, value) => { document.getElementById(id).textContent = String(value); };
  show('ua', navigator.userAgent);
  show('width', window.innerWidth);
  show('dpr', window.devicePixelRatio);
  show('touch', 'ontouchstart' in window);
  show('pointer', matchMedia('(pointer: coarse)').matches ? 'coarse' : 'fine');
</script>`);
}

function sees(id: string, expected: { ua: string; width: number; dpr: number; touch: boolean }, extra: Partial<FixtureInput> = {}): FixtureInput {
  const ua = expected.ua === 'no-iphone' ? { matches: '^(?!.*iPhone).+$' } : { contains: expected.ua };
  return {
    id,
    url: `/look?${id}`,
    ...extra,
    expect: {
      text: [
        { selector: '#sent', ...ua },
        { selector: '#ua', ...ua },
        { selector: '#width', equals: String(expected.width) },
        { selector: '#dpr', equals: String(expected.dpr) },
        { selector: '#touch', equals: String(expected.touch) },
        { selector: '#pointer', equals: expected.touch ? 'coarse' : 'fine' },
      ],
    },
  };
}

let site: Site;
let launcher: RecordingLauncher;

before(async () => {
  site = await startSite({ '/look': lookPage });
  launcher = recordingLauncher();
});
after(async () => {
  await closeAll(launcher);
  await site.close();
});

describe('device emulation', () => {
  it('emulates the device for its fixture only: the next fixture on the same worker sees a desktop again', TEST_BOUND, async (t) => {
    const phone = { ua: 'iPhone', width: 393, dpr: 3, touch: true };
    const desktop = { ua: 'no-iphone', width: 1280, dpr: 1, touch: false };
    const fixtures = [
      sees('phone', phone, { device: 'iPhone 15' }),
      sees('phone-again', phone, { device: 'iPhone 15' }),
      // The phone's own size: only the emulation itself tells this page from the last one.
      sees('desktop-phone-sized', { ...desktop, width: 393 }, { viewport: { width: 393, height: 659 } }),
      sees('desktop', desktop),
      sees('phone-wide', { ...phone, width: 600 }, { device: 'iPhone 15', viewport: { width: 600, height: 900 } }),
      sees('desktop-again', desktop),
    ].map((input, index) => fixture(input, index + 1));
    const logger = quietLogger();
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, logger, baseUrl: site.url, concurrency: 1 }));
    const outcome = run.fixtures.map((result) => [result.fixture.id, result.attempts.map((a) => a.error?.message ?? a.status).join(' | ')]);
    assert.deepEqual(outcome, [
      ['phone', 'passed'],
      ['phone-again', 'passed'],
      ['desktop-phone-sized', 'passed'],
      ['desktop', 'passed'],
      ['phone-wide', 'passed'],
      ['desktop-again', 'passed'],
    ]);
    // The page served one emulation at a time: it was replaced where the device changed, for that reason (between
    // the two desktop fixtures, for their sizes).
    const replaced = logger.lines.filter((line) => /is replaced: the next fixture emulates/.test(line));
    assert.deepEqual(
      replaced.map((line) => line.replace(/^debug: Browser session \d+ is replaced: /, '')),
      ['the next fixture emulates no device, not "iPhone 15".', 'the next fixture emulates "iPhone 15", not no device.', 'the next fixture emulates no device, not "iPhone 15".'],
    );
  });
});
