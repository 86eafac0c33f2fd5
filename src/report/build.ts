/**
 * Turns a finished run (or a run that stopped in preflight) into report.json's content. Statuses, counts and the
 * verdict are derived by outcome.ts and never set here, and the result is validated against the schema before it
 * is returned, so every report we write is one we would accept back for a rerun.
 */
import type { FixtureRun, SuiteRun } from '../run/types.ts';
import { mergeRerun, type RerunInput, type RerunMerge } from './carry-over.ts';
import { fixturesCommand, fixturesInputValue, fullRunCommand } from './commands.ts';
import { boundedList, clip, placementOf, REPORT_LIMITS as L } from './limits.ts';
import { deriveResult, deriveStatus, deriveSummary } from './outcome.ts';
import { checkedOwnReport } from './read.ts';
import {
  type Attempt,
  type FixtureResult,
  type Mode,
  type PreflightDiagnostic,
  type Report,
  type RerunSource,
  type RunContext,
  SCHEMA_VERSION,
  TOOL_NAME,
} from './schema.ts';

export type { RerunInput, SourceOrigin } from './carry-over.ts';

/** What selection decided, as report.json records it (the rerun source is added by the builder). */
export interface SelectionInfo {
  fixturesDir: string;
  patterns: readonly string[];
  tags: readonly string[];
  sample: number | null;
  sampleSeed: string | null;
  selected: readonly string[];
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
}

export interface BuildReportInput extends ReportBaseInput {
  suiteRun: SuiteRun;
  /** For rerun-failed: the source report and where it came from. */
  rerun?: RerunInput | null;
}

export interface PreflightReportInput extends ReportBaseInput {
  diagnostic: PreflightDiagnostic;
  /**
   * The source report, when a rerun got as far as reading one. Its results are carried over by the same rule as
   * in a completed rerun: with the same commit (or an unknown one, where the caller allows it), a rerun that stops
   * early keeps what the source knew, so the next rerun still finds the failures; with another commit nothing is
   * carried over.
   */
  rerun?: RerunInput | null;
}

export function buildReport(input: BuildReportInput): Report {
  const results = input.suiteRun.fixtures.map(fixtureResultOf);
  const merged = mergedWithSource(results, input.rerun, input.run);
  return finish(input, {
    fixtures: merged?.fixtures ?? results,
    source: merged?.source ?? null,
    interrupted: input.suiteRun.interrupted,
    preflight: null,
    warnings: [...(input.warnings ?? []), ...input.suiteRun.warnings, ...(merged?.warnings ?? [])],
  });
}

/** A run that stopped before any fixture ran: no fixtures, the diagnostic, and the verdict it implies. */
export function buildPreflightReport(input: PreflightReportInput): Report {
  const merged = mergedWithSource([], input.rerun, input.run);
  return finish(input, {
    fixtures: merged?.fixtures ?? [],
    source: merged?.source ?? null,
    interrupted: null,
    preflight: input.diagnostic,
    warnings: [...(input.warnings ?? []), ...(merged?.warnings ?? [])],
  });
}

/** A rerun's results merged with its source report; the current commit defaults to the run's. */
function mergedWithSource(results: FixtureResult[], rerun: RerunInput | null | undefined, run: RunContext): RerunMerge | null {
  if (!rerun) return null;
  return mergeRerun(results, rerun.currentSha === undefined ? { ...rerun, currentSha: run.sha } : rerun);
}

interface ReportBody {
  fixtures: FixtureResult[];
  source: RerunSource | null;
  interrupted: Report['interrupted'];
  preflight: PreflightDiagnostic | null;
  warnings: string[];
}

function finish(input: ReportBaseInput, body: ReportBody): Report {
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
      sample: input.selection.sample,
      sampleSeed: input.selection.sampleSeed === null ? null : clip(input.selection.sampleSeed, L.maxShortTextChars),
      selected: [...input.selection.selected],
      missing: boundedList(input.selection.missing, L.maxShortTextChars, L.maxFixtures),
      source: body.source,
    },
    fixtures: body.fixtures,
    summary: deriveSummary(body.fixtures),
    result: deriveResult({ ...body, options: input.options }),
    interrupted: body.interrupted && { ...body.interrupted, message: clip(body.interrupted.message, L.maxMessageChars) },
    preflight: body.preflight,
    warnings: boundedList([...new Set(body.warnings)], L.maxMessageChars),
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
    carriedOver: null,
    recovered: false,
  };
}

function boundedAttempt(attempt: Attempt): Attempt {
  if (!attempt.error) return attempt;
  return { ...attempt, error: { ...attempt.error, message: clip(attempt.error.message, L.maxMessageChars) } };
}

export interface PreflightDiagnosticInput {
  /** What it is, e.g. "no-artifact", "artifact-expired", "permission-denied", "not-json", "nothing-to-rerun". */
  code: string;
  severity?: PreflightDiagnostic['severity'];
  message: string;
  problems?: readonly string[];
  guidance?: readonly string[];
  /**
   * Ids for the manual fallback: `--fixture` / `fixtures:` commands and the full run. Null when there is no
   * fallback to offer; an empty list offers the commands with a placeholder id.
   */
  fallbackIds?: readonly string[] | null;
  /** CLI arguments to repeat in the fallback commands (fixtures dir, base URL…), without any selection. */
  commandArgs?: readonly string[];
}

/** A PreflightDiagnostic with its texts cut to the schema's limits and ready-made fallback commands. */
export function preflightDiagnostic(input: PreflightDiagnosticInput): PreflightDiagnostic {
  const ids = input.fallbackIds === undefined ? [] : input.fallbackIds;
  const args = input.commandArgs ?? [];
  return {
    code: input.code,
    severity: input.severity ?? 'error',
    message: clip(input.message, L.maxMessageChars),
    problems: boundedList(input.problems ?? [], L.maxMessageChars),
    guidance: boundedList(input.guidance ?? [], L.maxMessageChars, 50),
    fallback:
      ids === null
        ? null
        : {
            fixtureIds: ids.slice(0, L.maxFixtures),
            cliCommand: clip(fixturesCommand(ids, args), L.maxMessageChars),
            actionInput: clip(fixturesInputValue(ids), L.maxMessageChars),
            fullRun: clip(fullRunCommand(args), L.maxMessageChars),
          },
  };
}
