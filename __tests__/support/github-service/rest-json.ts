/** REST payloads shaped like api.github.com's, and the workflow-run list filters. */
import { repositoryId, type Artifact, type CheckRun, type Run, type State } from './state.ts';

const nodeId = (kind: string, id: number): string => Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');

function repositoryJson(apiUrl: string, fullName: string): Record<string, unknown> {
  const [owner = '', name = ''] = fullName.split('/');
  return {
    id: repositoryId(fullName),
    node_id: nodeId('Repository', repositoryId(fullName)),
    name,
    full_name: fullName,
    private: false,
    owner: { login: owner, id: repositoryId(owner), type: 'Organization' },
    html_url: `https://github.com/${fullName}`,
    url: `${apiUrl}/repos/${fullName}`,
  };
}

export function runJson(apiUrl: string, run: Run, attempt: number, excludePullRequests = false): Record<string, unknown> {
  const runUrl = `${apiUrl}/repos/${run.repository}/actions/runs/${run.id}`;
  const current = attempt === run.attempt;
  const repoId = repositoryId(run.repository);
  const workflowFile = run.path.split('/').pop() ?? run.path;
  return {
    id: run.id,
    name: run.workflowName,
    node_id: nodeId('WorkflowRun', run.id),
    head_branch: run.branch,
    head_sha: run.sha,
    path: run.path,
    display_title: run.workflowName,
    run_number: run.id % 100_000,
    event: run.event,
    status: current ? run.status : 'completed',
    conclusion: current ? run.conclusion : (run.attemptConclusions[attempt] ?? 'failure'),
    workflow_id: run.workflowId,
    check_suite_id: run.id * 10,
    url: runUrl,
    html_url: `https://github.com/${run.repository}/actions/runs/${run.id}`,
    pull_requests: excludePullRequests
      ? []
      : run.pullRequests.map((pr) => ({
          id: pr.number * 1000,
          number: pr.number,
          url: `${apiUrl}/repos/${run.repository}/pulls/${pr.number}`,
          head: { ref: pr.headRef ?? run.branch, sha: pr.headSha ?? run.sha, repo: { id: repoId, url: `${apiUrl}/repos/${run.repository}`, name: run.repository.split('/')[1] } },
          base: { ref: pr.baseRef ?? 'main', sha: pr.baseSha ?? '0'.repeat(40), repo: { id: repoId, url: `${apiUrl}/repos/${run.repository}`, name: run.repository.split('/')[1] } },
        })),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    actor: { login: 'octocat', id: 583231, type: 'User' },
    triggering_actor: { login: 'octocat', id: 583231, type: 'User' },
    run_attempt: attempt,
    referenced_workflows: [],
    run_started_at: run.createdAt,
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${apiUrl}/repos/${run.repository}/check-suites/${run.id * 10}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: attempt > 1 ? `${runUrl}/attempts/${attempt - 1}` : null,
    workflow_url: `${apiUrl}/repos/${run.repository}/actions/workflows/${run.workflowId}`,
    head_commit: { id: run.sha, tree_id: run.sha, message: 'commit', timestamp: run.createdAt },
    repository: repositoryJson(apiUrl, run.repository),
    head_repository: repositoryJson(apiUrl, run.repository),
    workflow_file: workflowFile,
  };
}

export function artifactJson(apiUrl: string, state: State, artifact: Artifact): Record<string, unknown> {
  const run = state.run(artifact.runId);
  const repository = run?.repository ?? state.repository;
  const url = `${apiUrl}/repos/${repository}/actions/artifacts/${artifact.id}`;
  return {
    id: artifact.id,
    node_id: nodeId('Artifact', artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.size,
    url,
    archive_download_url: `${url}/zip`,
    expired: state.isExpired(artifact),
    created_at: artifact.createdAt,
    expires_at: artifact.expiresAt,
    updated_at: artifact.updatedAt,
    digest: artifact.digest ?? null,
    workflow_run: {
      id: artifact.runId,
      repository_id: repositoryId(repository),
      head_repository_id: repositoryId(repository),
      head_branch: run?.branch ?? null,
      head_sha: run?.sha ?? null,
    },
  };
}

export function checkRunJson(apiUrl: string, repository: string, checkRun: CheckRun): Record<string, unknown> {
  const url = `${apiUrl}/repos/${repository}/check-runs/${checkRun.id}`;
  return {
    id: checkRun.id,
    node_id: nodeId('CheckRun', checkRun.id),
    head_sha: checkRun.headSha,
    external_id: checkRun.externalId ?? '',
    url,
    html_url: `https://github.com/${repository}/runs/${checkRun.id}`,
    details_url: checkRun.detailsUrl ?? `https://github.com/${repository}/runs/${checkRun.id}`,
    status: checkRun.status,
    conclusion: checkRun.conclusion,
    started_at: checkRun.startedAt,
    completed_at: checkRun.completedAt,
    output: {
      title: checkRun.output.title,
      summary: checkRun.output.summary,
      text: checkRun.output.text,
      annotations_count: checkRun.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: checkRun.name,
    check_suite: { id: checkRun.id * 10 },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [],
  };
}

/** Applies the list-workflow-runs filters (branch, event, status or conclusion, head_sha, created), newest first. */
export function filterRuns(runs: readonly Run[], query: URLSearchParams): Run[] {
  const branch = query.get('branch');
  const event = query.get('event');
  const status = query.get('status');
  const headSha = query.get('head_sha');
  const created = query.get('created');
  const inCreated = created ? createdMatcher(created) : () => true;
  return runs
    .filter(
      (run) =>
        (!branch || run.branch === branch) &&
        (!event || run.event === event) &&
        (!status || run.status === status || run.conclusion === status) &&
        (!headSha || run.sha === headSha) &&
        inCreated(Date.parse(run.createdAt)),
    )
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
}

/** GitHub's date-range syntax: `>=D`, `>D`, `<=D`, `<D`, `A..B` (`*` open), or a single day or instant. */
export function createdMatcher(expression: string): (time: number) => boolean {
  const range = /^(.+)\.\.(.+)$/.exec(expression);
  if (range?.[1] && range[2]) {
    const from = range[1] === '*' ? -Infinity : bounds(range[1]).start;
    const to = range[2] === '*' ? Infinity : bounds(range[2]).end;
    return (time) => time >= from && time <= to;
  }
  const compare = /^(>=|<=|>|<)(.+)$/.exec(expression);
  if (compare?.[1] && compare[2]) {
    const { start, end } = bounds(compare[2]);
    const op = compare[1];
    return (time) => (op === '>=' ? time >= start : op === '>' ? time > end : op === '<=' ? time <= end : time < start);
  }
  const { start, end } = bounds(expression);
  return (time) => time >= start && time <= end;
}

function bounds(text: string): { start: number; end: number } {
  const start = Date.parse(text);
  if (Number.isNaN(start)) throw new Error(`invalid created filter: ${text}`);
  return { start, end: /^\d{4}-\d{2}-\d{2}$/.test(text) ? start + 86_400_000 - 1 : start };
}
