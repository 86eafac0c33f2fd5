/**
 * A loopback GitHub for tests: the Actions results service (Twirp), blob storage (a real Azurite behind a logging
 * proxy) and a REST subset, on one 127.0.0.1 port, so the REAL @actions/artifact and @actions/github clients
 * work against it when a child process gets `service.env(...)`. Start it in a test hook, stop it in cleanup.
 *
 *   const service = await startGitHubService();          // ~1 s, mostly Azurite
 *   after(() => service.stop());
 *   service.addRun({ id: 41, branch: 'main', conclusion: 'failure' });
 *   const seeded = await service.addArtifact(41, { name: 'reliability-smoke', files: { 'report.json': '{}' } });
 *   const env = service.env({ runId: 42, jobId: 'smoke' });   // ACTIONS_RUNTIME_TOKEN, GITHUB_* ...
 *   service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 403, times: 1 });
 *   const run = await runClients(env, [{ op: 'upload', ... }]);   // ./child.ts; or spawn with childEnv(env)
 *   // then assert on service.artifacts, service.checkRuns[0].requests, service.log (no tokens, no SAS sigs)
 *
 * REST tokens: `service.githubToken` (pass it as the Action's github-token). Runs referenced by env() or
 * runtimeToken() are created on the fly (in_progress) when they were not added.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlobStore, azureError, startAzurite, type Azurite } from './blob.ts';
import { runnerEnv, type EnvOptions } from './env.ts';
import { Faults } from './faults.ts';
import { serve, type LogEntry } from './router.ts';
import { blobNameFor, isoDate, State, type Artifact, type CheckRun, type Run, type RunOptions } from './state.ts';
import { mintRuntimeToken, newGitHubToken } from './token.ts';
import { zipFiles, type ZipFiles } from './zip.ts';

export type { Artifact, CheckRun, Run, RunOptions } from './state.ts';
export type { EnvOptions } from './env.ts';
export type { Endpoint } from './endpoints.ts';
export type { LogEntry } from './router.ts';
export type { ZipFiles } from './zip.ts';
export type { Fault, FaultSpec } from './faults.ts';

export interface GitHubServiceOptions {
  /** `owner/repo` the REST side answers for; default `octo-org/smoke-demo`. */
  repository?: string;
  /** The accepted REST token; default a fresh `ghs_...` token. */
  githubToken?: string;
  /** Retention when CreateArtifact sends no expires_at; default 90 days. */
  retentionDays?: number;
}

export interface AddArtifactOptions {
  name: string;
  /** What the zip holds; or give `zip` instead. */
  files?: ZipFiles;
  /** The stored bytes as they are (a corrupt or hostile archive), recorded with their own digest and size. */
  zip?: Buffer;
  expired?: boolean;
  createdAt?: Date | string;
  expiresAt?: Date | string;
  /** The attempt that uploaded it; default the run's current attempt. */
  attempt?: number;
  /** GITHUB_JOB of the uploader; default `smoke`. */
  jobId?: string;
}

export interface GitHubService {
  /** `http://127.0.0.1:<port>`: REST base, results origin and blob proxy. */
  readonly url: string;
  readonly apiUrl: string;
  /** As the runner sets ACTIONS_RESULTS_URL (trailing slash). */
  readonly resultsUrl: string;
  readonly githubToken: string;
  readonly repository: string;
  readonly runs: Run[];
  readonly artifacts: Artifact[];
  readonly checkRuns: CheckRun[];
  readonly log: LogEntry[];
  readonly faults: Faults;
  addRun(options: RunOptions): Run;
  /** Stores a real zip in blob storage with its sha256 digest, as a finalized artifact. */
  addArtifact(runId: number, options: AddArtifactOptions): Promise<Artifact>;
  expireArtifact(artifactId: number): void;
  /** Replaces the stored bytes (default: a zip with other content) but keeps the recorded digest and size. */
  corruptArtifact(artifactId: number, files?: ZipFiles): Promise<void>;
  runtimeToken(options: { runId: number; jobId?: string; attempt?: number }): string;
  env(options: EnvOptions): Record<string, string>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startGitHubService(options: GitHubServiceOptions = {}): Promise<GitHubService> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'github-service-'));
  const state = new State(options.repository ?? 'octo-org/smoke-demo');
  const faults = new Faults();
  const secret = crypto.randomBytes(32);
  const githubToken = options.githubToken ?? newGitHubToken();
  const retentionDays = options.retentionDays ?? 90;
  const log: LogEntry[] = [];
  let blobs: BlobStore | undefined;
  let url = '';

  const server = http.createServer((request, response) => {
    if (!blobs) return azureError(response, 503, 'ServerBusy', 'service is starting');
    serve({ request, response, state, faults, secret, retentionDays, log, blobs, url, githubToken }).catch(
      (error: unknown) => {
        if (!response.headersSent) response.writeHead(500).end(String(error));
        else response.destroy();
      },
    );
  });
  const azuriteStarting = startAzurite(fs.mkdtempSync(path.join(tempDir, 'azurite-')));
  azuriteStarting.catch(() => {}); // handled below; keeps an early failure from being an unhandled rejection
  let azurite: Azurite;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    azurite = await azuriteStarting;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = new BlobStore(azurite.port, url);
    await store.init();
    blobs = store;
  } catch (error) {
    server.close();
    await (await azuriteStarting.catch(() => undefined))?.stop();
    fs.rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  const blobStore = blobs;
  const azuriteProcess = azurite;

  const ensureRun = (runId: number, attempt?: number): Run =>
    state.run(runId) ?? state.addRun({ id: runId, attempt: attempt ?? 1, status: 'in_progress' });
  const runtimeToken = ({ runId, jobId = 'smoke', attempt }: { runId: number; jobId?: string; attempt?: number }) => {
    const run = ensureRun(runId, attempt);
    return mintRuntimeToken(secret, state.registerJob(runId, attempt ?? run.attempt, jobId));
  };
  let stopped: Promise<void> | undefined;
  let steps = 0;

  const service: GitHubService = {
    url,
    apiUrl: url,
    resultsUrl: `${url}/`,
    githubToken,
    repository: state.repository,
    runs: state.runs,
    artifacts: state.artifacts,
    checkRuns: state.checkRuns,
    log,
    faults,
    addRun: (runOptions) => state.addRun(runOptions),
    async addArtifact(runId, artifactOptions) {
      const run = ensureRun(runId);
      const attempt = artifactOptions.attempt ?? run.attempt;
      const jobId = artifactOptions.jobId ?? 'smoke';
      if (state.artifacts.some((artifact) => artifact.runId === runId && artifact.name === artifactOptions.name)) {
        throw new Error(`run ${runId} already has an artifact named ${artifactOptions.name}`);
      }
      const ids = state.registerJob(runId, attempt, jobId);
      const createdAt = isoDate(artifactOptions.createdAt);
      const zip = artifactOptions.zip ?? zipFiles(artifactOptions.files ?? {}, new Date(createdAt));
      const blobName = blobNameFor(ids, artifactOptions.name);
      await blobStore.put(blobName, zip);
      const artifact: Artifact = {
        id: state.newArtifactId(),
        name: artifactOptions.name,
        runId,
        attempt,
        jobId,
        ...ids,
        blobName,
        size: zip.length,
        declaredSize: zip.length,
        digest: `sha256:${crypto.createHash('sha256').update(zip).digest('hex')}`,
        mimeType: 'application/zip',
        createdAt,
        updatedAt: createdAt,
        expiresAt: isoDate(artifactOptions.expiresAt, new Date(Date.parse(createdAt) + retentionDays * 86_400_000)),
        expired: artifactOptions.expired ?? false,
        finalized: true,
      };
      state.artifacts.push(artifact);
      return artifact;
    },
    expireArtifact(artifactId) {
      requireArtifact(state, artifactId).expired = true;
    },
    async corruptArtifact(artifactId, files = { 'tampered.txt': 'these bytes were changed after upload' }) {
      await blobStore.put(requireArtifact(state, artifactId).blobName, zipFiles(files));
    },
    runtimeToken,
    env(envOptions) {
      const run = ensureRun(envOptions.runId, envOptions.runAttempt);
      const attempt = envOptions.runAttempt ?? run.attempt;
      if (attempt > run.attempt) Object.assign(run, { attempt, status: 'in_progress', conclusion: null });
      const jobId = envOptions.jobId ?? 'smoke';
      steps += 1;
      return runnerEnv(envOptions, {
        run,
        attempt,
        jobId,
        runtimeToken: runtimeToken({ runId: run.id, jobId, attempt }),
        apiUrl: url,
        resultsUrl: `${url}/`,
        retentionDays,
        stepDir: fs.mkdtempSync(path.join(tempDir, `step-${steps}-`)),
      });
    },
    stop() {
      stopped ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        blobStore.close();
        await azuriteProcess.stop();
        fs.rmSync(tempDir, { recursive: true, force: true });
      })();
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return service.stop();
    },
  };
  return service;
}

function requireArtifact(state: State, artifactId: number): Artifact {
  const artifact = state.artifact(artifactId);
  if (!artifact) throw new Error(`no artifact ${artifactId}`);
  return artifact;
}
