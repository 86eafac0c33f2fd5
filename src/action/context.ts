/**
 * What the runner tells us about this run, read from its environment and event payload. Read once, passed
 * around; nothing else looks at process.env for run metadata.
 */
import fs from 'node:fs';
import type { RunContext } from '../report/schema.ts';

export interface ActionContext extends RunContext {
  owner: string | null;
  repo: string | null;
  apiUrl: string;
  /** The commit a check run belongs to: the PR head for pull_request events, else the run's sha. */
  headSha: string | null;
  /** The branch runs are compared on: the PR head branch for pull requests, else the pushed branch. */
  branch: string | null;
  /** owner/name of the repository the head commit lives in (a fork for fork PRs). */
  headRepository: string | null;
  workflowRef: string | null;
  /** Link to this run. */
  runUrl: string | null;
}

/** Links need a server; runners always set GITHUB_SERVER_URL, so this only matters outside a runner. */
const DEFAULT_SERVER_URL = 'https://github.com';

interface PullRequestPayload {
  pull_request?: { head?: { sha?: string; ref?: string; repo?: { full_name?: string } } };
}

function readEvent(eventPath: string | undefined): PullRequestPayload {
  if (!eventPath) return {};
  try {
    return JSON.parse(fs.readFileSync(eventPath, 'utf8')) as PullRequestPayload;
  } catch {
    return {};
  }
}

function branchFromRef(ref: string | undefined): string | null {
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

/** The run as links see it: on its server (github.com when the runner does not say), with its workflow and ref. */
export function viewContextOf(context: ActionContext): ActionContext {
  return { ...context, serverUrl: context.serverUrl ?? DEFAULT_SERVER_URL };
}

export function readActionContext(env: Record<string, string | undefined>): ActionContext {
  const repository = env.GITHUB_REPOSITORY || null;
  const [owner, repo] = repository?.split('/') ?? [];
  const pullRequest = readEvent(env.GITHUB_EVENT_PATH).pull_request;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  const serverUrl = env.GITHUB_SERVER_URL || null;
  const runId = env.GITHUB_RUN_ID || null;
  const linkBase = serverUrl ?? DEFAULT_SERVER_URL;
  return {
    repository,
    owner: owner || null,
    repo: repo || null,
    workflow: env.GITHUB_WORKFLOW || null,
    workflowRef: env.GITHUB_WORKFLOW_REF || null,
    runId,
    runAttempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : null,
    sha: env.GITHUB_SHA || null,
    ref: env.GITHUB_REF || null,
    event: env.GITHUB_EVENT_NAME || null,
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    headSha: pullRequest?.head?.sha || env.GITHUB_SHA || null,
    branch: pullRequest?.head?.ref || env.GITHUB_HEAD_REF || branchFromRef(env.GITHUB_REF),
    headRepository: pullRequest?.head?.repo?.full_name || repository,
    runUrl: repository && runId ? `${linkBase}/${repository}/actions/runs/${runId}` : null,
  };
}
