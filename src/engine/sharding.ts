/**
 * A shard's run (`shard: i/n`): the selection is partitioned, balanced by the previous run's durations, and this job
 * runs its part. A rerun's shards partition the failed set, so each reruns its share, and report only that: the
 * merge job carries the other results over, once, for the whole suite.
 */
import { errorText } from '../common/text.ts';
import type { Logger } from '../common/types.ts';
import type { ShardSpec } from '../options/values.ts';
import type { RerunMerger } from '../report/build.ts';
import type { ShardOfReport } from '../report/schema.ts';
import { carryOver, markRerunOnly, type RerunInput } from '../rerun/carry-over.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import { type DurationSource, durationsOf, partitionFixtures } from '../shard/partition.ts';
import type { Planned, SmokeRequest } from './request.ts';

/** "shard 2 of 4". */
export const shardLabel = (shard: ShardSpec): string => `shard ${shard.index} of ${shard.total}`;

/** Narrows the plan to this shard's part of the selection. */
export async function planShard(request: SmokeRequest, logger: Logger, planned: Planned, source: AcquiredSource | null): Promise<Planned> {
  const spec = request.options.shard;
  if (!spec) return planned;
  const durations = source ? durationsFromSource(source) : await durationsFromRequest(request, logger);
  const partition = partitionFixtures(planned.selected.map((fixture) => fixture.id), spec.total, durations);
  const part = new Set(partition.parts[spec.index - 1] ?? []);
  const selected = planned.selected.filter((fixture) => part.has(fixture.id));
  const how =
    partition.durationSource === null
      ? 'by count (no earlier durations)'
      : `by the durations of ${partition.durationSource.runId ? `run ${partition.durationSource.runId}` : 'the previous report'}`;
  logger.info(`${capitalized(shardLabel(spec))}: ${selected.length} of the ${planned.selected.length} selected fixtures, balanced ${how}.`);
  if (selected.length === 0) logger.info(`Nothing of the selection falls in ${shardLabel(spec)}: it runs nothing and passes.`);
  const { total: _total, parts: _parts, ...recorded } = partition;
  const fixtureIds = selected.map((fixture) => fixture.id);
  // The report's selection is what this job runs; the partition records the whole selection it is a part of.
  const reasons = Object.fromEntries(fixtureIds.map((id) => [id, `${planned.reasons[id] ?? 'selected'}, in ${shardLabel(spec)}`]));
  return {
    ...planned,
    selected,
    reasons,
    selection: { ...planned.selection, selected: fixtureIds },
    shard: { ...spec, fixtureIds, partition: recorded },
  };
}

/** The shard a report records when the run stopped before its part was known. */
export function unplannedShard(spec: ShardSpec | null): ShardOfReport | null {
  return spec ? { ...spec, fixtureIds: [], partition: null } : null;
}

/** How a rerun's results meet its source: carried over, or for a shard only marked (the merge job carries over). */
export function rerunMergerOf(rerun: RerunInput, shard: ShardSpec | null): RerunMerger {
  if (!shard) return carryOver(rerun);
  return markRerunOnly(rerun, `This is ${shardLabel(shard)}: it reran its part of the failed fixtures; the merge job carries the other results over.`);
}

function durationsFromSource(source: AcquiredSource): DurationSource {
  return { runId: source.origin.runId ?? source.report.run.runId, digest: source.origin.digest, durations: durationsOf(source.report.fixtures) };
}

async function durationsFromRequest(request: SmokeRequest, logger: Logger): Promise<DurationSource | null> {
  if (!request.acquireDurations) return null;
  try {
    return await request.acquireDurations();
  } catch (error) {
    logger.warn(`The durations of the previous run could not be read (${errorText(error)}); the parts are balanced by count.`);
    return null;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
