/**
 * report-only: publish the result recorded in another run's smoke artifact, running nothing. The check run goes
 * on the commit that run tested, which is how a workflow_run job reports fork pull requests.
 */
import path from 'node:path';
import { type SmokeOutcome } from '../engine/run-smoke.ts';
import { PreflightError } from '../report/stops.ts';
import { createCheckRunPublisher } from './check-run.ts';
import type { ActionContext } from './context.ts';
import { type ActionInputs, runnerTemp } from './inputs.ts';
import { type ActionResult, checkRunLogger, type CountingIo } from './io.ts';
import { publish } from './publish.ts';
import { createRerunSourceFinder } from '../rerun/artifact-source.ts';
import { writeStoppedReport } from '../engine/stopped-run.ts';
import { exitCodeOf } from '../engine/outcome.ts';

export async function reportOnly(io: CountingIo, context: ActionContext, inputs: ActionInputs): Promise<ActionResult> {
  const finder = createRerunSourceFinder(inputs, context, io.logger, { env: io.env, tempDir: runnerTemp(io.env) });
  try {
    const source = await finder.acquireRerunSource();
    const checks = createCheckRunPublisher(inputs, { ...context, headSha: source.headSha ?? context.headSha }, checkRunLogger(io));
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
    return publish(io, { context, inputs, outcome, checks, upload: false, commandArgs: sourceCommandArgs(report.baseUrl) });
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    const outcome = await writeStoppedReport({ fallbackRoot: runnerTemp(io.env), logger: io.logger, diagnostic: error.diagnostic, reportDir: path.resolve(io.cwd, inputs.reportDir), context });
    return publish(io, { context, inputs, outcome, checks: null, upload: false });
  }
}

/**
 * The base URL the reported run tested, unless it was a site served on the runner's loopback. The report is another
 * run's artifact, whose schema only says baseUrl is text: anything that is not a URL is left out of the commands.
 */
function sourceCommandArgs(baseUrl: string | null): string[] {
  if (!baseUrl || !URL.canParse(baseUrl)) return [];
  const host = new URL(baseUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? [] : ['--base-url', baseUrl];
}
