/**
 * How evenly `shard: i/n` splits a suite. The partition is a pure function of the selected ids and the previous
 * run's durations, so this is a simulation: N fixtures with skewed durations (most pages take 1-3 s, a few slow
 * ones 15-40 s), split over S shards by the partition every job computes (src/shard/partition.ts), balanced by
 * those durations and, for comparison, by count. The figure is the longest shard's time (what the matrix waits
 * for) against the ideal, total / S.
 *
 * Durations change from run to run, so it also splits by one run's durations and times the shards with the next
 * run's (each fixture's duration moved by up to ±`--noise`), which is what a real matrix sees. Every seed is a
 * different suite; the table shows each, then the worst.
 *
 *   node bench/shard.ts [--fixtures 200] [--shards 4] [--slow 8] [--seeds 5] [--noise 0.2]
 */
import { parseArgs } from 'node:util';
import { type DurationSource, longestPart, partitionFixtures } from '../src/shard/partition.ts';

/** The duration-balanced figure the sharding feature promises for the default suite. */
const PROMISED_RATIO = 1.15;

function options() {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: '200' },
      shards: { type: 'string', default: '4' },
      slow: { type: 'string', default: '8' },
      seeds: { type: 'string', default: '5' },
      noise: { type: 'string', default: '0.2' },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${text}"`);
    return value;
  };
  const noise = Number(values.noise);
  if (!(noise >= 0 && noise < 1)) throw new Error(`--noise must be a fraction from 0 to below 1, got "${values.noise}"`);
  return { fixtures: count('fixtures', values.fixtures, 2), shards: count('shards', values.shards, 1), slow: count('slow', values.slow, 0), seeds: count('seeds', values.seeds, 1), noise };
}

/** mulberry32: a small seeded generator, so every run of the benchmark sees the same suites. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A suite in the order fixture files list it: most pages 1-3 s, `slow` of them 15-40 s, scattered through it. */
function suiteOf(fixtures: number, slow: number, next: () => number): Map<string, number> {
  const slowAt = new Set<number>();
  while (slowAt.size < Math.min(slow, fixtures)) slowAt.add(Math.floor(next() * fixtures));
  const durations = new Map<string, number>();
  for (let index = 0; index < fixtures; index++) {
    const ms = slowAt.has(index) ? 15_000 + next() * 25_000 : 1_000 + next() * 2_000;
    durations.set(`page-${String(index).padStart(4, '0')}`, Math.round(ms));
  }
  return durations;
}

interface Figures {
  ideal: number;
  byDuration: number;
  byCount: number;
  /** Split by this run's durations, timed with the next run's. */
  byDurationNextRun: number;
  byCountNextRun: number;
  idealNextRun: number;
}

function measure(durations: Map<string, number>, shards: number, noise: number, next: () => number): Figures {
  const ids = [...durations.keys()];
  const source: DurationSource = { runId: 'previous', digest: `sha256:${'0'.repeat(64)}`, durations };
  const byDuration = partitionFixtures(ids, shards, source);
  const byCount = partitionFixtures(ids, shards, null);
  const nextRun = new Map(ids.map((id) => [id, Math.round(durations.get(id)! * (1 + (next() * 2 - 1) * noise))]));
  const total = (map: Map<string, number>) => [...map.values()].reduce((sum, ms) => sum + ms, 0);
  const of = (map: Map<string, number>) => (id: string) => map.get(id) ?? 0;
  return {
    ideal: total(durations) / shards,
    byDuration: longestPart(byDuration, of(durations)),
    byCount: longestPart(byCount, of(durations)),
    idealNextRun: total(nextRun) / shards,
    byDurationNextRun: longestPart(byDuration, of(nextRun)),
    byCountNextRun: longestPart(byCount, of(nextRun)),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (value: number) => `${value.toFixed(3)}x`;

function main(): void {
  const opts = options();
  console.log(
    `${opts.fixtures} fixtures (${opts.slow} slow: 15-40 s, the rest 1-3 s) over ${opts.shards} shards; ` +
      `the next run moves each duration by up to ±${Math.round(opts.noise * 100)}%.\n`,
  );
  console.log('| seed | total | ideal (total / shards) | by duration | by count | next run: by duration | next run: by count |');
  console.log('|---|---|---|---|---|---|---|');
  let worst = { byDuration: 0, byCount: 0, byDurationNextRun: 0, byCountNextRun: 0 };
  for (let seed = 1; seed <= opts.seeds; seed++) {
    const next = random(seed);
    const figures = measure(suiteOf(opts.fixtures, opts.slow, next), opts.shards, opts.noise, next);
    const r = {
      byDuration: figures.byDuration / figures.ideal,
      byCount: figures.byCount / figures.ideal,
      byDurationNextRun: figures.byDurationNextRun / figures.idealNextRun,
      byCountNextRun: figures.byCountNextRun / figures.idealNextRun,
    };
    worst = {
      byDuration: Math.max(worst.byDuration, r.byDuration),
      byCount: Math.max(worst.byCount, r.byCount),
      byDurationNextRun: Math.max(worst.byDurationNextRun, r.byDurationNextRun),
      byCountNextRun: Math.max(worst.byCountNextRun, r.byCountNextRun),
    };
    console.log(
      `| ${seed} | ${seconds(figures.ideal * opts.shards)} | ${seconds(figures.ideal)} | ${seconds(figures.byDuration)} (**${ratio(r.byDuration)}**) | ` +
        `${seconds(figures.byCount)} (${ratio(r.byCount)}) | ${ratio(r.byDurationNextRun)} | ${ratio(r.byCountNextRun)} |`,
    );
  }
  console.log(
    `| worst | | | **${ratio(worst.byDuration)}** | ${ratio(worst.byCount)} | ${ratio(worst.byDurationNextRun)} | ${ratio(worst.byCountNextRun)} |`,
  );
  const verdict = worst.byDuration <= PROMISED_RATIO ? 'within' : 'OVER';
  console.log(`\nLongest shard, balanced by duration: at most ${ratio(worst.byDuration)} the ideal (${verdict} the promised ${PROMISED_RATIO}x).`);
  if (worst.byDuration > PROMISED_RATIO) process.exitCode = 1;
}

main();
