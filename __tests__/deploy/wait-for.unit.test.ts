/**
 * Waiting for a deployment with `wait-for`: loopback sites that come up late, never, or redirect; what the wait
 * reports when it gives up; and where the extra headers go. Pauses are shortened so the tests stay quick; nothing is
 * asserted about time except what the wait reports.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { SiteNotReadyError, waitForSite } from '../../src/deploy/wait-for.ts';
import { failTimes, html, siteFor } from '../support/site.ts';

const QUICK = { pauseMs: { first: 5, max: 20 } };

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wait-for', () => {
  it('polls until the site answers below 400, however many tries that takes', async (t) => {
    const site = await siteFor(t, { '/health': failTimes(3, html('ok'), 503) });
    const ready = await waitForSite({ url: `${site.url}/health`, timeoutMs: 30_000, headersFor: () => ({}), ...QUICK });
    assert.equal(ready.status, 200);
    assert.equal(ready.tries, 4);
    assert.equal(site.hits('/health'), 4);
  });

  it('follows redirects, and a redirect to a page that is up is ready', async (t) => {
    const site = await siteFor(t, { '/': { status: 302, headers: { location: '/en/' } }, '/en/': html('home') });
    const ready = await waitForSite({ url: `${site.url}/`, timeoutMs: 30_000, headersFor: () => ({}), ...QUICK });
    assert.equal(ready.url, `${site.url}/en/`);
  });

  it('gives up when time runs out, with the last status, how long it waited and how often it tried', async (t) => {
    const site = await siteFor(t, { '/': { status: 503, body: 'deploying' } });
    const error = await waitForSite({ url: `${site.url}/`, timeoutMs: 300, headersFor: () => ({}), ...QUICK }).catch((caught: unknown) => caught);
    assert.ok(error instanceof SiteNotReadyError, String(error));
    assert.equal(error.last, 'HTTP 503 Service Unavailable');
    assert.ok(error.waitedMs >= 300, `it waited the whole wait-timeout (${error.waitedMs}ms)`);
    assert.equal(error.tries, site.hits('/'));
  });

  it('names the network error when nothing listens, and the page a redirect ended on', async (t) => {
    const port = await closedPort();
    const refused = await waitForSite({ url: `http://127.0.0.1:${port}/`, timeoutMs: 100, headersFor: () => ({}), ...QUICK }).catch((e: unknown) => e);
    assert.ok(refused instanceof SiteNotReadyError);
    assert.match(refused.last, /connection refused.*\(ECONNREFUSED\)/);
    const site = await siteFor(t, { '/': { status: 301, headers: { location: '/gone' } } });
    const gone = await waitForSite({ url: `${site.url}/`, timeoutMs: 100, headersFor: () => ({}), ...QUICK }).catch((e: unknown) => e);
    assert.ok(gone instanceof SiteNotReadyError);
    assert.equal(gone.last, `HTTP 404 Not Found from ${site.url}/gone`);
  });

  it('sends the extra headers only where headersFor allows, also when a redirect leaves the origin', async (t) => {
    const other = await siteFor(t, { '/landing': html('other origin') });
    const seen: Record<string, string | undefined> = {};
    const site = await siteFor(t, {
      '/': (request, response) => {
        seen.own = request.headers['x-bypass'] as string | undefined;
        response.writeHead(302, { location: `${other.url}/landing` });
        response.end();
      },
    });
    other.route('/landing', (request, response) => {
      seen.other = (request.headers['x-bypass'] as string | undefined) ?? 'none';
      response.writeHead(200);
      response.end('ok');
    });
    const headersFor = (url: string): Record<string, string> => (new URL(url).origin === site.url ? { 'X-Bypass': 'bypass-1234' } : {});
    await waitForSite({ url: `${site.url}/`, timeoutMs: 30_000, headersFor, ...QUICK });
    assert.deepEqual(seen, { own: 'bypass-1234', other: 'none' });
  });

  it('stops at once when its signal is aborted, with the signal’s reason', async (t) => {
    const site = await siteFor(t, { '/': { status: 503 } });
    const controller = new AbortController();
    void site.waitForHit('/', 2).then(() => controller.abort(new Error('cancelled by the test')));
    const error = await waitForSite({ url: `${site.url}/`, timeoutMs: 60_000, headersFor: () => ({}), signal: controller.signal, ...QUICK }).catch((e: unknown) => e);
    assert.equal((error as Error).message, 'cancelled by the test');
  });
});
