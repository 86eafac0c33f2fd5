/**
 * The check run, so a smoke suite can be a required status check. Created `in_progress` on the commit under test
 * (the PR head, not the merge commit) when fixtures start, completed with the conclusion, the job summary cut to
 * GitHub's 65,535 characters, and every annotation in batches of 50. A 403 or 404 (a fork PR's read-only token,
 * no checks: write) becomes one warning: the failures are still annotated through workflow commands, and the
 * verdict never depends on the check run.
 */
import { getOctokit } from '@actions/github';
import type { SmokeOutcome } from '../engine.ts';
import type { SummaryView } from '../report/summary-data.ts';
import type { Logger } from '../run/types.ts';
import { type Annotation, annotationsFor } from './annotations.ts';
import type { ActionContext } from './context.ts';
import { CHECK_RUN_TEXT_MAX_CHARS, renderJobSummaryWithin } from './job-summary.ts';

export const ANNOTATIONS_PER_REQUEST = 50;
const TITLE_MAX_CHARS = 255;
const ANNOTATION_MESSAGE_MAX_CHARS = 64 * 1024 - 1;

export interface CheckRunOutput {
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title?: string;
}

/** The two calls the check run needs; the real one is Octokit's checks API. */
export interface ChecksApi {
  create(params: { name: string; head_sha: string; status: 'in_progress' | 'completed'; started_at: string; details_url?: string; conclusion?: Conclusion; output?: CheckRunOutput }): Promise<{ id: number }>;
  update(id: number, params: { status?: 'in_progress' | 'completed'; conclusion?: Conclusion; completed_at?: string; output: CheckRunOutput }): Promise<void>;
}

export type Conclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunPublisher {
  /** Creates the check run in progress; never throws. */
  start(fixtureCount: number): Promise<void>;
  /** Completes it (creating it first if start never ran). Returns its id, or null when it is off or refused. */
  finish(outcome: SmokeOutcome, view: SummaryView | null): Promise<string | null>;
}

export function conclusionOf(outcome: SmokeOutcome): Conclusion {
  if (!outcome.report) return outcome.exitCode === 0 ? 'neutral' : 'failure';
  return outcome.report.result === 'pass' ? 'success' : 'failure';
}

export function titleOf(outcome: SmokeOutcome): string {
  const report = outcome.report;
  if (!report) return outcome.exitCode === 0 ? `Dry run: ${outcome.selectedCount} fixtures would run` : 'Dry run could not be planned';
  if (report.preflight) return `Stopped before running fixtures: ${report.preflight.code}`.slice(0, TITLE_MAX_CHARS);
  const { failed, flaky, passed, skipped, recovered } = report.summary;
  const parts = [failed && `${failed} failed`, flaky && `${flaky} flaky`, `${passed} passed`, skipped && `${skipped} skipped`, recovered && `${recovered} recovered`];
  return parts.filter(Boolean).join(', ').slice(0, TITLE_MAX_CHARS);
}

/** Only annotations with a file can go on a check run; run-level ones stay in the summary. */
export function checkAnnotationsOf(view: SummaryView): CheckAnnotation[] {
  return annotationsFor(view, { error: Number.POSITIVE_INFINITY, warning: Number.POSITIVE_INFINITY })
    .filter((annotation): annotation is Annotation & { file: string; startLine: number } => annotation.file !== null && annotation.startLine !== null)
    .map((annotation) => ({
      path: annotation.file,
      start_line: annotation.startLine,
      end_line: annotation.startLine,
      annotation_level: annotation.level === 'error' ? 'failure' : annotation.level,
      message: annotation.message.slice(0, ANNOTATION_MESSAGE_MAX_CHARS),
      title: annotation.title.slice(0, TITLE_MAX_CHARS),
    }));
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

function refusal(error: unknown): string | null {
  const status = (error as { status?: number }).status;
  if (status !== 403 && status !== 404) return null;
  return (
    `The check run could not be reported (${status}): github-token lacks the checks: write permission. ` +
    'On pull requests from forks the token is read-only; the failures are annotated in this job instead. ' +
    'See the README for the workflow_run pattern that reports the check from the uploaded artifact.'
  );
}

export function createCheckRunPublisherWith(
  api: ChecksApi | null,
  name: string | null,
  headSha: string | null,
  logger: Logger,
  detailsUrl: string | null,
): CheckRunPublisher {
  let id: number | null = null;
  let disabled = !api || !name || !headSha;
  const guard = async <T>(work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      const refused = refusal(error);
      disabled = true;
      if (refused) {
        logger.warn(refused);
        return null;
      }
      throw error;
    }
  };
  const startedAt = new Date().toISOString();
  return {
    async start(fixtureCount) {
      if (disabled || id !== null) return;
      const created = await guard(() =>
        api!.create({
          name: name!,
          head_sha: headSha!,
          status: 'in_progress',
          started_at: startedAt,
          ...(detailsUrl ? { details_url: detailsUrl } : {}),
          output: { title: `Running ${fixtureCount} fixture${fixtureCount === 1 ? '' : 's'}`, summary: 'reliability-smoke is running.' },
        }),
      ).catch((error: unknown) => {
        logger.warn(`The check run could not be created: ${error instanceof Error ? error.message : String(error)}`);
        disabled = true;
        return null;
      });
      id = created?.id ?? null;
    },
    async finish(outcome, view) {
      if (disabled && id === null) return null;
      const title = titleOf(outcome);
      const summary = view ? renderJobSummaryWithin(view, { max: CHECK_RUN_TEXT_MAX_CHARS, unit: 'chars' }) : title;
      const groups = batches(view ? checkAnnotationsOf(view) : [], ANNOTATIONS_PER_REQUEST);
      const conclusion = conclusionOf(outcome);
      const completed = { status: 'completed' as const, conclusion, completed_at: new Date().toISOString() };
      if (id === null) {
        const created = await guard(() =>
          api!.create({ name: name!, head_sha: headSha!, started_at: startedAt, ...completed, output: { title, summary, annotations: groups[0] ?? [] } }),
        );
        if (!created) return null;
        id = created.id;
        groups.shift();
        for (const group of groups) await guard(() => api!.update(id!, { output: { title, summary, annotations: group } }));
        return String(id);
      }
      // Batches go while the run is in progress; the last request completes it, so a reader never sees a
      // completed run with half its annotations.
      const last = groups.pop() ?? [];
      for (const group of groups) await guard(() => api!.update(id!, { output: { title, summary, annotations: group } }));
      await guard(() => api!.update(id!, { ...completed, output: { title, summary, annotations: last } }));
      return String(id);
    },
  };
}

export function createCheckRunPublisher(
  inputs: { checkName: string | null; githubToken: string; dryRun: boolean },
  context: ActionContext,
  logger: Logger,
): CheckRunPublisher {
  if (!inputs.checkName || !inputs.githubToken || !context.owner || !context.repo) {
    return createCheckRunPublisherWith(null, null, null, logger, null);
  }
  const octokit = getOctokit(inputs.githubToken);
  const owner = context.owner;
  const repo = context.repo;
  const api: ChecksApi = {
    create: async (params) => ({ id: (await octokit.rest.checks.create({ owner, repo, ...params })).data.id }),
    update: async (checkRunId, params) => {
      await octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...params });
    },
  };
  return createCheckRunPublisherWith(api, inputs.checkName, context.headSha, logger, context.runUrl);
}
