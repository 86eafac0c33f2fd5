/**
 * Shard reports as the engine writes them, without a browser: the real partition of a suite, and for each shard a
 * report built by the report builder with its part's results. For the merge's unit tests; the Action and CLI tests
 * run real shards.
 */
import { buildReport } from '../../src/report/build.ts';
import type { Report, ShardOfReport } from '../../src/report/schema.ts';
import type { ShardInput } from '../../src/shard/merge.ts';
import { type DurationSource, partitionFixtures, type ShardPartition } from '../../src/shard/partition.ts';
import { attempt, baseInput, context, loaded, run, suite } from './report-helpers.ts';

export type Outcome = 'passed' | 'failed';

/** The partition every shard of a run computes, and what it records of it. */
export function partitionOf(ids: readonly string[], total: number, durations: DurationSource | null = null): ShardPartition {
  return partitionFixtures(ids, total, durations);
}

export function shardOf(partition: ShardPartition, index: number): ShardOfReport {
  const { total, parts, ...recorded } = partition;
  return { index, total, fixtureIds: parts[index - 1] ?? [], partition: recorded };
}

/** Shard `index`'s report: its part's fixtures with the given outcomes (passed unless named). */
export function shardReport(
  partition: ShardPartition,
  index: number,
  outcomes: Record<string, Outcome> = {},
  extra: { shard?: ShardOfReport; runAttempt?: number; mode?: Report['mode'] } = {},
): Report {
  const shard = extra.shard ?? shardOf(partition, index);
  const runs = shard.fixtureIds.map((id) =>
    run(loaded(id), [attempt(id, 1, outcomes[id] === 'failed' ? { kind: 'assertion', message: `${id} failed` } : undefined, 1000 + index)]),
  );
  return buildReport(
    baseInput(suite(runs), {
      run: context(undefined, { runAttempt: extra.runAttempt ?? 1 }),
      shard,
      mode: extra.mode ?? 'full',
      selection: { fixturesDir: 'fixtures', patterns: [], tags: [], sample: null, sampleSeed: null, selected: shard.fixtureIds, missing: [] },
    }),
  );
}

/** A shard report as the Action hands it to the merge: from its artifact. */
export function fromArtifact(report: Report, attemptNumber = 1): ShardInput {
  const shard = report.shard!;
  const name = `reliability-smoke-shard-${shard.index}-of-${shard.total}-smoke-attempt-${attemptNumber}`;
  return {
    index: shard.index,
    total: shard.total,
    label: `the artifact "${name}"`,
    artifact: { id: String(100 + shard.index), name, job: 'smoke', attempt: attemptNumber },
    read: { report, digest: `sha256:${String(shard.index).repeat(64).slice(0, 64)}` },
  };
}

export const describeMissing = (index: number, total: number) => `no artifact for shard ${index} of ${total}.`;
