/**
 * What the loopback GitHub knows: workflow runs, artifacts, check runs, and which backend ids belong to which run,
 * attempt and job. Artifacts belong to the run (names are unique across attempts) and remember the attempt and job
 * that uploaded them.
 */
import crypto from 'node:crypto';
import { jobBackendId, runBackendId, type BackendIds } from './token.ts';

export const RunStatuses = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'] as const;
export type RunStatus = (typeof RunStatuses)[number];
export const Conclusions = [
  'success', 'failure', 'cancelled', 'skipped', 'neutral', 'timed_out', 'action_required', 'stale',
] as const;
export type Conclusion = (typeof Conclusions)[number];

export interface PullRequestRef {
  number: number;
  headRef?: string;
  headSha?: string;
  baseRef?: string;
  baseSha?: string;
}

export interface RunOptions {
  id: number;
  /** The current attempt (default 1). Earlier attempts read as completed with `attemptConclusions[n]` or failure. */
  attempt?: number;
  workflowId?: number;
  workflowName?: string;
  /** Default `.github/workflows/smoke.yml`; its file name also selects the workflow in REST paths. */
  path?: string;
  branch?: string;
  sha?: string;
  event?: string;
  status?: RunStatus;
  conclusion?: Conclusion | null;
  createdAt?: Date | string;
  pullRequests?: PullRequestRef[];
  attemptConclusions?: Record<number, Conclusion | null>;
  /** `owner/repo`; default the service's repository. */
  repository?: string;
}

export interface Run {
  id: number;
  attempt: number;
  workflowId: number;
  workflowName: string;
  path: string;
  branch: string;
  sha: string;
  event: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  createdAt: string;
  updatedAt: string;
  pullRequests: PullRequestRef[];
  attemptConclusions: Record<number, Conclusion | null>;
  repository: string;
  backendId: string;
}

export interface Artifact {
  id: number;
  name: string;
  runId: number;
  /** The run attempt that uploaded it. */
  attempt: number;
  /** GITHUB_JOB of the uploading job. */
  jobId: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  blobName: string;
  /** Bytes committed to blob storage (known once finalized). */
  size: number;
  /** The size the client declared in FinalizeArtifact (seeded artifacts: the real size). */
  declaredSize: number;
  /** `sha256:<hex>` as the client reported it in FinalizeArtifact, or undefined when it sent none. */
  digest: string | undefined;
  mimeType: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /** Forced expiry; an artifact is also expired once `expiresAt` has passed. */
  expired: boolean;
  finalized: boolean;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRequest {
  method: 'POST' | 'PATCH';
  body: Record<string, unknown>;
}

export interface CheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation, appended in request order (as GitHub does across PATCHes). */
  annotations: Annotation[];
  /** Every accepted request body in order; rejected ones (422) are in the service log. */
  requests: CheckRunRequest[];
}

export interface JobRef {
  runId: number;
  attempt: number;
  jobId: string;
}

export const isoDate = (value: Date | string | undefined, fallback: Date = new Date()): string =>
  (value === undefined ? fallback : new Date(value)).toISOString();

export class State {
  readonly repository: string;
  readonly runs: Run[] = [];
  readonly artifacts: Artifact[] = [];
  readonly checkRuns: CheckRun[] = [];
  readonly #jobs = new Map<string, JobRef>();
  #nextArtifactId = 7_000_001;
  #nextCheckRunId = 30_000_001;

  constructor(repository: string) {
    this.repository = repository;
  }

  addRun(options: RunOptions): Run {
    if (!Number.isSafeInteger(options.id) || options.id < 1) throw new Error(`run id must be a positive integer`);
    if (this.run(options.id)) throw new Error(`run ${options.id} already exists`);
    const path = options.path ?? '.github/workflows/smoke.yml';
    const status = options.status ?? 'completed';
    const createdAt = isoDate(options.createdAt);
    const run: Run = {
      id: options.id,
      attempt: options.attempt ?? 1,
      workflowId: options.workflowId ?? 4_242,
      workflowName: options.workflowName ?? 'Smoke',
      path,
      branch: options.branch ?? 'main',
      sha: options.sha ?? crypto.createHash('sha1').update(`sha:${options.id}`).digest('hex'),
      event: options.event ?? 'push',
      status,
      conclusion: options.conclusion !== undefined ? options.conclusion : status === 'completed' ? 'success' : null,
      createdAt,
      updatedAt: createdAt,
      pullRequests: options.pullRequests ?? [],
      attemptConclusions: options.attemptConclusions ?? {},
      repository: options.repository ?? this.repository,
      backendId: runBackendId(options.id),
    };
    this.runs.push(run);
    return run;
  }

  run(id: number): Run | undefined {
    return this.runs.find((run) => run.id === id);
  }

  runByBackendId(backendId: string): Run | undefined {
    return this.runs.find((run) => run.backendId === backendId);
  }

  /** Registers (idempotently) the job of a run attempt and returns its backend ids. */
  registerJob(runId: number, attempt: number, jobId: string): BackendIds {
    const job = jobBackendId(runId, attempt, jobId);
    this.#jobs.set(job, { runId, attempt, jobId });
    return { workflowRunBackendId: runBackendId(runId), workflowJobRunBackendId: job };
  }

  job(jobBackendIdValue: string): JobRef | undefined {
    return this.#jobs.get(jobBackendIdValue);
  }

  newArtifactId(): number {
    return this.#nextArtifactId++;
  }

  newCheckRunId(): number {
    return this.#nextCheckRunId++;
  }

  artifact(id: number): Artifact | undefined {
    return this.artifacts.find((artifact) => artifact.id === id);
  }

  removeArtifact(artifact: Artifact): void {
    const index = this.artifacts.indexOf(artifact);
    if (index >= 0) this.artifacts.splice(index, 1);
  }

  isExpired(artifact: Artifact, now = Date.now()): boolean {
    return artifact.expired || Date.parse(artifact.expiresAt) <= now;
  }

  /** Repositories this service answers for: its own, and any a run was added to. */
  knowsRepository(fullName: string): boolean {
    const wanted = fullName.toLowerCase();
    return wanted === this.repository.toLowerCase() || this.runs.some((run) => run.repository.toLowerCase() === wanted);
  }
}

/** A stable numeric id for a repository name, as REST payloads carry one. */
export function repositoryId(fullName: string): number {
  return 100_000_000 + (crypto.createHash('sha1').update(fullName.toLowerCase()).digest().readUInt32BE(0) % 900_000_000);
}

export const blobNameFor = (ids: BackendIds, artifactName: string): string =>
  `${ids.workflowRunBackendId}/workflow-job-run-${ids.workflowJobRunBackendId}/artifacts/${crypto
    .createHash('sha256')
    .update(artifactName)
    .digest('hex')}.zip`;
