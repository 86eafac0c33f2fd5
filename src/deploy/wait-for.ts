/**
 * Waiting for a deployment: poll a URL until it answers with a status below 400, redirects followed, or until the
 * time runs out. Polls start quick and back off (a preview that takes minutes to build is not hammered), each
 * request has its own bound, and the outcome says what the site last answered: a status, or the network error.
 *
 * Redirects are followed here rather than by fetch, so the extra headers and credentials go only where
 * `headersFor` allows, hop by hop, and never follow a redirect to another origin.
 */
import { type Clock, systemClock } from '../common/types.ts';
import { errorText } from '../common/text.ts';

export interface WaitForSiteRequest {
  /** Absolute http(s) URL. */
  url: string;
  timeoutMs: number;
  /** The extra headers for a request to this URL: empty for an origin they must not go to. */
  headersFor: (url: string) => Record<string, string>;
  /** Aborting ends the wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  clock?: Clock;
  /** Bound for one try, redirects included (ms); a try gets at least 2s. */
  requestTimeoutMs?: number;
  /** First pause between polls, and the most it grows to (ms). */
  pauseMs?: { first: number; max: number };
}

export interface SiteReady {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  waitedMs: number;
  tries: number;
}

export class SiteNotReadyError extends Error {
  readonly url: string;
  /** What the last try got: "HTTP 503 Service Unavailable", "connection refused (ECONNREFUSED)"... */
  readonly last: string;
  readonly waitedMs: number;
  readonly tries: number;
  constructor(url: string, last: string, waitedMs: number, tries: number) {
    super(`${url} was not ready: ${last}`);
    this.name = 'SiteNotReadyError';
    this.url = url;
    this.last = last;
    this.waitedMs = waitedMs;
    this.tries = tries;
  }
}

const MAX_REDIRECTS = 10;
/** The least time one try gets, even when the wait has less left: it may run over by this much. */
const MIN_TRY_MS = 2000;

type Probe = { ready: true; status: number; url: string } | { ready: false; last: string };

/** Polls until the site is ready; throws SiteNotReadyError when time runs out, or the signal's reason on abort. */
export async function waitForSite(request: WaitForSiteRequest): Promise<SiteReady> {
  const clock = request.clock ?? systemClock;
  const startedAt = clock.now();
  const pause = request.pauseMs ?? { first: 500, max: 5000 };
  let wait = pause.first;
  let tries = 0;
  for (;;) {
    request.signal?.throwIfAborted();
    tries += 1;
    // A try near the end still gets a fair bound, so what it reports is the site's answer, not our hurry.
    const leftMs = startedAt + request.timeoutMs - clock.now();
    const bound = request.requestTimeoutMs ?? 10_000;
    const probe = await probeOnce(request, Math.min(bound, Math.max(leftMs, MIN_TRY_MS)));
    request.signal?.throwIfAborted();
    const waitedMs = clock.now() - startedAt;
    if (probe.ready) return { status: probe.status, url: probe.url, waitedMs, tries };
    const remainingMs = request.timeoutMs - waitedMs;
    if (remainingMs <= 0) throw new SiteNotReadyError(request.url, probe.last, waitedMs, tries);
    await pauseFor(Math.min(wait, remainingMs), request.signal);
    wait = Math.min(wait * 1.5, pause.max);
  }
}

async function probeOnce(request: WaitForSiteRequest, timeoutMs: number): Promise<Probe> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  let url = request.url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const response = await fetch(url, { redirect: 'manual', headers: request.headersFor(url), signal });
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = URL.canParse(location, url) ? new URL(location, url) : null;
        if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          return { ready: false, last: `HTTP ${response.status} redirecting to ${JSON.stringify(location.slice(0, 200))}, which is not an http(s) URL` };
        }
        url = next.href;
        continue;
      }
      const where = url === request.url ? '' : ` from ${url}`;
      if (response.status < 400) return { ready: true, status: response.status, url };
      return { ready: false, last: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${where}` };
    }
    return { ready: false, last: `more than ${MAX_REDIRECTS} redirects (the last to ${url})` };
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    if (timeout.aborted) return { ready: false, last: `no answer within ${(timeoutMs / 1000).toFixed(1)}s` };
    return { ready: false, last: networkError(error) };
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing is listening there yet',
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'the host name could not be resolved yet (DNS)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  UND_ERR_SOCKET: 'the connection closed without an answer',
};

/** fetch says "fetch failed"; what went wrong is in its cause. */
function networkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  if (code) return `${NETWORK_CODES[code] ?? cause.message ?? 'network error'} (${code})`;
  return errorText(cause ?? error);
}

function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
