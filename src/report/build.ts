/**
 * Turns a finished run (or a run that stopped in preflight) into report.json's content. Statuses, counts and the
 * verdict are derived by outcome.ts and never set here, and the result is validated against the schema before it
 * is returned, so every report we write is one we would accept back for a rerun.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { fixtureFingerprint } from '../fixtures/fingerprint.ts';
import { boundedList, clip, placementOf, REPORT_LIMITS as L } from './limits.ts';
import { deriveResult, deriveStatus, deriveSummary } from './outcome.ts';
import {
  type Attempt,
  type FixtureResult,
  type History,
  type MergedShard,
  type MergeProblem,
  type Mode,
  type NotCoveredFixture,
  type PreflightDiagnostic,
  type Quarantine,
  type Report,
  type RerunSource,
  type RunContext,
  type ShardOfReport,
  SCHEMA_VERSION,
  TOOL_NAME,
  checkedOwnReport,
} from './schema.ts';

/** One fixture as the runner finished it: its attempts, or why it never ran. */
export interface FixtureRun {
  fixture: LoadedFixture;
  /** Fully resolved URL of the fixture, or null when it could not be resolved. */
  url: string | null;
  attempts: Attempt[];
  /** Why the fixture never ran (suite timeout, browser unavailable), when it has no attempts. */
  skipReason: string | null;
}

export type Interruption = NonNullable<Report['interrupted']>;

/** What a finished suite hands to the report: the fixtures in the order given, and whether it was cut short. */
export interface RunResults {
  fixtures: FixtureRun[];
  interrupted: Interruption | null;
  warnings: string[];
}

/** A rerun's results merged with its source report (see rerun/carry-over.ts). */
export interface RerunMerge {
  fixtures: FixtureResult[];
  /** The rerun source; null when the results were carried forward by a run that stopped before running any. */
  source: RerunSource | null;
  warnings: string[];
  /** New or changed fixtures that neither ran nor were carried over. */
  notCovered?: NotCoveredFixture[];
}

/** Merges this run's results with the source report of a rerun; `run` is this run's context. */
export type RerunMerger = (results: readonly FixtureResult[], run: RunContext) => RerunMerge;

/** What selection decided, as report.json records it (the rerun source is added by the builder). */
export interface SelectionInfo {
  fixturesDir: string;
  patterns: readonly string[];
  tags: readonly string[];
  excludeTags?: readonly string[];
  sample: number | null;
  sampleSeed: string | null;
  selected: readonly string[];
  /** Fixtures `!pattern` or exclude-tags left out of what the patterns and tags picked. */
  excluded?: readonly string[];
  /** Requested ids or patterns that matched nothing, or failed ids that no longer exist. */
  missing: readonly string[];
}

export interface ReportBaseInput {
  toolVersion: string;
  mode: Mode;
  run: RunContext;
  startedAt: Date | string;
  durationMs: number;
  baseUrl: string | null;
  options: Report['options'];
  selection: SelectionInfo;
  warnings?: readonly string[];
  /** A shard's part and partition (shard: i/n); absent otherwise. */
  shard?: ShardOfReport | null;
  /** The history this report carries, given its final results (after any carry-over or merge). */
  history?: ((fixtures: readonly FixtureResult[]) => History) | null;
  /** The fixtures whose failure does not fail this run. */
  quarantine?: Quarantine | null;
}

export interface BuildReportInput extends ReportBaseInput {
  suiteRun: RunResults;
  /** For rerun-failed: merges the results with the source report. */
  rerun?: RerunMerger | null;
}

export interface PreflightReportInput extends ReportBaseInput {
  diagnostic: PreflightDiagnostic;
  /**
   * The results this run had before it: a rerun's source report, or the report a stopped run replaces. The
   * engine carries them forward (see rerun/carry-over.ts), so the next rerun still finds the failures.
   */
  rerun?: RerunMerger | null;
  /** Results the stopped run still reports (parked fixtures); none by default. */
  fixtures?: FixtureResult[];
}

export function buildReport(input: BuildReportInput): Report {
  const results = input.suiteRun.fixtures.map(fixtureResultOf);
  const merged = input.rerun ? input.rerun(results, input.run) : null;
  return finish(input, {
    fixtures: merged?.fixtures ?? results,
    source: merged?.source ?? null,
    interrupted: input.suiteRun.interrupted,
    preflight: null,
    warnings: [...(input.warnings ?? []), ...input.suiteRun.warnings, ...(merged?.warnings ?? [])],
    notCovered: merged?.notCovered ?? [],
  });
}

/** A run that stopped before any fixture ran: no fixtures, the diagnostic, and the verdict it implies. */
export function buildPreflightReport(input: PreflightReportInput): Report {
  const results = input.fixtures ?? [];
  const merged = input.rerun ? input.rerun(results, input.run) : null;
  return finish(input, {
    fixtures: merged?.fixtures ?? results,
    source: merged?.source ?? null,
    interrupted: null,
    preflight: input.diagnostic,
    warnings: [...(input.warnings ?? []), ...(merged?.warnings ?? [])],
    notCovered: merged?.notCovered ?? [],
  });
}

/** A merged report: the shards' results (in the partition's order), what became of each shard, and its problems. */
export interface MergedReportInput extends ReportBaseInput {
  fixtures: FixtureResult[];
  interrupted: Interruption | null;
  shards: MergedShard[];
  mergeProblems: MergeProblem[];
  /** For shards of a rerun: carries over the source's results for the fixtures no shard reran. */
  rerun?: RerunMerger | null;
  /** When no shard report could be merged at all. */
  preflight?: PreflightDiagnostic | null;
  /** The shards' new and changed fixtures that none ran, when no carry-over merger says so. */
  notCovered?: NotCoveredFixture[];
}

export function buildMergedReport(input: MergedReportInput): Report {
  const merged = input.rerun ? input.rerun(input.fixtures, input.run) : null;
  return finish(input, {
    fixtures: merged?.fixtures ?? input.fixtures,
    source: merged?.source ?? null,
    interrupted: input.interrupted,
    preflight: input.preflight ?? null,
    warnings: [...(input.warnings ?? []), ...(merged?.warnings ?? [])],
    notCovered: merged?.notCovered ?? input.notCovered ?? [],
    merge: { shards: input.shards, mergeProblems: input.mergeProblems },
  });
}

interface ReportBody {
  fixtures: FixtureResult[];
  source: RerunSource | null;
  interrupted: Report['interrupted'];
  preflight: PreflightDiagnostic | null;
  warnings: string[];
  notCovered: NotCoveredFixture[];
  merge?: { shards: MergedShard[]; mergeProblems: MergeProblem[] };
}

function finish(input: ReportBaseInput, body: ReportBody): Report {
  // Only the fixtures this report holds: a quarantined one that did not run here has nothing to excuse.
  const held = new Set(body.fixtures.map((fixture) => fixture.id));
  const quarantine = input.quarantine && { ...input.quarantine, fixtures: input.quarantine.fixtures.filter((fixture) => held.has(fixture.id)) };
  const draft = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: clip(input.toolVersion, L.maxShortTextChars) },
    mode: input.mode,
    run: input.run,
    startedAt: typeof input.startedAt === 'string' ? input.startedAt : input.startedAt.toISOString(),
    durationMs: Math.max(0, Math.round(input.durationMs)),
    baseUrl: input.baseUrl === null ? null : clip(input.baseUrl, L.maxShortTextChars),
    options: input.options,
    selection: {
      fixturesDir: clip(input.selection.fixturesDir, L.maxShortTextChars),
      patterns: boundedList(input.selection.patterns, L.maxShortTextChars),
      tags: boundedList(input.selection.tags, L.maxShortTextChars),
      ...(input.selection.excludeTags ? { excludeTags: boundedList(input.selection.excludeTags, L.maxShortTextChars) } : {}),
      ...(input.selection.excluded ? { excluded: input.selection.excluded.slice(0, L.maxFixtures) } : {}),
      sample: input.selection.sample,
      sampleSeed: input.selection.sampleSeed === null ? null : clip(input.selection.sampleSeed, L.maxShortTextChars),
      selected: [...input.selection.selected],
      missing: boundedList(input.selection.missing, L.maxShortTextChars, L.maxFixtures),
      source: body.source,
    },
    fixtures: body.fixtures,
    summary: deriveSummary(body.fixtures),
    result: deriveResult({ ...body, options: input.options, mergeProblems: body.merge?.mergeProblems, quarantine: quarantine ?? undefined }),
    interrupted: body.interrupted && { ...body.interrupted, message: clip(body.interrupted.message, L.maxMessageChars) },
    preflight: body.preflight,
    warnings: boundedList([...new Set(body.warnings)], L.maxMessageChars),
    ...(input.shard ? { shard: input.shard } : {}),
    ...(body.merge ?? {}),
    ...(input.history ? { history: input.history(body.fixtures) } : {}),
    ...(quarantine ? { quarantine } : {}),
    ...(body.notCovered.length > 0 ? { notCovered: body.notCovered.slice(0, L.maxFixtures) } : {}),
  };
  return checkedOwnReport(draft, 'the report built for this run does not match its own schema');
}

/** One fixture's result as the report records it, with texts cut to the schema's limits. */
export function fixtureResultOf(run: FixtureRun): FixtureResult {
  const { fixture } = run;
  const attempts = run.attempts.slice(-L.maxAttemptsPerFixture).map(boundedAttempt);
  return {
    id: fixture.id,
    ...placementOf(fixture),
    url: run.url === null ? null : clip(run.url, L.maxShortTextChars),
    status: deriveStatus(attempts),
    attempts,
    durationMs: attempts.reduce((total, attempt) => total + attempt.durationMs, 0),
    skipReason: run.skipReason === null ? null : clip(run.skipReason, L.maxShortTextChars),
    ...(attempts.length === 0 ? { skippedBy: fixture.skip === undefined ? ('run' as const) : ('fixture' as const) } : {}),
    carriedOver: null,
    recovered: false,
    fingerprint: fixtureFingerprint(fixture),
  };
}

function boundedAttempt(attempt: Attempt): Attempt {
  if (!attempt.error) return attempt;
  return { ...attempt, error: { ...attempt.error, message: clip(attempt.error.message, L.maxMessageChars) } };
}
