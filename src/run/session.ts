/**
 * The isolated browser session a worker runs its fixtures in: one incognito browser context with one page,
 * reset in place between fixtures when that is provably safe, and replaced otherwise.
 *
 * Why not a new context per fixture: on a 2-core runner that cost 2.5x the floor in bench/ (raw Puppeteer, one
 * reused page per worker), against 1.1-1.3x for the reset in place: Puppeteer's page set-up plus a new renderer
 * process per fixture, on a CPU-bound machine where prewarming cannot hide it. Reusing the context keeps its
 * renderer (thanks to --renderer-process-limit=1, see browser.ts) and makes the reset three CDP round trips.
 */
import type { Browser, BrowserContext, CDPSession, Dialog, Frame, HTTPRequest, Page, Protocol, Target } from 'puppeteer-core';
import { withDeadline } from './deadline.ts';
import { errorText } from '../common/text.ts';
import { isBrowserOwn, isMainDocument } from './page-signals.ts';

/** Everything Storage.clearDataForOrigin can hold for an origin, except cookies (cleared context-wide). */
const ORIGIN_STORAGE_TYPES = [
  'local_storage',
  'indexeddb',
  'cache_storage',
  'service_workers',
  'file_systems',
  'websql',
  'shared_storage',
  'storage_buckets',
].join(',');

/**
 * Listeners that run while the old document goes away, when the next fixture's navigation commits, with
 * scripts allowed again: they could write into storage we have just cleared. A page that has one is replaced.
 */
const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set([
  'unload',
  'beforeunload',
  'pagehide',
  'visibilitychange',
  'freeze',
  'pageswap',
]);

/** Where a reset moves the old document (see QUIET_DOCUMENT); no fixture navigates there. */
const RESET_PATH_PREFIX = '/.reliability-smoke-reset-';

/**
 * Runs in the old document while its scripts are disabled (DevTools evaluation still works then). Timers,
 * animation frames and idle callbacks are numbered from 1 per document, so cancelling every id up to a fresh
 * one cancels them all. window.name survives same-site navigations, so it would carry over to the next fixture.
 * The document also moves to a URL no fixture uses: a next fixture whose URL differs from the current one only
 * by its #fragment would otherwise be a same-document navigation, and run on the old document.
 */
const QUIET_DOCUMENT = `(() => {
  try {
    history.replaceState(null, '', '${RESET_PATH_PREFIX}' + Math.random().toString(36).slice(2));
  } catch {
    // Error pages and about:blank cannot change their URL; no fixture URL can be a fragment of theirs anyway.
  }
  const lastTimer = setTimeout(() => {}, 0);
  for (let id = 1; id <= lastTimer; id += 1) clearTimeout(id);
  const lastFrame = requestAnimationFrame(() => {});
  for (let id = 1; id <= lastFrame; id += 1) cancelAnimationFrame(id);
  if (typeof requestIdleCallback === 'function') {
    const lastIdle = requestIdleCallback(() => {});
    for (let id = 1; id <= lastIdle; id += 1) cancelIdleCallback(id);
  }
  window.name = '';
})()`;

export interface SessionOptions {
  /** Bound for each step of opening, resetting and closing (ms). */
  stepTimeoutMs: number;
}

export interface Viewport {
  width: number;
  height: number;
}

export interface Session {
  readonly id: number;
  readonly browser: Browser;
  readonly page: Page;
  /**
   * Makes the session clean for the next fixture, which will use `viewport`. Returns null when it was reset in
   * place, or the reason it cannot be (the caller then closes it and opens a new one).
   */
  resetForNextFixture(viewport: Viewport): Promise<string | null>;
  /** Closes the context, within the step bound; never throws. */
  close(): Promise<void>;
}

interface Observed {
  origins: Set<string>;
  otherTargets: string[];
  subframes: boolean;
  crashed: boolean;
  /** Requests the page started that have not finished: their callbacks could still run after the reset. */
  inFlight: number;
}

function httpOrigin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export async function openSession(browser: Browser, id: number, options: SessionOptions): Promise<Session> {
  const bound = <T>(work: Promise<T>, what: string) => withDeadline(work, options.stepTimeoutMs, `session ${id}: ${what}`);
  const context = await bound(browser.createBrowserContext(), 'create a browser context');
  try {
    const page = await bound(context.newPage(), 'open a page');
    const cdp = await bound(page.createCDPSession(), 'attach a CDP session');
    return createSession({ id, browser, context, page, cdp, bound });
  } catch (error) {
    await bound(context.close(), 'close a half-opened context').catch(() => {});
    throw error;
  }
}

interface Parts {
  id: number;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  bound: <T>(work: Promise<T>, what: string) => Promise<T>;
}

function createSession(parts: Parts): Session {
  const { id, browser, context, page, cdp, bound } = parts;
  const observed = watch(context, page);

  return {
    id,
    browser,
    page,
    async resetForNextFixture(viewport) {
      const blocker = reasonNotToReuse(browser, context, page, observed, viewport);
      if (blocker) return blocker;
      try {
        return await bound(resetInPlace(context, page, cdp, observed), 'reset');
      } catch (error) {
        return `the reset failed: ${errorText(error)}`;
      }
    },
    async close() {
      await bound(context.close(), 'close its browser context').catch(() => {});
    },
  };
}

/** Listens for what makes a page unsafe to reuse, and for the origins its documents came from. */
function watch(context: BrowserContext, page: Page): Observed {
  const observed: Observed = { origins: new Set(), otherTargets: [], subframes: false, crashed: false, inFlight: 0 };
  page.on('framenavigated', (frame: Frame) => {
    if (frame !== page.mainFrame()) {
      observed.subframes = true;
      return;
    }
    const origin = httpOrigin(frame.url());
    if (origin) observed.origins.add(origin);
  });
  // Only requests whose completion can run the page's code count: not the browser's own favicon fetch, not the
  // main document (the reset stops its loading).
  const counted = new WeakSet<HTTPRequest>();
  page.on('request', (request: HTTPRequest) => {
    if (isMainDocument(request, page) || isBrowserOwn(request)) return;
    counted.add(request);
    observed.inFlight += 1;
  });
  const settled = (request: HTTPRequest) => {
    if (counted.delete(request)) observed.inFlight -= 1;
  };
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  page.on('frameattached', () => {
    observed.subframes = true;
  });
  page.on('workercreated', () => {
    observed.otherTargets.push('a worker');
  });
  page.on('error', () => {
    observed.crashed = true;
  });
  // Between attempts nobody answers dialogs, and an open one blocks the renderer, so the reset would hang until
  // its bound. During an attempt, runAttempt has its own listener and answers them itself.
  page.on('dialog', (dialog: Dialog) => {
    if (page.listenerCount('dialog') === 1) dialog.dismiss().catch(() => {});
  });
  context.on('targetcreated', (target: Target) => {
    if (target !== page.target()) observed.otherTargets.push(`a ${target.type()} target (${target.url() || 'no URL'})`);
  });
  return observed;
}

/** The checks that need no round trip to the browser. */
function reasonNotToReuse(browser: Browser, context: BrowserContext, page: Page, observed: Observed, next: Viewport): string | null {
  if (!browser.connected) return 'the browser is gone';
  if (page.isClosed()) return 'the page was closed';
  if (observed.crashed) return 'the page crashed';
  // The next attempt sets its viewport while the old document still exists: with another size, the old page's
  // resize, media-query and ResizeObserver callbacks would run then, after the clear.
  const current = page.viewport();
  if (current && (current.width !== next.width || current.height !== next.height)) {
    return `the next fixture uses another viewport (${next.width}x${next.height}, not ${current.width}x${current.height})`;
  }
  const others = context.targets().filter((target) => target !== page.target());
  if (others.length > 0 || observed.otherTargets.length > 0) {
    const names = [...observed.otherTargets, ...others.map((target) => `a ${target.type()} target`)];
    return `the context had other pages or workers (${names.slice(0, 3).join(', ')})`;
  }
  if (observed.subframes || page.frames().length > 1) return 'the page had subframes';
  if (page.workers().length > 0) return 'the page had workers';
  // Last: a request's end can be reported a moment after the page has used its answer, so when the page also had
  // workers, popups or subframes, those are named, whichever event came first.
  if (observed.inFlight > 0) return `the page still had ${observed.inFlight} request${observed.inFlight === 1 ? '' : 's'} in flight`;
  return null;
}

/**
 * The order matters: the old document is stopped (scripts off, loads stopped) BEFORE anything is cleared, so no
 * code of its can write state after the clear; its timers, animation frames and idle callbacks are cancelled
 * while its scripts are off. What could still wake it before the next fixture's navigation replaces it is ruled
 * out before the reset, in reasonNotToReuse: requests in flight (their callbacks), lifecycle listeners (they run
 * as it goes away), another viewport (its resize, media-query and observer callbacks would run when the next
 * attempt sets it), workers, subframes and popups. The page is never frozen or hidden: Page.setWebLifecycleState
 * hides it, and a page shown again late starts the next document hidden, with no animation frames.
 *
 * Three round trips in all; the browser's list of the context's targets comes with the first. The clear runs
 * alongside the listener check, which may still decide to replace the session; clearing for nothing then is
 * cheaper than another round trip on every reset.
 */
async function resetInPlace(context: BrowserContext, page: Page, cdp: CDPSession, observed: Observed): Promise<string | null> {
  const [, , windowObject, documentObject, targets, self] = await Promise.all([
    cdp.send('Emulation.setScriptExecutionDisabled', { value: true }),
    cdp.send('Page.stopLoading'),
    cdp.send('Runtime.evaluate', { expression: 'window' }),
    cdp.send('Runtime.evaluate', { expression: 'document' }),
    cdp.send('Target.getTargets'),
    cdp.send('Target.getTargetInfo'),
  ]);
  const [windowListeners, documentListeners] = await Promise.all([
    listenerTypes(cdp, windowObject),
    listenerTypes(cdp, documentObject),
    cdp.send('Runtime.evaluate', { expression: QUIET_DOCUMENT }),
    clearState(context, page, cdp, observed),
  ]);
  // The browser's own list: a target event (a service worker that the page just started) can reach us after the
  // page has already shown what the fixture waited for.
  const contextId = self.targetInfo.browserContextId;
  const others = targets.targetInfos.filter(
    (target) => contextId !== undefined && target.browserContextId === contextId && target.targetId !== self.targetInfo.targetId,
  );
  if (others.length > 0) {
    const names = others.slice(0, 3).map((target) => `a ${target.type} target (${target.url || 'no URL'})`);
    return `the context had other pages or workers (${names.join(', ')})`;
  }
  const lifecycle = [...windowListeners, ...documentListeners].filter((type) => LIFECYCLE_EVENTS.has(type));
  if (lifecycle.length > 0) return `the page has ${[...new Set(lifecycle)].join(', ')} listeners`;
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
  return null;
}

/** Cookies, storage of every origin the fixture's documents came from, cache, history and permissions. */
async function clearState(context: BrowserContext, page: Page, cdp: CDPSession, observed: Observed): Promise<void> {
  const current = httpOrigin(page.url());
  if (current) observed.origins.add(current);
  const origins = [...observed.origins];
  observed.origins.clear();
  await Promise.all([
    cdp.send('Network.clearBrowserCookies'),
    // Clearing the HTTP cache per fixture rather than disabling it (Network.setCacheDisabled): measured, it costs
    // ~10ms of CPU per reset (12-27ms of wall time on 2 busy cores), and the whole-suite difference was within
    // the benchmark's noise. For that, each fixture starts with a cold cache like a first visit, still caches
    // within itself like a real browser, and sends no "Cache-Control: no-cache" request headers, which a
    // disabled cache adds to every request. The cache is per context, so other workers keep theirs.
    cdp.send('Network.clearBrowserCache'),
    cdp.send('Page.resetNavigationHistory'),
    context.clearPermissionOverrides(),
    // In this Chrome, clearing local_storage for an origin also clears its sessionStorage in this tab (the
    // isolation tests check it for an origin the page has left). DOMStorage.clear says so explicitly, but it
    // only reaches the origin of the current document: for any other it fails with "Frame not found".
    ...origins.map((origin) => cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: ORIGIN_STORAGE_TYPES })),
    ...(current ? [cdp.send('DOMStorage.clear', { storageId: { securityOrigin: current, isLocalStorage: false } })] : []),
  ]);
}

async function listenerTypes(cdp: CDPSession, evaluated: Protocol.Runtime.EvaluateResponse): Promise<string[]> {
  const objectId = evaluated.result.objectId;
  if (!objectId) throw new Error('the page has no window or document to inspect');
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId });
  return listeners.map((listener) => listener.type);
}
