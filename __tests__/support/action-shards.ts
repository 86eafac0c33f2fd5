/**
 * Sharded runs of the Action on the loopback GitHub: several jobs of one run, each a step of the Action run
 * in-process with its own GITHUB_JOB, attempt and runtime token, each uploading through the real @actions/artifact
 * client; then the merge job. Built on the rerun helpers (one page per fixture id, runs with explicit shas).
 */
import assert from 'node:assert/strict';
import type { Report } from '../../src/report/schema.ts';
import type { GitHubService } from './github-service/index.ts';
import type { ActionStep } from './in-process-action.ts';
import { artifactOf, logOf, PREFIX, reportOf, step, uploadedReport } from './action-rerun.ts';
import type { Site } from './site.ts';

export const SHARD_JOB = 'smoke';
export const MERGE_JOB = 'merge';

export const shardArtifactName = (index: number, total: number, attempt = 1) => `${PREFIX}-shard-${index}-of-${total}-${SHARD_JOB}-attempt-${attempt}`;
export const mergedArtifactName = (attempt = 1) => `${PREFIX}-merged-${MERGE_JOB}-attempt-${attempt}`;

export interface ShardedRunOptions {
  runId: number;
  attempt?: number;
  total: number;
  site: Site;
  ids: readonly string[];
  /** Inputs every shard gets besides shard and check-name (rerun-failed…). */
  inputs?: Record<string, string>;
  /** Inputs of one shard only, by its index. */
  inputsOf?: Record<number, Record<string, string>>;
}

/** One matrix job: `shard: index/total`, check-name left at its default. */
export function shardStep(service: GitHubService, options: ShardedRunOptions & { index: number }): Promise<ActionStep> {
  return step(service, {
    runId: options.runId,
    ...(options.attempt ? { attempt: options.attempt } : {}),
    site: options.site,
    ids: options.ids,
    env: { jobId: SHARD_JOB },
    inputs: { shard: `${options.index}/${options.total}`, 'check-name': 'reliability-smoke', ...options.inputs, ...options.inputsOf?.[options.index] },
  });
}

/** The given shards of a matrix, one job after another (default: all of them). */
export async function shardJobs(service: GitHubService, options: ShardedRunOptions, indices?: readonly number[]): Promise<Map<number, ActionStep>> {
  const steps = new Map<number, ActionStep>();
  for (const index of indices ?? Array.from({ length: options.total }, (_, at) => at + 1)) steps.set(index, await shardStep(service, { ...options, index }));
  return steps;
}

/** The merge job: `merge: true`, after the matrix. */
export function mergeStep(service: GitHubService, options: { runId: number; attempt?: number; site: Site; ids: readonly string[] }): Promise<ActionStep> {
  return step(service, {
    runId: options.runId,
    ...(options.attempt ? { attempt: options.attempt } : {}),
    site: options.site,
    ids: options.ids,
    env: { jobId: MERGE_JOB },
    inputs: { merge: 'true', 'check-name': 'reliability-smoke' },
  });
}

/** The part each shard ran, as its report records it. */
export function partsOf(steps: ReadonlyMap<number, ActionStep>): Map<number, string[]> {
  return new Map([...steps].map(([index, shard]) => [index, reportOf(shard).shard?.fixtureIds ?? []]));
}

/** The shard (1-based) whose part holds a fixture. */
export function shardHolding(parts: ReadonlyMap<number, readonly string[]>, id: string): number {
  const found = [...parts].find(([, ids]) => ids.includes(id));
  assert.ok(found, `${id} is in some shard's part`);
  return found[0];
}

/** The merged report as uploaded: the artifact downloaded with the real client, digest checked. */
export async function mergedArtifactReport(service: GitHubService, runId: number, merge: ActionStep, attempt = 1): Promise<Report> {
  assert.equal(merge.outputs['artifact-name'], mergedArtifactName(attempt), logOf(merge));
  return uploadedReport(service, artifactOf(service, runId, mergedArtifactName(attempt)));
}
