/**
 * The check run, so a smoke suite can be a required status check. Created `in_progress` on the commit under test
 * (the PR head, not the merge commit) when fixtures start, completed with the conclusion, the job summary cut to
 * GitHub's 65,535 characters, and the annotations in batches of 50 (at most 500, with a note for the rest). A 403 or 404 (a fork PR's read-only token,
 * no checks: write) becomes one warning and stops every later request: the failures are still annotated through
 * workflow commands, and the verdict never depends on the check run. Any other failure leaves no check run stuck
 * in progress where that can be helped: a failed start is retried with the result, a failed annotation batch
 * still lets the run complete.
 */
import { githubClient } from '../rerun/runs-api.ts';
import { type SmokeOutcome } from '../engine/run-smoke.ts';
import type { SummaryView } from '../render/view.ts';
import type { Logger } from '../common/types.ts';
import { type Annotation, annotationsFor } from '../render/annotations.ts';
import type { ActionContext } from './context.ts';
import { CHECK_RUN_TEXT_MAX_CHARS, renderJobSummaryWithin } from '../render/job-summary.ts';
import { resultOf } from '../engine/outcome.ts';
import { runnableCount } from '../report/plan.ts';

export const ANNOTATIONS_PER_REQUEST = 50;
/**
 * At most this many annotations per check run: 10 requests. A token may make 1,000 requests an hour, and a report
 * with 20,000 failures would otherwise spend 400 of them (and the next run's share) on annotations nobody reads.
 * The rest are named by a note in the check run's summary; every failure is in the job summary and the artifact.
 */
export const MAX_CHECK_RUN_ANNOTATIONS = 500;
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
  create(params: {
    name: string;
    head_sha: string;
    status: 'in_progress' | 'completed';
    started_at: string;
    details_url?: string;
    conclusion?: Conclusion;
    completed_at?: string;
    output?: CheckRunOutput;
  }): Promise<{ id: number }>;
  update(id: number, params: { status?: 'in_progress' | 'completed'; conclusion?: Conclusion; completed_at?: string; output: CheckRunOutput }): Promise<void>;
}

export type Conclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunPublisher {
  /** Creates the check run in progress; never throws (finish() creates it when this could not). */
  start(fixtureCount: number): Promise<void>;
  /**
   * Completes it (creating it first if start never ran). Returns its id, or null when it is off or refused.
   * Throws only when the check run could not be created or completed for another reason than a refusal.
   */
  finish(outcome: SmokeOutcome, view: SummaryView | null): Promise<string | null>;
}

/** A dry run that could be planned ran nothing, so it neither passed nor failed. */
function conclusionOf(outcome: SmokeOutcome): Conclusion {
  if (resultOf(outcome) === 'fail') return 'failure';
  return outcome.report ? 'success' : 'neutral';
}

export function titleOf(outcome: SmokeOutcome): string {
  const report = outcome.report;
  if (!report) {
    if (outcome.exitCode !== 0) return 'Dry run could not be planned';
    const { run, skipped } = outcome.plan ? runnableCount(outcome.plan) : { run: outcome.selectedCount, skipped: 0 };
    return `Dry run: ${run} fixtures would run${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  }
  if (report.preflight) return `Stopped before running fixtures: ${report.preflight.code}`.slice(0, TITLE_MAX_CHARS);
  const { failed, flaky, passed, skipped, recovered } = report.summary;
  const problems = report.mergeProblems?.length ?? 0;
  const quarantined = report.quarantine?.fixtures.length ?? 0;
  const parts = [
    problems && `Merge incomplete (${[...new Set(report.mergeProblems!.map((problem) => problem.code))].join(', ')})`,
    failed && `${failed} failed`,
    quarantined && `${quarantined} quarantined`,
    flaky && `${flaky} flaky`,
    `${passed} passed`,
    skipped && `${skipped} skipped`,
    recovered && `${recovered} recovered`,
  ];
  return parts.filter(Boolean).join(', ').slice(0, TITLE_MAX_CHARS);
}

/** Only annotations with a file can go on a check run; run-level ones stay in the summary. */
function checkAnnotationsOf(view: SummaryView): CheckAnnotation[] {
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

/** The line that says how many annotations the check run does not carry, or nothing when it carries them all. */
function unsentNote(unsent: number): string {
  if (unsent <= 0) return '';
  return (
    `\n\n> **${unsent} more annotation${unsent === 1 ? ' is' : 's are'} not on this check run**: it carries the first ` +
    `${MAX_CHECK_RUN_ANNOTATIONS}, so that one run cannot spend the token's hourly API requests. Every result is in ` +
    '`report.json` (and `report.html`) in the smoke artifact.\n'
  );
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

function refusal(error: unknown): string | null {
  const status = (error as { status?: number } | null)?.status;
  if (status !== 403 && status !== 404) return null;
  return (
    `The check run could not be reported (${status}): github-token lacks the checks: write permission. ` +
    'On pull requests from forks the token is read-only; the failures are annotated in this job instead. ' +
    'See the README for the workflow_run pattern that reports the check from the uploaded artifact.'
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What one request came to: a refusal (403/404) turns the check run off for good; other errors throw. */
type Sent<T> = { refused: false; value: T } | { refused: true };

export function createCheckRunPublisherWith(
  api: ChecksApi | null,
  name: string | null,
  headSha: string | null,
  logger: Logger,
  detailsUrl: string | null,
): CheckRunPublisher {
  let id: number | null = null;
  // One refusal is enough: every later request would be refused too, and the user needs one warning, not one
  // per annotation batch.
  let refused = false;
  const send = async <T>(request: (checks: ChecksApi) => Promise<T>): Promise<Sent<T>> => {
    if (refused || !api) return { refused: true };
    try {
      return { refused: false, value: await request(api) };
    } catch (error) {
      const message = refusal(error);
      if (!message) throw error;
      refused = true;
      logger.warn(message);
      return { refused: true };
    }
  };
  const startedAt = new Date().toISOString();
  const identity = () => ({ name: name!, head_sha: headSha!, started_at: startedAt, ...(detailsUrl ? { details_url: detailsUrl } : {}) });
  const on = () => api !== null && name !== null && headSha !== null && !refused;
  return {
    async start(fixtureCount) {
      if (!on() || id !== null) return;
      const output = { title: `Running ${fixtureCount} fixture${fixtureCount === 1 ? '' : 's'}`, summary: 'reliability-smoke is running.' };
      try {
        const created = await send((checks) => checks.create({ ...identity(), status: 'in_progress', output }));
        if (!created.refused) id = created.value.id;
      } catch (error) {
        // Not a refusal (a 5xx, a network error): finish() creates the check run with the result instead.
        logger.warn(`The check run could not be created when fixtures started (${reasonOf(error)}); it is created with the result.`);
      }
    },
    async finish(outcome, view) {
      if (!on()) return null;
      const title = titleOf(outcome);
      const annotations = view ? checkAnnotationsOf(view) : [];
      const note = unsentNote(annotations.length - MAX_CHECK_RUN_ANNOTATIONS);
      const summary = view ? renderJobSummaryWithin(view, { max: CHECK_RUN_TEXT_MAX_CHARS - note.length, unit: 'chars' }) + note : title;
      const output = (annotations: CheckAnnotation[]): CheckRunOutput => ({ title, summary, annotations });
      const groups = batches(annotations.slice(0, MAX_CHECK_RUN_ANNOTATIONS), ANNOTATIONS_PER_REQUEST);
      const completed = { status: 'completed' as const, conclusion: conclusionOf(outcome), completed_at: new Date().toISOString() };
      // Batches go while the run is in progress and the last request completes it, so a reader never sees a
      // completed run with half its annotations (also when start() never ran: report-only, preflight, dry run).
      const last = groups.pop() ?? [];
      if (id === null) {
        const first = groups.shift();
        const created = await send((checks) =>
          checks.create({ ...identity(), ...(first ? { status: 'in_progress' as const } : completed), output: output(first ?? last) }),
        );
        if (created.refused) return null;
        id = created.value.id;
        if (!first) return String(id);
      }
      const checkRunId = id;
      const dropped = await sendBatches(groups, (group) => send((checks) => checks.update(checkRunId, { output: output(group) })));
      if (dropped.refused) return null;
      const done = await send((checks) => checks.update(checkRunId, { ...completed, output: output(dropped.error ? [] : last) }));
      if (done.refused) return null;
      if (dropped.error) {
        const count = dropped.count + last.length;
        logger.warn(
          `${count} annotation${count === 1 ? ' was' : 's were'} not added to the check run (${reasonOf(dropped.error)}); ` +
            'it was completed with its conclusion and summary without them. Every failure is in the job summary and the report.',
        );
      }
      return String(checkRunId);
    },
  };
}

/**
 * Sends the annotation batches in order. A batch that fails for another reason than a refusal stops the rest, so
 * the caller can still complete the check run: a required check left in progress would block the pull request.
 */
async function sendBatches(
  groups: readonly CheckAnnotation[][],
  sendOne: (group: CheckAnnotation[]) => Promise<Sent<void>>,
): Promise<{ refused: boolean; error: unknown; count: number }> {
  for (const [index, group] of groups.entries()) {
    try {
      if ((await sendOne(group)).refused) return { refused: true, error: null, count: 0 };
    } catch (error) {
      const count = groups.slice(index).reduce((total, rest) => total + rest.length, 0);
      return { refused: false, error: error ?? new Error('unknown error'), count };
    }
  }
  return { refused: false, error: null, count: 0 };
}

export function createCheckRunPublisher(
  inputs: { checkName: string | null; githubToken: string },
  context: ActionContext,
  logger: Logger,
  githubCallMs?: number,
): CheckRunPublisher {
  if (!inputs.checkName || !inputs.githubToken || !context.owner || !context.repo) {
    return createCheckRunPublisherWith(null, null, null, logger, null);
  }
  // The API of the runner's GitHub (GITHUB_API_URL, as the Action read it), not @actions/github's import-time default.
  const octokit = githubClient(inputs.githubToken, context.apiUrl, githubCallMs);
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
