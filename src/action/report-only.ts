/**
 * report-only: publish the result recorded in another run's smoke artifact, running nothing. The check run goes
 * on the commit that run tested, which is how a workflow_run job reports fork pull requests.
 *
 * The artifact is the other run's word, not ours: for a fork's pull request, the fork's code made it. So its text is
 * shown as data, every link and command is built here (render/view.ts), and what the report says about itself (its
 * run, its commit, its repository) is checked against the run GitHub says it came from; any mismatch is shown first.
 */
import path from 'node:path';
import { type SmokeOutcome } from '../engine/run-smoke.ts';
import { PreflightError } from '../report/stops.ts';
import { createCheckRunPublisher } from './check-run.ts';
import type { ActionContext } from './context.ts';
import { type ActionInputs, runnerTemp } from './inputs.ts';
import { type ActionResult, checkRunLogger, type CountingIo, deadlinesOf, finderDeps } from './io.ts';
import { publish } from './publish.ts';
import { createRerunSourceFinder, type FoundSource } from '../rerun/artifact-source.ts';
import type { Provenance } from '../render/view.ts';
import { writeStoppedReport } from '../engine/stopped-run.ts';
import { exitCodeOf } from '../engine/outcome.ts';

export async function reportOnly(io: CountingIo, context: ActionContext, inputs: ActionInputs): Promise<ActionResult> {
  const finder = createRerunSourceFinder(inputs, context, io.logger, finderDeps(io));
  try {
    const source = await finder.acquireRerunSource();
    const checks = createCheckRunPublisher(inputs, { ...context, headSha: source.headSha ?? context.headSha }, checkRunLogger(io), deadlinesOf(io).githubCallMs);
    io.logger.info(`Reporting ${finder.describeSource(source)}; no fixture runs in report-only mode.`);
    const report = source.report;
    const outcome: SmokeOutcome = {
      report,
      reportPath: null,
      junitPath: null,
      htmlPath: null,
      planPath: null,
      plan: null,
      selectedCount: report.selection.selected.length,
      mode: report.mode,
      exitCode: exitCodeOf(report),
    };
    const provenance = provenanceOf(source, finder.describeSource(source), context);
    for (const mismatch of provenance.mismatches) io.logger.warn(mismatch);
    return publish(io, { context, inputs, outcome, checks, upload: false, provenance });
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    const outcome = await writeStoppedReport({ fallbackRoot: runnerTemp(io.env), logger: io.logger, diagnostic: error.diagnostic, reportDir: path.resolve(io.cwd, inputs.reportDir), context });
    return publish(io, { context, inputs, outcome, checks: null, upload: false });
  }
}

/** What the report claims about itself, against what GitHub says about the run whose artifact held it. */
export function provenanceOf(source: FoundSource, described: string, context: ActionContext): Provenance {
  const { run } = source.report;
  const shown = (value: string | null | undefined) => (value ? `"${value.slice(0, 100)}"` : 'nothing');
  const mismatches: string[] = [];
  if (source.origin.runId !== null && run.runId !== source.origin.runId) {
    mismatches.push(`report.json says it is from run ${shown(run.runId)}, but it was in the artifact of run ${source.origin.runId}.`);
  }
  const tested = run.headSha ?? run.sha;
  if (source.headSha !== null && tested !== source.headSha) {
    const which = source.origin.runId === null ? 'that run' : `run ${source.origin.runId}`;
    mismatches.push(`report.json says it tested commit ${shown(tested)}, but ${which} ran on commit ${source.headSha}.`);
  }
  if (context.repository !== null && run.repository?.toLowerCase() !== context.repository.toLowerCase()) {
    mismatches.push(`report.json says it is from the repository ${shown(run.repository)}, but it was found in ${context.repository}.`);
  }
  return {
    source: `report.json of ${described}, published without running anything (report-only)`,
    runId: source.origin.runId,
    runAttempt: source.origin.runAttempt,
    mismatches,
  };
}
