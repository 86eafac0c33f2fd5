/**
 * What a session sees of its page between fixtures, and how it sees it: on the session's own CDP session, the one
 * its reset runs on (session.ts). The renderer sends a session's events and answers in the order things happened,
 * so once the reset's first answer is in, every request the page started, every tracked API it used and every
 * frame it attached before its scripts were stopped has been reported. That order, not a wait, is what makes the
 * decision to reuse a session hold on a busy machine. (Puppeteer's own page events come on another CDP session,
 * with no order relative to ours: they serve only as an early hint.)
 */
import type { BrowserContext, CDPSession, Dialog, Page, Protocol, Target } from 'puppeteer-core';

/** Reported through by the page's tracker; removed from the page's view before any page script runs. */
const USE_BINDING = '__reliabilitySmokeApiUse';
/** How the tracker reports Web Storage: with the origin of the document that used it. */
const WEB_STORAGE_USE = 'Web Storage of ';

/**
 * APIs after which the reset cannot make the page provably quiet. The storage ones write over a channel of their
 * own (a database connection, a cache, a registration job, the async cookie API), so a write the page made just
 * before it was stopped can land after the clear, and nothing the browser offers says when it has landed. Workers
 * run code that stopping the page's scripts does not stop. A page that used any of them is not reused. Web Storage
 * and document.cookie are cleared in step with the page instead (session.ts).
 */
const TRACKED_ON_NAVIGATOR = ['serviceWorker', 'storage', 'storageBuckets'];
const TRACKED_ON_WINDOW = [
  'indexedDB',
  'caches',
  'cookieStore',
  'sharedStorage',
  'openDatabase',
  'webkitRequestFileSystem',
  'webkitResolveLocalFileSystemURL',
  'Worker',
  'SharedWorker',
];

/**
 * Runs in every new document before its own scripts. The first use of each tracked API is reported once, through
 * the binding, which the renderer reports on this CDP session at the moment of the call. The APIs behave as before:
 * each getter or function is wrapped in a Proxy, so values, constructors, instanceof, `in` and their native-looking
 * source stay the same; a page where one cannot be wrapped is left alone rather than broken.
 */
const API_USE_TRACKER = `(() => {
  const report = globalThis[${JSON.stringify(USE_BINDING)}];
  if (typeof report !== 'function') return;
  try { delete globalThis[${JSON.stringify(USE_BINDING)}]; } catch {}
  const seen = new Set();
  const note = (label) => {
    if (seen.has(label)) return;
    seen.add(label);
    try { report(label); } catch {}
  };
  const tracked = (fn, label) => {
    const proxy = new Proxy(fn, {
      apply(target, self, args) { note(label); return Reflect.apply(target, self, args); },
      construct(target, args, newTarget) { note(label); return Reflect.construct(target, args, newTarget === proxy ? target : newTarget); },
    });
    return proxy;
  };
  const track = (owner, name, label) => {
    const descriptor = owner && Object.getOwnPropertyDescriptor(owner, name);
    if (!descriptor || !descriptor.configurable) return;
    if (descriptor.get) Object.defineProperty(owner, name, { ...descriptor, get: tracked(descriptor.get, label) });
    else if (typeof descriptor.value === 'function') Object.defineProperty(owner, name, { ...descriptor, value: tracked(descriptor.value, label) });
  };
  try {
    for (const name of ${JSON.stringify(TRACKED_ON_NAVIGATOR)}) track(globalThis.Navigator && Navigator.prototype, name, 'navigator.' + name);
    for (const name of ${JSON.stringify(TRACKED_ON_WINDOW)}) track(globalThis, name, name);
    for (const name of ['localStorage', 'sessionStorage']) track(globalThis, name, ${JSON.stringify(WEB_STORAGE_USE)} + location.origin);
  } catch {}
})()`;

export interface Observed {
  /** Origins the main frame's documents came from: their storage is cleared. */
  origins: Set<string>;
  otherTargets: string[];
  subframes: boolean;
  crashed: boolean;
  /** Requests (and WebSockets) the page started that have not finished: their callbacks run page code. */
  inFlight: Set<string>;
  /** Set while a reset runs: requests that finish then had a callback pending when the page was stopped. */
  resetting: boolean;
  settledDuringReset: number;
  /** The tracked APIs the page's documents used, by name, in the order the page used them. */
  apiUses: Set<string>;
  /** Origins whose documents used localStorage or sessionStorage since the last reset. */
  webStorageOrigins: Set<string>;
}

export function httpOrigin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** A request no page code is waiting for: the main document (the reset stops it) or the browser's own favicon. */
function leavesNoCallback(event: Protocol.Network.RequestWillBeSentEvent): boolean {
  if (event.type === 'Document') return true;
  try {
    if (new URL(event.request.url).pathname.endsWith('/favicon.ico')) return true;
  } catch {
    // Not a URL: it counts.
  }
  return event.type === 'Other' && event.initiator.type === 'other';
}

/** The CDP set-up the watch needs on the session's own CDP session: a few round trips when a session opens. */
export async function startWatching(cdp: CDPSession): Promise<void> {
  await Promise.all([
    cdp.send('Runtime.enable'),
    cdp.send('Page.enable'),
    // Only the events are needed: Puppeteer's session keeps response bodies for the attempt, this one keeps none.
    cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0, maxPostDataSize: 0 }),
    cdp.send('Runtime.addBinding', { name: USE_BINDING }),
    cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: API_USE_TRACKER }),
  ]);
}

/** Listens for what makes a page unsafe to reuse, and for the origins its documents came from. */
export function watch(context: BrowserContext, page: Page, cdp: CDPSession): Observed {
  const observed: Observed = {
    origins: new Set(),
    otherTargets: [],
    subframes: false,
    crashed: false,
    inFlight: new Set(),
    resetting: false,
    settledDuringReset: 0,
    apiUses: new Set(),
    webStorageOrigins: new Set(),
  };
  const settle = (id: string) => {
    if (observed.inFlight.delete(id) && observed.resetting) observed.settledDuringReset += 1;
  };
  cdp.on('Network.requestWillBeSent', (event: Protocol.Network.RequestWillBeSentEvent) => {
    if (!leavesNoCallback(event)) observed.inFlight.add(event.requestId);
  });
  cdp.on('Network.loadingFinished', (event: Protocol.Network.LoadingFinishedEvent) => settle(event.requestId));
  cdp.on('Network.loadingFailed', (event: Protocol.Network.LoadingFailedEvent) => settle(event.requestId));
  cdp.on('Network.webSocketCreated', (event: Protocol.Network.WebSocketCreatedEvent) => observed.inFlight.add(`websocket ${event.requestId}`));
  cdp.on('Network.webSocketClosed', (event: Protocol.Network.WebSocketClosedEvent) => settle(`websocket ${event.requestId}`));
  cdp.on('Runtime.bindingCalled', (event: Protocol.Runtime.BindingCalledEvent) => {
    if (event.name !== USE_BINDING) return;
    const use = event.payload.slice(0, 300);
    if (use.startsWith(WEB_STORAGE_USE)) observed.webStorageOrigins.add(use.slice(WEB_STORAGE_USE.length));
    else observed.apiUses.add(use);
  });
  cdp.on('Page.frameAttached', () => {
    observed.subframes = true;
  });
  cdp.on('Page.frameNavigated', (event: Protocol.Page.FrameNavigatedEvent) => {
    if (event.frame.parentId) {
      observed.subframes = true;
      return;
    }
    const origin = httpOrigin(event.frame.url);
    if (origin) observed.origins.add(origin);
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

/**
 * What the page left running that could run its code after the clear, as the watch saw it: requests or WebSockets
 * in flight, or a tracked API (storage the reset cannot clear in step with the page, a worker). Null when there is
 * nothing.
 */
export function unfinishedWork(observed: Observed): string | null {
  if (observed.apiUses.size > 0) {
    const used = [...observed.apiUses].slice(0, 3).join(', ');
    return `the page used ${used}, which the reset can neither stop nor clear in step with the page`;
  }
  const pending = observed.inFlight.size + observed.settledDuringReset;
  if (pending > 0) return `the page still had ${pending} request${pending === 1 ? '' : 's'} in flight`;
  return null;
}

/**
 * Web Storage can be cleared in step with the page only through the current document (session.ts). An origin the
 * page used it on and then left has no document to clear through: a clear from the browser side could overtake a
 * write still on its way, so the page is not reused. Null when it used Web Storage on the current origin only.
 */
export function webStorageLeftBehind(observed: Observed, current: string | null): string | null {
  const left = [...observed.webStorageOrigins].filter((origin) => origin !== current);
  if (left.length === 0) return null;
  return `the page used Web Storage on ${left.slice(0, 3).join(', ')}, which it has left, so it cannot be cleared in step with the page`;
}
