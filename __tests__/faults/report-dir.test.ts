/**
 * Fault: the report folder cannot be written: a file where the folder should be (found before any fixture runs),
 * bad inputs on top of that, and a disk that is full when the report is written. The step fails with an error
 * that says why, every output is set, a report saying why is written to the runner's temp folder and uploaded, and
 * the check run is completed, never left in progress.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { writeFixtures } from '../support/action-step.ts';
import { createProject } from '../support/cli-harness.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

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

/**
 * A 64 KiB tmpfs mounted where the report folder goes, filled up. Mounting needs root (and CAP_SYS_ADMIN in a
 * container); where that is refused, a file stands where the folder should be. The test says which ran.
 */
function fullDiskAt(dir: string): 'tmpfs' | 'file' {
  fs.mkdirSync(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmdirSync(dir);
    fs.writeFileSync(dir, 'a file where the report folder should be');
    return 'file';
  }
  // Filled to the last block, as a disk is full: any write in it fails with ENOSPC.
  try {
    fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(128 * 1024));
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  return 'tmpfs';
}

describe('a report folder on a full disk', () => {
  it('fails the step with an error that says the disk is full, every output set, and the report kept elsewhere', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    let reportDir = '';
    let how: 'tmpfs' | 'file' | null = null;
    t.after(() => {
      if (how === 'tmpfs') spawnSync('umount', ['-l', reportDir]);
    });
    const run = await runActionInProcess(service, {
      env: { runId: 1501, jobId: 'smoke' },
      inputs: { 'base-url': site.url, 'report-dir': 'smoke-report' },
      workspace: (dir) => {
        writeFixtures(dir, {
          'home.smoke.yml': 'fixtures:\n  - id: home-loads\n    url: /\n    expect:\n      visible: ["#brand"]\n  - id: missing\n    url: /missing\n',
        });
        reportDir = path.join(dir, 'smoke-report');
        how = fullDiskAt(reportDir);
      },
    });
    t.diagnostic(`the full disk was ${how === 'tmpfs' ? 'a filled 64 KiB tmpfs' : 'a file where the folder should be (mount was refused)'}`);
    assert.ok(run.failure, logOf(run));
    assert.deepEqual(Object.keys(run.outputs).sort(), Object.values(Outputs).sort(), 'every output is set');
    assert.equal(run.outputs[Outputs.Result], 'fail');
    const reportPath = run.outputs[Outputs.ReportPath] ?? '';
    assert.ok(reportPath.startsWith(run.env.RUNNER_TEMP ?? '-'), `the report went to the runner's temp folder: ${reportPath}`);
    const report = Report.parse(JSON.parse(fs.readFileSync(reportPath, 'utf8')));
    assert.equal(report.preflight?.code, 'report-dir-unwritable', report.preflight?.message);
    assert.match(report.preflight?.message ?? '', how === 'tmpfs' ? /smoke-report could not be written as the run finished \(ENOSPC: the disk is full\)/ : /smoke-report cannot be written/);
    assert.match(run.failure, how === 'tmpfs' ? /ENOSPC: the disk is full/ : /cannot be written/);
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.status, 'completed', 'the check run is not left in progress');
    assert.equal(checkRun?.conclusion, 'failure');
    assert.ok(service.artifacts.some((artifact) => String(artifact.id) === run.outputs[Outputs.ArtifactId]), 'the report saying why was uploaded');
  });

  it('in the CLI: exits 2 with an error that says the disk is full, after the result of each fixture was printed', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const project = createProject('smoke-full-disk-');
    const reportDir = path.join(project.dir, 'smoke-report');
    let how: 'tmpfs' | 'file' | null = null;
    t.after(() => {
      if (how === 'tmpfs') spawnSync('umount', ['-l', reportDir]);
      project.remove();
    });
    project.write('fixtures/home.smoke.yml', 'fixtures:\n  - id: home-loads\n    url: /\n    expect:\n      visible: ["#brand"]\n');
    how = fullDiskAt(reportDir);
    const run = await project.run(['--base-url', site.url]);
    t.diagnostic(`the full disk was ${how === 'tmpfs' ? 'a filled 64 KiB tmpfs' : 'a file where the folder should be (mount was refused)'}`);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      how === 'tmpfs' ? /smoke-report could not be written as the run finished \(ENOSPC: the disk is full\)/ : /smoke-report cannot be written; nothing was run/,
    );
    assert.match(run.stderr, /^RESULT: fail$/m);
    if (how === 'tmpfs') assert.match(run.stdout, /passed\s+home-loads/, 'the result was printed before the report was lost');
  });
});
