/**
 * Extra headers and basic-auth credentials, sent only to the origins a fixture is about: the base URL's and its
 * own URL's. Puppeteer's setExtraHTTPHeaders and authenticate apply to every origin a page loads from (CDNs,
 * analytics, third-party APIs), which is exactly what a bypass token or a staging password must never reach. So
 * requests are paused with the CDP Fetch domain and continued with the headers only when their origin is allowed;
 * a redirect is a request of its own, checked again.
 *
 * Credentials go as a preemptive `Authorization: Basic` header to the allowed origins (a request that carries its
 * own Authorization keeps it), so no challenge is needed and Chrome's per-context credential cache stays empty. A
 * challenge that still comes from an allowed origin is answered once; one from any other origin is cancelled, so a
 * foreign frame never leaves the page waiting on a prompt nobody answers. For that, every request is paused when
 * credentials are set; with headers only, just the allowed origins' requests are, and other origins cost nothing.
 *
 * Nothing is paused when neither is configured: the suite then never creates an interceptor.
 */
import type { CDPSession, Page, Protocol } from 'puppeteer-core';
import { basicAuthorization, type Credentials, type Header, mergeHeaders } from '../common/http-headers.ts';

/** What the suite was given: the extra-headers input and http-credentials. */
export interface SiteCredentials {
  headers: readonly Header[];
  credentials: Credentials | null;
}

/** What one attempt sends, and where. */
export interface OriginRules {
  origins: ReadonlySet<string>;
  headers: readonly Header[];
  credentials: Credentials | null;
}

export interface OriginInterceptor {
  /** Applies the rules of the next attempt (null adds nothing); resolves once the browser pauses what they need. */
  use(rules: OriginRules | null): Promise<void>;
  /** Adds nothing more until the next use(), at no cost: between fixtures, a paused request goes on as it is. */
  forget(): void;
  /** Credentials were given in answer to a challenge since the last use(): Chrome now keeps them for the context. */
  readonly answeredChallenge: boolean;
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** The rules for a fixture: its headers over the suite's, for the base URL's origin and its own URL's. */
export function rulesFor(fixture: { headers?: Record<string, string> | undefined }, url: string, baseUrl: string | null, site: SiteCredentials | null): OriginRules | null {
  const own = Object.entries(fixture.headers ?? {}).map(([name, value]) => ({ name, value }));
  const headers = mergeHeaders(site?.headers ?? [], own);
  const credentials = site?.credentials ?? null;
  if (headers.length === 0 && credentials === null) return null;
  const origins = new Set([baseUrl, url].map((candidate) => (candidate ? originOf(candidate) : null)).filter((origin) => origin !== null));
  return { origins, headers, credentials };
}

/** The pause patterns the rules need, as the browser takes them; none when nothing is added. */
function patternsFor(rules: OriginRules | null): Protocol.Fetch.RequestPattern[] {
  if (!rules || rules.origins.size === 0) return [];
  if (rules.credentials) return [{ urlPattern: '*' }];
  return [...rules.origins].map((origin) => ({ urlPattern: `${origin.replace(/[*?\\]/g, '\\$&')}/*` }));
}

function headersOf(request: Protocol.Network.Request, rules: OriginRules): Protocol.Fetch.HeaderEntry[] {
  const given = Object.entries(request.headers).map(([name, value]) => ({ name, value: String(value) }));
  const merged = mergeHeaders(given, rules.headers);
  if (rules.credentials && !merged.some((header) => header.name.toLowerCase() === 'authorization')) {
    merged.push({ name: 'Authorization', value: basicAuthorization(rules.credentials) });
  }
  return merged;
}

const interceptors = new WeakMap<Page, Promise<OriginInterceptor>>();

/** Whether the page was ever given rules (then every later attempt on it must set its own, even none). */
export function hasInterceptor(page: Page): boolean {
  return interceptors.has(page);
}

/** The page's interceptor, created on first use: one CDP session of its own, for the page's whole life. */
export function interceptorOf(page: Page): Promise<OriginInterceptor> {
  let interceptor = interceptors.get(page);
  if (!interceptor) {
    interceptor = page.createCDPSession().then(createInterceptor);
    interceptors.set(page, interceptor);
    interceptor.catch(() => interceptors.delete(page));
  }
  return interceptor;
}

function createInterceptor(cdp: CDPSession): OriginInterceptor {
  let rules: OriginRules | null = null;
  let enabled = '';
  let answered = false;
  const challenged = new Set<string>();
  const allowed = (url: string) => {
    const origin = originOf(url);
    return rules !== null && origin !== null && rules.origins.has(origin);
  };
  // Every paused request must be continued, whatever the rules, or the page waits on it for ever.
  cdp.on('Fetch.requestPaused', (event: Protocol.Fetch.RequestPausedEvent) => {
    const current = rules;
    const params: Protocol.Fetch.ContinueRequestRequest =
      current && allowed(event.request.url) ? { requestId: event.requestId, headers: headersOf(event.request, current) } : { requestId: event.requestId };
    cdp.send('Fetch.continueRequest', params).catch(() => undefined);
  });
  cdp.on('Fetch.authRequired', (event: Protocol.Fetch.AuthRequiredEvent) => {
    const credentials = rules?.credentials;
    const answer = credentials && event.authChallenge.source !== 'Proxy' && allowed(event.request.url) && !challenged.has(event.requestId);
    challenged.add(event.requestId);
    if (answer) answered = true;
    const authChallengeResponse: Protocol.Fetch.AuthChallengeResponse = answer
      ? { response: 'ProvideCredentials', username: credentials.username, password: credentials.password }
      : { response: 'CancelAuth' };
    cdp.send('Fetch.continueWithAuth', { requestId: event.requestId, authChallengeResponse }).catch(() => undefined);
  });
  return {
    get answeredChallenge() {
      return answered;
    },
    forget() {
      rules = null;
    },
    async use(next) {
      rules = next;
      answered = false;
      challenged.clear();
      const patterns = patternsFor(next);
      const wanted = JSON.stringify(patterns);
      if (wanted === enabled || (patterns.length === 0 && enabled === '')) return;
      if (patterns.length === 0) await cdp.send('Fetch.disable');
      else await cdp.send('Fetch.enable', { patterns, handleAuthRequests: next?.credentials != null });
      enabled = patterns.length === 0 ? '' : wanted;
    },
  };
}
