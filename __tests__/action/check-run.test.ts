/**
 * The check run as a pull request sees it: the Action run in-process against the loopback GitHub service (which
 * keeps every check-run request body in order) and a real Chromium. Created in progress on the commit under test
 * before any fixture loads, completed with the verdict; the PR head for pull_request events; a refused token (a fork
 * PR) is one warning and never the verdict; off when check-name is empty; neutral for a dry run, whose result is planned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { shaOf } from '../support/action-rerun.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { CheckRun, GitHubService, LogEntry } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, type RouteHandler, type Site, siteFor } from '../support/site.ts';

/** One Action step with a browser takes a few seconds; the bound is for a noisy machine. */
const BOUND = { timeout: 150_000 } as const;
const CHECK_RUN_ENDPOINTS = ['POST /repos/{owner}/{repo}/check-runs', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}'];

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

/**
 * Line 2 and line 7 are the `- id:` lines the annotations must point at. Failures are status mismatches, found as
 * soon as the page answers, so the timeouts are generous: a busy machine never turns a pass into a timeout.
 */
const SUITE = `fixtures:
  - id: home-loads
    url: /
    timeout: 30s
    expect:
      status: 200
  - id: checkout-works
    title: Checkout answers 201
    url: /checkout
    timeout: 30s
    expect:
      status: 201
`;
const PASSING_SUITE = SUITE.replace('status: 201', 'status: 200');

const pages = { '/': html('<h1>Home</h1>', 'Home'), '/checkout': html('<h1>Checkout</h1>', 'Checkout') };

/** The check runs created for one commit, so tests sharing the service never see each other's. */
const checkRunsOn = (sha: string): CheckRun[] => service.checkRuns.filter((checkRun) => checkRun.headSha === sha);

/** Service requests made while `work` ran. */
async function requestsDuring<T>(work: () => Promise<T>): Promise<{ value: T; requests: LogEntry[] }> {
  const from = service.log.length;
  const value = await work();
  return { value, requests: service.log.slice(from) };
}

function step(site: Site, options: { runId: number; sha: string; suite?: string; inputs?: Record<string, string>; env?: object }): Promise<ActionStep> {
  return runActionInProcess(service, {
    env: { runId: options.runId, jobId: 'smoke', sha: options.sha, ...options.env },
    inputs: { 'base-url': site.url, retries: '0', ...options.inputs },
    workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': options.suite ?? SUITE }),
  });
}

const shape = (checkRun: CheckRun) =>
  checkRun.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.annotation_level]);

describe('a push run', () => {
  it('creates the check run in progress before any fixture loads, then completes it with the verdict, summary and annotations', BOUND, async (t) => {
    const sha = shaOf('push-run');
    // What the service held when the browser first asked for a page: proof of order without any timing.
    let atFirstPage: { method: string; status: unknown }[][] | null = null;
    const first: RouteHandler = (_request, response) => {
      atFirstPage ??= checkRunsOn(sha).map((checkRun) => checkRun.requests.map((request) => ({ method: request.method, status: request.body.status })));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Home</title><h1>Home</h1>');
    };
    const site = await siteFor(t, { ...pages, '/': first });
    const run = await step(site, { runId: 5101, sha });
    assert.ok(run.failure, logOf(run));
    assert.deepEqual(atFirstPage, [[{ method: 'POST', status: 'in_progress' }]], 'created, in progress, before any fixture loaded');

    const [checkRun, ...others] = checkRunsOn(sha);
    assert.ok(checkRun, `a check run on ${sha}`);
    assert.equal(others.length, 0, 'exactly one check run');
    assert.equal(checkRun.name, 'reliability-smoke', 'named by check-name (its default)');
    assert.equal(checkRun.requests[0]?.body.head_sha, sha, 'on GITHUB_SHA');
    assert.equal(checkRun.requests[0]?.body.name, 'reliability-smoke');
    assert.deepEqual(
      checkRun.requests.map((request) => [request.method, request.body.status ?? null, request.body.conclusion ?? null]),
      [
        ['POST', 'in_progress', null],
        ['PATCH', 'completed', 'failure'],
      ],
    );
    assert.equal(checkRun.status, 'completed');
    assert.equal(checkRun.conclusion, 'failure');
    assert.equal(checkRun.output.title, '1 failed, 1 passed');
    assert.equal(checkRun.output.summary, run.summary, 'the check run shows the job summary');
    assert.match(checkRun.output.summary ?? '', /^## ❌ reliability-smoke: fail$/m);
    assert.equal(checkRun.annotations.length, 1);
    assert.deepEqual(
      checkRun.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.end_line, annotation.annotation_level]),
      [['fixtures/shop.smoke.yml', 7, 7, 'failure']],
    );
    assert.match(checkRun.annotations[0]?.title ?? '', /checkout-works failed/);
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
    assert.equal(run.outputs[Outputs.Result], 'fail');
  });

  it('completes it as success when every fixture passes', BOUND, async (t) => {
    const sha = shaOf('push-pass');
    const site = await siteFor(t, pages);
    const run = await step(site, { runId: 5102, sha, suite: PASSING_SUITE, inputs: { 'check-name': 'smoke / production' } });
    assert.equal(run.failure, null, logOf(run));
    const [checkRun] = checkRunsOn(sha);
    assert.ok(checkRun);
    assert.equal(checkRun.name, 'smoke / production', 'the check-name input names it');
    assert.equal(checkRun.conclusion, 'success');
    assert.equal(checkRun.output.title, '2 passed');
    assert.deepEqual(checkRun.annotations, []);
    assert.equal(checkRun.output.summary, run.summary);
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
  });
});

describe('a pull_request run', () => {
  it('puts the check run on the pull request head, not the merge commit the job checked out', BOUND, async (t) => {
    const head = shaOf('pr-head');
    const merge = shaOf('pr-merge');
    const runId = 5201;
    service.addRun({
      id: runId,
      status: 'in_progress',
      event: 'pull_request',
      branch: 'feature/pay-button',
      sha: head,
      pullRequests: [{ number: 42, headRef: 'feature/pay-button', headSha: head }],
    });
    const site = await siteFor(t, pages);
    const run = await step(site, { runId, sha: merge, env: { eventName: 'pull_request' } });
    assert.equal(run.env.GITHUB_SHA, merge, 'the runner checks out the merge commit');
    assert.ok(run.failure, logOf(run));
    assert.deepEqual(checkRunsOn(merge), [], 'nothing on the merge commit');
    const [checkRun] = checkRunsOn(head);
    assert.ok(checkRun, 'a check run on the head commit');
    assert.equal(checkRun.conclusion, 'failure');
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
  });
});

describe('a token without checks: write (a fork pull request)', () => {
  for (const status of [403, 404]) {
    for (const verdict of ['fail', 'pass'] as const) {
      it(`a ${status}: one warning, failures annotated on the step instead, and a ${verdict}ing suite still ${verdict === 'pass' ? 'passes' : 'fails'}`, BOUND, async (t) => {
        const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status });
        t.after(() => service.faults.remove(fault));
        const sha = shaOf(`refused-${status}-${verdict}`);
        const site = await siteFor(t, pages);
        const { value: run, requests } = await requestsDuring(() =>
          step(site, { runId: 5300 + status + (verdict === 'pass' ? 1 : 0), sha, suite: verdict === 'pass' ? PASSING_SUITE : SUITE }),
        );
        assert.equal(run.failure === null, verdict === 'pass', logOf(run));
        assert.equal(run.outputs[Outputs.Result], verdict);
        assert.equal(run.outputs[Outputs.CheckRunId], '', 'no check run id');
        assert.equal(fault.fired, 1, 'one creation attempt was refused');
        assert.equal(requests.filter((entry) => CHECK_RUN_ENDPOINTS.includes(entry.endpoint ?? '')).length, 1, 'and nothing was sent after it');

        const warnings = run.annotations.filter((annotation) => annotation.message.includes('checks: write'));
        assert.equal(warnings.length, 1, `exactly one warning naming the permission:${logOf(run)}`);
        assert.equal(warnings[0]?.level, 'warning', 'an annotation, so it shows on the run page and not only in the log');
        assert.match(warnings[0]?.message ?? '', new RegExp(`\\(${status}\\): github-token lacks the checks: write permission`));
        assert.doesNotMatch(run.log, /checks: write/, 'and not said twice');
        assert.equal(run.annotations.filter((annotation) => annotation.message.includes('Reporting the check run failed')).length, 0, 'not an error');

        const errors = run.annotations.filter((annotation) => annotation.level === 'error' && annotation.file);
        if (verdict === 'fail') {
          assert.deepEqual(
            errors.map((annotation) => [annotation.file, annotation.startLine]),
            [['fixtures/shop.smoke.yml', 7]],
            'the failure is annotated on the step instead',
          );
        } else {
          assert.deepEqual(errors, []);
        }
        assert.ok(service.artifacts.some((artifact) => artifact.runId === Number(run.env.GITHUB_RUN_ID)), 'the report was still uploaded');
        assert.match(run.summary, new RegExp(`^## ${verdict === 'pass' ? '✅' : '❌'} reliability-smoke: ${verdict}$`, 'm'), 'and summarized');
      });
    }
  }
});

describe('a checks API that fails', () => {
  it('a server error when fixtures start still gets the check run created with the result', BOUND, async (t) => {
    const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 502, times: 1 });
    t.after(() => service.faults.remove(fault));
    const sha = shaOf('checks-502-once');
    const site = await siteFor(t, pages);
    const run = await step(site, { runId: 5501, sha });
    assert.ok(run.failure, logOf(run));
    assert.equal(fault.fired, 1);
    const [checkRun, ...others] = checkRunsOn(sha);
    assert.ok(checkRun, `created after all${logOf(run)}`);
    assert.equal(others.length, 0);
    assert.deepEqual(
      checkRun.requests.map((request) => [request.method, request.body.status, request.body.conclusion]),
      [['POST', 'completed', 'failure']],
    );
    assert.deepEqual(shape(checkRun), [['fixtures/shop.smoke.yml', 7, 'failure']]);
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
    assert.ok(
      run.annotations.some((annotation) => annotation.level === 'warning' && /The check run could not be created when fixtures started/.test(annotation.message)),
      `a warning says so${logOf(run)}`,
    );
  });

  it('a checks API that keeps failing is reported as an error, and the verdict and report stand', BOUND, async (t) => {
    const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 500 });
    t.after(() => service.faults.remove(fault));
    const sha = shaOf('checks-500');
    const site = await siteFor(t, pages);
    const run = await step(site, { runId: 5502, sha, suite: PASSING_SUITE });
    assert.equal(run.failure, null, `a passing suite still passes${logOf(run)}`);
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.equal(run.outputs[Outputs.CheckRunId], '');
    assert.ok(run.outputs[Outputs.ArtifactId], 'the report was uploaded');
    assert.match(run.summary, /^## ✅ reliability-smoke: pass$/m);
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    assert.equal(errors.length, 1, logOf(run));
    assert.match(errors[0]?.message ?? '', /^Reporting the check run failed: /);
  });
});


describe('a checks API that fails beside many failures', () => {
  it("has its error annotated within GitHub's 10 errors per step, before the fixture failures that do not fit", BOUND, async (t) => {
    const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 500 });
    t.after(() => service.faults.remove(fault));
    const site = await siteFor(t, pages);
    const missing = Array.from({ length: 11 }, (_, index) => `  - id: missing-${index + 10}\n    url: /missing-${index + 10}\n`);
    const run = await step(site, { runId: 5503, sha: shaOf('checks-500-many'), suite: `fixtures:\n${missing.join('')}`, inputs: { concurrency: '4' } });
    assert.ok(run.failure, logOf(run));
    assert.match(run.failure ?? '', /11 fixtures failed/, logOf(run));
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    assert.equal(errors.length, 9, `nine, beside the step's own failure message${errors.map((annotation) => `\n${annotation.title}`).join('')}`);
    assert.match(errors[0]?.message ?? '', /^Reporting the check run failed: /);
    assert.equal(errors.filter((annotation) => annotation.file === 'fixtures/shop.smoke.yml').length, 8);
    const notice = run.annotations.find((annotation) => annotation.level === 'notice' && /not annotated/.test(annotation.title));
    assert.equal(notice?.title, '3 more failures not annotated');
  });
});

describe('turning it off, and a dry run', () => {
  it('an empty check-name sends no check-run request at all', BOUND, async (t) => {
    const sha = shaOf('check-off');
    const site = await siteFor(t, pages);
    const { value: run, requests } = await requestsDuring(() => step(site, { runId: 5401, sha, inputs: { 'check-name': '' } }));
    assert.ok(run.failure, logOf(run));
    assert.deepEqual(
      requests.filter((entry) => entry.path.includes('/check-runs')).map((entry) => `${entry.method} ${entry.path}`),
      [],
    );
    assert.equal(run.outputs[Outputs.CheckRunId], '');
    assert.equal(run.outputs[Outputs.Result], 'fail', 'the verdict does not depend on it');
  });

  it('a dry run completes its check run as neutral without loading a page', BOUND, async (t) => {
    const sha = shaOf('dry-run');
    const site = await siteFor(t, pages);
    const run = await step(site, { runId: 5402, sha, inputs: { 'dry-run': 'true' } });
    assert.equal(run.failure, null, logOf(run));
    assert.equal(site.hits(), 0, 'no fixture ran');
    const [checkRun, ...others] = checkRunsOn(sha);
    assert.ok(checkRun);
    assert.equal(others.length, 0);
    assert.equal(checkRun.status, 'completed');
    assert.equal(checkRun.conclusion, 'neutral');
    assert.equal(checkRun.output.title, 'Dry run: 2 fixtures would run');
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
    // Nothing ran, so nothing passed: neither the output, the log nor the summary may say so.
    assert.equal(run.outputs[Outputs.Result], 'planned');
    assert.equal(run.log.trimEnd().split('\n').at(-1), 'PLAN: 2 fixtures would run');
    assert.doesNotMatch(run.log, /RESULT: pass/);
    assert.match(run.summary, /^## 🧪 reliability-smoke: dry run, 2 fixtures would run$/m);
    assert.match(run.summary, /nothing was run, so nothing passed or failed/);
    assert.match(run.summary, /^\| `home-loads` \|.*\| all fixtures \|/m);
  });
});
