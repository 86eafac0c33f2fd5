/**
 * The Action's inputs as a workflow gives them: every bad input reported at once before any browser
 * starts, `serve` turning a workspace folder into the base URL (and a missing folder stopping the run with its own
 * message), and a dry run that plans without running.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Inputs, Outputs } from '../../src/action/names.ts';
import { Plan } from '../../src/report/plan.ts';
import { Report } from '../../src/report/schema.ts';
import { downloadArtifact, listFiles, recordingBrowser, writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub, tokenLeaks } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const readReport = (file: string) => Report.parse(JSON.parse(fs.readFileSync(file, 'utf8')));

const HOME = `id: home-loads
title: The home page loads
url: /
expect:
  title: Home
  visible: ["#brand"]
`;

function writeSite(workspace: string, dir = 'site'): void {
  fs.mkdirSync(path.join(workspace, dir, 'about'), { recursive: true });
  fs.writeFileSync(path.join(workspace, dir, 'index.html'), '<!doctype html><title>Home</title><h1 id="brand">Acme</h1>');
  fs.writeFileSync(path.join(workspace, dir, 'about', 'index.html'), '<!doctype html><title>About</title><h1>About us</h1>');
}

const ALL_OUTPUTS = Object.values(Outputs).sort();

describe('bad inputs', () => {
  it('are all reported at once, in one usage report, before any browser or API call', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const browser = recordingBrowser(tempDir(t));
    const runId = 4101;
    const mark = service.log.length;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: {
        [Inputs.Retries]: 'many',
        [Inputs.Concurrency]: '0',
        [Inputs.BaseUrl]: site.url,
        [Inputs.Serve]: 'site',
        [Inputs.RerunFailed]: 'true',
        [Inputs.Fixtures]: 'home-loads',
        [Inputs.ArtifactName]: 'smoke/report',
        [Inputs.RetentionDays]: '400',
        [Inputs.ReportDir]: 'smoke-out',
      },
      workspace: (dir) => {
        writeFixtures(dir, { 'home.smoke.yml': HOME });
        writeSite(dir);
      },
      extraEnv: { CHROME_BIN: browser.path, PUPPETEER_EXECUTABLE_PATH: browser.path },
    });
    assert.ok(run.failure, logOf(run));
    const restCalls = service.log.slice(mark).filter((entry) => entry.service === 'rest').map((entry) => `${entry.method} ${entry.path}`);

    // One report, with one usage diagnostic that lists every problem, each naming its input.
    const reportPath = run.outputs[Outputs.ReportPath] ?? '';
    assert.equal(reportPath, path.join(run.workspace, 'smoke-out', 'report.json'), 'report-path is absolute, in report-dir');
    const report = readReport(reportPath);
    assert.equal(report.result, 'fail');
    assert.equal(report.preflight?.code, 'usage');
    assert.deepEqual(report.fixtures, []);
    const problems = report.preflight?.problems ?? [];
    for (const input of [Inputs.Retries, Inputs.Concurrency, Inputs.Serve, Inputs.ArtifactName, Inputs.RetentionDays]) {
      assert.ok(
        problems.some((problem) => problem.includes(input)),
        `a problem names ${input}:\n${problems.join('\n')}`,
      );
    }
    for (const given of ['"many"', '"0"', '"smoke/report"', '"400"']) {
      assert.ok(problems.some((problem) => problem.includes(given)), `the bad value ${given} is quoted back:\n${problems.join('\n')}`);
    }
    assert.ok(
      problems.some((problem) => problem.includes(`${Inputs.RerunFailed} and ${Inputs.Fixtures} cannot be combined`)),
      'rerun-failed with fixtures is reported beside the other problems',
    );
    assert.equal(problems.length, 6, problems.join('\n'));

    // Every output is set; the artifact falls back to the default prefix, since the given one is unusable.
    assert.deepEqual(Object.keys(run.outputs).sort(), ALL_OUTPUTS);
    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact, 'the report was still uploaded');
    assert.equal(artifact.name, 'reliability-smoke-smoke-attempt-1');
    assert.deepEqual(
      { ...run.outputs, [Outputs.ReportPath]: '' },
      {
        [Outputs.Result]: 'fail',
        [Outputs.Mode]: 'full',
        [Outputs.Total]: '0',
        [Outputs.Passed]: '0',
        [Outputs.Failed]: '0',
        [Outputs.Flaky]: '0',
        [Outputs.Skipped]: '0',
        [Outputs.FailedFixtures]: '[]',
        [Outputs.QuarantinedFixtures]: '[]',
        [Outputs.NotCoveredFixtures]: '[]',
        [Outputs.SelectedCount]: '0',
        [Outputs.ReportPath]: '',
        [Outputs.ArtifactName]: artifact.name,
        [Outputs.ArtifactId]: String(artifact.id),
        [Outputs.ArtifactUrl]: `https://github.com/${service.repository}/actions/runs/${runId}/artifacts/${artifact.id}`,
        [Outputs.RerunSourceRunId]: '',
        [Outputs.CheckRunId]: String(service.checkRuns.at(-1)?.id),
      },
    );
    const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
    assert.equal(readReport(path.join(downloaded, 'report.json')).preflight?.code, 'usage');

    // An annotation per problem, and the summary says what stopped the run.
    const errors = run.annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.message);
    for (const problem of problems) assert.ok(errors.includes(problem), `an annotation for: ${problem}`);
    assert.deepEqual(run.secrets, [service.githubToken], 'the token is masked, though the inputs were refused');
    assert.match(run.summary, /Stopped before any fixture ran/);
    assert.match(run.summary, /`usage`/);

    // Nothing started: no browser, no request to the site.
    assert.equal(browser.launches(), 0);
    assert.equal(site.hits(), 0);
    // The only REST call is the check run, reported as failed so a required check never looks still to come.
    assert.deepEqual(restCalls, [`POST /repos/${service.repository}/check-runs`], 'no rerun lookup; one check run');
    const checkRun = service.checkRuns.at(-1);
    assert.equal(checkRun?.requests[0]?.body.status, 'completed');
    assert.equal(checkRun?.requests[0]?.body.conclusion, 'failure');
    assert.deepEqual(tokenLeaks(run, service.githubToken, { 'report.json': fs.readFileSync(reportPath, 'utf8') }), []);
  });

  it('that name a browser which will not start stop the run as a preflight failure', { timeout: 120_000 }, async (t) => {
    const dir = tempDir(t);
    const broken = path.join(dir, 'broken-chrome.sh');
    fs.writeFileSync(broken, `#!/bin/sh\necho started >> '${path.join(dir, 'launches.txt')}'\necho 'no display' >&2\nexit 3\n`, { mode: 0o755 });
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const run = await runActionInProcess(service, {
      env: { runId: 4201, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url, [Inputs.BrowserPath]: broken },
      workspace: (workspace) => writeFixtures(workspace, { 'home.smoke.yml': HOME }),
    });
    assert.ok(run.failure, logOf(run));
    assert.ok(fs.existsSync(path.join(dir, 'launches.txt')), 'the browser named by browser-path was tried');
    assert.equal(readReport(run.outputs[Outputs.ReportPath] ?? '').preflight?.code, 'browser-launch-failed');
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(site.hits(), 0);
  });
});

describe('serve', () => {
  it('serves a workspace folder on loopback as the base URL', { timeout: 120_000 }, async (t) => {
    const browser = recordingBrowser(tempDir(t));
    const run = await runActionInProcess(service, {
      env: { runId: 4301, jobId: 'smoke' },
      inputs: { [Inputs.Serve]: 'site' },
      workspace: (dir) => {
        writeSite(dir);
        writeFixtures(dir, {
          'home.smoke.yml': HOME,
          'about.smoke.yml': 'id: about-loads\nurl: /about/\nexpect:\n  text: { selector: h1, equals: About us }\n',
        });
      },
      extraEnv: { CHROME_BIN: browser.path },
    });
    assert.equal(run.failure, null, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.equal(run.outputs[Outputs.Passed], '2');
    assert.ok(browser.launches() > 0, 'the browser from CHROME_BIN ran the fixtures');
    const report = readReport(run.outputs[Outputs.ReportPath] ?? '');
    assert.match(report.baseUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.status), ['passed', 'passed']);
  });

  it('of a folder that does not exist stops the run with its own message', { timeout: 120_000 }, async (t) => {
    const browser = recordingBrowser(tempDir(t));
    const run = await runActionInProcess(service, {
      env: { runId: 4401, jobId: 'smoke' },
      inputs: { [Inputs.Serve]: 'build/site' },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
      extraEnv: { CHROME_BIN: browser.path },
    });
    assert.ok(run.failure, logOf(run));
    const report = readReport(run.outputs[Outputs.ReportPath] ?? '');
    assert.equal(report.preflight?.code, 'serve-failed');
    assert.match(report.preflight?.message ?? '', /build\/site" is not a directory/);
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.deepEqual(Object.keys(run.outputs).sort(), ALL_OUTPUTS);
    assert.match(run.summary, /`serve-failed`/);
    assert.match(run.summary, /build\/site/);
    assert.ok(
      run.annotations.some((annotation) => annotation.level === 'error' && annotation.message.includes('build/site" is not a directory')),
      'an annotation says so',
    );
    assert.equal(browser.launches(), 0, 'no browser started');
    assert.ok(service.artifacts.some((artifact) => artifact.runId === 4401), 'the report was still uploaded');
  });
});

describe('dry run', () => {
  it('writes plan.json, runs nothing and reports a neutral check run', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="brand">Acme</h1>', 'Home') });
    const browser = recordingBrowser(tempDir(t));
    const runId = 4501;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url, [Inputs.DryRun]: 'true' },
      workspace: (dir) =>
        writeFixtures(dir, {
          'home.smoke.yml': HOME,
          'about.smoke.yml': 'id: about-loads\nurl: /about\n',
        }),
      extraEnv: { CHROME_BIN: browser.path },
    });
    assert.equal(run.failure, null, logOf(run));
    const planPath = run.outputs[Outputs.ReportPath] ?? '';
    assert.equal(path.basename(planPath), 'plan.json');
    const plan = Plan.parse(JSON.parse(fs.readFileSync(planPath, 'utf8')));
    assert.deepEqual(plan.fixtures.map((fixture) => [fixture.id, fixture.url]).sort(), [
      ['about-loads', `${site.url}/about`],
      ['home-loads', `${site.url}/`],
    ]);
    assert.equal(fs.existsSync(path.join(path.dirname(planPath), 'report.json')), false, 'no report.json was written');
    assert.equal(site.hits(), 0, 'no fixture ran');
    assert.equal(browser.launches(), 0, 'no browser started');
    assert.equal(run.outputs[Outputs.Result], 'planned', 'nothing ran, so nothing passed');
    assert.equal(run.outputs[Outputs.SelectedCount], '2');
    assert.match(run.summary, /dry run, 2 fixtures would run/);
    assert.equal(run.log.match(/^RESULT: .*$/gm), null, 'no verdict in the log');
    assert.match(run.log, /^ {2}about-loads {2}fixtures\/about\.smoke\.yml:1 {2}- {2}all fixtures$/m);
    assert.equal(run.log.trimEnd().split('\n').at(-1), 'PLAN: 2 fixtures would run');

    const checkRun = service.checkRuns.find((candidate) => String(candidate.id) === run.outputs[Outputs.CheckRunId]);
    assert.ok(checkRun, 'a check run was reported');
    assert.equal(checkRun.status, 'completed');
    assert.equal(checkRun.conclusion, 'neutral');

    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact);
    assert.deepEqual(listFiles(await downloadArtifact(service, runId, artifact, tempDir(t))), ['plan.json']);
  });
});
