/**
 * The environment a GitHub-hosted runner gives a JavaScript action step, pointed at the loopback service.
 * GITHUB_SERVER_URL is deliberately left unset: @actions/artifact treats any server other than github.com,
 * *.ghe.com or *.localhost as GHES and throws GHESNotSupportedError, so a loopback server URL would break it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Run } from './state.ts';

export interface EnvOptions {
  runId: number;
  /** Default: the run's current attempt. A higher attempt re-runs the run (status in_progress again). */
  runAttempt?: number;
  /** GITHUB_JOB; default `smoke`. */
  jobId?: string;
  /** `owner/repo`; default the run's repository. */
  repository?: string;
  /** GITHUB_WORKFLOW; default the run's workflow name. */
  workflow?: string;
  /** Default `refs/heads/<branch>`, or `refs/pull/<n>/merge` for pull_request events. */
  ref?: string;
  /** Default the run's head sha. */
  sha?: string;
  /** Default the run's event. */
  eventName?: string;
  /** An existing event payload file; otherwise `event` (or a minimal payload) is written for you. */
  eventPath?: string;
  event?: Record<string, unknown>;
}

export interface EnvParts {
  run: Run;
  attempt: number;
  jobId: string;
  runtimeToken: string;
  apiUrl: string;
  resultsUrl: string;
  retentionDays: number;
  /** A fresh directory for this step's files (temp, workspace, output, summary...). */
  stepDir: string;
}

export function runnerEnv(options: EnvOptions, parts: EnvParts): Record<string, string> {
  const { run, stepDir } = parts;
  const repository = options.repository ?? run.repository;
  const [owner = ''] = repository.split('/');
  const eventName = options.eventName ?? run.event;
  const pr = run.pullRequests[0];
  const isPullRequest = eventName.startsWith('pull_request');
  const ref = options.ref ?? (isPullRequest && pr ? `refs/pull/${pr.number}/merge` : `refs/heads/${run.branch}`);
  const sha = options.sha ?? run.sha;
  const dirs = { temp: path.join(stepDir, 'temp'), workspace: path.join(stepDir, 'workspace') };
  fs.mkdirSync(dirs.temp, { recursive: true });
  fs.mkdirSync(dirs.workspace, { recursive: true });
  const files = Object.fromEntries(
    ['output', 'step_summary', 'env', 'path', 'state'].map((name) => {
      const file = path.join(stepDir, `${name}.txt`);
      fs.writeFileSync(file, '');
      return [name, file];
    }),
  ) as Record<'output' | 'step_summary' | 'env' | 'path' | 'state', string>;
  const eventPath = options.eventPath ?? path.join(stepDir, 'event.json');
  if (!options.eventPath) {
    const event = options.event ?? defaultEvent(eventName, repository, ref, sha, run);
    fs.writeFileSync(eventPath, JSON.stringify(event, null, 2));
  }
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'reliability-smoke',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_API_URL: parts.apiUrl,
    GITHUB_GRAPHQL_URL: `${parts.apiUrl}/graphql`,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_RUN_ID: String(run.id),
    GITHUB_RUN_ATTEMPT: String(parts.attempt),
    GITHUB_RUN_NUMBER: String(run.id % 100_000),
    GITHUB_WORKFLOW: options.workflow ?? run.workflowName,
    GITHUB_WORKFLOW_REF: `${repository}/${run.path}@${ref}`,
    GITHUB_WORKFLOW_SHA: sha,
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags|pull)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_HEAD_REF: isPullRequest ? (pr?.headRef ?? run.branch) : '',
    GITHUB_BASE_REF: isPullRequest ? (pr?.baseRef ?? 'main') : '',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_JOB: parts.jobId,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.step_summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_RETENTION_DAYS: String(parts.retentionDays),
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: path.join(stepDir, 'toolcache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    ACTIONS_RUNTIME_TOKEN: parts.runtimeToken,
    ACTIONS_RESULTS_URL: parts.resultsUrl,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

function defaultEvent(eventName: string, repository: string, ref: string, sha: string, run: Run): Record<string, unknown> {
  const repo = { full_name: repository, name: repository.split('/')[1], owner: { login: repository.split('/')[0] } };
  const pr = run.pullRequests[0];
  if (eventName.startsWith('pull_request') && pr) {
    return {
      action: 'synchronize',
      number: pr.number,
      pull_request: {
        number: pr.number,
        head: { ref: pr.headRef ?? run.branch, sha: pr.headSha ?? sha },
        base: { ref: pr.baseRef ?? 'main', sha: pr.baseSha ?? '0'.repeat(40) },
      },
      repository: repo,
    };
  }
  if (eventName === 'workflow_dispatch') return { inputs: {}, ref, repository: repo, workflow: run.path };
  return { ref, after: sha, repository: repo };
}
