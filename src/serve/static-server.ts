/**
 * Serves a directory on 127.0.0.1 at a free port, so a build can be smoke-tested without deploying it
 * (`--serve DIR`, `serve:` input). Never listens beyond loopback, never serves outside the directory.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

export interface StaticServer {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  close(): Promise<void>;
}

export class ServeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeError';
  }
}

type Resolved = { file: string; size: number } | { redirect: string } | undefined;

const inside = (root: string, file: string) => file === root || file.startsWith(root + path.sep);

/**
 * Maps a request path to a file inside root; undefined when it would leave root or does not exist. A folder
 * asked for without its trailing slash is redirected to it, as web servers do, so its page's relative links work.
 */
function resolveFile(root: string, requestUrl: string): Resolved {
  const [rawPath = '/', ...query] = requestUrl.split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  // Joined by hand: ncc's asset relocator takes path.resolve(root, …) for a build-time path and bundles it.
  const segments = path.posix.normalize(`/${decoded}`).split('/').filter(Boolean);
  const candidate = segments.length === 0 ? root : [root, ...segments].join(path.sep);
  if (!inside(root, candidate)) return undefined;
  try {
    const real = fs.realpathSync(candidate);
    if (!inside(root, real)) return undefined;
    const info = fs.statSync(real);
    if (info.isFile()) return { file: real, size: info.size };
    if (!info.isDirectory()) return undefined;
    if (!rawPath.endsWith('/')) {
      // Built from the clean segments, so "//host" can never become a redirect to another site.
      const location = segments.length === 0 ? '/' : `/${segments.map(encodeURIComponent).join('/')}/`;
      return { redirect: `${location}${query.length > 0 ? `?${query.join('?')}` : ''}` };
    }
    const index = fs.realpathSync(path.join(real, 'index.html'));
    if (!inside(root, index)) return undefined;
    const indexInfo = fs.statSync(index);
    return indexInfo.isFile() ? { file: index, size: indexInfo.size } : undefined;
  } catch {
    return undefined;
  }
}

function answer(root: string, request: http.IncomingMessage, response: http.ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    response.end('method not allowed');
    return;
  }
  const resolved = resolveFile(root, request.url ?? '/');
  if (!resolved) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('not found');
    return;
  }
  if ('redirect' in resolved) {
    response.writeHead(301, { location: resolved.redirect, 'content-type': 'text/plain; charset=utf-8' });
    response.end('moved');
    return;
  }
  const { file, size } = resolved;
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  fs.createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

export async function serveDirectory(directory: string): Promise<StaticServer> {
  const root = path.resolve(directory);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ServeError(`serve: "${directory}" is not a directory. Point it at the folder that holds your built site.`);
  }
  const realRoot = fs.realpathSync(root);
  const server = http.createServer((request, response) => answer(realRoot, request, response));
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
