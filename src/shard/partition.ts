/**
 * The partition of a selection into n shards. Every job of a matrix computes it on its own, so it is a pure function
 * of what every job sees alike: the selected ids (in suite order), n, and the durations of the previous run's
 * report. With durations it is LPT (longest processing time first: the slowest fixture goes to the part with the
 * least work so far), which keeps the longest part close to the ideal total/n; fixtures the previous run did not
 * time count as the median of those it did. Without durations every fixture weighs the same, which balances by
 * count. Ties break by id and then by part number, never by chance, so equal inputs give an equal partition.
 *
 * The fingerprint is the sha256 of the partition itself (n and the sorted ids of each part): the merge compares
 * the shards' fingerprints to know they are parts of one whole.
 */
import { createHash } from 'node:crypto';
import type { FixtureResult, Partition } from '../report/schema.ts';

/** Where durations come from: a previous report (its run and digest), and each fixture's duration there. */
export interface DurationSource {
  runId: string | null;
  /** "sha256:<hex>" of the report (or reports) read. */
  digest: string;
  durations: ReadonlyMap<string, number>;
}

export interface ShardPartition extends Partition {
  total: number;
  /** The ids of each part, in suite order; part i (1-based) is parts[i - 1]. */
  parts: string[][];
}

/** What a fixture took in a report: every attempt's time, retries included. Fixtures that never ran have none. */
export function durationsOf(fixtures: readonly Pick<FixtureResult, 'id' | 'attempts' | 'durationMs'>[]): Map<string, number> {
  const durations = new Map<string, number>();
  for (const fixture of fixtures) if (fixture.attempts.length > 0) durations.set(fixture.id, fixture.durationMs);
  return durations;
}

export function partitionFixtures(ids: readonly string[], total: number, source: DurationSource | null): ShardPartition {
  const known = source ? ids.flatMap((id) => (source.durations.has(id) ? [source.durations.get(id)!] : [])) : [];
  const byDuration = source !== null && known.length > 0;
  const fallback = byDuration ? median(known) : 1;
  // A fixture that took 0 ms still costs a session; weights of at least 1 keep every fixture counted.
  const weightOf = (id: string) => Math.max(1, byDuration ? (source.durations.get(id) ?? fallback) : 1);
  const heaviestFirst = [...new Set(ids)]
    .map((id) => ({ id, weight: weightOf(id) }))
    .sort((a, b) => b.weight - a.weight || compareIds(a.id, b.id));
  const loads = Array.from({ length: total }, () => 0);
  const members = Array.from({ length: total }, () => new Set<string>());
  for (const { id, weight } of heaviestFirst) {
    const lightest = indexOfLightest(loads, members);
    loads[lightest]! += weight;
    members[lightest]!.add(id);
  }
  const parts = members.map((part) => ids.filter((id) => part.has(id)));
  return {
    total,
    parts,
    fixtureIds: [...ids],
    balancedBy: byDuration ? 'duration' : 'count',
    durationSource: byDuration ? { runId: source.runId, digest: source.digest } : null,
    fingerprint: partitionFingerprint(total, parts),
  };
}

/** The part with the least work; on a tie the one with fewer fixtures, then the first. */
function indexOfLightest(loads: readonly number[], members: readonly Set<string>[]): number {
  let best = 0;
  for (let index = 1; index < loads.length; index++) {
    const fewer = loads[index]! === loads[best]! && members[index]!.size < members[best]!.size;
    if (loads[index]! < loads[best]! || fewer) best = index;
  }
  return best;
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** sha256 of the canonical partition: the number of parts and each part's ids, sorted. */
export function partitionFingerprint(total: number, parts: readonly (readonly string[])[]): string {
  const canonical = JSON.stringify({ total, parts: parts.map((part) => [...part].sort(compareIds)) });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** The longest part's total weight: what a matrix waits for. */
export function longestPart(partition: Pick<ShardPartition, 'parts'>, durationOf: (id: string) => number): number {
  return Math.max(0, ...partition.parts.map((part) => part.reduce((sum, id) => sum + durationOf(id), 0)));
}
