/**
 * The engine's merge (`merge: true`, `--merge PATH`): no fixture runs. The front door brings the shard reports;
 * they are merged into one report with one verdict, and for the shards of a rerun the source's other results are
 * carried over (same commit only), so the verdict covers the whole suite. Whatever happens, a report is written.
 */
import path from 'node:path';
import { type Clock, type Logger, systemClock } from '../common/types.ts';
import { errorText } from '../common/text.ts';
import type { RerunMerger } from '../report/build.ts';
import { clip, REPORT_LIMITS } from '../report/limits.ts';
import type { MergeProblem, RunContext } from '../report/schema.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { carryOver } from '../rerun/carry-over.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import { type MergedShards, mergeShardReports, type ShardInput, type ShardReportSource } from '../shard/merge.ts';
import { mergedReportOf } from '../shard/merged-report.ts';
import { finishWith, type HtmlCommandOptions } from './outcome.ts';
import type { SmokeOutcome } from './request.ts';
import { ensureWritableReportDir } from './stopped-run.ts';

export interface MergeRequest extends ShardReportSource {
  context: RunContext;
  toolVersion: string;
  reportDir: string;
  /** Arguments repeated in the report's commands (fixtures dir, base URL…). */
  commandArgs: string[];
  dispatchRef?: string | null;
  carryOverWhenShaUnknown: boolean;
}

export async function runMerge(request: MergeRequest, deps: { logger: Logger; cwd?: string; clock?: Clock }): Promise<SmokeOutcome> {
  const clock = deps.clock ?? systemClock;
  const startedAt = new Date(clock.now());
  const reportDir = path.resolve(deps.cwd ?? process.cwd(), request.reportDir);
  await ensureWritableReportDir(reportDir);
  const commands: HtmlCommandOptions = { context: request.context, commandArgs: request.commandArgs, ...(request.dispatchRef === undefined ? {} : { dispatchRef: request.dispatchRef }) };
  const context = { toolVersion: request.toolVersion, run: request.context, startedAt };
  let inputs: ShardInput[];
  try {
    inputs = await request.acquireShards();
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    const report = mergedReportOf(mergeShardReports([], request), { ...context, preflight: error.diagnostic });
    return finishWith(report, reportDir, 0, commands);
  }
  if (inputs.length === 0) {
    const report = mergedReportOf(mergeShardReports([], request), { ...context, preflight: nothingToMerge(request) });
    return finishWith(report, reportDir, 0, commands);
  }
  const shards = mergeShardReports(inputs, request);
  deps.logger.info(`Merging ${describeShards(shards)}.`);
  const carried = await carryOverFor(shards, request, deps.logger);
  const merged = { ...shards, problems: [...shards.problems, ...carried.problems], warnings: [...shards.warnings, ...carried.warnings] };
  const report = mergedReportOf(merged, { ...context, rerun: carried.rerun });
  return finishWith(report, reportDir, merged.selected.length, commands);
}

function nothingToMerge(request: MergeRequest) {
  return preflightDiagnostic({
    code: 'shard-missing',
    message: `There is no shard report to merge: ${request.describeNothing}`,
    guidance: [
      'Run the merge after the sharded jobs (needs: <the matrix job>, and if: ${{ !cancelled() }}), with the same artifact-name.',
      'Each shard uploads its own smoke artifact named <artifact-name>-shard-<i>-of-<n>-<job>-attempt-<n>.',
    ],
    fallbackIds: null,
  });
}

function describeShards(merged: MergedShards): string {
  const byStatus = (status: string) => merged.shards.filter((shard) => shard.status === status).length;
  const parts = [`${byStatus('merged')} of ${merged.shards.length} shards`];
  for (const status of ['missing', 'invalid', 'stopped']) if (byStatus(status) > 0) parts.push(`${byStatus(status)} ${status}`);
  return parts.join(', ');
}

/**
 * The shards of a rerun report only what they reran. The source they all read is fetched again and its digest
 * compared, then its other results are carried over by the usual rule; when it cannot be read, nothing is carried
 * over and the merge says why (the verdict would otherwise cover only the rerun fixtures without saying so).
 */
async function carryOverFor(
  merged: MergedShards,
  request: MergeRequest,
  logger: Logger,
): Promise<{ rerun: RerunMerger | null; problems: MergeProblem[]; warnings: string[] }> {
  const none = { rerun: null, problems: [], warnings: [] };
  const recorded = merged.rerunSource;
  if (merged.mode !== 'rerun-failed' || !recorded) return none;
  const what = recorded.runId ? `run ${recorded.runId}` : (recorded.path ?? 'the source report');
  if (!request.acquireRerunSource) return { ...none, warnings: [`The shards reran the failures of ${what}; without that report nothing was carried over.`] };
  let source: AcquiredSource;
  try {
    source = await request.acquireRerunSource(recorded);
  } catch (error) {
    const code = error instanceof PreflightError ? error.diagnostic.code : 'internal-error';
    const message = `The report the shards reran from (${what}) could not be read again, so nothing was carried over: ${errorText(error)}`;
    return { ...none, problems: [mergeProblem(code, message)] };
  }
  if (source.origin.digest !== recorded.digest) {
    const message =
      `The shards reran from ${what} (${recorded.digest.slice(7, 19)}), but that report now reads ${source.origin.digest.slice(7, 19)}; ` +
      'nothing was carried over.';
    return { ...none, problems: [mergeProblem('shard-fingerprint-mismatch', message)] };
  }
  logger.info(`Carrying over the results of ${what} that no shard reran.`);
  const rerun = carryOver({ source: source.report, origin: source.origin, carryOverWhenShaUnknown: request.carryOverWhenShaUnknown, suite: null, notCovered: merged.notCovered });
  return { ...none, rerun };
}

function mergeProblem(code: MergeProblem['code'], message: string): MergeProblem {
  return { code, message: clip(message, REPORT_LIMITS.maxMessageChars), shard: null, fixtureIds: [] };
}
