/**
 * The merge of shard reports into one: every shard's results, what became of each shard, and every reason the
 * merge cannot vouch for the whole suite. It never passes by omission: a missing shard, a report that could not be
 * read, shards that split the suite differently, a fixture in two shards or in none, each is a problem that fails
 * the result, while the results the shards did report are kept. Pure: the front doors bring the reports (the
 * Action from this run's artifacts, the CLI from files), and merged-report.ts builds report.json from this.
 *
 * Each thing a merged report holds is merged by its own small function below; a later field joins the same way.
 */
import { clip, REPORT_LIMITS as L } from '../report/limits.ts';
import { failedFixtureIds } from '../report/outcome.ts';
import type { FixtureResult, History, MergedShard, MergeProblem, Mode, NotCoveredFixture, Quarantine, Report, RerunSource } from '../report/schema.ts';
import { mergedHistory } from '../history/outcomes.ts';
import type { StopCode } from '../report/stop-codes.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';

/** Where a shard report came from: its artifact in the Action, nothing more for a file. */
export interface ShardArtifactRef {
  id: string | null;
  name: string | null;
  job: string | null;
  attempt: number | null;
}

/** A shard report as a front door obtained it: read and validated, or the reason it could not be. */
export interface ShardInput {
  /** From the artifact's name, else from the report itself; null when neither says (a file that cannot be read). */
  index: number | null;
  total: number | null;
  /** How it is named in messages: the artifact's name, or the file's path. */
  label: string;
  artifact: ShardArtifactRef | null;
  read: { report: Report; digest: string } | { code: StopCode; message: string };
}

export interface MergeOptions {
  /** Why a shard that nothing was found for is missing, in the front door's words. */
  describeMissing: (index: number, total: number) => string;
}

/** Where a merge gets its shard reports: this run's artifacts (the Action), or files (the CLI). */
export interface ShardReportSource extends MergeOptions {
  /** Finds and reads the shard reports; a PreflightError when they cannot even be looked for (no permission…). */
  acquireShards: () => Promise<ShardInput[]>;
  /** Why there is no shard report at all, in the front door's words. */
  describeNothing: string;
  /** For the shards of a rerun: the source report they reran from, as they recorded it; or a PreflightError saying why not. */
  acquireRerunSource?: (recorded: RerunSource) => Promise<AcquiredSource>;
}

export interface MergedShards {
  /** The lowest merged shard's report: what all shards share (mode, options, selection, base URL). Null when none was read. */
  base: Report | null;
  mode: Mode | null;
  /** Every result the shards reported, in the order of the partition. */
  fixtures: FixtureResult[];
  /** Everything that was partitioned: the whole selection. */
  selected: string[];
  /** Patterns or ids the shards' selections did not find. */
  missing: string[];
  shards: MergedShard[];
  problems: MergeProblem[];
  interrupted: Report['interrupted'];
  warnings: string[];
  startedAt: string | null;
  durationMs: number;
  failOnFlaky: boolean;
  /** What the shards of a rerun reran from (they all must agree); null for any other run. */
  rerunSource: RerunSource | null;
  /** The shards' histories as one: each fixture's from the shard that ran it. Null when no shard kept one. */
  history: History | null;
  /** Every fixture a shard quarantined. Null when no shard recorded a quarantine. */
  quarantine: Quarantine | null;
  /** A rerun: the fixtures new or changed since its source that no shard ran (each shard lists the same ones). */
  notCovered: NotCoveredFixture[];
}

/** A shard whose report was read, as the merge uses it. */
interface ReadShard {
  index: number;
  total: number;
  input: ShardInput;
  report: Report & { shard: NonNullable<Report['shard']> };
}

const MAX_NAMED = 20;

export function mergeShardReports(inputs: readonly ShardInput[], options: MergeOptions): MergedShards {
  const problems: MergeProblem[] = [];
  const { read, rejected } = readShards(inputs, problems);
  const total = totalOf(inputs, read, problems);
  const shards = shardEntries(read, rejected, total, options, problems);
  const merged = read.filter((shard) => !isStopped(shard.report));
  checkPartitions(read, problems);
  const mode = modeOf(merged, problems);
  const rerunSource = rerunSourceOf(merged, problems);
  const fixtures = fixturesOf(read, problems);
  const selected = selectionOf(read);
  problems.push(...noResultProblems(selected, fixtures, shards));
  const base = merged[0]?.report ?? read[0]?.report ?? null;
  return {
    base,
    mode,
    fixtures: inPartitionOrder(fixtures, selected),
    selected,
    missing: [...new Set(read.flatMap((shard) => shard.report.selection.missing))],
    shards,
    problems,
    interrupted: interruptedOf(read),
    warnings: [...new Set(read.flatMap((shard) => [...noticeOf(shard.report), ...shard.report.warnings]))],
    ...spanOf(read),
    failOnFlaky: read.some((shard) => shard.report.options.failOnFlaky),
    rerunSource,
    history: mergedHistory(read.map((shard) => ({ history: shard.report.history, ran: shard.report.shard.fixtureIds }))),
    quarantine: quarantineOfShards(read),
    notCovered: notCoveredOfShards(read),
  };
}

/** Each shard of a rerun lists the whole suite's new and changed fixtures it did not run; one a shard ran is covered. */
function notCoveredOfShards(read: readonly ReadShard[]): NotCoveredFixture[] {
  const ran = new Set(read.flatMap((shard) => shard.report.fixtures.map((fixture) => fixture.id)));
  const byId = new Map(read.flatMap((shard) => shard.report.notCovered ?? []).map((fixture) => [fixture.id, fixture]));
  return [...byId.values()].filter((fixture) => !ran.has(fixture.id));
}

/** Every shard decides the quarantine for the whole suite from the same history; the merge keeps each fixture once. */
function quarantineOfShards(read: readonly ReadShard[]): Quarantine | null {
  const decided = read.flatMap((shard) => (shard.report.quarantine ? [shard.report.quarantine] : []));
  const first = decided[0];
  if (!first) return null;
  const byId = new Map(decided.flatMap((quarantine) => quarantine.fixtures).map((fixture) => [fixture.id, fixture]));
  return { mode: first.mode, threshold: first.threshold, fixtures: [...byId.values()] };
}

/** Reports that hold a shard's part; any other input is rejected, each with a problem of its own. */
function readShards(inputs: readonly ShardInput[], problems: MergeProblem[]): { read: ReadShard[]; rejected: ShardInput[] } {
  const read: ReadShard[] = [];
  const rejected: ShardInput[] = [];
  const reject = (input: ShardInput, message: string) => {
    rejected.push(input);
    problems.push(problem('shard-report-invalid', message, input.index));
  };
  for (const input of inputs) {
    if (!('report' in input.read)) {
      reject(input, `${input.label} (${input.read.code}): ${input.read.message}`);
      continue;
    }
    const shard = input.read.report.shard;
    const named = input.index !== null && input.total !== null ? `shard ${input.index} of ${input.total}` : null;
    if (!shard) reject(input, `${input.label} is not a shard's report: it has no \`shard\` (it was run without shard: i/n).`);
    else if (named && (shard.index !== input.index || shard.total !== input.total)) {
      reject(input, `${input.label} is named ${named}, but its report is shard ${shard.index} of ${shard.total}.`);
    } else read.push({ index: shard.index, total: shard.total, input, report: { ...input.read.report, shard } });
  }
  return { read: read.sort((a, b) => a.index - b.index), rejected };
}

/** How many shards there should be: what the shards say (and the artifacts' names), which must agree. */
function totalOf(inputs: readonly ShardInput[], read: readonly ReadShard[], problems: MergeProblem[]): number {
  const totals = new Set([...inputs.map((input) => input.total), ...read.map((shard) => shard.total)].filter((total) => total !== null));
  if (totals.size > 1) {
    const sayings = read.map((shard) => `${shard.input.label} is ${shard.index} of ${shard.total}`);
    problems.push(problem('shard-fingerprint-mismatch', `The shards disagree on how many there are (${[...totals].join(', ')}): ${named(sayings)}.`, null));
  }
  return Math.max(0, ...totals);
}

function shardEntries(
  read: readonly ReadShard[],
  rejected: readonly ShardInput[],
  total: number,
  options: MergeOptions,
  problems: MergeProblem[],
): MergedShard[] {
  const entries: MergedShard[] = [];
  for (let index = 1; index <= total; index++) {
    const claims = read.filter((shard) => shard.index === index);
    const [shard, ...others] = claims;
    if (others.length > 0) {
      const labels = claims.map((claim) => claim.input.label);
      problems.push(problem('shard-fingerprint-mismatch', `${labels.length} reports are shard ${index} of ${total}: ${named(labels)}. Give each sharded job its own artifact-name.`, index));
    }
    if (shard) {
      entries.push(readEntry(shard, problems));
      continue;
    }
    const invalid = rejected.find((input) => input.index === index);
    if (invalid) {
      entries.push(emptyEntry(index, total, 'invalid', invalid.artifact));
    } else {
      problems.push(problem('shard-missing', `Shard ${index} of ${total} is missing: ${options.describeMissing(index, total)}`, index));
      entries.push(emptyEntry(index, total, 'missing', null));
    }
  }
  return entries;
}

function readEntry(shard: ReadShard, problems: MergeProblem[]): MergedShard {
  const { report } = shard;
  const stopped = isStopped(report);
  if (stopped && report.preflight) {
    const message = `Shard ${shard.index} of ${shard.total} stopped before running any fixture (${report.preflight.code}): ${report.preflight.message}`;
    // Its fixtures are named once, by the problem of the fixtures without a result.
    problems.push(problem(report.preflight.code, message, shard.index));
  }
  const { total, passed, failed, flaky, skipped } = report.summary;
  return {
    ...emptyEntry(shard.index, shard.total, stopped ? 'stopped' : 'merged', shard.input.artifact),
    fingerprint: report.shard.partition?.fingerprint ?? null,
    counts: { total, passed, failed, flaky, skipped },
    result: report.result,
    failedFixtureIds: failedFixtureIds(report.fixtures),
  };
}

function emptyEntry(index: number, total: number, status: MergedShard['status'], artifact: ShardArtifactRef | null): MergedShard {
  return {
    index,
    total,
    status,
    job: artifact?.job ?? null,
    attempt: artifact?.attempt ?? null,
    artifactId: artifact?.id ?? null,
    artifactName: artifact?.name ?? null,
    fingerprint: null,
    counts: null,
    result: null,
    failedFixtureIds: [],
  };
}

/** A shard that stopped on a notice (nothing to rerun, allowed to pass) says so once in the merged report. */
function noticeOf(report: Report): string[] {
  return report.preflight?.severity === 'notice' ? [`${report.preflight.code}: ${report.preflight.message}`] : [];
}

/** A shard that stopped with an error before running anything: its part has no results. */
function isStopped(report: Report): boolean {
  return report.preflight?.severity === 'error';
}

/** Every shard of one run computes the same partition; one that did not is a part of another whole. */
function checkPartitions(read: readonly ReadShard[], problems: MergeProblem[]): void {
  const byFingerprint = new Map<string, ReadShard[]>();
  for (const shard of read) {
    const partition = shard.report.shard.partition;
    if (partition) byFingerprint.set(partition.fingerprint, [...(byFingerprint.get(partition.fingerprint) ?? []), shard]);
  }
  if (byFingerprint.size > 1) {
    const groups = [...byFingerprint.entries()].map(([fingerprint, shards]) => {
      const partition = shards[0]!.report.shard.partition!;
      const source = partition.durationSource;
      const how = source ? `the durations of ${source.runId ? `run ${source.runId}` : `a report (${source.digest.slice(7, 19)})`}` : 'count';
      const which = shards.length === 1 ? `shard ${shards[0]!.index}` : `shards ${named(shards.map((shard) => String(shard.index)))}`;
      return `${which} split ${partition.fixtureIds.length} fixtures by ${how} (${fingerprint.slice(7, 19)})`;
    });
    problems.push(problem('shard-fingerprint-mismatch', `The shards split the suite differently, so they are not parts of one partition: ${groups.join('; ')}.`, null));
  }
}

function modeOf(merged: readonly ReadShard[], problems: MergeProblem[]): Mode | null {
  const modes = new Set(merged.map((shard) => shard.report.mode));
  if (modes.size > 1) {
    const listed = merged.map((shard) => `shard ${shard.index}: ${shard.report.mode}`);
    problems.push(problem('shard-fingerprint-mismatch', `The shards ran in different modes (${named(listed)}), so they are not parts of one run.`, null));
  }
  return merged[0]?.report.mode ?? null;
}

/** The shards of one rerun read one source report; shards that read different ones reran different failures. */
function rerunSourceOf(merged: readonly ReadShard[], problems: MergeProblem[]): RerunSource | null {
  const reruns = merged.filter((shard) => shard.report.mode === 'rerun-failed' && shard.report.selection.source);
  const digests = new Set(reruns.map((shard) => shard.report.selection.source!.digest));
  if (digests.size > 1) {
    const listed = reruns.map((shard) => `shard ${shard.index}: run ${shard.report.selection.source!.runId ?? '(local)'} (${shard.report.selection.source!.digest.slice(7, 19)})`);
    problems.push(problem('shard-fingerprint-mismatch', `The shards reran from different source reports (${named(listed)}).`, null));
  }
  return reruns[0]?.report.selection.source ?? null;
}

/**
 * Every result the shards reported. A fixture in the part of two shards, or with a result in two shard reports, is
 * a problem (the first shard's result is kept): the shards did not split the suite into disjoint parts.
 */
function fixturesOf(read: readonly ReadShard[], problems: MergeProblem[]): FixtureResult[] {
  const byId = new Map<string, FixtureResult>();
  const owners = new Map<string, Set<number>>();
  const own = (id: string, index: number) => owners.set(id, (owners.get(id) ?? new Set()).add(index));
  for (const shard of read) {
    for (const id of shard.report.shard.fixtureIds) own(id, shard.index);
    for (const result of shard.report.fixtures) {
      own(result.id, shard.index);
      if (!byId.has(result.id)) byId.set(result.id, { ...result, attempts: result.attempts.map(withoutEvidence) });
    }
  }
  const shared = [...owners.entries()].filter(([, indices]) => indices.size > 1);
  if (shared.length > 0) {
    const listed = shared.map(([id, indices]) => `${id} (shards ${[...indices].join(', ')})`);
    const message = `${count(shared.length, 'fixture is', 'fixtures are')} in two shards (in their parts, or with a result in their reports): ${named(listed)}.`;
    problems.push(problem('fixture-in-two-shards', message, null, shared.map(([id]) => id)));
  }
  return [...byId.values()];
}

/**
 * Evidence files stay in each shard's artifact: the merge reads only report.json, so a path here would point at
 * nothing. The shards table says whose artifact holds each failure.
 */
function withoutEvidence(attempt: FixtureResult['attempts'][number]): FixtureResult['attempts'][number] {
  return { ...attempt, evidence: null };
}

/** The whole selection: every shard records what was partitioned. */
function selectionOf(read: readonly ReadShard[]): string[] {
  return [...new Set(read.flatMap((shard) => shard.report.shard.partition?.fixtureIds ?? shard.report.shard.fixtureIds))];
}

/** Fixtures of the selection that no shard reported: the merge cannot say they passed. */
function noResultProblems(selected: readonly string[], fixtures: readonly FixtureResult[], shards: readonly MergedShard[]): MergeProblem[] {
  const reported = new Set(fixtures.map((fixture) => fixture.id));
  const without = selected.filter((id) => !reported.has(id));
  if (without.length === 0) return [];
  const absent = shards.filter((shard) => shard.status !== 'merged').map((shard) => `${shard.index} (${shard.status})`);
  const why = absent.length > 0 ? ` They belong to shards that reported nothing: ${named(absent)}.` : '';
  const message = `${count(without.length, 'fixture of the selection has', 'fixtures of the selection have')} no result in any shard report: ${named(without)}.${why}`;
  return [problem('fixture-in-no-shard', message, null, without)];
}

function inPartitionOrder(fixtures: readonly FixtureResult[], selected: readonly string[]): FixtureResult[] {
  const position = new Map(selected.map((id, index) => [id, index]));
  const rank = (fixture: FixtureResult) => position.get(fixture.id) ?? Number.MAX_SAFE_INTEGER;
  return [...fixtures].sort((a, b) => rank(a) - rank(b));
}

function interruptedOf(read: readonly ReadShard[]): Report['interrupted'] {
  const shard = read.find((candidate) => candidate.report.interrupted);
  if (!shard?.report.interrupted) return null;
  return { ...shard.report.interrupted, message: `Shard ${shard.index} of ${shard.total}: ${shard.report.interrupted.message}` };
}

/** From the first shard's start to the last one's end: how long the matrix took. */
function spanOf(read: readonly ReadShard[]): { startedAt: string | null; durationMs: number } {
  if (read.length === 0) return { startedAt: null, durationMs: 0 };
  const starts = read.map((shard) => Date.parse(shard.report.startedAt));
  const ends = read.map((shard, index) => starts[index]! + shard.report.durationMs);
  const start = Math.min(...starts);
  return { startedAt: new Date(start).toISOString(), durationMs: Math.max(...ends) - start };
}

function problem(code: StopCode, message: string, shard: number | null, fixtureIds: readonly string[] = []): MergeProblem {
  return { code, message: clip(message, L.maxMessageChars), shard, fixtureIds: fixtureIds.slice(0, L.maxFixtures) };
}

/** "a, b, c and 4 more". */
function named(items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMED).join(', ');
  return items.length > MAX_NAMED ? `${shown} and ${items.length - MAX_NAMED} more` : shown;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
