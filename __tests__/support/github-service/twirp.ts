/**
 * The results service: Twirp `github.actions.results.api.v1.ArtifactService` over JSON, as @actions/artifact's
 * generated protobuf-ts client speaks it. Requests use proto field names (snake_case); wrapper types are bare JSON
 * values (`name_filter: "x"`, `id_filter: "12"`), int64 values are strings and timestamps RFC 3339. Errors are
 * `{code, msg}` with Twirp's status mapping; the client retries 429/500/502/503/504 (5 attempts, ~25-35 s).
 */
import type http from 'node:http';
import type { BlobStore } from './blob.ts';
import type { TwirpMethod } from './endpoints.ts';
import { TwirpMethods } from './endpoints.ts';
import type { Faults } from './faults.ts';
import { isRecord, parseJson, sendJson } from './http.ts';
import { blobNameFor, type Artifact, type State } from './state.ts';
import { bearerOrToken, verifyRuntimeToken, type BackendIds } from './token.ts';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  408: 'deadline_exceeded',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable',
};

export interface TwirpContext {
  state: State;
  blobs: BlobStore;
  faults: Faults;
  secret: Buffer;
  retentionDays: number;
}

export interface TwirpNote {
  endpoint?: TwirpMethod;
  fault?: boolean;
  body?: unknown;
}

class TwirpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function handleTwirp(
  context: TwirpContext,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
  note: TwirpNote,
): Promise<void> {
  try {
    const method = (request.url ?? '').split('?')[0]?.slice(TWIRP_PREFIX.length) ?? '';
    if (request.method !== 'POST' || !isTwirpMethod(method)) throw new TwirpError(404, `no handler for ${method}`);
    note.endpoint = method;
    const token = bearerOrToken(request.headers.authorization, ['bearer']);
    if (!token) throw new TwirpError(401, 'missing bearer token');
    const granted = verifyRuntimeToken(context.secret, token);
    if ('invalid' in granted) throw new TwirpError(401, granted.invalid);
    const fault = context.faults.take(method);
    if (fault) {
      note.fault = true;
      if (fault.hang) return;
      throw new TwirpError(fault.status, fault.message ?? `injected fault on ${method}`);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new TwirpError(404, 'only application/json is served');
    }
    const payload = parseRequest(body);
    note.body = payload;
    if (field(payload, 'workflow_run_backend_id') !== granted.workflowRunBackendId) {
      throw new TwirpError(403, 'token is not scoped to this workflow run');
    }
    sendJson(response, 200, await METHODS[method](context, payload, granted));
  } catch (error) {
    const status = error instanceof TwirpError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    sendJson(response, status, { code: CODE_FOR_STATUS[status] ?? 'unknown', msg: message });
  }
}

type Payload = Record<string, unknown>;
type Handler = (context: TwirpContext, payload: Payload, granted: BackendIds) => Promise<unknown>;

const METHODS: Record<TwirpMethod, Handler> = {
  async CreateArtifact({ state, blobs, retentionDays }, payload, granted) {
    const name = requiredString(payload, 'name');
    if (field(payload, 'workflow_job_run_backend_id') !== granted.workflowJobRunBackendId) {
      throw new TwirpError(403, 'token is not scoped to this job');
    }
    const run = state.runByBackendId(granted.workflowRunBackendId);
    const job = state.job(granted.workflowJobRunBackendId);
    if (!run || !job) throw new TwirpError(404, 'workflow run not found');
    if (state.artifacts.some((artifact) => artifact.runId === run.id && artifact.name === name)) {
      throw new TwirpError(409, 'an artifact with this name already exists on the workflow run');
    }
    const version = field(payload, 'version');
    if (typeof version !== 'number' || version < 4) throw new TwirpError(400, `unsupported artifact version ${version}`);
    const expiresAt = field(payload, 'expires_at');
    const now = new Date();
    const artifact: Artifact = {
      id: state.newArtifactId(),
      name,
      runId: run.id,
      attempt: job.attempt,
      jobId: job.jobId,
      ...granted,
      blobName: blobNameFor(granted, name),
      size: 0,
      declaredSize: 0,
      digest: undefined,
      mimeType: typeof field(payload, 'mime_type') === 'string' ? String(field(payload, 'mime_type')) : 'application/zip',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt:
        typeof expiresAt === 'string'
          ? new Date(expiresAt).toISOString()
          : new Date(now.getTime() + retentionDays * 86_400_000).toISOString(),
      expired: false,
      finalized: false,
    };
    state.artifacts.push(artifact);
    return { ok: true, signed_upload_url: blobs.signedUrl(artifact.blobName, 'cw') };
  },

  async FinalizeArtifact({ state, blobs }, payload, granted) {
    const name = requiredString(payload, 'name');
    const artifact = state.artifacts.find(
      (candidate) =>
        candidate.workflowRunBackendId === granted.workflowRunBackendId &&
        candidate.workflowJobRunBackendId === field(payload, 'workflow_job_run_backend_id') &&
        candidate.name === name,
    );
    if (!artifact) throw new TwirpError(404, `artifact ${name} was not created by this job`);
    if (artifact.finalized) throw new TwirpError(409, `artifact ${name} is already finalized`);
    const declared = Number(field(payload, 'size') ?? 0);
    const hash = field(payload, 'hash');
    if (hash !== undefined && (typeof hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(hash))) {
      throw new TwirpError(400, `hash must be sha256:<64 hex>, got ${JSON.stringify(hash)}`);
    }
    const committed = await blobs.size(artifact.blobName);
    if (committed === undefined) throw new TwirpError(412, `no blob was committed for artifact ${name}`);
    if (committed !== declared) {
      throw new TwirpError(400, `declared size ${declared} does not match the ${committed} bytes uploaded`);
    }
    Object.assign(artifact, {
      size: committed,
      declaredSize: declared,
      digest: hash,
      finalized: true,
      updatedAt: new Date().toISOString(),
    });
    return { ok: true, artifact_id: String(artifact.id) };
  },

  async ListArtifacts({ state }, payload, granted) {
    const nameFilter = field(payload, 'name_filter');
    const idFilter = field(payload, 'id_filter');
    const artifacts = state.artifacts.filter(
      (artifact) =>
        artifact.workflowRunBackendId === granted.workflowRunBackendId &&
        artifact.finalized &&
        !state.isExpired(artifact) &&
        (nameFilter === undefined || artifact.name === nameFilter) &&
        (idFilter === undefined || String(artifact.id) === String(idFilter)),
    );
    return {
      artifacts: artifacts.map((artifact) => ({
        workflow_run_backend_id: artifact.workflowRunBackendId,
        workflow_job_run_backend_id: artifact.workflowJobRunBackendId,
        database_id: String(artifact.id),
        name: artifact.name,
        size: String(artifact.size),
        created_at: artifact.createdAt,
        ...(artifact.digest ? { digest: artifact.digest } : {}),
      })),
    };
  },

  async GetSignedArtifactURL({ state, blobs }, payload) {
    const artifact = uploadedBy(state, payload);
    return { signed_url: blobs.signedUrl(artifact.blobName, 'r') };
  },

  async DeleteArtifact({ state, blobs }, payload) {
    const artifact = uploadedBy(state, payload);
    state.removeArtifact(artifact);
    await blobs.delete(artifact.blobName);
    return { ok: true, artifact_id: String(artifact.id) };
  },
};

/** GetSignedArtifactURL and DeleteArtifact name the uploading job's backend ids, not the caller's. */
function uploadedBy(state: State, payload: Payload): Artifact {
  const name = requiredString(payload, 'name');
  const artifact = state.artifacts.find(
    (candidate) =>
      candidate.finalized &&
      !state.isExpired(candidate) &&
      candidate.workflowRunBackendId === field(payload, 'workflow_run_backend_id') &&
      candidate.workflowJobRunBackendId === field(payload, 'workflow_job_run_backend_id') &&
      candidate.name === name,
  );
  if (!artifact) throw new TwirpError(404, `artifact ${name} not found for this workflow job run`);
  return artifact;
}

function parseRequest(body: Buffer): Payload {
  let payload: unknown;
  try {
    payload = parseJson(body) ?? {};
  } catch {
    throw new TwirpError(400, 'request body is not JSON');
  }
  if (!isRecord(payload)) throw new TwirpError(400, 'request body must be a JSON object');
  return payload;
}

/** protobuf JSON accepts the proto name and the lowerCamel JSON name. */
function field(payload: Payload, protoName: string): unknown {
  const camel = protoName.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  return payload[protoName] ?? payload[camel];
}

function requiredString(payload: Payload, protoName: string): string {
  const value = field(payload, protoName);
  if (typeof value !== 'string' || value.length === 0) throw new TwirpError(400, `${protoName} is required`);
  return value;
}

function isTwirpMethod(method: string): method is TwirpMethod {
  return (TwirpMethods as readonly string[]).includes(method);
}
