/**
 * The loopback GitHub service, exercised by the REAL clients: @actions/artifact (Twirp + Azure blob + REST findBy)
 * and @actions/github's Octokit, each in a child Node process with the environment a runner would give it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import { errorOf, runClients, valueOf, type FindBy } from './github-service/child.ts';
import { startGitHubService, type GitHubService } from './github-service/index.ts';
import { tempDir, writeFiles } from './temp.ts';

interface Uploaded {
  id: number;
  size: number;
  digest: string;
}
interface Downloaded {
  downloadPath: string;
  digestMismatch: boolean;
}
interface Listed {
  artifacts: Array<{ id: number; name: string; size: number; digest?: string }>;
}
interface RestAnswer<T> {
  status: number;
  headers: { link?: string };
  data: T;
}

let service: GitHubService;

before(async () => {
  service = await startGitHubService({ repository: 'octo-org/smoke-demo' });
});
after(() => service.stop());
afterEach(() => service.faults.clear());

function reportDir(t: TestContext, files: Record<string, string>): { root: string; paths: string[] } {
  const root = tempDir(t, 'github-service-test-');
  return { root, paths: writeFiles(root, files) };
}

const readTree = (dir: string): Record<string, string> =>
  Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((name) => fs.statSync(path.join(dir, name)).isFile())
      .map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]),
  );

const findBy = (runId: number): FindBy => ({
  token: service.githubToken,
  workflowRunId: runId,
  repositoryOwner: 'octo-org',
  repositoryName: 'smoke-demo',
});

const REPORT = {
  'report.json': JSON.stringify({ schemaVersion: 1, result: 'fail' }),
  'failures/checkout/attempt-1.log': 'console: boom',
};

describe('artifacts through @actions/artifact', () => {
  it('uploads in blocks, then lists and downloads the same bytes in the same run', { timeout: 60_000 }, async (t) => {
    const files = reportDir(t, REPORT);
    const mark = service.log.length;
    const run = await runClients(service.env({ runId: 101, jobId: 'smoke' }), [
      { op: 'upload', name: 'reliability-smoke', files: files.paths, rootDir: files.root, retentionDays: 3 },
      { op: 'list' },
      { op: 'download', artifactId: 0, path: path.join(files.root, 'unused') },
    ]);
    const uploaded = valueOf<Uploaded>(run, 0);
    assert.ok(uploaded.id > 0);
    assert.match(uploaded.digest, /^[0-9a-f]{64}$/);
    const stored = service.artifacts.find((artifact) => artifact.id === uploaded.id);
    assert.ok(stored);
    assert.equal(stored.size, uploaded.size);
    assert.equal(stored.digest, `sha256:${uploaded.digest}`);
    assert.deepEqual([stored.runId, stored.attempt, stored.jobId], [101, 1, 'smoke']);
    const retentionDays = (Date.parse(stored.expiresAt) - Date.parse(stored.createdAt)) / 86_400_000;
    assert.ok(Math.abs(retentionDays - 3) < 0.01, `expires after ${retentionDays} days`);

    const blob = service.log.slice(mark).filter((entry) => entry.service === 'blob');
    assert.deepEqual(
      blob.map((entry) => [entry.method, entry.query.comp, entry.status]),
      [['PUT', 'block', 201], ['PUT', 'blocklist', 201]],
    );
    assert.ok(blob.every((entry) => entry.query.sig === '[redacted]'));

    const listed = valueOf<Listed>(run, 1);
    assert.deepEqual(listed.artifacts.map((artifact) => [artifact.id, artifact.name, artifact.size]), [
      [uploaded.id, 'reliability-smoke', uploaded.size],
    ]);
    assert.match(errorOf(run, 2).message, /No artifacts found for ID: 0/);

    const target = path.join(files.root, 'downloaded');
    const otherJob = service.log.length;
    const download = await runClients(service.env({ runId: 101, jobId: 'rerun' }), [
      { op: 'download', artifactId: uploaded.id, path: target, expectedHash: `sha256:${uploaded.digest}` },
      { op: 'delete', name: 'reliability-smoke' },
      { op: 'list' },
    ]);
    assert.equal(valueOf<Downloaded>(download, 0).digestMismatch, false);
    assert.deepEqual(readTree(target), REPORT);
    const signed = service.log.slice(otherJob).find((entry) => entry.endpoint === 'GetSignedArtifactURL');
    assert.equal(
      (signed?.body as { workflow_job_run_backend_id?: string }).workflow_job_run_backend_id,
      stored.workflowJobRunBackendId,
      'another job asks for the URL with the uploading job\'s backend id',
    );
    assert.deepEqual(valueOf(download, 1), { id: uploaded.id });
    assert.deepEqual(valueOf<Listed>(download, 2).artifacts, []);
  });

  it('fails the upload on a 403 from blob storage, and the name stays taken in the run', { timeout: 60_000 }, async (t) => {
    const files = reportDir(t, REPORT);
    service.faults.add({ endpoint: 'PUT blob', status: 403, times: 1 });
    const upload = { op: 'upload', name: 'reliability-smoke', files: files.paths, rootDir: files.root } as const;
    const run = await runClients(service.env({ runId: 151 }), [upload, upload]);
    assert.match(errorOf(run, 0).message, /Injected fault 403|AuthorizationFailure/);
    assert.match(errorOf(run, 1).message, /\(409\) Conflict/);
    assert.deepEqual(
      service.artifacts.filter((artifact) => artifact.runId === 151).map((artifact) => artifact.finalized),
      [false],
    );
  });

  it('downloads another run\'s artifact with findBy and verifies its digest', { timeout: 60_000 }, async (t) => {
    const files = reportDir(t, REPORT);
    const upload = await runClients(service.env({ runId: 201 }), [
      { op: 'upload', name: 'reliability-smoke-201-1', files: files.paths, rootDir: files.root },
    ]);
    const uploaded = valueOf<Uploaded>(upload, 0);
    const mark = service.log.length;
    const target = path.join(files.root, 'from-201');
    const run = await runClients(service.env({ runId: 202 }), [
      { op: 'get', name: 'reliability-smoke-201-1', findBy: findBy(201) },
      { op: 'list', findBy: findBy(201) },
      { op: 'download', artifactId: uploaded.id, path: target, expectedHash: `sha256:${uploaded.digest}`, findBy: findBy(201) },
    ]);
    const found = valueOf<{ artifact: { id: number; digest: string } }>(run, 0).artifact;
    assert.deepEqual([found.id, found.digest], [uploaded.id, `sha256:${uploaded.digest}`]);
    assert.deepEqual(valueOf<Listed>(run, 1).artifacts.map((artifact) => artifact.id), [uploaded.id]);
    assert.equal(valueOf<Downloaded>(run, 2).digestMismatch, false);
    assert.deepEqual(readTree(target), REPORT);
    assert.deepEqual(
      service.log.slice(mark).map((entry) => `${entry.status} ${entry.endpoint}`),
      [
        '200 GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        '200 GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        '302 GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
        '200 GET blob',
      ],
    );
  });

  it('reports changed bytes as digestMismatch, without throwing', { timeout: 60_000 }, async (t) => {
    const seeded = await service.addArtifact(301, { name: 'reliability-smoke', files: REPORT });
    await service.corruptArtifact(seeded.id, { 'report.json': '{"tampered":true}' });
    const { root } = reportDir(t, {});
    const run = await runClients(service.env({ runId: 302 }), [
      { op: 'download', artifactId: seeded.id, path: path.join(root, 'a'), expectedHash: seeded.digest, findBy: findBy(301) },
    ]);
    assert.equal(valueOf<Downloaded>(run, 0).digestMismatch, true);
    assert.deepEqual(readTree(path.join(root, 'a')), { 'report.json': '{"tampered":true}' }, 'the files are extracted anyway');
  });

  it('rejects a second artifact with the same name in the run, even from a later attempt', { timeout: 60_000 }, async (t) => {
    const files = reportDir(t, REPORT);
    const upload = { op: 'upload', name: 'reliability-smoke', files: files.paths, rootDir: files.root } as const;
    valueOf(await runClients(service.env({ runId: 401, runAttempt: 1 }), [upload]), 0);
    const retry = await runClients(service.env({ runId: 401, runAttempt: 2 }), [
      upload,
      { ...upload, name: 'reliability-smoke-attempt-2' },
      { op: 'list' },
    ]);
    assert.match(errorOf(retry, 0).message, /\(409\) Conflict: an artifact with this name already exists/);
    valueOf(retry, 1);
    const names = valueOf<Listed>(retry, 2).artifacts.map((artifact) => artifact.name);
    assert.deepEqual(names, ['reliability-smoke', 'reliability-smoke-attempt-2'], 'artifacts belong to the run');
    assert.deepEqual(
      service.artifacts.filter((artifact) => artifact.runId === 401).map((artifact) => artifact.attempt),
      [1, 2],
    );
  });

  it('fails CreateArtifact after the client has retried a 500 five times', { timeout: 90_000 }, async (t) => {
    const files = reportDir(t, REPORT);
    const fault = service.faults.add({ endpoint: 'CreateArtifact', status: 500 });
    const run = await runClients(
      service.env({ runId: 501 }),
      [{ op: 'upload', name: 'reliability-smoke', files: files.paths, rootDir: files.root }],
      { timeoutMs: 80_000 },
    );
    assert.match(errorOf(run, 0).message, /Failed to make request after 5 attempts: Failed request: \(500\)/);
    assert.equal(fault.fired, 5);
    assert.equal(service.artifacts.filter((artifact) => artifact.runId === 501).length, 0);
  });

  it('lists expired artifacts with expired: true and answers their zip with 410', { timeout: 60_000 }, async (t) => {
    const fresh = await service.addArtifact(601, { name: 'fresh', files: REPORT });
    const old = await service.addArtifact(601, { name: 'old', files: REPORT, expired: true });
    const { root } = reportDir(t, {});
    const run = await runClients(service.env({ runId: 602 }), [
      {
        op: 'request',
        token: service.githubToken,
        route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        params: { owner: 'octo-org', repo: 'smoke-demo', run_id: 601 },
      },
      { op: 'download', artifactId: old.id, path: path.join(root, 'old'), findBy: findBy(601) },
    ]);
    const listed = valueOf<RestAnswer<{ total_count: number; artifacts: Array<Record<string, unknown>> }>>(run, 0);
    assert.equal(listed.data.total_count, 2);
    assert.deepEqual(
      listed.data.artifacts.map((artifact) => [artifact.id, artifact.expired, artifact.digest]),
      [[fresh.id, false, fresh.digest], [old.id, true, old.digest]],
    );
    const first = listed.data.artifacts[0] ?? {};
    assert.deepEqual(first.workflow_run, {
      id: 601,
      repository_id: (first.workflow_run as { repository_id: number }).repository_id,
      head_repository_id: (first.workflow_run as { repository_id: number }).repository_id,
      head_branch: 'main',
      head_sha: service.runs.find((candidate) => candidate.id === 601)?.sha,
    });
    assert.equal(errorOf(run, 1).status, 410);
  });
});

describe('REST through @actions/github', () => {
  it('pages through more than 100 workflow runs filtered by branch and status, newest first', { timeout: 60_000 }, async () => {
    const base = Date.parse('2025-03-01T00:00:00Z');
    for (let index = 0; index < 200; index++) {
      service.addRun({
        id: 10_000 + index,
        workflowId: 9_001,
        path: '.github/workflows/nightly.yml',
        branch: index % 3 === 0 ? 'feature/x' : 'main',
        status: index % 10 === 0 ? 'in_progress' : 'completed',
        conclusion: index % 10 === 0 ? null : index % 4 === 0 ? 'failure' : 'success',
        createdAt: new Date(base + index * 60_000),
      });
    }
    const expected = service.runs
      .filter((run) => run.workflowId === 9_001 && run.branch === 'main' && run.status === 'completed')
      .map((run) => run.id)
      .reverse();
    assert.ok(expected.length > 100);
    const params = { owner: 'octo-org', repo: 'smoke-demo', branch: 'main', per_page: 100 };
    const mark = service.log.length;
    const run = await runClients(service.env({ runId: 701 }), [
      {
        op: 'paginate',
        token: service.githubToken,
        route: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
        params: { ...params, workflow_id: 'nightly.yml', status: 'completed' },
      },
      {
        op: 'request',
        token: service.githubToken,
        route: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
        params: { ...params, workflow_id: 9_001, status: 'failure', per_page: 5, page: 2 },
      },
    ]);
    const all = valueOf<Array<{ id: number; head_branch: string; status: string }>>(run, 0);
    assert.deepEqual(all.map((item) => item.id), expected);
    const pages = service.log.slice(mark).filter((entry) => entry.endpoint?.endsWith('/workflows/{workflow_id}/runs'));
    assert.deepEqual(pages.map((entry) => entry.query.page ?? '1'), ['1', '2', '2']);

    const failures = valueOf<RestAnswer<{ total_count: number; workflow_runs: Array<{ id: number; conclusion: string }> }>>(run, 1);
    const expectedFailures = service.runs
      .filter((candidate) => candidate.workflowId === 9_001 && candidate.branch === 'main' && candidate.conclusion === 'failure')
      .map((candidate) => candidate.id)
      .reverse();
    assert.equal(failures.data.total_count, expectedFailures.length);
    assert.deepEqual(failures.data.workflow_runs.map((item) => item.id), expectedFailures.slice(5, 10));
    assert.match(failures.headers.link ?? '', /rel="prev".*rel="next".*rel="last".*rel="first"/);
  });

  it('serves a run and its earlier attempts', { timeout: 60_000 }, async () => {
    service.addRun({ id: 801, attempt: 2, status: 'in_progress', conclusion: null, event: 'pull_request', pullRequests: [{ number: 7, headRef: 'fix/login' }] });
    const run = await runClients(service.env({ runId: 802 }), [
      { op: 'request', token: service.githubToken, route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}', params: { owner: 'octo-org', repo: 'smoke-demo', run_id: 801 } },
      { op: 'request', token: service.githubToken, route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}', params: { owner: 'octo-org', repo: 'smoke-demo', run_id: 801, attempt_number: 1 } },
      { op: 'request', token: service.githubToken, route: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}', params: { owner: 'octo-org', repo: 'smoke-demo', run_id: 801, attempt_number: 3 } },
    ]);
    type RunJson = { run_attempt: number; status: string; conclusion: string | null; pull_requests: Array<{ number: number; head: { ref: string } }> };
    const current = valueOf<RestAnswer<RunJson>>(run, 0).data;
    assert.deepEqual([current.run_attempt, current.status, current.conclusion], [2, 'in_progress', null]);
    assert.deepEqual(current.pull_requests.map((pr) => [pr.number, pr.head.ref]), [[7, 'fix/login']]);
    const first = valueOf<RestAnswer<RunJson>>(run, 1).data;
    assert.deepEqual([first.run_attempt, first.status, first.conclusion], [1, 'completed', 'failure']);
    assert.equal(errorOf(run, 2).status, 404);
  });

  it('keeps a check run\'s create and three PATCHes, annotations in order, and refuses invalid batches', { timeout: 60_000 }, async () => {
    const annotation = (n: number) => ({ path: `fixtures/${n}.smoke.yml`, start_line: n, end_line: n, annotation_level: 'failure', message: `failed ${n}` });
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, index) => annotation(from + index));
    const repo = { owner: 'octo-org', repo: 'smoke-demo' };
    const before = service.checkRuns.length;
    const create = await runClients(service.env({ runId: 901 }), [
      { op: 'request', token: service.githubToken, route: 'POST /repos/{owner}/{repo}/check-runs', params: { ...repo, name: 'reliability-smoke', head_sha: 'a'.repeat(40), status: 'in_progress' } },
    ]);
    const id = valueOf<RestAnswer<{ id: number }>>(create, 0).data.id;
    const patch = (body: Record<string, unknown>) => ({ op: 'request', token: service.githubToken, route: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', params: { ...repo, check_run_id: id, ...body } }) as const;
    const output = (annotations: unknown[]) => ({ title: '3 failed', summary: 'summary', annotations });
    const run = await runClients(service.env({ runId: 901 }), [
      patch({ output: output(batch(1, 50)) }),
      patch({ output: output(batch(51, 50)) }),
      patch({ status: 'completed', conclusion: 'failure', output: output(batch(101, 20)) }),
      patch({ output: output(batch(200, 51)) }),
      patch({ output: { title: 'too long', summary: 'x'.repeat(65_536) } }),
      patch({ status: 'completed' }),
      { op: 'request', token: service.githubToken, route: 'GET /repos/{owner}/{repo}/check-runs/{check_run_id}', params: { ...repo, check_run_id: id } },
    ]);
    for (const index of [0, 1, 2]) assert.equal(valueOf<RestAnswer<unknown>>(run, index).status, 200);
    for (const index of [3, 4, 5]) assert.equal(errorOf(run, index).status, 422);
    assert.equal(service.checkRuns.length, before + 1);
    const stored = service.checkRuns.at(-1);
    assert.ok(stored);
    assert.deepEqual(stored.requests.map((request) => request.method), ['POST', 'PATCH', 'PATCH', 'PATCH']);
    assert.deepEqual(
      stored.requests.map((request) => ((request.body.output as { annotations?: unknown[] } | undefined)?.annotations ?? []).length),
      [0, 50, 50, 20],
    );
    assert.deepEqual(stored.annotations.map((item) => item.start_line), [...batch(1, 120)].map((item) => item.start_line));
    const got = valueOf<RestAnswer<{ status: string; conclusion: string; output: { annotations_count: number } }>>(run, 6).data;
    assert.deepEqual([got.status, got.conclusion, got.output.annotations_count], ['completed', 'failure', 120]);
  });

  it('surfaces an injected 403 on check-runs as a 403, once', { timeout: 60_000 }, async () => {
    service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 403, times: 1 });
    const create = { op: 'request', token: service.githubToken, route: 'POST /repos/{owner}/{repo}/check-runs', params: { owner: 'octo-org', repo: 'smoke-demo', name: 'reliability-smoke', head_sha: 'b'.repeat(40) } } as const;
    const run = await runClients(service.env({ runId: 1001 }), [create, create]);
    const error = errorOf(run, 0);
    assert.equal(error.status, 403);
    assert.match(error.message, /Resource not accessible by integration/);
    assert.equal(valueOf<RestAnswer<unknown>>(run, 1).status, 201);
  });

  it('answers 401 to a missing or wrong token, on REST and on the results service', { timeout: 60_000 }, async () => {
    const mark = service.log.length;
    const anonymous = await fetch(`${service.apiUrl}/repos/octo-org/smoke-demo/actions/runs`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { message: string }).message, 'Requires authentication');
    const twirp = await fetch(`${service.resultsUrl}twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' },
      body: '{}',
    });
    assert.equal(twirp.status, 401);
    assert.equal(((await twirp.json()) as { code: string }).code, 'unauthenticated');
    const run = await runClients(service.env({ runId: 1101 }), [
      { op: 'request', token: 'ghs_wrong', route: 'GET /repos/{owner}/{repo}/actions/runs', params: { owner: 'octo-org', repo: 'smoke-demo' } },
    ]);
    assert.equal(errorOf(run, 0).status, 401);
    assert.deepEqual(service.log.slice(mark).map((entry) => [entry.status, entry.auth]), [[401, false], [401, true], [401, true]]);
    assert.ok(!JSON.stringify(service.log).includes(service.githubToken), 'the log never holds a token');
  });
});
