/**
 * The engine: fixtures → selection → run (browser) → report. The CLI and the Action are thin front doors that
 * prepare a SmokeRequest and render the outcome. Whatever happens, a report is written: a run that stops early
 * writes one with its preflight diagnostic, and a dry run writes plan.json instead, leaving report.json alone.
 */
import path from 'node:path';
import type { LoadedFixture } from '../fixtures/schema.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { rerunInputOf } from '../rerun/failed-set.ts';
import { carryForward, carryForwardRerun, type RerunInput } from '../rerun/carry-over.ts';
import { buildPreflightReport, buildReport, type ReportBaseInput } from '../report/build.ts';
import type { PreflightDiagnostic, Quarantine, Report } from '../report/schema.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import { type Clock, type Logger, systemClock } from '../common/types.ts';
import { errorText } from '../common/text.ts';
import { basicAuthorization } from '../common/http-headers.ts';
import { createRedactor } from '../secrets/redact.ts';
import type { RunOptions } from '../options/parse.ts';
import { writeDryRun } from './dry-run.ts';
import { runPlanned } from './execute.ts';
import {
  acquireUsableSource,
  loadValidSuite,
  planSelection,
  requireBaseUrlWhereNeeded,
  requireSomethingToCheck,
  rerunRequestOf,
  selectionInfoOf,
  substituteEnvValues,
  tooShortToHide,
} from './prepare.ts';
import { ensureWritableReportDir, reportStoppedRun } from './stopped-run.ts';
import { diagnosticExitCode, finishWith, type HtmlCommandOptions, modeOf } from './outcome.ts';
import type { Planned, SmokeDeps, SmokeOutcome, SmokeRequest } from './request.ts';
import { planShard, rerunMergerOf, unplannedShard } from './sharding.ts';
import type { RerunMerger, RunResults } from '../report/build.ts';
import type { PreviousHistory } from '../history/previous.ts';
import { decideQuarantine, historyBuilder, previousHistoryOf } from './history.ts';

export type { SmokeDeps, SmokeOutcome, SmokeRequest } from './request.ts';

export async function runSmoke(request: SmokeRequest, deps: SmokeDeps): Promise<SmokeOutcome> {
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const { options } = request;
  const reportDir = path.resolve(deps.cwd ?? process.cwd(), options.reportDir);
  // The secrets the options carry are known at once; the values fixtures refer to, once they are loaded.
  const redactor = deps.redactor ?? createRedactor();
  const secretWarnings = optionSecrets(options).flatMap(({ what, value }) => (redactor.add(value) ? [] : [tooShortToHide(what)]));
  const redact = (text: string) => redactor.redact(text);
  let startLogPath: string | null = null;
  // With nothing to hide (most runs), the report is written as it was built.
  const finish = (report: Report, selectedCount: number) =>
    finishWith(report, reportDir, selectedCount, htmlCommands(request), { ...(redactor.size > 0 ? { redact } : {}), startLogPath });
  // Before anything runs: a suite whose report cannot be written would lose every result at the end.
  await ensureWritableReportDir(reportDir);
  let planned: Planned | null = null;
  let source: AcquiredSource | null = null;
  let suite: LoadedFixture[] | null = null;
  let previous: PreviousHistory | null = null;
  try {
    // The source first: a rerun that stops later still carries its results over, so nothing it knew is lost.
    if (options.rerunFailed) source = await acquireUsableSource(request);
    suite = await loadValidSuite(request, deps);
    const chosen = substituteEnvValues(planSelection(request, suite, source), deps.env, redactor, secretWarnings);
    requireSomethingToCheck(request, chosen);
    planned = await planShard(request, deps.logger, chosen, source);
    requireBaseUrlWhereNeeded(request, planned.selected);
    if (options.dryRun) {
      deps.logger.info('Dry run: report.json, and the fixture history it carries, stay as the last run left them.');
      return await writeDryRun(request, planned, reportDir, clock, redact, [...planned.warnings, ...secretWarnings]);
    }
    previous = await previousHistoryOf(request, source, deps.logger);
    const quarantine = decideQuarantine(request, suite, previous, deps.logger);
    // A shard whose part is empty starts no browser (and no app): it ran nothing, and passes.
    const { suiteRun, baseUrl } =
      planned.selected.length > 0
        ? await runPlanned(request, deps, planned, reportDir, { redactor, onStartLog: (logPath) => (startLogPath = logPath) })
        : { suiteRun: NOTHING_RUN, baseUrl: options.baseUrl };
    const rerun = planned.rerun && rerunMergerOf(planned.rerun, options.shard);
    const report = buildReport({ ...reportBase(request, startedAt, clock, planned, secretWarnings, { previous, quarantine, suite }), baseUrl, suiteRun, rerun });
    return await finish(report, planned.selected.length);
  } catch (error) {
    const diagnostic = diagnosticOf(error, request);
    if (options.dryRun) {
      // No report carries the diagnostic of a dry run, so the log is the only place it can be read.
      logDiagnostic(deps.logger, diagnostic, redact);
      deps.logger.warn('Dry run: nothing is written, so the report a later rerun reads is left untouched.');
      const mode = reportBase(request, startedAt, clock, planned, secretWarnings).mode;
      return { report: null, reportPath: null, junitPath: null, htmlPath: null, planPath: null, plan: null, selectedCount: 0, mode, exitCode: diagnosticExitCode(diagnostic) };
    }
    // A run that stops early still hands the history on: the next run reads it from this report.
    const sourceUnusable = options.rerunFailed && !source && !request.historyApartFromSource;
    previous ??= await previousHistoryOf(request, source, deps.logger, sourceUnusable ? 'the report to rerun from could not be used (see the diagnostic).' : null);
    const base = reportBase(request, startedAt, clock, planned, secretWarnings, { previous, quarantine: null, suite });
    let report: Report;
    try {
      const rerun = source ? stoppedRerunOf(rerunInputOf(rerunRequestOf(request, source), suite), diagnostic, options.shard) : forwardOf(previous);
      const results = error instanceof PreflightError ? [...error.results] : [];
      report = buildPreflightReport({ ...base, diagnostic, rerun, fixtures: results });
    } catch (buildError) {
      // Even a report that cannot be built as planned is written, as the bug it is, rather than none at all.
      const bug = diagnosticOf(buildError, request);
      return await reportStoppedRun({ diagnostic: bug, reportDir, context: request.context, toolVersion: request.toolVersion, mode: base.mode, clock, redact });
    }
    return await finish(report, 0);
  }
}

/** Header values and the basic-auth password (alone, with the user name, and as the Authorization header sends them). */
function optionSecrets(options: RunOptions): { what: string; value: string }[] {
  const headers = options.extraHeaders.map((header) => ({ what: `The value of the ${header.name} header`, value: header.value }));
  const credentials = options.httpCredentials;
  if (!credentials) return headers;
  return [
    ...headers,
    { what: 'The http-credentials password', value: credentials.password },
    { what: 'The http-credentials', value: `${credentials.username}:${credentials.password}` },
    { what: 'The Authorization header', value: basicAuthorization(credentials).slice('Basic '.length) },
  ];
}

/** A stopped run hands on the results of the report before it (see carryForward); none when it could not be read. */
function forwardOf(previous: PreviousHistory): RerunMerger | null {
  return previous.source ? carryForward(previous.source.report, previous.source.origin, previous.label) : null;
}

/**
 * A rerun that stopped on an error carries its source's results forward, so the failed set survives whatever the
 * commit; one that stopped with a notice (nothing to rerun, and that passes) gives a verdict, by the usual rule. A
 * shard leaves carrying over to the merge job.
 */
function stoppedRerunOf(rerun: RerunInput, diagnostic: PreflightDiagnostic, shard: SmokeRequest['options']['shard']): RerunMerger {
  return diagnostic.severity === 'error' && !shard ? carryForwardRerun(rerun) : rerunMergerOf(rerun, shard);
}

const NOTHING_RUN: RunResults = { fixtures: [], interrupted: null, warnings: [] };

function htmlCommands(request: SmokeRequest): HtmlCommandOptions {
  return { context: request.context, commandArgs: request.commandArgs, ...(request.dispatchRef === undefined ? {} : { dispatchRef: request.dispatchRef }) };
}

function logDiagnostic(logger: Logger, diagnostic: PreflightDiagnostic, redact: (text: string) => string): void {
  const log = (line: string) => (diagnostic.severity === 'error' ? logger.warn(redact(line)) : logger.info(redact(line)));
  log(`${diagnostic.code}: ${diagnostic.message}`);
  for (const line of [...diagnostic.problems, ...diagnostic.guidance]) log(`  ${line}`);
  if (diagnostic.fallback) log(`  Run only these fixtures: ${diagnostic.fallback.cliCommand}`);
}

interface HistoryOfRun {
  previous: PreviousHistory | null;
  quarantine: Quarantine | null;
  suite: LoadedFixture[] | null;
}

function reportBase(request: SmokeRequest, startedAt: number, clock: Clock, planned: Planned | null, warnings: readonly string[] = [], history?: HistoryOfRun): ReportBaseInput {
  const { options } = request;
  const historyWarning = history?.previous?.warning;
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
    warnings: [...(planned?.warnings ?? []), ...warnings, ...(historyWarning ? [historyWarning] : [])],
    shard: planned?.shard ?? unplannedShard(options.shard),
    ...(history ? { history: historyBuilder(history.previous, request.context, new Date(startedAt), history.suite), quarantine: history.quarantine } : {}),
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

