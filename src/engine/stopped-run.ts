/**
 * Runs that stop before the engine can run fixtures: a report folder that cannot be written (checked first, so no
 * results are lost at the end), bad inputs, nothing to publish. Each still ends with a report that says why, never
 * with a stack trace: when report-dir itself cannot be written, the report goes to a new folder beside it.
 */
import fs from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { RUN_OPTION_DEFAULTS as DEFAULTS } from '../options/parse.ts';
import { buildPreflightReport } from '../report/build.ts';
import type { Mode, PreflightDiagnostic, RunContext } from '../report/schema.ts';
import { preflightDiagnostic } from '../report/stops.ts';
import { type Clock, type Logger, systemClock } from '../common/types.ts';
import { TOOL_VERSION } from '../version.ts';
import { finishWith } from './outcome.ts';
import type { SmokeOutcome } from './request.ts';

export class ReportDirError extends Error {
  readonly reportDir: string;
  constructor(reportDir: string, reason: string) {
    super(`The report folder ${reportDir} cannot be written (${reason}); nothing was run. Choose a folder this job can write to.`);
    this.name = 'ReportDirError';
    this.reportDir = reportDir;
  }
}

const DISK_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a file stands where a folder should be',
  EIO: 'the disk failed to write',
};

/** "ENOSPC: the disk is full" when writing failed because of the disk itself, not because of a bug; else null. */
export function diskProblemOf(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code && code in DISK_ERRORS ? `${code}: ${DISK_ERRORS[code]}` : null;
}

export async function ensureWritableReportDir(reportDir: string): Promise<void> {
  try {
    await mkdir(reportDir, { recursive: true });
    await access(reportDir, constants.W_OK);
  } catch (error) {
    throw new ReportDirError(reportDir, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
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
  /** Hides the run's secrets in the report. */
  redact?: (text: string) => string;
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
      retries: DEFAULTS.retries,
      concurrency: DEFAULTS.concurrency,
      timeoutMs: DEFAULTS.timeoutMs,
      suiteTimeoutMs: DEFAULTS.suiteTimeoutMs,
      failOnFlaky: DEFAULTS.failOnFlaky,
    },
    selection: { fixturesDir: DEFAULTS.fixturesDir, patterns: [], tags: [], sample: null, sampleSeed: null, selected: [], missing: [] },
    diagnostic: params.diagnostic,
  });
  return finishWith(report, params.reportDir, 0, { context: params.context }, params.redact ? { redact: params.redact } : {});
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

export async function writeStoppedReport(params: {
  diagnostic: PreflightDiagnostic;
  reportDir: string;
  context: RunContext;
  mode?: Mode;
  /** Where a folder is made for the report when reportDir cannot be written (the runner's temp folder). */
  fallbackRoot: string;
  logger: Logger;
  redact?: (text: string) => string;
}): Promise<SmokeOutcome> {
  const write = (reportDir: string) =>
    reportStoppedRun({
      diagnostic: params.diagnostic,
      reportDir,
      context: params.context,
      toolVersion: TOOL_VERSION,
      ...(params.mode ? { mode: params.mode } : {}),
      ...(params.redact ? { redact: params.redact } : {}),
    });
  try {
    return await write(params.reportDir);
  } catch (error) {
    const fallback = fs.mkdtempSync(path.join(params.fallbackRoot, 'reliability-smoke-unfinished-'));
    const reason = error instanceof Error ? error.message : String(error);
    params.logger.warn(`The report could not be written to ${params.reportDir} (${reason}); this one, saying why, is in ${fallback}.`);
    return write(fallback);
  }
}
