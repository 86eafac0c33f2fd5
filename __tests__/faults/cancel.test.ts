/**
 * Fault: the job is cancelled in the middle of a suite. The runner sends SIGINT, SIGTERM 7.5 s later and kills the
 * step 2.5 s after that. The running fixtures stop, the queued ones are skipped, and within that time the partial
 * report is written and uploaded and the check run is completed (never left in progress), even when the artifact
 * service stalls. The bundle (dist/index.js) gets the real signals; the in-process case aborts ActionIo.signal as
 * the entry point does on the first one.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { downloadArtifact, writeFixtures } from '../support/action-step.ts';
import { runBundledAction, type ActionRun } from '../support/bundled-action.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { hang, html, siteFor, type Site } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

/** The runner's cancellation: SIGINT now, SIGTERM 7.5 s later, then the kill 2.5 s after that, each only if the step still runs. */
function cancelAsTheRunner(child: ChildProcess): { signals: string[] } {
  const sent = { signals: ['SIGINT'] };
  child.kill('SIGINT');
  const later = (delayMs: number, signal: NodeJS.Signals) =>
    setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      sent.signals.push(signal);
      child.kill(signal);
    }, delayMs);
  const timers = [later(7_500, 'SIGTERM'), later(10_000, 'SIGKILL')];
  child.once('exit', () => timers.forEach(clearTimeout));
  return sent;
}

/** Passing fixtures first, then one that hangs (the job is cancelled while it runs), then two that never start. */
const MID_SUITE = `fixtures:
  - id: home-1
    url: /
    expect: { visible: ["#brand"] }
  - id: home-2
    url: /
    expect: { visible: ["#brand"] }
  - id: slow-report
    url: /slow
    timeout: 60s
  - id: queued-1
    url: /queued
  - id: queued-2
    url: /queued
`;

async function cancelledMidSuite(site: Site, runId: number, signals: { signals: string[] }[]): Promise<ActionRun> {
  return runBundledAction(service, {
    env: { runId, jobId: 'smoke' },
    inputs: { 'base-url': site.url, concurrency: '1' },
    workspace: (dir) => writeFixtures(dir, { 'suite.smoke.yml': MID_SUITE }),
    whileRunning: (child) => void site.waitForHit('/slow').then(() => signals.push(cancelAsTheRunner(child))),
  });
}

/** The partial report: what ran before the cancel is kept, the running fixture failed, the queued ones skipped. */
function assertPartialReport(run: ActionRun, site: Site): Report {
  assert.equal(run.outputs[Outputs.Result], 'fail', run.stdout + run.stderr);
  assert.equal(site.hits('/queued'), 0, 'the queued fixtures never ran');
  const report = Report.parse(JSON.parse(fs.readFileSync(run.outputs[Outputs.ReportPath] ?? '', 'utf8')));
  assert.equal(report.interrupted?.reason, 'cancelled');
  assert.deepEqual(Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, fixture.status])), {
    'home-1': 'passed',
    'home-2': 'passed',
    'slow-report': 'failed',
    'queued-1': 'skipped',
    'queued-2': 'skipped',
  });
  assert.equal(run.outputs[Outputs.Passed], '2');
  assert.equal(run.outputs[Outputs.Skipped], '2');
  return report;
}

function assertCheckRunClosed(run: ActionRun): void {
  const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
  assert.ok(checkRun, `the check run was created${run.stdout}`);
  assert.equal(checkRun.status, 'completed', 'the check run is not left in progress');
  assert.ok(['cancelled', 'failure'].includes(checkRun.conclusion ?? ''), `conclusion ${checkRun.conclusion}`);
}

describe('a job cancelled mid-suite as the runner cancels it', () => {
  it('writes and uploads the partial report and completes the check run before the kill', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home'), '/slow': hang(), '/queued': html('<p>queued</p>') });
    const runId = 1501;
    const sent: { signals: string[] }[] = [];
    const run = await cancelledMidSuite(site, runId, sent);
    assert.equal(run.exitCode, 1, `the step failed rather than being killed (signals sent: ${sent[0]?.signals})\n${run.stdout}${run.stderr}`);
    t.diagnostic(`signals sent: ${sent[0]?.signals.join(', ')}`);
    const report = assertPartialReport(run, site);
    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact, 'the partial report was uploaded');
    assert.equal(run.outputs[Outputs.ArtifactId], String(artifact.id));
    const uploaded = Report.parse(JSON.parse(fs.readFileSync(path.join(await downloadArtifact(service, runId, artifact, tempDir(t)), 'report.json'), 'utf8')));
    assert.deepEqual(uploaded.fixtures, report.fixtures, 'the artifact holds the partial report');
    assertCheckRunClosed(run);
    assert.match(run.stdout, /SIGINT: the job was cancelled; stopping the fixtures, then publishing the report\./);
  });

  it('with an artifact service that stalls, gives the upload up in time to complete the check run', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home'), '/slow': hang(), '/queued': html('<p>queued</p>') });
    const fault = service.faults.add({ endpoint: 'CreateArtifact', hang: true });
    t.after(() => service.faults.remove(fault));
    const sent: { signals: string[] }[] = [];
    const run = await cancelledMidSuite(site, 1502, sent);
    assert.equal(fault.fired, 1, 'the upload reached the stalled service');
    assert.equal(run.exitCode, 1, `the step failed rather than being killed (signals sent: ${sent[0]?.signals})\n${run.stdout}${run.stderr}`);
    t.diagnostic(`signals sent: ${sent[0]?.signals.join(', ')}`);
    assertPartialReport(run, site);
    assert.equal(run.outputs[Outputs.ArtifactId], '');
    assert.match(run.stdout, /::error title=reliability-smoke artifact upload failed::.*did not finish the upload within 4s/);
    assertCheckRunClosed(run);
  });
});

const CANCELLED = `fixtures:
  - id: slow-report
    url: /slow
    timeout: 60s
  - id: home-loads
    url: /
    expect:
      visible: ["#brand"]
`;

/**
 * What a job cancelled while `slow-report` hangs must leave, however the step ran: the queued fixture skipped, the
 * partial report written and uploaded, the check run completed.
 */
function checkCancelled(run: { outputs: Record<string, string>; summary: string }, runId: number, site: Site): void {
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
}

describe('a cancelled job, in-process', () => {
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
    checkCancelled(run, runId, site);
  });
});


describe('a cancelled job, both signals at once', () => {
  it('stops the fixtures on SIGINT and SIGTERM but still writes and uploads the report and completes the check run', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home'), '/slow': hang() });
    const runId = 1311;
    const run = await runBundledAction(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, concurrency: '1' },
      workspace: (dir) => writeFixtures(dir, { 'slow.smoke.yml': CANCELLED }),
      // As the runner cancels: SIGINT, then SIGTERM (here at once, so the second signal must not cut publishing short).
      whileRunning: (child) =>
        void site.waitForHit('/slow').then(() => {
          child.kill('SIGINT');
          child.kill('SIGTERM');
        }),
    });
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    checkCancelled(run, runId, site);
    assert.match(run.stdout, /SIG(INT|TERM): the job was cancelled; stopping the fixtures, then publishing the report\./);
    assert.match(run.commands.at(-1)?.message ?? '', /interrupted/);
  });
});
