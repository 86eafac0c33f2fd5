/**
 * The isolated browser session a worker runs its fixtures in: one incognito browser context with one page,
 * reset in place between fixtures when that is provably safe, and replaced otherwise.
 *
 * Why not a new context per fixture: on a 2-core runner that cost 2.5x the floor in bench/ (raw Puppeteer, one
 * reused page per worker), against 1.1-1.3x for the reset in place: Puppeteer's page set-up plus a new renderer
 * process per fixture, on a CPU-bound machine where prewarming cannot hide it. Reusing the context keeps its
 * renderer (thanks to --renderer-process-limit=1, see browser.ts) and makes the reset three CDP round trips.
 *
 * "Provably" means by order, never by timing: what the session knows of its page comes on its own CDP session, in
 * the order the page did it (session-watch.ts), and the reset stops the page before it looks or clears anything.
 */
import type { Browser, BrowserContext, CDPSession, Page, Protocol } from 'puppeteer-core';
import { withDeadline } from './deadline.ts';
import { errorText } from '../common/text.ts';
import { httpOrigin, type Observed, startWatching, unfinishedWork, watch, webStorageLeftBehind } from './session-watch.ts';

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

/** For the current document's origin, Web Storage is cleared through the page instead (see clearState). */
const ORIGIN_STORAGE_TYPES_BUT_WEB_STORAGE = ORIGIN_STORAGE_TYPES.split(',')
  .filter((type) => type !== 'local_storage')
  .join(',');

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
 *
 * Last, it reads document.cookie. A cookie the page set is on its way to the cookie store, over the channel that
 * the read goes down and waits on: when the read returns, every cookie the page set is in the store, so the clear
 * that follows removes them all.
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
  try {
    Object.getOwnPropertyDescriptor(Document.prototype, 'cookie').get.call(document);
  } catch {
    // A document without cookies (an opaque origin) has none in flight either.
  }
})()`;

export interface SessionOptions {
  /** Bound for each step of opening, resetting and closing (ms). */
  stepTimeoutMs: number;
}

export interface Viewport {
  width: number;
  height: number;
  /** The device the fixture emulates (emulation.ts), or null. */
  device: string | null;
}

export interface Session {
  readonly id: number;
  readonly browser: Browser;
  readonly page: Page;
  /** The device its page emulates, as the fixture that holds it asked (set by the pool); null for none. */
  emulating: string | null;
  /**
   * Makes the session clean for the next fixture, which will use `viewport`. Returns null when it was reset in
   * place, or the reason it cannot be (the caller then closes it and opens a new one).
   */
  resetForNextFixture(viewport: Viewport): Promise<string | null>;
  /** Closes the context, within the step bound; never throws. */
  close(): Promise<void>;
}

export async function openSession(browser: Browser, id: number, options: SessionOptions): Promise<Session> {
  const bound = <T>(work: Promise<T>, what: string) => withDeadline(work, options.stepTimeoutMs, `session ${id}: ${what}`);
  const context = await bound(browser.createBrowserContext(), 'create a browser context');
  try {
    const page = await bound(context.newPage(), 'open a page');
    const cdp = await bound(page.createCDPSession(), 'attach a CDP session');
    const observed = watch(context, page, cdp);
    await bound(startWatching(cdp), 'start watching its page');
    return createSession({ id, browser, context, page, cdp, observed, bound });
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
  observed: Observed;
  bound: <T>(work: Promise<T>, what: string) => Promise<T>;
}

function createSession(parts: Parts): Session {
  const { id, browser, context, page, cdp, observed, bound } = parts;
  const session: Session = {
    id,
    browser,
    page,
    emulating: null,
    async resetForNextFixture(viewport) {
      const blocker = emulationBlocker(session.emulating, viewport.device) ?? reasonNotToReuse(browser, context, page, observed, viewport);
      if (blocker) return blocker;
      observed.resetting = true;
      observed.settledDuringReset = 0;
      try {
        return await bound(resetInPlace(context, cdp, observed), 'reset');
      } catch (error) {
        return `the reset failed: ${errorText(error)}`;
      } finally {
        observed.resetting = false;
      }
    },
    async close() {
      await bound(context.close(), 'close its browser context').catch(() => {});
    },
  };
  return session;
}

/**
 * A device's user agent, touch and mobile emulation stay with the page after its document is gone; undoing each
 * would be one more thing a reset could miss, so a page serves one emulation only.
 */
function emulationBlocker(current: string | null, next: string | null): string | null {
  if (current === next) return null;
  const name = (device: string | null) => (device === null ? 'no device' : `"${device}"`);
  return `the next fixture emulates ${name(next)}, not ${name(current)}`;
}

/** The checks that need no round trip to the browser: early answers, which the reset confirms in order. */
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
  return unfinishedWork(observed);
}

/**
 * The order matters. First the old document is stopped: scripts off (timers, message and network callbacks no
 * longer run), loads stopped, and its timers, animation frames and idle callbacks cancelled, all in one batch
 * that the renderer handles in order. Its answers come after everything the page did before, on the same CDP
 * session, so only then is it decided whether the page is quiet: no request or WebSocket was still open when it
 * was stopped (a callback of one could run once scripts are back), it used no API whose effects cannot be undone
 * in step with it (workers and service workers among them: the browser may not list one the page just started),
 * it used Web Storage on no origin it has left, and the browser lists no other page in the context (a popup is
 * listed as soon as the page has opened it). Then its state is cleared, while the
 * lifecycle listeners are read (they would run as the document goes away: another viewport, and such listeners,
 * are ruled out for the same reason). The page is never frozen or hidden: Page.setWebLifecycleState hides it, and
 * a page shown again late starts the next document hidden, with no animation frames.
 *
 * Three round trips in all; the browser's list of the context's targets comes with the first.
 */
async function resetInPlace(context: BrowserContext, cdp: CDPSession, observed: Observed): Promise<string | null> {
  const [, , windowObject, documentObject, , targets, self] = await Promise.all([
    cdp.send('Emulation.setScriptExecutionDisabled', { value: true }),
    cdp.send('Page.stopLoading'),
    cdp.send('Runtime.evaluate', { expression: 'window' }),
    cdp.send('Runtime.evaluate', { expression: 'document' }),
    cdp.send('Runtime.evaluate', { expression: QUIET_DOCUMENT }),
    cdp.send('Target.getTargets'),
    cdp.send('Target.getTargetInfo'),
  ]);
  const unfinished = unfinishedWork(observed);
  if (unfinished) return unfinished;
  const contextId = self.targetInfo.browserContextId;
  const others = targets.targetInfos.filter(
    (target) => contextId !== undefined && target.browserContextId === contextId && target.targetId !== self.targetInfo.targetId,
  );
  if (others.length > 0) {
    const names = others.slice(0, 3).map((target) => `a ${target.type} target (${target.url || 'no URL'})`);
    return `the context had other pages or workers (${names.join(', ')})`;
  }
  const current = httpOrigin(self.targetInfo.url);
  const leftBehind = webStorageLeftBehind(observed, current);
  if (leftBehind) return leftBehind;
  const [windowListeners, documentListeners] = await Promise.all([
    listenerTypes(cdp, windowObject),
    listenerTypes(cdp, documentObject),
    clearState(context, cdp, observed, current),
  ]);
  const lifecycle = [...windowListeners, ...documentListeners].filter((type) => LIFECYCLE_EVENTS.has(type));
  if (lifecycle.length > 0) return `the page has ${[...new Set(lifecycle)].join(', ')} listeners`;
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
  return null;
}

/**
 * Cookies, storage of every origin the fixture's documents came from, cache, history and permissions. `current` is
 * the origin of the document the page shows now, as the browser says.
 *
 * Web Storage of the current document is cleared through the document's own storage (DOMStorage.clear), never
 * from the browser side: a write the page made just before it was stopped is still on its way, down the channel
 * the document's own clear goes down after it. A clear from the browser side could overtake it: the write would
 * land after the clear, in the store and in the renderer's cache, where the next fixture's document reads it.
 * A page that used Web Storage on an origin it has left is not reused (webStorageLeftBehind); those origins are
 * still cleared from the browser side, for anything a page stored there without script.
 */
async function clearState(context: BrowserContext, cdp: CDPSession, observed: Observed, current: string | null): Promise<void> {
  if (current) observed.origins.add(current);
  const origins = [...observed.origins];
  observed.origins.clear();
  observed.webStorageOrigins.clear();
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
    // isolation tests check it for an origin the page has left).
    ...origins.map((origin) =>
      cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: origin === current ? ORIGIN_STORAGE_TYPES_BUT_WEB_STORAGE : ORIGIN_STORAGE_TYPES }),
    ),
    ...(current
      ? [true, false].map((isLocalStorage) => cdp.send('DOMStorage.clear', { storageId: { securityOrigin: current, isLocalStorage } }))
      : []),
  ]);
}

async function listenerTypes(cdp: CDPSession, evaluated: Protocol.Runtime.EvaluateResponse): Promise<string[]> {
  const objectId = evaluated.result.objectId;
  if (!objectId) throw new Error('the page has no window or document to inspect');
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId });
  return listeners.map((listener) => listener.type);
}
