/**
 * The command-line front door: flags in, the engine, lines out. Prints a line per fixture as it finishes, then a
 * summary; the last line is `RESULT: pass` or `RESULT: fail`. Exit codes: 0 pass, 1 fixtures failed, 2 usage,
 * configuration or preflight error.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runSmoke, type SmokeOutcome } from '../engine/run-smoke.ts';
import { RUN_OPTION_DEFAULTS as DEFAULTS, type RunOptions, UsageError } from '../options/parse.ts';
import { CLI_REPORT_DIR, FLAG_NAMES as FLAG } from '../options/table.ts';
import { fixtureResultOf } from '../report/build.ts';
import { markRecovered } from '../rerun/carry-over.ts';
import { siteArgs } from '../report/commands.ts';
import type { FixtureResult, RunContext } from '../report/schema.ts';
import { summaryViewOf } from '../render/view.ts';
import type { AcquiredSource, FallbackContext } from '../rerun/diagnostics.ts';
import type { FixtureRun } from '../report/build.ts';
import { acquireFromFile } from '../rerun/file-source.ts';
import { TOOL_VERSION } from '../version.ts';
import { parseCliArgs } from './args.ts';
import { USAGE } from './usage.ts';
import { formatFixtureLine, formatPlan, formatSummary, planLine } from '../render/terminal.ts';
import type { Logger } from '../common/types.ts';
import { escapeLine } from '../common/text.ts';
import { workflowSafeJson } from '../common/json-text.ts';
import { resultOf } from '../engine/outcome.ts';
import { diskProblemOf, ReportDirError } from '../engine/stopped-run.ts';
import { createRedactor } from '../secrets/redact.ts';
import { runMerge } from '../engine/run-merge.ts';
import { durationsFromFile } from '../shard/file-shards.ts';
import { mergeRequestOf } from './merge.ts';
import { historyFromFile } from '../history/previous.ts';
import { REPORT_FILE } from '../report/write.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  signal?: AbortSignal;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** A local run knows its commit from git, when there is one; the rest belongs to GitHub runs. */
export function localRunContext(cwd: string): RunContext {
  const branch = git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
  return {
    repository: null,
    workflow: null,
    runId: null,
    runAttempt: null,
    sha: git(cwd, ['rev-parse', 'HEAD']),
    ref: branch && branch !== 'HEAD' ? `refs/heads/${branch}` : null,
    event: 'local',
    serverUrl: null,
  };
}

/**
 * The flags a pasted fallback or next-attempt command needs to run the same fixtures against the same site, with
 * the same browser and the same rules for a verdict, and to write (and so rerun from) the same report folder.
 */
function contextArgs(options: RunOptions): string[] {
  const args = siteArgs(options);
  if (options.browserPath) args.push(FLAG.browserPath, options.browserPath);
  if (options.retries !== DEFAULTS.retries) args.push(FLAG.retries, String(options.retries));
  if (options.timeoutMs !== DEFAULTS.timeoutMs) args.push(FLAG.timeoutMs, `${options.timeoutMs}ms`);
  if (options.expectTimeoutMs !== DEFAULTS.expectTimeoutMs) args.push(FLAG.expectTimeoutMs, `${options.expectTimeoutMs}ms`);
  if (options.suiteTimeoutMs !== null) args.push(FLAG.suiteTimeoutMs, `${options.suiteTimeoutMs}ms`);
  if (options.failOnFlaky) args.push(FLAG.failOnFlaky);
  if (options.reportDir !== CLI_REPORT_DIR) args.push(FLAG.reportDir, options.reportDir);
  return args;
}

function cliLogger(io: CliIo): Logger {
  const debug = io.env.RELIABILITY_SMOKE_DEBUG === '1';
  return {
    info: (message) => io.stderr(`${escapeLine(message)}\n`),
    warn: (message) => io.stderr(`warning: ${escapeLine(message)}\n`),
    debug: (message) => {
      if (debug) io.stderr(`debug: ${escapeLine(message)}\n`);
    },
  };
}

export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // Every secret the run learns (header values, the password, values fixtures take from the environment) is shown
  // as *** in everything printed. Problems with the flags never quote a value, so they need nothing to hide.
  const redactor = createRedactor();
  const io: CliIo = { ...given, stdout: (text) => given.stdout(redactor.redact(text)), stderr: (text) => given.stderr(redactor.redact(text)) };
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Nothing is written: with the command line unclear, writing could replace the report a rerun needs.
    io.stderr(`${error.problems.map((problem) => `error: ${escapeLine(problem)}`).join('\n')}\n`);
    io.stderr('Run reliability-smoke --help for the flags. Nothing was run and no report was written.\nRESULT: fail\n');
    return 2;
  }
  if (command.kind === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command.kind === 'version') {
    io.stdout(`${TOOL_VERSION}\n`);
    return 0;
  }
  const { options, artifactPath, json, historyFrom } = command;
  const out = json ? io.stderr : io.stdout;
  const commandArgs = contextArgs(options);
  const fallback: FallbackContext = { commandArgs, fullRunHint: 'To run the whole suite instead, drop --rerun-failed.' };
  const acquire = acquireFromFile(artifactPath, io.cwd, fallback);
  let source: AcquiredSource | null = null;
  const context = localRunContext(io.cwd);
  const merging = command.mergePaths.length > 0;
  const previousReport = historyFrom ?? path.join(options.reportDir, REPORT_FILE);
  const mergeRequest = () => mergeRequestOf({ paths: command.mergePaths, artifact: command.artifactGiven, cwd: io.cwd, context, reportDir: options.reportDir, fallback });
  const running = merging ? runMerge(mergeRequest(), { logger: cliLogger(io), cwd: io.cwd }) : runSmoke(
    {
      options,
      context,
      toolVersion: TOOL_VERSION,
      commandArgs,
      fullRunHint: fallback.fullRunHint,
      carryOverWhenShaUnknown: true,
      ...(options.rerunFailed
        ? { acquireRerunSource: async () => (source = await acquire()), describeSource: () => artifactPath }
        : {}),
      ...(options.shard && (historyFrom || fs.existsSync(path.resolve(io.cwd, previousReport)))
        ? { acquireDurations: () => durationsFromFile(previousReport, io.cwd) }
        : {}),
      // Read at the start, before this run's report replaces the one in the report folder.
      acquireHistory: historyFromFile(previousReport, io.cwd),
      historyApartFromSource: path.resolve(io.cwd, artifactPath) !== path.resolve(io.cwd, previousReport),
      describeHistory: () => previousReport,
    },
    {
      logger: cliLogger(io),
      env: io.env,
      cwd: io.cwd,
      redactor,
      onFixtureDone: (run) => out(`${formatFixtureLine(liveResult(run, source))}\n`),
      ...(io.signal ? { signal: io.signal } : {}),
    },
  );
  // The stops with no report: the folder it would go to cannot be written. Checked before anything runs, so nothing
  // ran and nothing was lost; a disk that fails the report as the run finishes loses it, with the results printed above.
  let unwritable: string | null = null;
  const outcome = await running.catch((error: unknown) => {
    if (error instanceof ReportDirError) {
      unwritable = `The report folder ${options.reportDir} cannot be written; nothing was run. Choose another with --report-dir.`;
      return null;
    }
    const disk = diskProblemOf(error);
    if (!disk) throw error;
    unwritable =
      `The report folder ${options.reportDir} could not be written as the run finished (${disk}), so no report was kept; ` +
      'the results are in the lines above. Free space, or choose another folder with --report-dir.';
    return null;
  });
  if (!outcome) {
    io.stderr(`error: ${escapeLine(unwritable ?? '')}\nRESULT: fail\n`);
    return 2;
  }
  await printOutcome(outcome, { io, out, json, commandArgs, context });
  return outcome.exitCode;
}

/** A fixture's line as it finishes; in a rerun, one that failed in the source and passes now says it recovered. */
function liveResult(run: FixtureRun, source: AcquiredSource | null): FixtureResult {
  const result = fixtureResultOf(run);
  return markRecovered(result, source?.report.fixtures.find((fixture) => fixture.id === result.id));
}

async function printOutcome(
  outcome: SmokeOutcome,
  print: { io: CliIo; out: (text: string) => void; json: boolean; commandArgs: string[]; context: RunContext },
): Promise<void> {
  const { out, json } = print;
  if (outcome.plan) {
    if (json) print.io.stdout(`${workflowSafeJson(outcome.plan, 2)}\n`);
    out(`${formatPlan(outcome.plan, outcome.planPath)}\n`);
    return;
  }
  if (!outcome.report) {
    // A dry run that stopped before planning: the engine logged why. A notice (nothing to rerun, allowed) exits 0.
    out(`${planLine(null, resultOf(outcome) !== 'fail')}\n`);
    return;
  }
  if (json) print.io.stdout(`${workflowSafeJson(outcome.report, 2)}\n`);
  const view = summaryViewOf(outcome.report, {
    reportDir: outcome.reportPath ? path.dirname(outcome.reportPath) : null,
    reportPath: outcome.reportPath,
    htmlPath: outcome.htmlPath,
    commandArgs: print.commandArgs,
    context: print.context,
    // The next rerun reads the report this run just wrote, which is where --artifact points by default.
    cliArtifactPath: null,
  });
  const summary = formatSummary(view);
  out(summary.endsWith('\n') ? summary : `${summary}\n`);
}
