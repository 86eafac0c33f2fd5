/**
 * Publishing a finished (or stopped) run: artifact, terminal summary, job summary, annotations, check run and
 * outputs. Each channel is guarded: when one fails, the others still run, the failure is reported loudly, and the
 * verdict stays what the fixtures decided.
 */
import { type SmokeOutcome } from '../engine/run-smoke.ts';
import { formatPlan, formatSummary, planLine } from '../render/terminal.ts';
import { siteArgs } from '../report/commands.ts';
import { type Provenance, summaryViewOf } from '../render/view.ts';
import { artifactFilesOf, uploadReportArtifact } from './artifact-upload.ts';
import { ANNOTATIONS_PER_STEP, annotationsFor } from '../render/annotations.ts';
import type { CheckRunPublisher } from './check-run.ts';
import { type ActionContext, viewContextOf } from './context.ts';
import { type ActionInputs, DEFAULT_ARTIFACT_NAME } from './inputs.ts';
import { type ActionIo, type ActionResult, type CountingIo, deadlinesOf } from './io.ts';
import { type PublishedArtifact, outputsFor } from './outputs.ts';
import { type ArtifactVariant, smokeArtifactName } from '../rerun/artifact-names.ts';
import { renderActionSummary } from '../render/job-summary.ts';
import { resultOf } from '../engine/outcome.ts';

export interface Publication {
  context: ActionContext;
  inputs: ActionInputs | null;
  outcome: SmokeOutcome;
  checks: CheckRunPublisher | null;
  artifactPrefix?: string;
  /** report-only publishes a report that is already another run's artifact. */
  upload?: boolean;
  /** CLI arguments for the copy-paste commands; by default those of this run's inputs. */
  commandArgs?: string[];
  /**
   * report-only: the report is another run's, so the view says where it came from and what in it does not match
   * that run, and offers no `gh workflow run` command (this workflow is not the one that ran the fixtures).
   */
  provenance?: Provenance;
}

/**
 * The ref a `gh workflow run` rerun dispatches on: the branch under test. A pull request's merge ref cannot be
 * dispatched, so its head branch is used, unless that branch lives in a fork.
 */
export function dispatchRef(context: ActionContext): string | null {
  const sameRepository = context.headRepository?.toLowerCase() === context.repository?.toLowerCase();
  return context.branch && sameRepository ? `refs/heads/${context.branch}` : null;
}

/** Runs every channel, each guarded; a channel's failure is reported, never allowed to change the verdict. */
export async function publish(io: CountingIo, publication: Publication): Promise<ActionResult> {
  const { outcome, inputs, context } = publication;
  const problems: string[] = [];
  const guarded = async <T>(channel: string, work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      const message = `${channel} failed: ${error instanceof Error ? error.message : String(error)}`;
      problems.push(message);
      io.annotate({ level: 'error', message, title: 'reliability-smoke', file: null, startLine: null });
      return null;
    }
  };
  const artifact =
    publication.upload === false ? null : await guarded('Uploading the smoke artifact', () => uploadArtifact(io, publication, problems));
  const view = outcome.report
    ? summaryViewOf(outcome.report, {
        // Evidence is shown relative to the report folder, which is also the artifact's root.
        reportDir: null,
        reportPath: outcome.reportPath,
        htmlPath: outcome.htmlPath,
        // Only an artifact that exists may be pointed at; after a failed upload the report is only on the runner.
        artifact: artifact?.id ? { name: artifact.name, url: artifact.url } : null,
        commandArgs: publication.commandArgs ?? (inputs ? siteArgs(inputs) : []),
        context: publication.provenance ? { ...viewContextOf(context), workflow: null } : viewContextOf(context),
        provenance: publication.provenance ?? null,
        ...(publication.upload === false ? {} : { dispatchRef: dispatchRef(context) }),
      })
    : null;
  if (view) for (const line of formatSummary(view).split('\n')) io.logger.info(line);
  await guarded('Writing the job summary', () => io.writeSummary(renderActionSummary({ view, plan: outcome.plan, problems })));
  // The check run first: its error or warning must not be the annotation GitHub drops after the fixtures' ones.
  const checkRunId = publication.checks ? await guarded('Reporting the check run', () => publication.checks!.finish(outcome, view)) : null;
  if (view) for (const annotation of annotationsFor(view, annotationRoom(io.annotated, view.verdict))) io.annotate(annotation);
  const outputs = outputsFor(outcome, { artifact, checkRunId: checkRunId ?? null });
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value);
  const result = outputs.result;
  // formatSummary above already ends with the RESULT line. A dry run has no view: it prints its plan, which ends
  // with a PLAN line, since nothing was judged.
  if (!view) for (const line of dryRunLines(outcome).split('\n')) io.logger.info(line);
  return { failed: result === 'fail', message: failureMessage(outcome) };
}

/**
 * GitHub shows 10 errors and 10 warnings per step and drops the rest. The annotations already sent (publishing
 * problems, check-run warnings) and the step's own failure message take their places first, so the fixture
 * annotations and the notice about the rest all show.
 */
function annotationRoom(annotated: CountingIo['annotated'], verdict: 'pass' | 'fail'): { error: number; warning: number } {
  const errors = annotated.error + (verdict === 'fail' ? 1 : 0);
  return { error: Math.max(0, ANNOTATIONS_PER_STEP.error - errors), warning: Math.max(0, ANNOTATIONS_PER_STEP.warning - annotated.warning) };
}

async function uploadArtifact(io: ActionIo, publication: Publication, problems: string[]): Promise<PublishedArtifact | null> {
  const { outcome, inputs, context } = publication;
  const files = artifactFilesOf(outcome);
  if (!files) {
    io.logger.info('Nothing was written, so no smoke artifact is uploaded.');
    return null;
  }
  const name = smokeArtifactName(inputs?.artifactName ?? publication.artifactPrefix ?? DEFAULT_ARTIFACT_NAME, io.env, artifactVariantOf(inputs));
  const uploaded = await uploadReportArtifact({
    uploader: io.uploader,
    name,
    files,
    retentionDays: inputs?.retentionDays ?? null,
    context,
    timeoutMs: deadlinesOf(io).uploadMs,
  });
  if (uploaded.error) {
    const message = `The smoke artifact "${name}" was not uploaded: ${uploaded.error}. The verdict is unchanged; the report is at ${files.rootDirectory}.`;
    problems.push(message);
    io.annotate({ level: 'error', message, title: 'reliability-smoke artifact upload failed', file: null, startLine: null });
  } else {
    io.logger.info(`Uploaded the smoke artifact "${name}" (id ${uploaded.artifact.id}).`);
  }
  return uploaded.artifact;
}

/** A shard's artifact names its part, a merge job's says it is merged, so neither clashes and a rerun can tell them apart. */
function artifactVariantOf(inputs: ActionInputs | null): ArtifactVariant {
  if (inputs?.merge) return { kind: 'merged' };
  return inputs?.shard ? { kind: 'shard', ...inputs.shard } : null;
}

function failureMessage(outcome: SmokeOutcome): string {
  const report = outcome.report;
  if (!report) return resultOf(outcome) === 'fail' ? 'The dry run could not be planned; see the log above.' : '';
  if (report.preflight) return `reliability-smoke stopped before running fixtures: ${report.preflight.message}`;
  const mergeProblems = report.mergeProblems ?? [];
  if (mergeProblems.length > 0) return `The merge cannot vouch for the whole suite: ${mergeProblems.map((problem) => problem.code).join(', ')}.`;
  if (report.interrupted) return `reliability-smoke was interrupted: ${report.interrupted.message}`;
  const { failed, flaky } = report.summary;
  if (failed > 0) return `${failed} fixture${failed === 1 ? '' : 's'} failed.`;
  if (flaky > 0) return `${flaky} fixture${flaky === 1 ? ' was' : 's were'} flaky, and fail-on-flaky is on.`;
  return 'reliability-smoke failed.';
}

/** What a dry run prints: its plan, or (when it could not be planned, or had nothing to rerun) the plan line. */
function dryRunLines(outcome: SmokeOutcome): string {
  if (outcome.plan) return formatPlan(outcome.plan, outcome.planPath);
  return planLine(null, resultOf(outcome) !== 'fail');
}
