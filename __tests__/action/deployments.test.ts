/**
 * The Action against real deployments, run in-process against the loopback GitHub: secrets a failing page echoes
 * back never show in the log, the job summary, annotations, outputs, the check run or any file of the artifact, and
 * each is masked with setSecret; a deployment_status event gives the base URL and the check run's commit; a site
 * that never comes up stops the run with a report and an artifact; and a cancelled job stops the app it started.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { downloadArtifact, writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { groupMembersLeft, killGroup, startedGroup } from '../support/process-group.ts';
import { BYPASS_HEADER, CHATTY_START, CREDENTIALS, ECHO_FIXTURES, filesUnder, leaks, SECRET_ENV, SECRETS, secretEchoSite } from '../support/secret-echo.ts';
import { hang, html, siteFor } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const BOUND = { timeout: 120_000 };

function groupOf(t: TestContext, step: ActionStep): number {
  const pgid = startedGroup(step.log);
  t.after(() => killGroup(pgid));
  return pgid;
}

function reportOf(step: ActionStep): Report {
  return Report.parse(JSON.parse(fs.readFileSync(step.outputs[Outputs.ReportPath] ?? '', 'utf8')));
}

describe('secrets', () => {
  it('are masked, and never show in the log, summary, annotations, outputs, check run or artifact', BOUND, async (t) => {
    const site = await secretEchoSite(t);
    const runId = 5101;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: {
        'base-url': site.url,
        'extra-headers': `${BYPASS_HEADER}\nAccept-Language: en, fr;q=0.8`,
        'http-credentials': CREDENTIALS,
        start: CHATTY_START,
        'wait-for': '/echo',
      },
      extraEnv: SECRET_ENV,
      workspace: (dir) => writeFixtures(dir, { 'echo.smoke.yml': ECHO_FIXTURES }),
    });
    assert.match(run.failure ?? '', /1 fixture failed/, logOf(run));
    const pgid = groupOf(t, run);
    assert.deepEqual(await groupMembersLeft(pgid), []);
    assert.ok(site.log.includes(`/missing/${SECRETS.token}?b=${SECRETS.bypass}`), 'the page got the secrets and gave them back');
    for (const secret of Object.values(SECRETS)) assert.ok(run.secrets.includes(secret), `${secret} is masked with setSecret`);

    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.ok(checkRun, 'a check run was reported');
    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact, 'the smoke artifact was uploaded');
    const downloaded = await downloadArtifact(service, runId, artifact, fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-artifact-')));
    t.after(() => fs.rmSync(downloaded, { recursive: true, force: true }));
    const artifactFiles = filesUnder(downloaded);
    assert.ok('start.log' in artifactFiles, `start.log is in the artifact: ${Object.keys(artifactFiles).join(', ')}`);
    const everything = {
      log: run.log,
      failure: run.failure ?? '',
      summary: run.summary,
      ...Object.fromEntries(Object.entries(run.outputs).map(([name, value]) => [`output ${name}`, value])),
      ...Object.fromEntries(run.annotations.map((annotation, i) => [`annotation ${i + 1}`, `${annotation.title}\n${annotation.message}`])),
      'check run': JSON.stringify(checkRun),
      ...filesUnder(path.dirname(run.outputs[Outputs.ReportPath] ?? '')),
      ...Object.fromEntries(Object.entries(artifactFiles).map(([name, text]) => [`artifact ${name}`, text])),
    };
    assert.deepEqual(leaks(everything), []);
    assert.match(reportOf(run).fixtures[0]?.attempts[0]?.error?.message ?? '', /"not \$\{\{ env\.SMOKE_PASSWORD \}\}", found "\*\*\*"/, 'messages show the template');
    assert.match(artifactFiles['start.log'] ?? '', /starting with \*\*\* and \*\*\*/);
  });
});

describe('deployment_status', () => {
  it("with base-url empty, tests the deployment's environment_url and reports the check run on the deployed commit", BOUND, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="app">Preview</h1>', 'Preview') });
    const deployedSha = 'd'.repeat(40);
    const run = await runActionInProcess(service, {
      env: {
        runId: 5201,
        jobId: 'smoke',
        eventName: 'deployment_status',
        event: { deployment_status: { state: 'success', environment_url: site.url, target_url: 'https://ci.example.com/1' }, deployment: { sha: deployedSha, environment: 'Preview' } },
      },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': 'id: home\nurl: /\nexpect:\n  visible: ["#app"]\n' }),
    });
    assert.equal(run.failure, null, logOf(run));
    assert.match(run.log, new RegExp(`The base URL is the deployment's environment_url, ${site.url}/ \\(environment Preview\\)`));
    assert.equal(reportOf(run).baseUrl, `${site.url}/`);
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.headSha, deployedSha);
  });

  it('a deployment that did not succeed is an input problem, with a report and a failed check run', BOUND, async () => {
    const run = await runActionInProcess(service, {
      env: { runId: 5202, jobId: 'smoke', eventName: 'deployment_status', event: { deployment_status: { state: 'failure' }, deployment: { sha: 'e'.repeat(40) } } },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': 'id: home\nurl: /\n' }),
    });
    assert.ok(run.failure, logOf(run));
    assert.equal(reportOf(run).preflight?.code, 'usage');
    assert.ok(run.annotations.some((annotation) => /base-url is empty, and this deployment_status event's state is "failure"/.test(annotation.message)));
    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.equal(checkRun?.conclusion, 'failure');
    assert.equal(checkRun?.headSha, 'e'.repeat(40));
  });
});

describe('wait-for and start', () => {
  it('a site that never comes up stops the run with site-not-ready, a report and an uploaded artifact', BOUND, async (t) => {
    const site = await siteFor(t, { '/': { status: 503, body: 'building' } });
    const runId = 5301;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, 'wait-for': '/', 'wait-timeout': '1s' },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': 'id: home\nurl: /\n' }),
    });
    assert.match(run.failure ?? '', /stopped before running fixtures: .* was not ready after/, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(reportOf(run).preflight?.code, 'site-not-ready');
    assert.ok(service.artifacts.some((artifact) => artifact.runId === runId), 'the report was uploaded');
    assert.match(run.summary, /site-not-ready/);
  });

  it('a cancelled job stops the app it started, and still publishes the report', BOUND, async (t) => {
    const site = await siteFor(t, { '/': html('<h1>up</h1>'), '/slow': hang() });
    const cancel = new AbortController();
    void site.waitForHit('/slow').then(() => cancel.abort());
    const run = await runActionInProcess(service, {
      env: { runId: 5401, jobId: 'smoke' },
      inputs: { 'base-url': site.url, start: CHATTY_START, 'wait-for': '/' },
      extraEnv: SECRET_ENV,
      workspace: (dir) => writeFixtures(dir, { 'slow.smoke.yml': 'id: slow\nurl: /slow\ntimeout: 60s\n' }),
      signal: cancel.signal,
    });
    assert.match(run.failure ?? '', /interrupted/, logOf(run));
    const pgid = groupOf(t, run);
    assert.deepEqual(await groupMembersLeft(pgid), []);
    assert.equal(reportOf(run).interrupted?.reason, 'cancelled');
  });
});
