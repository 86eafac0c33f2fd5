/**
 * The REST subset (GitHub API v3, JSON): workflow runs, run attempts, artifacts (including the 302 to blob storage
 * that @actions/artifact's `findBy` download follows) and check runs. Authentication is `Authorization: token <t>`
 * or `Bearer <t>`; missing or unknown tokens get 401. Lists paginate with page/per_page and a `Link` header.
 */
import type http from 'node:http';
import { createCheckRun, getCheckRun, listCheckRunAnnotations, updateCheckRun } from './checks.ts';
import { RestRoutes, type RestRoute } from './endpoints.ts';
import { compileRoute, paginate, parseJson, sendEmpty, sendJson } from './http.ts';
import {
  DEFAULT_MESSAGES,
  GitHubError,
  errorBody,
  numericParam,
  type RestAnswer,
  type RestContext,
  type RestHandler,
  type RestRequest,
} from './rest-common.ts';
import { artifactJson, filterRuns, runJson } from './rest-json.ts';
import type { Artifact, Run, State } from './state.ts';
import { bearerOrToken } from './token.ts';

export interface RestNote {
  endpoint?: RestRoute;
  fault?: boolean;
  body?: unknown;
}

function findRun(state: State, request: RestRequest): Run {
  const run = state.run(numericParam(request.params, 'run_id'));
  if (!run || run.repository.toLowerCase() !== request.repository.toLowerCase()) throw new GitHubError(404, 'Not Found');
  return run;
}

function findArtifact(state: State, request: RestRequest): Artifact {
  const artifact = state.artifact(numericParam(request.params, 'artifact_id'));
  const run = artifact && state.run(artifact.runId);
  if (!artifact?.finalized || (run && run.repository.toLowerCase() !== request.repository.toLowerCase())) {
    throw new GitHubError(404, 'Not Found');
  }
  return artifact;
}

function listedRuns(context: RestContext, request: RestRequest, runs: Run[]): RestAnswer {
  let filtered: Run[];
  try {
    filtered = filterRuns(runs, request.url.searchParams);
  } catch (error) {
    throw new GitHubError(422, (error as Error).message);
  }
  const exclude = request.url.searchParams.get('exclude_pull_requests') === 'true';
  const page = paginate(filtered, request.url);
  return {
    status: 200,
    json: {
      total_count: filtered.length,
      workflow_runs: page.items.map((run) => runJson(context.apiUrl, run, run.attempt, exclude)),
    },
    headers: page.link ? { link: page.link } : {},
  };
}

function listedArtifacts(context: RestContext, request: RestRequest, artifacts: Artifact[]): RestAnswer {
  const name = request.url.searchParams.get('name');
  const matching = artifacts.filter((artifact) => artifact.finalized && (!name || artifact.name === name));
  const page = paginate(matching, request.url);
  return {
    status: 200,
    json: {
      total_count: matching.length,
      artifacts: page.items.map((artifact) => artifactJson(context.apiUrl, context.state, artifact)),
    },
    headers: page.link ? { link: page.link } : {},
  };
}

const inRepository = (state: State, repository: string): Run[] =>
  state.runs.filter((run) => run.repository.toLowerCase() === repository.toLowerCase());

const HANDLERS: Record<RestRoute, RestHandler> = {
  [RestRoutes.getRun]: ({ state, apiUrl }, request) => {
    const run = findRun(state, request);
    return { status: 200, json: runJson(apiUrl, run, run.attempt) };
  },
  [RestRoutes.getRunAttempt]: ({ state, apiUrl }, request) => {
    const run = findRun(state, request);
    const attempt = numericParam(request.params, 'attempt_number');
    if (attempt < 1 || attempt > run.attempt) throw new GitHubError(404, 'Not Found');
    return { status: 200, json: runJson(apiUrl, run, attempt) };
  },
  [RestRoutes.listWorkflowRuns]: (context, request) => {
    const workflow = request.params.workflow_id ?? '';
    const runs = inRepository(context.state, request.repository).filter((run) =>
      /^\d+$/.test(workflow) ? run.workflowId === Number(workflow) : run.path.split('/').pop() === workflow,
    );
    if (runs.length === 0 && !/^\d+$/.test(workflow)) throw new GitHubError(404, 'Not Found');
    return listedRuns(context, request, runs);
  },
  [RestRoutes.listRuns]: (context, request) =>
    listedRuns(context, request, inRepository(context.state, request.repository)),
  [RestRoutes.listRunArtifacts]: (context, request) => {
    const run = findRun(context.state, request);
    return listedArtifacts(context, request, context.state.artifacts.filter((artifact) => artifact.runId === run.id));
  },
  [RestRoutes.listArtifacts]: (context, request) => {
    const runIds = new Set(inRepository(context.state, request.repository).map((run) => run.id));
    const artifacts = context.state.artifacts.filter((artifact) => runIds.has(artifact.runId));
    return listedArtifacts(context, request, [...artifacts].sort((a, b) => b.id - a.id));
  },
  [RestRoutes.getArtifact]: ({ state, apiUrl }, request) => ({
    status: 200,
    json: artifactJson(apiUrl, state, findArtifact(state, request)),
  }),
  [RestRoutes.deleteArtifact]: async ({ state, blobs }, request) => {
    const artifact = findArtifact(state, request);
    state.removeArtifact(artifact);
    await blobs.delete(artifact.blobName);
    return { status: 204 };
  },
  [RestRoutes.downloadArtifact]: ({ state, blobs }, request) => {
    const artifact = findArtifact(state, request);
    if (request.params.archive_format !== 'zip') throw new GitHubError(404, 'Not Found');
    if (state.isExpired(artifact)) throw new GitHubError(410, 'Artifact has expired');
    return { status: 302, headers: { location: blobs.signedUrl(artifact.blobName, 'r', 1) } };
  },
  [RestRoutes.createCheckRun]: createCheckRun,
  [RestRoutes.updateCheckRun]: updateCheckRun,
  [RestRoutes.getCheckRun]: getCheckRun,
  [RestRoutes.listCheckRunAnnotations]: listCheckRunAnnotations,
};

const ROUTES = Object.values(RestRoutes).map((route) => {
  const [method = '', template = ''] = route.split(' ');
  return { route, method, pattern: compileRoute(template), handler: HANDLERS[route] };
});

export async function handleRest(
  context: RestContext,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
  note: RestNote,
): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', `${context.apiUrl}/`);
    const match = ROUTES.map((candidate) => ({ candidate, groups: candidate.pattern.exec(url.pathname)?.groups }))
      .find(({ candidate, groups }) => groups && candidate.method === request.method);
    if (!match?.groups) throw new GitHubError(404, 'Not Found');
    note.endpoint = match.candidate.route;
    const token = bearerOrToken(request.headers.authorization, ['token', 'bearer']);
    if (!token) throw new GitHubError(401, 'Requires authentication');
    if (!context.githubTokens.has(token)) throw new GitHubError(401, 'Bad credentials');
    const fault = context.faults.take(match.candidate.route);
    if (fault) {
      note.fault = true;
      if (fault.hang) return;
      throw new GitHubError(fault.status, fault.message ?? DEFAULT_MESSAGES[fault.status] ?? 'Injected fault');
    }
    const params = Object.fromEntries(
      Object.entries(match.groups).map(([key, value]) => [key, decodeURIComponent(value)]),
    );
    const repository = `${params.owner}/${params.repo}`;
    if (!context.state.knowsRepository(repository)) throw new GitHubError(404, 'Not Found');
    let parsed: unknown;
    try {
      parsed = parseJson(body);
    } catch {
      throw new GitHubError(400, 'Problems parsing JSON');
    }
    note.body = parsed;
    const answer = await match.candidate.handler(context, { params, url, body: parsed, repository });
    if (answer.json === undefined) sendEmpty(response, answer.status, answer.headers);
    else sendJson(response, answer.status, answer.json, answer.headers);
  } catch (error) {
    if (error instanceof GitHubError) {
      sendJson(response, error.status, errorBody(error.status, error.message, error.errors));
    } else {
      sendJson(response, 500, errorBody(500, error instanceof Error ? error.message : String(error)));
    }
  }
}
