/**
 * The Action's wiring: inputs → engine → outputs, job summary, annotations, artifact, check run. `run()` is the
 * only place that fails the step. Each output channel runs on its own: when one fails, the others still run, the
 * failure is reported loudly, and the verdict stays what the fixtures decided.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { runSmoke, type SmokeOutcome } from '../engine/run-smoke.ts';
import { preflightDiagnostic } from '../report/stops.ts';
import type { PreflightDiagnostic } from '../report/schema.ts';
import { FULL_RUN_HINT, siteArgs } from '../report/commands.ts';
import { UsageError } from '../options/parse.ts';
import { formatFixtureLine } from '../render/terminal.ts';
import { TOOL_VERSION } from '../version.ts';
import { createCheckRunPublisher } from './check-run.ts';
import { type ActionContext, readActionContext } from './context.ts';
import { type ActionInputs, defaultActionReportDir, getInputs, runnerTemp, usableArtifactPrefix } from './inputs.ts';
import { type ActionIo, type ActionResult, checkRunLogger, countingAnnotations, type CountingIo, deadlinesOf, finderDeps, redactingIo } from './io.ts';
import { deploymentBaseUrl } from '../deploy/base-url.ts';
import { createRedactor } from '../secrets/redact.ts';
import { Inputs } from './names.ts';
import { dispatchRef, publish } from './publish.ts';
import { reportOnly } from './report-only.ts';
import { createRerunSourceFinder } from '../rerun/artifact-source.ts';
import { lazyArtifactClient } from '../rerun/artifact-client.ts';
import { diskProblemOf, writeStoppedReport, ReportDirError, usageDiagnostic } from '../engine/stopped-run.ts';
import { escapeLine } from '../common/text.ts';
import { modeOf } from '../engine/outcome.ts';
import { createDurationFinder } from '../shard/artifact-shards.ts';
import { createPreviousReportFinder, describePreviousReport } from '../history/artifact-history.ts';
import { OPTIONS } from '../options/table.ts';
import type { Logger } from '../common/types.ts';
import { mergeShards } from './merge.ts';

export async function run(): Promise<void> {
  const failure = await stepFailure(realIo(stopOnCancel()));
  if (failure !== null) core.setFailed(failure);
  // Everything is published. An upload or API call that was given up on may still hold a socket open, and the
  // step must end now rather than when that socket does.
  process.exit();
}

/** What the step fails with, or null when it passes. Never throws: an unexpected error fails the step with its stack. */
export async function stepFailure(io: ActionIo): Promise<string | null> {
  try {
    const result = await runAction(io);
    return result.failed ? result.message : null;
  } catch (error: unknown) {
    return `reliability-smoke stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
}

/**
 * One log line that the runner can never read as a workflow command: control characters escaped, and a line
 * that would start with `::` (even after spaces) is prefixed.
 */
function safeLogLine(message: string): string {
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
    cwd: process.cwd(),
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
    uploader: lazyArtifactClient(),
  };
}

export async function runAction(actionIo: ActionIo): Promise<ActionResult> {
  // Every secret the run learns (header values, the basic-auth password, values fixtures take from the
  // environment) is masked by the runner and hidden in everything the step writes.
  const redactor = createRedactor({ onSecret: (value) => actionIo.setSecret(value) });
  const io = countingAnnotations(redactingIo(actionIo, redactor));
  const context = readActionContext(io.env);
  // Masked before anything else runs, whatever the other inputs hold.
  const token = io.readInput(Inputs.GithubToken);
  if (token) io.setSecret(token);
  const deployed = deploymentBaseUrl(context.deployment, { baseUrl: io.readInput(Inputs.BaseUrl), serve: io.readInput(Inputs.Serve) });
  let inputs: ActionInputs;
  try {
    inputs = getInputs(io.readInput, io.env, deployed);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return publishUsageError(io, context, error);
  }
  if (deployed && 'note' in deployed) io.logger.info(deployed.note);
  if (inputs.reportOnly) return reportOnly(io, context, inputs);
  if (inputs.merge) return mergeShards(io, context, inputs, (error) => reportUnfinishedRun(io, context, inputs, error, (text) => redactor.redact(text)));
  const checks = createCheckRunPublisher({ ...inputs, checkName: shardCheckName(inputs, io.logger) }, context, checkRunLogger(io), deadlinesOf(io).githubCallMs);
  const sources = finderDeps(io);
  // One lookup of the previous run's report serves the history and a shard's durations.
  const previousReport = createPreviousReportFinder(inputs, context, io.logger, sources);
  const outcome = await runSmoke(
    {
      options: inputs,
      context,
      toolVersion: TOOL_VERSION,
      commandArgs: siteArgs(inputs),
      fullRunHint: FULL_RUN_HINT,
      carryOverWhenShaUnknown: false,
      dispatchRef: dispatchRef(context),
      ...(inputs.rerunFailed ? createRerunSourceFinder(inputs, context, io.logger, sources) : {}),
      ...(inputs.shard && !inputs.rerunFailed ? { acquireDurations: createDurationFinder(inputs, context, io.logger, sources, previousReport) } : {}),
      acquireHistory: previousReport,
      describeHistory: describePreviousReport,
    },
    {
      logger: io.logger,
      env: io.env,
      cwd: io.cwd,
      redactor,
      onFixturesStart: (selected) => checks.start(selected.length),
      onFixtureDone: (fixtureRun) => io.logger.info(formatFixtureLine(fixtureRun)),
      ...(io.signal ? { signal: io.signal } : {}),
    },
  ).catch((error: unknown) => reportUnfinishedRun(io, context, inputs, error, (text) => redactor.redact(text)));
  return publish(io, { context, inputs, outcome, checks });
}

/** With check-name at its default, a shard leaves the check run to the merge job: one check, one verdict. */
function shardCheckName(inputs: ActionInputs, logger: Logger): string | null {
  if (!inputs.shard || inputs.checkName !== OPTIONS.checkName.default) return inputs.checkName;
  logger.info(`Shard ${inputs.shard.index} of ${inputs.shard.total}: no check run; the merge job (merge: true) reports it.`);
  return null;
}

/**
 * The engine writes a report in every outcome it knows of. When even that fails (report-dir is a file, the disk is
 * full), the results are lost, but the step still fails with every output set, a report saying why, and the check
 * run completed rather than left in progress.
 */
async function reportUnfinishedRun(
  io: ActionIo,
  context: ActionContext,
  inputs: ActionInputs,
  error: unknown,
  redact: (text: string) => string,
): Promise<SmokeOutcome> {
  const diagnostic = unfinishedRunDiagnostic(error, inputs.reportDir);
  const reportDir = path.resolve(io.cwd, inputs.reportDir);
  return writeStoppedReport({ fallbackRoot: runnerTemp(io.env), logger: io.logger, diagnostic, reportDir, context, mode: modeOf(inputs), redact });
}

/** Why the run could not be finished: a report folder that was never writable, a disk that failed it, or a bug. */
function unfinishedRunDiagnostic(error: unknown, reportDir: string): PreflightDiagnostic {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ReportDirError) {
    return preflightDiagnostic({
      code: 'report-dir-unwritable',
      message,
      guidance: [`Set report-dir to a folder this job can write to (it is ${reportDir}), or leave it empty.`],
      fallbackIds: null,
    });
  }
  const disk = diskProblemOf(error);
  if (disk) {
    return preflightDiagnostic({
      code: 'report-dir-unwritable',
      message: `The report folder ${reportDir} could not be written as the run finished (${disk}), so the fixtures' results are lost: their lines are in the log above.`,
      problems: [message],
      guidance: [`Free space on the runner, or set report-dir to a folder on a disk with room (it is ${reportDir}).`],
      fallbackIds: null,
    });
  }
  return preflightDiagnostic({
    code: 'internal-error',
    message: `reliability-smoke could not finish the run, so its results are lost: ${message}`,
    problems: [error instanceof Error ? (error.stack ?? message) : message],
    guidance: [
      `Check that report-dir (${reportDir}) is a folder this job can write to.`,
      'If it is, this is a bug in reliability-smoke: please report it with this report attached.',
    ],
    fallbackIds: null,
  });
}

async function publishUsageError(io: CountingIo, context: ActionContext, error: UsageError): Promise<ActionResult> {
  // Absolute, as on every other path, so report-path names the file whatever the next step's working directory.
  const reportDir = path.resolve(io.cwd, io.readInput(Inputs.ReportDir) || defaultActionReportDir(io.env));
  const outcome = await writeStoppedReport({ fallbackRoot: runnerTemp(io.env), logger: io.logger, diagnostic: usageDiagnostic(error.problems), reportDir, context });
  const prefix = usableArtifactPrefix(io.readInput(Inputs.ArtifactName));
  for (const problem of error.problems) io.annotate({ level: 'error', message: problem, title: 'reliability-smoke input', file: null, startLine: null });
  // A required check that never appears looks like a run still to come; a failed one says to look here.
  const checks = createCheckRunPublisher(
    { checkName: io.readInput(Inputs.CheckName) || null, githubToken: io.readInput(Inputs.GithubToken) },
    context,
    checkRunLogger(io),
    deadlinesOf(io).githubCallMs,
  );
  return publish(io, { context, inputs: null, outcome, checks, artifactPrefix: prefix });
}

