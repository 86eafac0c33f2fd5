/**
 * Reading the previous report for its history. The history is worth a warning, never a stop: a missing source, a
 * token without `actions: read`, an expired artifact, an unreadable or foreign report each start the history
 * afresh with one warning saying why, and the run goes on.
 */
import path from 'node:path';
import { errorText } from '../common/text.ts';
import type { History, Report } from '../report/schema.ts';
import { PreflightError } from '../report/stops.ts';
import { readReportFile, ReportReadError } from '../rerun/source-report.ts';
import { historyOfReport, type HistoryOrigin } from './outcomes.ts';

/** A previous report and where it came from: the rerun source, a downloaded artifact, a file. */
export interface HistorySource {
  report: Report;
  origin: HistoryOrigin;
}

/** The history before this run, or null with the warning that says why it starts afresh. */
export type PreviousHistory =
  | { history: History; warning: null; label: string; source: HistorySource }
  | { history: null; warning: string; label: null; source?: undefined };

/**
 * Reads the history from `acquire`, which throws when there is no usable previous report. `describe` names the
 * source in the log ("run 123's artifact", "smoke-report/report.json").
 */
export async function readPreviousHistory(acquire: () => Promise<HistorySource>, describe: (source: HistorySource) => string): Promise<PreviousHistory> {
  try {
    const source = await acquire();
    return { history: historyOfReport(source.report, source.origin), warning: null, label: describe(source), source };
  } catch (error) {
    return afresh(reasonOf(error));
  }
}

/** The warning of a history that starts with this run. */
export function afresh(reason: string): PreviousHistory {
  return { history: null, warning: `The fixture history starts afresh with this run: ${reason}`, label: null };
}

function reasonOf(error: unknown): string {
  if (error instanceof PreflightError) return error.diagnostic.message.replace(/^Cannot rerun (?:the failed fixtures|from .*?): /s, '');
  if (error instanceof ReportReadError && error.kind === 'missing') return `there is no earlier report at ${error.source}.`;
  if (error instanceof ReportReadError) return error.message;
  return errorText(error);
}

/** The CLI's source: a report file (`--history-from`, by default the report the last run left in the report folder). */
export function historyFromFile(file: string, cwd: string): () => Promise<HistorySource> {
  return async () => {
    const resolved = path.resolve(cwd, file);
    const read = await readReportFile(resolved, file);
    return { report: read.report, origin: { runId: read.report.run.runId, runAttempt: read.report.run.runAttempt, digest: read.digest } };
  };
}
