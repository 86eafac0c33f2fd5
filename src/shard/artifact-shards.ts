/**
 * The Action's side of sharding, on the rerun feature's artifact plumbing (the same discovery, download, limits and
 * digest check): the shard artifacts of this run for the merge job, each shard's latest attempt, and the durations
 * of the previous run for a shard to balance by.
 */
import type { Logger } from '../common/types.ts';
import { errorText } from '../common/text.ts';
import { FULL_RUN_HINT, siteArgs } from '../report/commands.ts';
import type { PreflightDiagnostic, RerunSource } from '../report/schema.ts';
import type { StopCode } from '../report/stop-codes.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import type { LookingRun } from '../rerun/artifact-discovery.ts';
import { latestPerShard, shardArtifacts } from '../rerun/artifact-names.ts';
import {
  type ArtifactSourceInputs,
  createRerunSourceFinder,
  fetchContextOf,
  type FinderDeps,
  isEnterpriseServer,
  readShardArtifacts,
} from '../rerun/artifact-source.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import { createRunsApi, discoveryErrorOf, type RunInfo } from '../rerun/runs-api.ts';
import type { ShardReportSource } from './merge.ts';
import { type DurationSource, durationsOf } from './partition.ts';

type ActionRun = LookingRun & { apiUrl: string; runUrl: string | null; headSha: string | null };

type Deps = FinderDeps;

const PERMISSIONS = ['permissions:', '  actions: read    # the merge lists and downloads the shard artifacts', '  checks: write     # the check run'].join('\n');

/** What the merge job needs from GitHub: this run's shard reports, and for a rerun the source they reran from. */
export function createShardArtifactSource(
  inputs: ArtifactSourceInputs,
  context: ActionRun,
  logger: Logger,
  deps: Deps,
): ShardReportSource {
  const prefix = inputs.artifactName;
  return {
    describeMissing: (index, total) =>
      `this run has no artifact named ${prefix}-shard-${index}-of-${total}-…: its job failed before uploading, or was cancelled.`,
    describeNothing: `this run has no artifact named ${prefix}-shard-<i>-of-<n>-…`,
    acquireShards: async () => {
      const stop = (code: StopCode, message: string): never => {
        throw new PreflightError(mergeStop(code, message));
      };
      if (isEnterpriseServer(deps.env)) stop('ghes-not-supported', `${deps.env.GITHUB_SERVER_URL} is a GitHub Enterprise Server.`);
      if (!inputs.githubToken) stop('token-missing', 'github-token is empty, so the shard artifacts cannot be listed.');
      if (!context.owner || !context.repo || !context.runId) stop('no-earlier-run', 'GITHUB_REPOSITORY or GITHUB_RUN_ID is not set, so this is not a GitHub Actions run.');
      const api = deps.api ?? createRunsApi(inputs.githubToken, context.owner!, context.repo!, context.apiUrl);
      const runId = context.runId!;
      let listed;
      try {
        listed = await api.listArtifacts(runId);
      } catch (error) {
        const discovery = discoveryErrorOf(error, `list the artifacts of run ${runId}`);
        return stop(discovery.code, discovery.message);
      }
      // The latest attempt of each shard, up to this one: after "Re-run failed jobs", the shards that were re-run
      // have this attempt's artifact and the others keep their earlier one.
      const shards = latestPerShard(shardArtifacts(listed, prefix, context.runAttempt));
      if (shards.length === 0) {
        const seen = listed.map((artifact) => artifact.name);
        return stop('shard-missing', `this run has no artifact named ${prefix}-shard-<i>-of-<n>-… (it has ${seen.length > 0 ? seen.slice(0, 10).join(', ') : 'none'}).`);
      }
      for (const shard of shards) logger.info(`Shard ${shard.index} of ${shard.total}: "${shard.artifact.name}" (attempt ${shard.attempt ?? '?'}).`);
      const fetch = fetchContextOf(api, deps, {
        fallback: { commandArgs: siteArgs(inputs), fullRunHint: FULL_RUN_HINT },
        logger,
        fail: (code, message) => {
          throw new PreflightError(preflightDiagnostic({ code, message, fallbackIds: null }));
        },
      });
      return readShardArtifacts(shards, thisRun(context, runId), fetch);
    },
    acquireRerunSource: async (recorded: RerunSource): Promise<AcquiredSource> => {
      if (!recorded.runId) throw new PreflightError(mergeStop('no-earlier-run', 'the shards recorded no run for the report they reran from.'));
      // The same discovery the shards made, pinned to the run they recorded.
      const finder = createRerunSourceFinder({ ...inputs, artifactRunId: recorded.runId }, context, logger, deps);
      return finder.acquireRerunSource();
    },
  };
}

/**
 * A shard's durations source: the previous run's report, found as a shard's rerun source is (never an earlier
 * attempt of this run, so every attempt balances alike). None, or one that cannot be read, balances by count.
 */
export function createDurationFinder(
  inputs: ArtifactSourceInputs,
  context: ActionRun,
  logger: Logger,
  deps: Deps,
  /** The previous report, when something else (the history) reads it too: one download serves both. */
  previous?: () => Promise<AcquiredSource>,
): () => Promise<DurationSource | null> {
  return async () => {
    const quiet: Logger = { ...logger, info: (message) => logger.debug(message) };
    try {
      const source = previous ? await previous() : await createRerunSourceFinder({ ...inputs, artifactRunId: null }, context, quiet, deps).acquireRerunSource();
      const runId = source.origin.runId ?? source.report.run.runId;
      logger.info(`Balancing the shards by the durations in run ${runId ?? '(unknown)'}'s report.`);
      return { runId, digest: source.origin.digest, durations: durationsOf(source.report.fixtures) };
    } catch (error) {
      const reason = error instanceof PreflightError ? `${error.diagnostic.code}: ${error.diagnostic.message}` : errorText(error);
      logger.info(`No durations of an earlier run to balance the shards by (${reason.replace(/^Cannot rerun the failed fixtures: /, '')}); balancing by count.`);
      return null;
    }
  };
}

/** The run that merges, as the artifact download needs it; its own context says everything asked. */
function thisRun(context: ActionRun, runId: string): RunInfo {
  return {
    id: runId,
    workflowId: 0,
    headBranch: context.branch,
    headSha: context.headSha,
    headRepository: context.headRepository,
    createdAt: new Date(0).toISOString(),
    htmlUrl: context.runUrl,
  };
}

function mergeStop(code: StopCode, message: string): PreflightDiagnostic {
  const guidance =
    code === 'permission-denied' || code === 'token-missing'
      ? ['The merge lists and downloads the shard artifacts of this run: github-token needs actions: read. Add to the job (or workflow):', PERMISSIONS]
      : code === 'shard-missing'
        ? [
            'Run the merge in a job after the shards (needs: <the matrix job>, if: ${{ !cancelled() }}), with the same artifact-name.',
            'Each shard (shard: i/n) uploads an artifact named <artifact-name>-shard-<i>-of-<n>-<job>-attempt-<n>.',
          ]
        : [];
  return preflightDiagnostic({ code, message: `Cannot merge the shards: ${message}`, guidance, fallbackIds: null });
}
