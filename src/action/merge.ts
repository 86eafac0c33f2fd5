/**
 * merge: true. The job after a sharded matrix: it runs no fixture, merges the shard artifacts of this run into one
 * report, and publishes the one verdict (outputs, job summary, annotations, the check run, a merged artifact).
 */
import { runMerge } from '../engine/run-merge.ts';
import type { SmokeOutcome } from '../engine/request.ts';
import { siteArgs } from '../report/commands.ts';
import { createShardArtifactSource } from '../shard/artifact-shards.ts';
import { TOOL_VERSION } from '../version.ts';
import { createCheckRunPublisher } from './check-run.ts';
import type { ActionContext } from './context.ts';
import type { ActionInputs } from './inputs.ts';
import { type ActionResult, checkRunLogger, type CountingIo, finderDeps } from './io.ts';
import { dispatchRef, publish } from './publish.ts';

export async function mergeShards(
  io: CountingIo,
  context: ActionContext,
  inputs: ActionInputs,
  unfinished: (error: unknown) => Promise<SmokeOutcome>,
): Promise<ActionResult> {
  const checks = createCheckRunPublisher(inputs, context, checkRunLogger(io));
  const source = createShardArtifactSource(inputs, context, io.logger, finderDeps(io));
  const outcome = await runMerge(
    {
      ...source,
      context,
      toolVersion: TOOL_VERSION,
      reportDir: inputs.reportDir,
      commandArgs: siteArgs(inputs),
      dispatchRef: dispatchRef(context),
      carryOverWhenShaUnknown: false,
    },
    { logger: io.logger, cwd: io.cwd },
  ).catch(unfinished);
  return publish(io, { context, inputs, outcome, checks });
}
