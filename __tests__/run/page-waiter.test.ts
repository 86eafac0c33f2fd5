/**
 * The in-page waiter behind expect and waitFor: it sees a change in the task that made it (before the page's next
 * animation frame, 50 ms after the page was told to make it), sees changes no mutation reports, follows the page into a new document, answers with the last
 * state when time is up, and stops when the attempt is aborted. The timing checks use the page's own clock and
 * frames, and the mechanism that woke the look, never a wall-clock figure, so a busy machine cannot fail them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { html, startSite, type Site } from '../support/site.ts';
import { launchBrowser, newPage } from '../support/attempt-harness.ts';
import { createProgress } from '../../src/run/progress.ts';
import { waitForPage, type Wants } from '../../src/run/page-probe.ts';
import { systemClock } from '../../src/common/types.ts';

const TEST_BOUND = { timeout: 60_000 };

/** The page records its own animation frames, and when it made #ready appear, on its own clock. */
const FRAME_LOG = `<script>
  window.frames_ = [];
  (function tick() { requestAnimationFrame((t) => { window.frames_.push(performance.now()); tick(); }); })();
</script>`;

const SITE = {
  // The page makes #ready appear 50 ms after it is told to, so the test can tell it once the waiter is armed.
  '/late': html(`${FRAME_LOG}<script>
    addEventListener('go', () => setTimeout(() => {
      const ready = document.createElement('p');
      ready.id = 'ready';
      ready.textContent = 'ready';
      document.body.append(ready);
      window.changedAt = performance.now();
    }, 50));
  </script>`),
  // A style rule, not the DOM, makes #box visible: no mutation reports it.
  '/css-only': html(`<style id="sheet">#box { display: none; }</style><div id="box">box</div><script>
    addEventListener('go', () => setTimeout(() => document.getElementById('sheet').sheet.insertRule('#box { display: block !important; }', 1), 50));
  </script>`),
  '/never': html('<p id="other">other</p>', 'Never ready'),
  '/moves-on': html(`<p>first</p><script>addEventListener('go', () => setTimeout(() => { location.href = '/arrived'; }, 50));</script>`),
  '/arrived': html(`<script>addEventListener('load', () => setTimeout(() => {
    const ready = document.createElement('p'); ready.id = 'ready'; ready.textContent = 'ready'; document.body.append(ready);
  }, 50));</script>`, 'Arrived'),
};

const READY: Wants = { elements: [{ selector: '#ready', state: 'visible' }], texts: [] };

let browser: Browser;
let site: Site;

before(async () => {
  [browser, site] = await Promise.all([launchBrowser(), startSite(SITE)]);
});

after(async () => {
  await Promise.all([browser?.close(), site?.close()]);
});

async function open(page: Page, path: string): Promise<void> {
  await page.goto(site.url + path, { waitUntil: 'load' });
}

/** How many waiters are armed in the page: each listens for its own cancel event on the document. */
async function cancelListeners(page: Page): Promise<number> {
  const cdp = await page.createCDPSession();
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'document' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    return listeners.filter((listener) => listener.type.startsWith('reliability-smoke-cancel-')).length;
  } finally {
    await cdp.detach();
  }
}

/** Resolves once a waiter is armed in the page (it looked once, found nothing, and now listens). */
async function untilArmed(page: Page): Promise<void> {
  while ((await cancelListeners(page)) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('waiting in the page', () => {
  it('sees an element the page adds after load in the task that added it, before the next frame', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/late');
    const progress = createProgress(systemClock, 10_000);
    const waiting = waitForPage(page, READY, { progress, budgetMs: 10_000 });
    await untilArmed(page);
    await page.evaluate(() => dispatchEvent(new Event('go')));
    const result = await waiting;
    assert.equal(result.held, true);
    assert.equal(result.answer?.wokenBy, 'mutation');
    const { changedAt, frames } = await page.evaluate(() => ({
      changedAt: (window as unknown as { changedAt: number }).changedAt,
      frames: (window as unknown as { frames_: number[] }).frames_,
    }));
    const seenAt = result.answer!.seenAtMs;
    assert.ok(seenAt >= changedAt, `seen at ${seenAt}, before the change at ${changedAt}`);
    const framesBetween = frames.filter((frame) => frame > changedAt && frame < seenAt);
    assert.deepEqual(framesBetween, [], 'no animation frame of the page ran between the change and the look');
    t.diagnostic(`seen ${(seenAt - changedAt).toFixed(2)} ms after the change, page time, after ${result.answer!.looks} looks`);
  });

  it('sees a change that no mutation reports (a style rule) on a frame or the fallback poll', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/css-only');
    const progress = createProgress(systemClock, 10_000);
    const wants: Wants = { elements: [{ selector: '#box', state: 'visible' }], texts: [] };
    const waiting = waitForPage(page, wants, { progress, budgetMs: 10_000 });
    await untilArmed(page);
    await page.evaluate(() => dispatchEvent(new Event('go')));
    const result = await waiting;
    assert.equal(result.held, true);
    assert.ok(['frame', 'poll'].includes(result.answer!.wokenBy), `woken by ${result.answer!.wokenBy}`);
  });

  it('answers with the last state it saw and what does not hold when its time is up', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/never');
    const progress = createProgress(systemClock, 10_000);
    const wants: Wants = {
      title: { equals: 'Ready' },
      elements: [{ selector: '#ready', state: 'visible' }, { selector: '#other', state: 'visible' }],
      texts: [{ selector: '#other', text: { contains: 'yes' } }],
    };
    const result = await waitForPage(page, wants, { progress, budgetMs: 300 });
    assert.equal(result.held, false);
    assert.equal(result.answer?.wokenBy, 'timeout');
    assert.deepEqual(result.answer?.unmet, ['title', 'element:0', 'text:0']);
    assert.equal(result.answer?.snapshot.title, 'Never ready');
    assert.deepEqual(result.answer?.snapshot.texts, [{ text: 'other', count: 1, matches: [] }]);
    assert.ok(result.waitedMs >= 300, `waited ${result.waitedMs} ms of a 300 ms budget`);
  });

  it('follows the page into the next document and waits there', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/moves-on');
    const progress = createProgress(systemClock, 10_000);
    const waiting = waitForPage(page, { ...READY, title: { equals: 'Arrived' } }, { progress, budgetMs: 10_000 });
    // Armed in the first document, which then navigates away: the answer can only come from a waiter armed again.
    await untilArmed(page);
    await page.evaluate(() => dispatchEvent(new Event('go')));
    const result = await waiting;
    assert.equal(result.held, true, `last error: ${result.lastError}`);
    assert.equal(result.answer?.snapshot.url, `${site.url}/arrived`);
  });

  it('answers at once for a selector the page cannot parse', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/never');
    const progress = createProgress(systemClock, 10_000);
    const wants: Wants = { elements: [{ selector: 'p[', state: 'visible' }], texts: [] };
    const result = await waitForPage(page, wants, { progress, budgetMs: 10_000 });
    assert.equal(result.held, false);
    assert.equal(result.answer?.invalid, true);
    assert.equal(result.answer?.looks, 1);
    assert.match(JSON.stringify(result.answer?.snapshot.elements[0]), /invalid/);
  });

  it('stops waiting in the page when the attempt ends', TEST_BOUND, async (t) => {
    const page = await newPage(browser, t);
    await open(page, '/never');
    const progress = createProgress(systemClock, 60_000);
    const waiting = waitForPage(page, READY, { progress, budgetMs: 60_000 });
    await untilArmed(page);
    progress.end();
    await assert.rejects(waiting, /The attempt is over/);
    // The cancel is sent without waiting for it; the page drops the waiter's listener when it arrives.
    while ((await cancelListeners(page)) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await cancelListeners(page), 0);
  });
});
