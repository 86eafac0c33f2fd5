/** Routes each request on the service's port to the results service, the blob proxy or REST, and logs it. */
import crypto from 'node:crypto';
import type http from 'node:http';
import { BLOB_PATH_PREFIX, azureError, type BlobStore } from './blob.ts';
import { BlobEndpoints, type BlobEndpoint, type Endpoint, type ServiceName } from './endpoints.ts';
import type { Faults } from './faults.ts';
import { queryObject, readBody } from './http.ts';
import { handleRest, type RestNote } from './rest.ts';
import type { State } from './state.ts';
import { handleTwirp, type TwirpNote } from './twirp.ts';

export interface LogEntry {
  service: ServiceName;
  method: string;
  path: string;
  /** Query parameters; a SAS `sig` is shown as `[redacted]`. */
  query: Record<string, string>;
  /** 0 until the answer is sent. */
  status: number;
  /** Whether an Authorization header was present (its value is never logged). */
  auth: boolean;
  endpoint: Endpoint | undefined;
  /** Answered by an injected fault. */
  fault: boolean;
  /** The parsed JSON request body (Twirp and REST only). */
  body?: unknown;
}

export interface ServeContext {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  state: State;
  faults: Faults;
  secret: Buffer;
  retentionDays: number;
  log: LogEntry[];
  blobs: BlobStore;
  url: string;
  githubToken: string;
}

export async function serve(context: ServeContext): Promise<void> {
  const { request, response, log } = context;
  const requestUrl = new URL(request.url ?? '/', context.url);
  const service: ServiceName = requestUrl.pathname.startsWith('/twirp/')
    ? 'results'
    : requestUrl.pathname.startsWith(BLOB_PATH_PREFIX)
      ? 'blob'
      : 'rest';
  const entry: LogEntry = {
    service,
    method: request.method ?? 'GET',
    path: requestUrl.pathname,
    query: queryObject(requestUrl, ['sig']),
    status: 0,
    auth: request.headers.authorization !== undefined,
    endpoint: undefined,
    fault: false,
  };
  log.push(entry);
  response.once('finish', () => {
    entry.status = response.statusCode;
  });
  if (service === 'blob') {
    const endpoint = `${entry.method} blob`;
    entry.endpoint = isBlobEndpoint(endpoint) ? endpoint : undefined;
    const fault = entry.endpoint && context.faults.take(entry.endpoint);
    if (fault) {
      entry.fault = true;
      request.resume();
      if (fault.hang) return;
      return azureError(response, fault.status, undefined, fault.message);
    }
    return context.blobs.proxy(request, response);
  }
  const body = await readBody(request);
  const note: TwirpNote & RestNote = {};
  if (service === 'results') {
    await handleTwirp(context, request, body, response, note as TwirpNote);
  } else {
    response.setHeader('x-github-request-id', crypto.randomUUID().toUpperCase());
    await handleRest(
      { ...context, apiUrl: context.url, githubTokens: new Set([context.githubToken]) },
      request,
      body,
      response,
      note as RestNote,
    );
  }
  Object.assign(entry, { endpoint: note.endpoint, fault: note.fault ?? false }, note.body === undefined ? {} : { body: note.body });
}

function isBlobEndpoint(name: string): name is BlobEndpoint {
  return (BlobEndpoints as readonly string[]).includes(name);
}
