/**
 * The engine: fixtures → selection → run (browser) → report. The CLI and the Action are thin front doors that
 * prepare a SmokeRequest and render the outcome. Whatever happens, a report is written: a run that stops early
 * writes one with its preflight diagnostic, and a dry run writes plan.json instead, leaving report.json alone.
 */
import path from 'node:path';
import { parseDuration } from './fixtures/duration.ts';
import type { LoadedFixture } from './fixtures/loaded.ts';
import { OPTION_DEFAULTS, type RunOptions } from './options.ts';
import { PreflightError } from './preflight.ts';
import { buildPreflightReport, buildReport, preflightDiagnostic, type ReportBaseInput } from './report/build.ts';
import type { Mode, PreflightDiagnostic, Report, RunContext } from './report/schema.ts';
import { writeReport } from './report/write.ts';
import type { AcquiredSource } from './rerun/diagnostics.ts';
import { type Clock, type Logger, systemClock } from './run/types.ts';
import { errorText } from './run/failure.ts';
import { writeDryRun } from './engine/dry-run.ts';
import { runPlanned } from './engine/execute.ts';
import {
  acquireUsableSource,
  loadValidSuite,
  planSelection,
  requireBaseUrlWhereNeeded,
  rerunInputOf,
  selectionInfoOf,
} from './engine/plan.ts';
import { ensureWritableReportDir } from './engine/report-dir.ts';
import type { Planned, SmokeDeps, SmokeOutcome, SmokeRequest } from './engine/types.ts';

export type { SmokeDeps, SmokeOutcome, SmokeRequest } from './engine/types.ts';
export { ReportDirError } from './engine/report-dir.ts';

export async function runSmoke(request: SmokeRequest, deps: SmokeDeps): Promise<SmokeOutcome> {
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const { options } = request;
  const reportDir = path.resolve(deps.cwd ?? process.cwd(), options.reportDir);
  // Before anything runs: a suite whose report cannot be written would lose every result at the end.
  await ensureWritableReportDir(reportDir);
  let planned: Planned | null = null;
  let source: AcquiredSource | null = null;
  let suite: LoadedFixture[] | null = null;
  try {
    // The source first: a rerun that stops later still carries its results over, so nothing it knew is lost.
    if (options.rerunFailed) source = await acquireUsableSource(request);
    suite = await loadValidSuite(request, deps);
    planned = planSelection(request, suite, source);
    requireBaseUrlWhereNeeded(request, planned.selected);
    if (options.dryRun) return await writeDryRun(request, planned, reportDir, clock);
    const { suiteRun, baseUrl } = await runPlanned(request, deps, planned, reportDir);
    const report = buildReport({ ...reportBase(request, startedAt, clock, planned), baseUrl, suiteRun, rerun: planned.rerun });
    return await finishWith(report, reportDir, planned.selected.length);
  } catch (error) {
    const diagnostic = diagnosticOf(error, request);
    if (options.dryRun) {
      // No report carries the diagnostic of a dry run, so the log is the only place it can be read.
      logDiagnostic(deps.logger, diagnostic);
      deps.logger.warn('Dry run: nothing is written, so the report a later rerun reads is left untouched.');
      const mode = reportBase(request, startedAt, clock, planned).mode;
      return { report: null, reportPath: null, junitPath: null, planPath: null, plan: null, selectedCount: 0, mode, exitCode: diagnosticExitCode(diagnostic) };
    }
    const base = reportBase(request, startedAt, clock, planned);
    let report: Report;
    try {
      report = buildPreflightReport({ ...base, diagnostic, rerun: source ? rerunInputOf(request, source, suite) : null });
    } catch (buildError) {
      // Even a report that cannot be built as planned is written, as the bug it is, rather than none at all.
      const bug = diagnosticOf(buildError, request);
      return await reportStoppedRun({ diagnostic: bug, reportDir, context: request.context, toolVersion: request.toolVersion, mode: base.mode, clock });
    }
    return await finishWith(report, reportDir, 0);
  }
}

function logDiagnostic(logger: Logger, diagnostic: PreflightDiagnostic): void {
  const log = (line: string) => (diagnostic.severity === 'error' ? logger.warn(line) : logger.info(line));
  log(`${diagnostic.code}: ${diagnostic.message}`);
  for (const line of [...diagnostic.problems, ...diagnostic.guidance]) log(`  ${line}`);
  if (diagnostic.fallback) log(`  Run only these fixtures: ${diagnostic.fallback.cliCommand}`);
}

function reportBase(request: SmokeRequest, startedAt: number, clock: Clock, planned: Planned | null): ReportBaseInput {
  const { options } = request;
  return {
    toolVersion: request.toolVersion,
    mode: planned?.mode ?? modeOf(options),
    run: request.context,
    startedAt: new Date(startedAt),
    durationMs: clock.now() - startedAt,
    baseUrl: options.baseUrl,
    options: {
      retries: options.retries,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      suiteTimeoutMs: options.suiteTimeoutMs,
      failOnFlaky: options.failOnFlaky,
    },
    selection: planned?.selection ?? { ...selectionInfoOf(options), selected: [], missing: [] },
    warnings: planned?.warnings ?? [],
  };
}

/** Anything unexpected still ends in a report: the diagnostic says it is a bug and what it was. */
function diagnosticOf(error: unknown, request: SmokeRequest): PreflightDiagnostic {
  if (error instanceof PreflightError) return error.diagnostic;
  const detail = error instanceof Error ? (error.stack ?? error.message) : errorText(error);
  return preflightDiagnostic({
    code: 'internal-error',
    message: `reliability-smoke stopped on an unexpected error: ${errorText(error)}`,
    problems: [detail],
    guidance: ['This is a bug in reliability-smoke. Please report it with this report attached.'],
    fallbackIds: [],
    commandArgs: request.commandArgs,
  });
}

/** The mode a run has before selection decides it (and when it never gets that far). */
export function modeOf(options: Pick<RunOptions, 'rerunFailed' | 'patterns' | 'tags' | 'sample'>): Mode {
  if (options.rerunFailed) return 'rerun-failed';
  return options.patterns.length > 0 || options.tags.length > 0 || options.sample !== null ? 'selected' : 'full';
}

function diagnosticExitCode(diagnostic: PreflightDiagnostic): 0 | 2 {
  return diagnostic.severity === 'error' ? 2 : 0;
}

/** 0 pass, 1 fixtures failed, 2 stopped on an error before running fixtures (a notice, such as nothing to rerun, passes). */
export function exitCodeOf(report: Report): 0 | 1 | 2 {
  if (report.preflight) return diagnosticExitCode(report.preflight);
  return report.result === 'pass' ? 0 : 1;
}

/** The verdict of any outcome: the report's, or for a dry run (no report) whether it could be planned. */
export function resultOf(outcome: SmokeOutcome): 'pass' | 'fail' {
  if (outcome.report) return outcome.report.result;
  return outcome.exitCode === 0 ? 'pass' : 'fail';
}

async function finishWith(report: Report, reportDir: string, selectedCount: number): Promise<SmokeOutcome> {
  const written = await writeReport(reportDir, report);
  const exitCode = exitCodeOf(report);
  return { report, reportPath: written.reportPath, junitPath: written.junitPath, planPath: null, plan: null, selectedCount, mode: report.mode, exitCode };
}

/**
 * A run stopped before the engine could start (bad inputs, no report to publish…): a report still says why.
 * Options that could not be parsed are recorded with their defaults.
 */
export async function reportStoppedRun(params: {
  diagnostic: PreflightDiagnostic;
  reportDir: string;
  context: RunContext;
  toolVersion: string;
  mode?: Mode;
  clock?: Clock;
}): Promise<SmokeOutcome> {
  const now = (params.clock ?? systemClock).now();
  const report = buildPreflightReport({
    toolVersion: params.toolVersion,
    mode: params.mode ?? 'full',
    run: params.context,
    startedAt: new Date(now),
    durationMs: 0,
    baseUrl: null,
    options: {
      retries: Number(OPTION_DEFAULTS.retries),
      concurrency: Number(OPTION_DEFAULTS.concurrency),
      timeoutMs: parseDuration(OPTION_DEFAULTS.timeout) ?? 30_000,
      suiteTimeoutMs: null,
      failOnFlaky: false,
    },
    selection: { fixturesDir: OPTION_DEFAULTS.fixturesDir, patterns: [], tags: [], sample: null, sampleSeed: null, selected: [], missing: [] },
    diagnostic: params.diagnostic,
  });
  return finishWith(report, params.reportDir, 0);
}

export function usageDiagnostic(problems: readonly string[]): PreflightDiagnostic {
  return preflightDiagnostic({
    code: 'usage',
    message: `${problems.length} problem${problems.length === 1 ? '' : 's'} with the inputs; nothing was run.`,
    problems,
    guidance: ['Fix the inputs named above and run again. action.yml and the README describe every input.'],
    fallbackIds: null,
  });
}
