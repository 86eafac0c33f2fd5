/**
 * The Action's wiring: inputs → engine → outputs, job summary, annotations, artifact, check run. `run()` is the
 * only place that fails the step. Each output channel runs on its own: when one fails, the others still run, the
 * failure is reported loudly, and the verdict stays what the fixtures decided.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { DefaultArtifactClient } from '@actions/artifact';
import { reportStoppedRun, runSmoke, type SmokeOutcome, usageDiagnostic } from '../engine.ts';
import { PreflightError } from '../preflight.ts';
import { preflightDiagnostic } from '../report/build.ts';
import { UsageError } from '../options.ts';
import { escapeLine, formatFixtureLine, formatSummary } from '../cli/terminal.ts';
import { summaryViewOf } from '../report/summary-data.ts';
import type { Logger } from '../run/types.ts';
import { TOOL_VERSION } from '../version.ts';
import { type ArtifactUploader, uploadReportArtifact } from './artifact-upload.ts';
import { smokeArtifactName } from './smoke-artifact-name.ts';
import { type CheckRunPublisher, createCheckRunPublisher } from './check-run.ts';
import { type ActionContext, readActionContext } from './context.ts';
import { type ActionInputs, DEFAULT_ARTIFACT_NAME, getInputs, type InputReader, usableArtifactPrefix } from './inputs.ts';
import { Inputs } from './names.ts';
import { type PublishedArtifact, outputsFor } from './outputs.ts';
import { createRerunSourceFinder } from './rerun-source.ts';
import { actionCommandArgs, FULL_RUN_HINT, renderActionSummary } from './summary.ts';
import { ANNOTATIONS_PER_STEP, annotationsFor } from './annotations.ts';

/** Everything the Action does to the outside world, so tests can drive it with real or recorded parts. */
export interface ActionIo {
  env: Record<string, string | undefined>;
  readInput: InputReader;
  logger: Logger;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  writeSummary(markdown: string): Promise<void>;
  annotate(annotation: { level: 'error' | 'warning' | 'notice'; message: string; title: string | null; file: string | null; startLine: number | null }): void;
  uploader: ArtifactUploader;
  /** Aborted when the job is cancelled: running fixtures stop, and the report is still written and published. */
  signal?: AbortSignal;
}

export interface ActionResult {
  failed: boolean;
  message: string;
}

export async function run(): Promise<void> {
  try {
    const result = await runAction(realIo(stopOnCancel()));
    if (result.failed) core.setFailed(result.message);
  } catch (error: unknown) {
    core.setFailed(`reliability-smoke stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

/**
 * One log line that the runner can never read as a workflow command: control characters escaped, and a line
 * that would start with `::` (even after spaces) is prefixed.
 */
export function safeLogLine(message: string): string {
  const line = escapeLine(message);
  return /^\s*::/.test(line) ? `> ${line}` : line;
}

/**
 * The runner cancels a job (or one past timeout-minutes) with SIGINT, SIGTERM 7.5 s later and a kill 2.5 s after.
 * Node would die on the first: no report, no artifact, a check run left in progress. So the first signal stops the
 * suite and the report is still published; later ones are only noted (the runner kills the process when time is up).
 */
function stopOnCancel(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const doing = controller.signal.aborted ? 'still publishing the report' : 'stopping the fixtures, then publishing the report';
    core.info(`${signal}: the job was cancelled; ${doing}.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

function realIo(signal: AbortSignal): ActionIo {
  return {
    signal,
    env: process.env,
    readInput: (name) => core.getInput(name),
    logger: {
      info: (message) => core.info(safeLogLine(message)),
      warn: (message) => core.info(`Warning: ${safeLogLine(message)}`),
      debug: (message) => core.debug(escapeLine(message)),
    },
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write();
    },
    annotate: (annotation) => {
      const properties = {
        ...(annotation.title ? { title: annotation.title } : {}),
        ...(annotation.file ? { file: annotation.file } : {}),
        ...(annotation.startLine ? { startLine: annotation.startLine } : {}),
      };
      if (annotation.level === 'error') core.error(annotation.message, properties);
      else if (annotation.level === 'warning') core.warning(annotation.message, properties);
      else core.notice(annotation.message, properties);
    },
    uploader: new DefaultArtifactClient(),
  };
}

export async function runAction(io: ActionIo): Promise<ActionResult> {
  const context = readActionContext(io.env);
  // Masked before anything else runs, whatever the other inputs hold.
  const token = io.readInput(Inputs.GithubToken);
  if (token) io.setSecret(token);
  let inputs: ActionInputs;
  try {
    inputs = getInputs(io.readInput, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return publishUsageError(io, context, error);
  }
  if (inputs.reportOnly) return reportOnly(io, context, inputs);
  const checks = createCheckRunPublisher(inputs, context, io.logger);
  const outcome = await runSmoke(
    {
      options: inputs,
      context,
      toolVersion: TOOL_VERSION,
      commandArgs: actionCommandArgs(inputs),
      fullRunHint: FULL_RUN_HINT,
      carryOverWhenShaUnknown: false,
      ...(inputs.rerunFailed ? createRerunSourceFinder(inputs, context, io.logger) : {}),
    },
    {
      logger: io.logger,
      env: io.env,
      onFixturesStart: (selected) => checks.start(selected.length),
      onFixtureDone: (fixtureRun) => io.logger.info(formatFixtureLine(fixtureRun)),
      ...(io.signal ? { signal: io.signal } : {}),
    },
  ).catch((error: unknown) => reportUnfinishedRun(io, context, inputs, error));
  return publish(io, { context, inputs, outcome, checks });
}

/**
 * The engine writes a report in every outcome it knows of. When even that fails (report-dir is a file, the disk is
 * full), the results are lost, but the step still fails with every output set, a report saying why, and the check
 * run completed rather than left in progress.
 */
async function reportUnfinishedRun(io: ActionIo, context: ActionContext, inputs: ActionInputs, error: unknown): Promise<SmokeOutcome> {
  const message = error instanceof Error ? error.message : String(error);
  const diagnostic = preflightDiagnostic({
    code: 'internal-error',
    message: `reliability-smoke could not finish the run, so its results are lost: ${message}`,
    problems: [error instanceof Error ? (error.stack ?? message) : message],
    guidance: [
      `Check that report-dir (${inputs.reportDir}) is a folder this job can write to.`,
      'If it is, this is a bug in reliability-smoke: please report it with this report attached.',
    ],
    fallbackIds: null,
  });
  const reportDir = fs.mkdtempSync(path.join(io.env.RUNNER_TEMP || os.tmpdir(), 'reliability-smoke-unfinished-'));
  io.logger.warn(`The report could not be written where it was meant to be; this one, saying why, is in ${reportDir}.`);
  const selected = inputs.patterns.length > 0 || inputs.tags.length > 0 || inputs.sample !== null;
  const mode = inputs.rerunFailed ? 'rerun-failed' : selected ? 'selected' : 'full';
  return reportStoppedRun({ diagnostic, reportDir, context, toolVersion: TOOL_VERSION, mode });
}

async function publishUsageError(io: ActionIo, context: ActionContext, error: UsageError): Promise<ActionResult> {
  // Absolute, as on every other path, so report-path names the file whatever the next step's working directory.
  const reportDir = path.resolve(io.readInput(Inputs.ReportDir) || `${io.env.RUNNER_TEMP || '/tmp'}/reliability-smoke`);
  const outcome = await reportStoppedRun({ diagnostic: usageDiagnostic(error.problems), reportDir, context, toolVersion: TOOL_VERSION });
  const prefix = usableArtifactPrefix(io.readInput(Inputs.ArtifactName));
  for (const problem of error.problems) io.annotate({ level: 'error', message: problem, title: 'reliability-smoke input', file: null, startLine: null });
  return publish(io, { context, inputs: null, outcome, checks: null, artifactPrefix: prefix });
}

/**
 * report-only: publish the result recorded in another run's smoke artifact, running nothing. The check run goes
 * on the commit that run tested, which is how a workflow_run job reports fork pull requests.
 */
async function reportOnly(io: ActionIo, context: ActionContext, inputs: ActionInputs): Promise<ActionResult> {
  const finder = createRerunSourceFinder(inputs, context, io.logger);
  try {
    const source = await finder.acquireRerunSource();
    const checks = createCheckRunPublisher(inputs, { ...context, headSha: source.headSha ?? context.headSha }, io.logger);
    io.logger.info(`Reporting ${finder.describeSource(source)}; no fixture runs in report-only mode.`);
    const report = source.report;
    const outcome: SmokeOutcome = {
      report,
      reportPath: null,
      junitPath: null,
      planPath: null,
      selectedCount: report.selection.selected.length,
      mode: report.mode,
      exitCode: report.preflight ? (report.preflight.severity === 'error' ? 2 : 0) : report.result === 'pass' ? 0 : 1,
    };
    return publish(io, { context, inputs, outcome, checks, upload: false });
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    const outcome = await reportStoppedRun({ diagnostic: error.diagnostic, reportDir: path.resolve(inputs.reportDir), context, toolVersion: TOOL_VERSION });
    return publish(io, { context, inputs, outcome, checks: null, upload: false });
  }
}

interface Publication {
  context: ActionContext;
  inputs: ActionInputs | null;
  outcome: SmokeOutcome;
  checks: CheckRunPublisher | null;
  artifactPrefix?: string;
  /** report-only publishes a report that is already another run's artifact. */
  upload?: boolean;
}

/** Runs every channel, each guarded; a channel's failure is reported, never allowed to change the verdict. */
async function publish(io: ActionIo, publication: Publication): Promise<ActionResult> {
  const { outcome, inputs, context } = publication;
  const problems: string[] = [];
  const guarded = async <T>(channel: string, work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      const message = `${channel} failed: ${error instanceof Error ? error.message : String(error)}`;
      problems.push(message);
      io.annotate({ level: 'error', message, title: 'reliability-smoke', file: null, startLine: null });
      return null;
    }
  };
  const artifact =
    publication.upload === false ? null : await guarded('Uploading the smoke artifact', () => uploadArtifact(io, publication, problems));
  const view = outcome.report
    ? summaryViewOf(outcome.report, {
        // Evidence is shown relative to the report folder, which is also the artifact's root.
        reportDir: null,
        reportPath: outcome.reportPath,
        // Only an artifact that exists may be pointed at; after a failed upload the report is only on the runner.
        artifact: artifact?.id ? { name: artifact.name, url: artifact.url } : null,
        commandArgs: inputs ? actionCommandArgs(inputs) : [],
      })
    : null;
  if (view) for (const line of formatSummary(view).split('\n')) io.logger.info(line);
  const markdown = renderActionSummary({ outcome, view, context, problems });
  await guarded('Writing the job summary', () => io.writeSummary(markdown));
  if (view) for (const annotation of annotationsFor(view, annotationRoom(problems, view.verdict))) io.annotate(annotation);
  const checkRunId = publication.checks ? await guarded('Reporting the check run', () => publication.checks!.finish(outcome, view)) : null;
  const outputs = outputsFor(outcome, { artifact, checkRunId: checkRunId ?? null });
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value);
  const result = outputs.result;
  // formatSummary above already ends with the RESULT line; a dry run has no view, so it gets its own.
  if (!view) io.logger.info(`RESULT: ${result}`);
  return { failed: result !== 'pass', message: failureMessage(outcome) };
}

/**
 * GitHub shows 10 errors per step and drops the rest. The publishing problems already annotated and the step's
 * own failure message take their places first, so the fixture annotations and the notice about the rest all show.
 */
function annotationRoom(problems: readonly string[], verdict: 'pass' | 'fail'): { error: number; warning: number } {
  const taken = problems.length + (verdict === 'fail' ? 1 : 0);
  return { error: Math.max(0, ANNOTATIONS_PER_STEP.error - taken), warning: ANNOTATIONS_PER_STEP.warning };
}

async function uploadArtifact(io: ActionIo, publication: Publication, problems: string[]): Promise<PublishedArtifact> {
  const { outcome, inputs, context } = publication;
  const reportDir = (outcome.reportPath ?? outcome.planPath ?? '').replace(/[/\\][^/\\]+$/, '');
  const name = smokeArtifactName(inputs?.artifactName ?? publication.artifactPrefix ?? DEFAULT_ARTIFACT_NAME, io.env);
  const uploaded = await uploadReportArtifact({
    uploader: io.uploader,
    name,
    reportDir,
    retentionDays: inputs?.retentionDays ?? null,
    context,
  });
  if (uploaded.error) {
    const message = `The smoke artifact "${name}" was not uploaded: ${uploaded.error}. The verdict is unchanged; the report is at ${reportDir}.`;
    problems.push(message);
    io.annotate({ level: 'error', message, title: 'reliability-smoke artifact upload failed', file: null, startLine: null });
  } else {
    io.logger.info(`Uploaded the smoke artifact "${name}" (id ${uploaded.artifact.id}).`);
  }
  return uploaded.artifact;
}

function failureMessage(outcome: SmokeOutcome): string {
  const report = outcome.report;
  if (!report) return outcome.exitCode === 0 ? '' : 'The dry run could not be planned; see the log above.';
  if (report.preflight) return `reliability-smoke stopped before running fixtures: ${report.preflight.message}`;
  if (report.interrupted) return `reliability-smoke was interrupted: ${report.interrupted.message}`;
  const { failed, flaky } = report.summary;
  if (failed > 0) return `${failed} fixture${failed === 1 ? '' : 's'} failed.`;
  if (flaky > 0) return `${flaky} fixture${flaky === 1 ? ' was' : 's were'} flaky, and fail-on-flaky is on.`;
  return 'reliability-smoke failed.';
}
