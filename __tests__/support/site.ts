/**
 * A programmable website on 127.0.0.1 for tests: routes are set per test, every request is counted, and a route
 * can fail a number of times, hang, or answer late. Start it in a test, close it in the test's cleanup.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContext } from 'node:test';

export type RouteHandler = (request: http.IncomingMessage, response: http.ServerResponse, hit: number) => void;

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many milliseconds. */
  delayMs?: number;
}

export interface Site {
  /** http://127.0.0.1:<port> with no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Sets (or replaces) the answer for a path. The path is matched without its query string. */
  route(path: string, answer: Route | RouteHandler): void;
  /** How many requests reached a path (without query), or all paths when none is given. */
  hits(path?: string): number;
  /** Every request path seen, in order, with its query string. */
  readonly log: string[];
  /** Resolves once a path (without query) has been requested `count` times in all. */
  waitForHit(path: string, count?: number): Promise<void>;
  /** The site goes down: open connections are cut and the port refuses new ones (ECONNREFUSED) until comeBack(). */
  goDown(): Promise<void>;
  /** Listens again on the same port, with the same routes. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export const html = (body: string, title = 'Test page'): Route => ({
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`,
});

/** Fails with `failStatus` for the first `times` hits, then answers `then`. */
export function failTimes(times: number, then: Route, failStatus = 500): RouteHandler {
  return (_request, response, hit) => {
    if (hit <= times) {
      response.writeHead(failStatus, { 'content-type': 'text/html' });
      response.end(`<!doctype html><title>Error ${failStatus}</title><h1>failure ${hit} of ${times}</h1>`);
      return;
    }
    send(response, then);
  };
}

/** Never answers. The site ends such requests when it closes. */
export const hang = (): RouteHandler => () => {};

/** Closes the connection without answering: the browser sees a network error (net::ERR_EMPTY_RESPONSE). */
export const dropConnection = (): RouteHandler => (_request, response) => void response.socket?.destroy();

function send(response: http.ServerResponse, route: Route): void {
  const write = () => {
    response.writeHead(route.status ?? 200, route.headers ?? { 'content-type': 'text/html; charset=utf-8' });
    response.end(route.body ?? '');
  };
  if (route.delayMs) setTimeout(write, route.delayMs).unref();
  else write();
}

export async function startSite(routes: Record<string, Route | RouteHandler> = {}): Promise<Site> {
  const table = new Map<string, Route | RouteHandler>(Object.entries(routes));
  const counts = new Map<string, number>();
  const log: string[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((request, response) => {
    const full = request.url ?? '/';
    const path = full.split('?')[0] ?? '/';
    const hit = (counts.get(path) ?? 0) + 1;
    counts.set(path, hit);
    log.push(full);
    for (const check of waiters) check();
    const answer = table.get(path);
    if (!answer) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`no route for ${path}`);
      return;
    }
    if (typeof answer === 'function') answer(request, response, hit);
    else send(response, answer);
  });
  server.keepAliveTimeout = 1000;
  // Any WebSocket is accepted and kept open, silent: a page with one open has a callback that could still run.
  const sockets = new Set<Socket>();
  server.on('upgrade', (request, socket: Socket) => {
    const accept = createHash('sha1').update(`${request.headers['sec-websocket-key'] ?? ''}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    route: (path, answer) => void table.set(path, answer),
    hits: (path) => (path === undefined ? log.length : (counts.get(path) ?? 0)),
    waitForHit: (path, count = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if ((counts.get(path) ?? 0) < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    goDown: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    comeBack: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback site for one test, closed when the test ends. */
export async function siteFor(t: TestContext, routes: Record<string, Route | RouteHandler> = {}): Promise<Site> {
  const site = await startSite(routes);
  t.after(() => site.close());
  return site;
}

/** Whether the page of a fixture id answers as it should. */
export type PageState = 'pass' | 'fail';

/** The page of a fixture that expects status 200 and a visible `#<id>`. */
export const passingPage = (id: string) => html(`<h1 id="${id}">${id} works</h1>`, `Page ${id}`);
export const brokenPage: Route = { status: 500, body: '<!doctype html><title>Broken</title><h1>Internal error</h1>' };

/**
 * A site with one page per fixture id at `/<id>`, passing or failing as told, so `site.hits('/<id>')` says exactly
 * which fixtures ran; closed when the test ends.
 */
export async function fixtureSite(t: TestContext, pages: Record<string, PageState>): Promise<Site> {
  const site = await siteFor(t);
  setPages(site, pages);
  return site;
}

export function setPages(site: Site, pages: Record<string, PageState>): void {
  for (const [id, state] of Object.entries(pages)) site.route(`/${id}`, state === 'pass' ? passingPage(id) : brokenPage);
}

/** Requests per fixture page, to compare before and after a run. */
export function hitsOf(site: Site, ids: readonly string[]): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, site.hits(`/${id}`)]));
}

export function hitsSince(site: Site, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(before).map((id) => [id, site.hits(`/${id}`) - (before[id] ?? 0)]));
}
