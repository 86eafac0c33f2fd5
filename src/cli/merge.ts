/**
 * `--merge PATH` (repeatable): merge shard reports from files into one report and verdict, running nothing. For
 * the shards of a rerun, the report they reran from is read again (`--artifact`, else the file they recorded) so
 * its other results are carried over.
 */
import type { MergeRequest } from '../engine/run-merge.ts';
import { FLAG_NAMES as FLAG } from '../options/table.ts';
import type { RunContext } from '../report/schema.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import type { FallbackContext } from '../rerun/diagnostics.ts';
import { acquireFromFile } from '../rerun/file-source.ts';
import { readShardFiles, shardReportFiles } from '../shard/file-shards.ts';
import { TOOL_VERSION } from '../version.ts';

export function mergeRequestOf(params: {
  paths: readonly string[];
  /** --artifact as given, or null. */
  artifact: string | null;
  cwd: string;
  context: RunContext;
  reportDir: string;
  fallback: FallbackContext;
}): MergeRequest {
  const { cwd } = params;
  return {
    context: params.context,
    toolVersion: TOOL_VERSION,
    reportDir: params.reportDir,
    commandArgs: [...params.fallback.commandArgs],
    carryOverWhenShaUnknown: true,
    describeMissing: (index, total) => `none of the ${FLAG.mergePaths} paths holds the report of shard ${index} of ${total}.`,
    describeNothing: `the ${FLAG.mergePaths} paths hold no report.`,
    acquireShards: async () => readShardFiles(shardReportFiles(params.paths, cwd, FLAG.mergePaths), cwd),
    acquireRerunSource: async (recorded) => {
      const file = params.artifact ?? recorded.path;
      if (!file) {
        const what = recorded.runId ? `run ${recorded.runId}` : 'a report';
        throw new PreflightError(
          preflightDiagnostic({
            code: 'report-missing',
            message: `the shards reran the failures of ${what}, which names no file; give that report with ${FLAG.artifactPath} to carry its other results over.`,
            fallbackIds: null,
          }),
        );
      }
      return acquireFromFile(file, cwd, params.fallback)();
    },
  };
}
