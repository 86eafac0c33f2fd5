/**
 * The Action's history source: the previous run's report, found by the rerun feature's discovery (earlier attempts
 * of this run, then the latest earlier completed run of this workflow and branch that has a smoke artifact) and
 * downloaded once, whoever asks for it first: the history, or a shard balancing its parts by duration.
 */
import type { Logger } from '../common/types.ts';
import { type ArtifactSourceInputs, createRerunSourceFinder, type FinderDeps, type FoundSource } from '../rerun/artifact-source.ts';
import type { LookingRun } from '../rerun/artifact-discovery.ts';

/**
 * The previous run's report, looked up at most once per run. It throws (a PreflightError saying why) when there is
 * none; each caller decides what that costs it: for the history, only a warning.
 */
export function createPreviousReportFinder(
  inputs: ArtifactSourceInputs,
  context: LookingRun & { apiUrl: string },
  logger: Logger,
  deps: FinderDeps,
): () => Promise<FoundSource> {
  let found: Promise<FoundSource> | null = null;
  return () => {
    // Discovery notes each run it passes over; for a source that is only nice to have, that is debug detail.
    const quiet: Logger = { ...logger, info: (message) => logger.debug(message) };
    found ??= createRerunSourceFinder({ ...inputs, artifactRunId: null }, context, quiet, deps).acquireRerunSource();
    return found;
  };
}

/** How the log names the report the history came from. */
export function describePreviousReport(source: FoundSource | { origin: { runId: string | null; runAttempt: number | null } }): string {
  const { runId, runAttempt } = source.origin;
  return runId ? `run ${runId}${runAttempt ? ` (attempt ${runAttempt})` : ''}` : 'the previous report';
}
