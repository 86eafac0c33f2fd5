/**
 * What the runner tells us about this run, read from its environment and event payload. Read once, passed
 * around; nothing else looks at process.env for run metadata.
 */
import fs from 'node:fs';
import type { RunContext } from '../report/schema.ts';
import type { DeploymentEvent } from '../deploy/base-url.ts';

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
  /** The deployment a `deployment_status` event is about; null for every other event. */
  deployment: DeploymentEvent | null;
}

/** Links need a server; runners always set GITHUB_SERVER_URL, so this only matters outside a runner. */
const DEFAULT_SERVER_URL = 'https://github.com';

interface EventPayload {
  pull_request?: { head?: { sha?: string; ref?: string; repo?: { full_name?: string } } };
  deployment_status?: { state?: unknown; environment_url?: unknown; target_url?: unknown; environment?: unknown };
  deployment?: { sha?: unknown; environment?: unknown };
}

function readEvent(eventPath: string | undefined): EventPayload {
  if (!eventPath) return {};
  try {
    const payload: unknown = JSON.parse(fs.readFileSync(eventPath, 'utf8'));
    return payload !== null && typeof payload === 'object' ? (payload as EventPayload) : {};
  } catch {
    return {};
  }
}

const textOf = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

function deploymentOf(eventName: string | undefined, payload: EventPayload): DeploymentEvent | null {
  if (eventName !== 'deployment_status') return null;
  const status = payload.deployment_status ?? {};
  return {
    state: textOf(status.state),
    environment: textOf(status.environment) ?? textOf(payload.deployment?.environment),
    environmentUrl: textOf(status.environment_url),
    targetUrl: textOf(status.target_url),
    sha: textOf(payload.deployment?.sha),
  };
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
  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const pullRequest = payload.pull_request;
  const deployment = deploymentOf(env.GITHUB_EVENT_NAME, payload);
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
    // A deployment's check run belongs to the commit that was deployed.
    headSha: pullRequest?.head?.sha || deployment?.sha || env.GITHUB_SHA || null,
    branch: pullRequest?.head?.ref || env.GITHUB_HEAD_REF || branchFromRef(env.GITHUB_REF),
    headRepository: pullRequest?.head?.repo?.full_name || repository,
    runUrl: repository && runId ? `${linkBase}/${repository}/actions/runs/${runId}` : null,
    deployment,
  };
}
