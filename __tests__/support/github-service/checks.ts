/**
 * Check runs, validated as GitHub validates them where it matters to the Action: name and head_sha required on
 * create, a conclusion whenever the status is completed, output title (create) and summary required, summary and
 * text at most 65535 characters, at most 50 annotations per request, each with path, lines, level and message.
 * Annotations accumulate across PATCHes; every accepted body is kept in order.
 */
import { checkRunJson } from './rest-json.ts';
import { GitHubError, numericParam, type RestHandler, type ValidationProblem } from './rest-common.ts';
import { isRecord } from './http.ts';
import { Conclusions, type Annotation, type CheckRun, type State } from './state.ts';

const MAX_TEXT = 65_535;
const MAX_ANNOTATIONS = 50;
const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const LEVELS = ['notice', 'warning', 'failure'];

export const createCheckRun: RestHandler = ({ state, apiUrl }, { body, repository }) => {
  const payload = validateCheckRunBody(body, 'create');
  const now = new Date().toISOString();
  const checkRun: CheckRun = {
    id: state.newCheckRunId(),
    name: String(payload.name),
    headSha: String(payload.head_sha),
    status: 'queued',
    conclusion: null,
    startedAt: typeof payload.started_at === 'string' ? payload.started_at : now,
    completedAt: null,
    externalId: typeof payload.external_id === 'string' ? payload.external_id : null,
    detailsUrl: typeof payload.details_url === 'string' ? payload.details_url : null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    requests: [],
  };
  apply(checkRun, payload, 'POST');
  state.checkRuns.push(checkRun);
  return { status: 201, json: checkRunJson(apiUrl, repository, checkRun) };
};

export const updateCheckRun: RestHandler = ({ state, apiUrl }, { params, body, repository }) => {
  const checkRun = find(state, numericParam(params, 'check_run_id'));
  const payload = validateCheckRunBody(body, 'update');
  if (typeof payload.name === 'string') checkRun.name = payload.name;
  if (typeof payload.external_id === 'string') checkRun.externalId = payload.external_id;
  if (typeof payload.details_url === 'string') checkRun.detailsUrl = payload.details_url;
  apply(checkRun, payload, 'PATCH');
  return { status: 200, json: checkRunJson(apiUrl, repository, checkRun) };
};

export const getCheckRun: RestHandler = ({ state, apiUrl }, { params, repository }) => ({
  status: 200,
  json: checkRunJson(apiUrl, repository, find(state, numericParam(params, 'check_run_id'))),
});

export const listCheckRunAnnotations: RestHandler = ({ state }, { params }) => ({
  status: 200,
  json: find(state, numericParam(params, 'check_run_id')).annotations.map((annotation) => ({
    blob_href: `https://github.com/blob/${annotation.path}`,
    ...annotation,
  })),
});

function find(state: State, id: number): CheckRun {
  const checkRun = state.checkRuns.find((candidate) => candidate.id === id);
  if (!checkRun) throw new GitHubError(404, 'Not Found');
  return checkRun;
}

function apply(checkRun: CheckRun, payload: Record<string, unknown>, method: 'POST' | 'PATCH'): void {
  const now = new Date().toISOString();
  if (typeof payload.status === 'string') checkRun.status = payload.status;
  if (typeof payload.conclusion === 'string') {
    checkRun.conclusion = payload.conclusion;
    checkRun.status = 'completed';
  }
  if (checkRun.status === 'completed') {
    checkRun.completedAt = typeof payload.completed_at === 'string' ? payload.completed_at : (checkRun.completedAt ?? now);
  }
  if (isRecord(payload.output)) {
    const output = payload.output;
    if (typeof output.title === 'string') checkRun.output.title = output.title;
    if (typeof output.summary === 'string') checkRun.output.summary = output.summary;
    if (typeof output.text === 'string') checkRun.output.text = output.text;
    if (Array.isArray(output.annotations)) checkRun.annotations.push(...(output.annotations as Annotation[]));
  }
  checkRun.requests.push({ method, body: structuredClone(payload) });
}

/** GitHub's rules for a check-run request body: a 422 GitHubError naming each problem. */
export function validateCheckRunBody(body: unknown, kind: 'create' | 'update'): Record<string, unknown> {
  if (!isRecord(body)) throw new GitHubError(400, 'Problems parsing JSON');
  const problems: ValidationProblem[] = [];
  const problem = (field: string, code: ValidationProblem['code'], message?: string): void => {
    problems.push({ resource: 'CheckRun', field, code, ...(message ? { message } : {}) });
  };
  if (kind === 'create') {
    if (typeof body.name !== 'string' || body.name.trim() === '') problem('name', 'missing_field');
    if (typeof body.head_sha !== 'string' || body.head_sha === '') problem('head_sha', 'missing_field');
  }
  if (body.status !== undefined && !STATUSES.includes(String(body.status))) problem('status', 'invalid');
  if (body.conclusion !== undefined && !(Conclusions as readonly string[]).includes(String(body.conclusion))) {
    problem('conclusion', 'invalid');
  }
  if ((body.status === 'completed' || body.completed_at !== undefined) && body.conclusion === undefined) {
    problem('conclusion', 'missing_field', 'conclusion is required when status is completed');
  }
  if (body.output !== undefined) validateOutput(body.output, kind, problem);
  if (problems.length > 0) throw new GitHubError(422, 'Validation Failed', problems);
  return body;
}

function validateOutput(
  output: unknown,
  kind: 'create' | 'update',
  problem: (field: string, code: ValidationProblem['code'], message?: string) => void,
): void {
  if (!isRecord(output)) return problem('output', 'invalid');
  if (kind === 'create' && typeof output.title !== 'string') problem('output.title', 'missing_field');
  if (typeof output.summary !== 'string') problem('output.summary', 'missing_field');
  for (const field of ['summary', 'text'] as const) {
    const value = output[field];
    if (typeof value === 'string' && value.length > MAX_TEXT) {
      problem(`output.${field}`, 'too_long', `output.${field} is too long (maximum is ${MAX_TEXT} characters)`);
    }
  }
  if (output.annotations === undefined) return;
  if (!Array.isArray(output.annotations)) return problem('output.annotations', 'invalid');
  if (output.annotations.length > MAX_ANNOTATIONS) {
    problem('output.annotations', 'too_many', `Only ${MAX_ANNOTATIONS} annotations are allowed per request`);
  }
  output.annotations.forEach((annotation: unknown, index) => {
    const at = `output.annotations[${index}]`;
    if (!isRecord(annotation)) return problem(at, 'invalid');
    if (typeof annotation.path !== 'string' || annotation.path === '') problem(`${at}.path`, 'missing_field');
    for (const line of ['start_line', 'end_line'] as const) {
      if (!Number.isInteger(annotation[line]) || Number(annotation[line]) < 1) problem(`${at}.${line}`, 'missing_field');
    }
    if (!LEVELS.includes(String(annotation.annotation_level))) problem(`${at}.annotation_level`, 'invalid');
    if (typeof annotation.message !== 'string' || annotation.message === '') problem(`${at}.message`, 'missing_field');
    const columns = annotation.start_column !== undefined || annotation.end_column !== undefined;
    if (columns && annotation.start_line !== annotation.end_line) {
      problem(`${at}.start_column`, 'invalid', 'columns are only allowed when start_line equals end_line');
    }
  });
}
