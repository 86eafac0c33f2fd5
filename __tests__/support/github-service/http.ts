/** Small HTTP helpers shared by the Twirp, REST and blob handlers. */
import type http from 'node:http';

export async function readBody(request: http.IncomingMessage, limitBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buffer.length;
    if (total > limitBytes) throw new Error(`request body over ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; undefined for an empty body, a SyntaxError for a malformed one. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  return JSON.parse(body.toString('utf8')) as unknown;
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function sendEmpty(response: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-length': '0', ...headers });
  response.end();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function queryObject(url: URL, redact: readonly string[] = []): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = redact.includes(key) ? '[redacted]' : value;
  return query;
}

/** Compiles `/repos/{owner}/{repo}` into a regex with one named group per parameter. */
export function compileRoute(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((part) => {
      const match = /^\{(\w+)\}$/.exec(part);
      return match ? `(?<${match[1]}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${pattern}$`);
}

export interface Page<T> {
  items: T[];
  /** The `Link` header, or undefined when everything fits on one page. */
  link: string | undefined;
}

/** GitHub's page/per_page pagination: 30 per page by default, at most 100, pages counted from 1. */
export function paginate<T>(items: readonly T[], requestUrl: URL): Page<T> {
  const perPage = Math.min(100, Math.max(1, positiveInt(requestUrl.searchParams.get('per_page')) ?? 30));
  const page = positiveInt(requestUrl.searchParams.get('page')) ?? 1;
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const pageUrl = (n: number): string => {
    const url = new URL(requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return url.href;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${pageUrl(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) links.push(`<${pageUrl(page + 1)}>; rel="next"`);
  if (page < lastPage) links.push(`<${pageUrl(lastPage)}>; rel="last"`);
  if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    link: links.length > 0 ? links.join(', ') : undefined,
  };
}

function positiveInt(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 ? value : undefined;
}
