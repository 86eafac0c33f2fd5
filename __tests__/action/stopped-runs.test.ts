/**
 * Runs that cannot finish as planned: a job cancelled mid-suite (ActionIo.signal aborted, as the entry point does on
 * the runner's SIGINT; e2e/action-bundle.test.ts sends the real signals to the bundle) and a report folder that cannot
 * be written. Either way the step still ends with a report, every output, an uploaded artifact and a completed
 * check run, never a check run left in progress.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { hang, html, siteFor } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const CANCELLED = `fixtures:
  - id: slow-report
    url: /slow
    timeout: 60s
  - id: home-loads
    url: /
    expect:
      visible: ["#brand"]
`;

describe('a cancelled job', () => {
  it('stops the fixtures but still writes and uploads the report and completes the check run', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home'), '/slow': hang() });
    const runId = 1301;
    const cancel = new AbortController();
    void site.waitForHit('/slow').then(() => cancel.abort());
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, concurrency: '1' },
      workspace: (dir) => writeFixtures(dir, { 'slow.smoke.yml': CANCELLED }),
      signal: cancel.signal,
    });
    assert.match(run.failure ?? '', /interrupted/, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(site.hits('/'), 0, 'the fixture after the cancelled one never ran');
    const report = Report.parse(JSON.parse(fs.readFileSync(run.outputs[Outputs.ReportPath] ?? '', 'utf8')));
    assert.equal(report.interrupted?.reason, 'cancelled');
    assert.deepEqual(report.fixtures.map((fixture) => [fixture.id, fixture.status]).sort(), [
      ['home-loads', 'skipped'],
      ['slow-report', 'failed'],
    ]);
    assert.equal(run.outputs[Outputs.Skipped], '1');
    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact, 'the report was uploaded');
    assert.equal(run.outputs[Outputs.ArtifactId], String(artifact.id));
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.status, 'completed', 'the check run is not left in progress');
    assert.match(run.summary, /Interrupted/);
  });
});

describe('a report folder that cannot be written', () => {
  it('stops before any fixture runs, failing the step with every output set, a report saying why, and the check run completed', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const runId = 1401;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, 'report-dir': 'smoke-report' },
      workspace: (dir) => {
        writeFixtures(dir, { 'home.smoke.yml': 'id: home-loads\nurl: /\nexpect:\n  visible: ["#brand"]\n' });
        fs.writeFileSync(path.join(dir, 'smoke-report'), 'a file where the report folder should be');
      },
    });
    assert.ok(run.failure, logOf(run));
    assert.deepEqual(Object.keys(run.outputs).sort(), Object.values(Outputs).sort());
    assert.equal(run.outputs[Outputs.Result], 'fail', 'results that could not be kept are not a pass');
    const reportPath = run.outputs[Outputs.ReportPath] ?? '';
    assert.ok(reportPath.startsWith(run.env.RUNNER_TEMP ?? '-'), `the report went to the runner's temp folder: ${reportPath}`);
    const report = Report.parse(JSON.parse(fs.readFileSync(reportPath, 'utf8')));
    assert.equal(report.preflight?.code, 'report-dir-unwritable');
    assert.match(report.preflight?.message ?? '', /smoke-report cannot be written .*nothing was run/);
    assert.match(report.preflight?.guidance.join('\n') ?? '', /Set report-dir to a folder this job can write to \(it is smoke-report\)/);
    assert.equal(site.hits(), 0, 'no fixture ran: the folder was checked first');
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.status, 'completed', 'the check run is not left in progress');
    assert.equal(checkRun?.conclusion, 'failure');
    assert.ok(service.artifacts.some((artifact) => artifact.runId === runId && String(artifact.id) === run.outputs[Outputs.ArtifactId]));
    assert.match(run.summary, /report-dir-unwritable/);
  });

  it('with bad inputs too, still fails the step with every output set and the usage report in the temp folder', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const run = await runActionInProcess(service, {
      env: { runId: 1402, jobId: 'smoke' },
      inputs: { 'base-url': site.url, 'report-dir': 'smoke-report', retries: 'many' },
      workspace: (dir) => {
        writeFixtures(dir, { 'home.smoke.yml': 'id: home-loads\nurl: /\n' });
        fs.writeFileSync(path.join(dir, 'smoke-report'), 'a file where the report folder should be');
      },
    });
    assert.ok(run.failure, logOf(run));
    assert.doesNotMatch(run.failure, /unexpected error/, 'no stack trace: the report went elsewhere');
    assert.deepEqual(Object.keys(run.outputs).sort(), Object.values(Outputs).sort());
    assert.equal(run.outputs[Outputs.Result], 'fail');
    const reportPath = run.outputs[Outputs.ReportPath] ?? '';
    assert.ok(reportPath.startsWith(run.env.RUNNER_TEMP ?? '-'), `the report went to the runner's temp folder: ${reportPath}`);
    const report = Report.parse(JSON.parse(fs.readFileSync(reportPath, 'utf8')));
    assert.equal(report.preflight?.code, 'usage');
    assert.match(report.preflight?.problems.join('\n') ?? '', /retries/);
    assert.match(run.log, /could not be written to .*smoke-report.*; this one, saying why, is in /);
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.conclusion, 'failure');
    assert.match(run.summary, /`usage`/);
    assert.equal(site.hits(), 0);
  });
});
