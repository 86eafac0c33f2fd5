/**
 * The report of a run that stopped before (or instead of) running fixtures. It goes to report-dir, and when that
 * cannot be written, to a new folder in the runner's temp folder: the step still ends with a report, every
 * output, a job summary and a check run, never with a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { reportStoppedRun, type SmokeOutcome } from '../engine.ts';
import type { Mode, PreflightDiagnostic } from '../report/schema.ts';
import { TOOL_VERSION } from '../version.ts';
import type { ActionContext } from './context.ts';
import { runnerTemp } from './inputs.ts';
import type { ActionIo } from './io.ts';

export async function writeStoppedReport(
  io: ActionIo,
  params: { diagnostic: PreflightDiagnostic; reportDir: string; context: ActionContext; mode?: Mode },
): Promise<SmokeOutcome> {
  const write = (reportDir: string) =>
    reportStoppedRun({ diagnostic: params.diagnostic, reportDir, context: params.context, toolVersion: TOOL_VERSION, mode: params.mode });
  try {
    return await write(params.reportDir);
  } catch (error) {
    const fallback = fs.mkdtempSync(path.join(runnerTemp(io.env), 'reliability-smoke-unfinished-'));
    const reason = error instanceof Error ? error.message : String(error);
    io.logger.warn(`The report could not be written to ${params.reportDir} (${reason}); this one, saying why, is in ${fallback}.`);
    return write(fallback);
  }
}
