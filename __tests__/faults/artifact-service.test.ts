/**
 * Fault: the artifact service fails. Uploads and downloads that answer 500, and services that accept the connection
 * and then never answer. The verdict the fixtures decided is unchanged, the report is on disk, the step ends (a
 * hang is given up on after a deadline), and the error names the service that failed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Inputs, Outputs } from '../../src/action/names.ts';
import { addRun, artifactNameFor, builtReport, reportOf, runIds, shaOf, step } from '../support/action-rerun.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub, tokenLeaks } from '../support/in-process-action.ts';
import { fixtureSite, html, siteFor } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const HOME_PAGE = { '/': html('<h1 id="brand">Acme</h1>', 'Home') };
const HOME = 'id: home-loads\nurl: /\nexpect:\n  visible: ["#brand"]\n';
/** Fails fast: the route does not exist, so the page answers 404. */
const missingPage = (index: number) => `  - id: missing-${String(index).padStart(2, '0')}\n    url: /missing-${index}\n`;

const checkRunOf = (run: ActionStep) => service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);

/** What a failed upload must look like whatever the verdict. */
function assertUploadFailureReported(run: ActionStep): void {
  assert.equal(run.outputs[Outputs.ArtifactId], '');
  assert.equal(run.outputs[Outputs.ArtifactUrl], '');
  const annotation = run.annotations.find((candidate) => candidate.level === 'error' && candidate.title === 'reliability-smoke artifact upload failed');
  assert.ok(annotation, `an error annotation for the upload:${logOf(run)}`);
  assert.match(annotation.message, /was not uploaded/);
  assert.match(annotation.message, /verdict is unchanged/);
  assert.match(run.summary, /^> \[!WARNING\]$/m, 'the summary leads with a warning');
  assert.match(run.summary, /was not uploaded/);
  // Nothing points at an artifact that does not exist.
  assert.doesNotMatch(run.summary, /in the artifact/);
  for (const { message } of run.annotations) assert.doesNotMatch(message, /\(artifact [^)]*\)/, message);
  assert.doesNotMatch(run.failure ?? '', /\(artifact [^)]*\)/);
  assert.deepEqual(tokenLeaks(run, service.githubToken), []);
}

// The artifact client retries a 500 for about half a minute before giving up, so both verdicts run side by side.
describe('an upload that fails with 500s', { concurrency: true }, () => {
  before(() => {
    service.faults.add({ endpoint: 'CreateArtifact', status: 500, message: 'the results service is down' });
  });
  after(() => service.faults.clear());

  it('does not turn a pass into a fail', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    const run = await runActionInProcess(service, {
      env: { runId: 5201, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
    });
    assert.equal(run.failure, null, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.equal(run.outputs[Outputs.Passed], '1');
    assert.match(run.summary, /reliability-smoke: pass/);
    assertUploadFailureReported(run);
    assert.equal(service.artifacts.filter((artifact) => artifact.runId === 5201).length, 0);
    assert.ok(fs.existsSync(run.outputs[Outputs.ReportPath] ?? ''), 'the report is still on disk');
  });

  it('does not turn a fail into a pass', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    // More failures than GitHub annotates, so the overflow notice says where the rest are.
    const fixtures = `fixtures:\n${Array.from({ length: 11 }, (_, index) => missingPage(index + 1)).join('')}`;
    const run = await runActionInProcess(service, {
      env: { runId: 5301, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url, [Inputs.Concurrency]: '4' },
      workspace: (dir) => writeFixtures(dir, { 'missing.smoke.yml': fixtures, 'home.smoke.yml': HOME }),
    });
    assert.match(run.failure ?? '', /11 fixtures failed/, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(run.outputs[Outputs.Failed], '11');
    assert.match(run.summary, /reliability-smoke: fail/);
    assertUploadFailureReported(run);
    // GitHub shows 10 errors per step: the upload failure first, then as many failures as fit beside the step's own
    // failure message (the entry point's, not counted here), and a notice that says how many more there are and where.
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    assert.equal(errors.length, 9, errors.map((annotation) => annotation.title).join('\n'));
    assert.equal(errors[0]?.title, 'reliability-smoke artifact upload failed');
    assert.equal(errors.filter((annotation) => annotation.file === 'fixtures/missing.smoke.yml').length, 8);
    const notice = run.annotations.find((annotation) => annotation.level === 'notice' && /not annotated/.test(annotation.title));
    assert.equal(notice?.title, '3 more failures not annotated');
  });
});


describe('an upload the artifact service never answers', () => {
  it('is given up after its deadline: the step passes, the report is on disk and the check run is completed', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    const fault = service.faults.add({ endpoint: 'CreateArtifact', hang: true });
    t.after(() => service.faults.remove(fault));
    const run = await runActionInProcess(service, {
      env: { runId: 5401, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
      deadlines: { uploadMs: 3000 },
    });
    assert.equal(fault.fired, 1, 'the upload reached the stalled service');
    assert.equal(run.failure, null, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assertUploadFailureReported(run);
    assert.match(run.summary, /did not finish the upload within 3s/);
    assert.ok(fs.existsSync(run.outputs[Outputs.ReportPath] ?? ''), 'the report is still on disk');
    assert.equal(checkRunOf(run)?.status, 'completed', 'the check run is not left in progress');
    assert.equal(checkRunOf(run)?.conclusion, 'success');
  });
});

describe('a check run API that never answers', () => {
  it('is given up after its deadline, with a warning, and the verdict and the upload are unaffected', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    const fault = service.faults.add({ endpoint: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', hang: true });
    t.after(() => service.faults.remove(fault));
    const run = await runActionInProcess(service, {
      env: { runId: 5451, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
      deadlines: { githubCallMs: 2000 },
    });
    assert.ok(fault.fired >= 1, 'the check run update reached the stalled API');
    assert.equal(run.failure, null, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.notEqual(run.outputs[Outputs.ArtifactId], '', 'the artifact was uploaded');
    const said = [run.log, ...run.annotations.map((annotation) => annotation.message)].join('\n');
    assert.match(said, /GitHub's API did not answer PATCH .*check-runs.* within 2s/, said);
  });
});

/** A rerun whose source is an earlier run of its own branch, with a smoke artifact that has a failure in it. */
async function rerunCase(t: TestContext, label: string) {
  const ids = ['alpha', 'bravo'] as const;
  const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass' });
  const [earlier = 0, current = 0] = runIds(2);
  const sha = shaOf(label);
  addRun(service, { id: earlier, branch: `faults/${label}`, sha, minute: 0 });
  addRun(service, { id: current, branch: `faults/${label}`, sha, status: 'in_progress', minute: 10 });
  await service.addArtifact(earlier, { name: artifactNameFor(1), files: { 'report.json': builtReport({ ids: { alpha: 'failed', bravo: 'passed' }, runId: earlier, sha }) } });
  const rerun = (deadlines: Parameters<typeof step>[1]['deadlines'] = {}) =>
    step(service, { runId: current, site, ids, inputs: { 'rerun-failed': 'true' }, deadlines });
  return { site, rerun };
}

/** A download that failed: stopped before any fixture ran, with the code and a message that names what failed. */
function assertDownloadFailed(run: ActionStep, site: { hits(): number }, message: RegExp): void {
  assert.ok(run.failure, logOf(run));
  assert.equal(site.hits(), 0, 'no fixture ran');
  assert.equal(run.outputs[Outputs.Result], 'fail');
  const report = reportOf(run);
  assert.equal(report.preflight?.code, 'download-failed');
  assert.match(report.preflight?.message ?? '', message);
  assert.match(run.failure, message);
  assert.notEqual(run.outputs[Outputs.ArtifactId], '', 'the report saying why was uploaded');
}

describe('a download from an artifact service that fails', () => {
  it('GitHub answering 500 for the zip is tried three times, then named', { timeout: 120_000 }, async (t) => {
    const { site, rerun } = await rerunCase(t, 'download-500');
    const fault = service.faults.add({ endpoint: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', status: 500 });
    t.after(() => service.faults.remove(fault));
    const run = await rerun();
    assert.equal(fault.fired, 3);
    assertDownloadFailed(run, site, /GitHub's API, asked for the zip of artifact \d+, failed \(500\)/);
    assert.match(run.log, /trying again in 1s \(try 2 of 3\)/);
  });

  it('blob storage that never sends a byte is given up after the stall time, three times, then named', { timeout: 120_000 }, async (t) => {
    const { site, rerun } = await rerunCase(t, 'download-stall');
    const fault = service.faults.add({ endpoint: 'GET blob', hang: true });
    t.after(() => service.faults.remove(fault));
    const run = await rerun({ downloadStallMs: 1000 });
    assert.equal(fault.fired, 3);
    assertDownloadFailed(run, site, /blob storage \(http:\/\/127\.0\.0\.1:\d+\/[^)?]+\) did not answer within 1s/);
    assert.doesNotMatch(run.log + (run.failure ?? ''), /sig=/, 'the signed URL is never shown');
  });

  it('a REST API that never answers is given up after its deadline and named', { timeout: 120_000 }, async (t) => {
    const { site, rerun } = await rerunCase(t, 'api-stall');
    const fault = service.faults.add({ endpoint: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', hang: true });
    t.after(() => service.faults.remove(fault));
    const run = await rerun({ githubCallMs: 2000 });
    assert.ok(fault.fired >= 1);
    assert.ok(run.failure, logOf(run));
    assert.equal(site.hits(), 0, 'no fixture ran');
    const report = reportOf(run);
    assert.equal(report.preflight?.code, 'api-error', report.preflight?.message);
    assert.match(report.preflight?.message ?? '', /GitHub's API did not answer GET \S*\/artifacts\S* within 2s/);
  });
});
