/**
 * The few REST calls rerun discovery makes, through @actions/github with the github-token. Errors become
 * DiscoveryErrors with the code a user can act on (403 → permission-denied, and so on).
 */
import type { DiscoveryCode } from './diagnostics.ts';
import { getOctokit } from '@actions/github';
import type { ArtifactInfo } from './artifact-names.ts';
import { DownloadError } from './artifact-download.ts';

export interface RunInfo {
  id: string;
  workflowId: number;
  headBranch: string | null;
  headSha: string | null;
  /** owner/name of the repository the head commit is in. */
  headRepository: string | null;
  createdAt: string;
  /** Link to the run, as GitHub gives it. */
  htmlUrl: string | null;
}

export interface RunsApi {
  getRun(runId: string): Promise<RunInfo>;
  /** Completed runs of a workflow on a branch, newest first, page by page. */
  completedRuns(workflowId: number, branch: string): AsyncGenerator<RunInfo>;
  listArtifacts(runId: string): Promise<ArtifactInfo[]>;
  /** The signed URL of an artifact's zip (GitHub answers with a redirect to blob storage). Throws DownloadError. */
  artifactZipUrl(artifactId: number): Promise<string>;
}

export class DiscoveryError extends Error {
  readonly code: DiscoveryCode;
  constructor(code: DiscoveryCode, message: string) {
    super(message);
    this.name = 'DiscoveryError';
    this.code = code;
  }
}

const PER_PAGE = 100;
/** Enough history for any realistic "previous run"; bounded so a busy repository cannot make us page forever. */
const MAX_RUN_PAGES = 5;

type Octokit = ReturnType<typeof getOctokit>;
type RestRun = Awaited<ReturnType<Octokit['rest']['actions']['getWorkflowRun']>>['data'];
type RestArtifact = Awaited<ReturnType<Octokit['rest']['actions']['listWorkflowRunArtifacts']>>['data']['artifacts'][number];

function runInfo(run: RestRun): RunInfo {
  return {
    id: String(run.id),
    workflowId: run.workflow_id,
    headBranch: run.head_branch ?? null,
    headSha: run.head_sha ?? null,
    headRepository: run.head_repository?.full_name ?? null,
    createdAt: run.created_at,
    htmlUrl: run.html_url ?? null,
  };
}

function artifactInfo(artifact: RestArtifact): ArtifactInfo {
  return {
    id: artifact.id,
    name: artifact.name,
    sizeInBytes: artifact.size_in_bytes,
    expired: artifact.expired,
    expiresAt: artifact.expires_at ?? null,
    createdAt: artifact.created_at ?? null,
    digest: (artifact as { digest?: string | null }).digest ?? null,
  };
}

/** Turns an Octokit error into what it means for a rerun. */
export function discoveryErrorOf(error: unknown, what: string): DiscoveryError {
  if (error instanceof DiscoveryError) return error;
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403) {
    return new DiscoveryError('permission-denied', `GitHub refused to ${what} (${status}: ${message}).`);
  }
  if (status === 404) return new DiscoveryError('run-not-found', `GitHub found nothing when asked to ${what} (404).`);
  return new DiscoveryError('api-error', `GitHub failed to ${what}: ${message}`);
}

/** What GitHub's answer to "where is this artifact's zip" means for a rerun. */
function zipUrlErrorOf(error: unknown, artifactId: number): DownloadError {
  if (error instanceof DownloadError) return error;
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  const what = `GitHub's API, asked for the zip of artifact ${artifactId},`;
  if (status === 401 || status === 403) return new DownloadError('permission-denied', `${what} refused (${status}: ${message}).`);
  if (status === 404) return new DownloadError('no-artifact', `${what} found nothing (404): the artifact was deleted.`);
  if (status === 410) return new DownloadError('artifact-expired', `${what} answered 410: the artifact has expired.`);
  const temporary = status === undefined || status >= 500 || status === 429;
  return new DownloadError('download-failed', `${what} failed${status ? ` (${status})` : ''}: ${message}`, temporary);
}

/** How long one call to GitHub's REST API may take before it is given up: an API that stalls must not hang the step. */
export const GITHUB_CALL_TIMEOUT_MS = 60_000;

/**
 * An Octokit for the runner's GitHub whose every request is given up after `timeoutMs`. Octokit itself waits for
 * an answer forever, so a stalled API would hold the step (and its check run) until the job's timeout.
 */
export function githubClient(token: string, apiUrl: string, timeoutMs: number = GITHUB_CALL_TIMEOUT_MS): Octokit {
  const octokit = getOctokit(token, { baseUrl: apiUrl });
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) };
  });
  octokit.hook.error('request', (error, options) => {
    if (!options.request?.signal?.aborted) throw error;
    throw new Error(`GitHub's API did not answer ${options.method} ${options.url} within ${timeoutMs / 1000}s`, { cause: error });
  });
  return octokit;
}

/** `apiUrl` is the runner's GITHUB_API_URL, as the Action read it: @actions/github would read it at import time. */
export function createRunsApi(token: string, owner: string, repo: string, apiUrl: string, timeoutMs?: number): RunsApi {
  const octokit = githubClient(token, apiUrl, timeoutMs);
  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw discoveryErrorOf(error, what);
    }
  };
  return {
    getRun: (runId) =>
      call(`read run ${runId}`, async () => runInfo((await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: Number(runId) })).data)),
    async *completedRuns(workflowId, branch) {
      for (let page = 1; page <= MAX_RUN_PAGES; page++) {
        const { data } = await call(`list the runs of workflow ${workflowId}`, () =>
          octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: workflowId, branch, status: 'completed', per_page: PER_PAGE, page }),
        );
        for (const run of data.workflow_runs) yield runInfo(run);
        if (data.workflow_runs.length < PER_PAGE) return;
      }
    },
    listArtifacts: (runId) =>
      call(`list the artifacts of run ${runId}`, async () => {
        const artifacts = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
          owner,
          repo,
          run_id: Number(runId),
          per_page: PER_PAGE,
        });
        return artifacts.map(artifactInfo);
      }),
    async artifactZipUrl(artifactId) {
      try {
        // Not followed: the redirect goes to blob storage, which must not see the token.
        const response = await octokit.rest.actions.downloadArtifact({ owner, repo, artifact_id: artifactId, archive_format: 'zip', request: { redirect: 'manual' } });
        const location = (response.headers as { location?: string }).location;
        if (Number(response.status) !== 302 || !location) {
          throw new DownloadError('download-failed', `GitHub's API answered ${response.status} without a download location for artifact ${artifactId}.`);
        }
        return location;
      } catch (error) {
        throw zipUrlErrorOf(error, artifactId);
      }
    },
  };
}
