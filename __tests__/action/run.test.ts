/**
 * The Action from src/, run in-process against the loopback GitHub service and a real Chromium: what a workflow
 * sees for a passing suite and for a failing + flaky one (outputs, job summary, annotations, the failure message,
 * the uploaded artifact downloaded back with the real client). e2e/action-bundle.test.ts runs the same suites
 * through the bundled dist/index.js, as the runner does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { downloadArtifact, listFiles, writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { failTimes, html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';
import { fixtureTableOf } from '../support/report-view.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

/** The table row of a fixture in the job summary. */
const rowOf = (summary: string, id: string) => summary.split('\n').find((line) => line.startsWith(`| \`${id}\``));

const PASSING = `fixtures:
  - id: home-loads
    title: The home page loads
    url: /
    expect:
      status: 200
      title: Home
      visible: ["#brand"]
  - id: about-loads
    url: /about
    expect:
      text: { selector: h1, contains: About us }
`;

describe('a passing suite', () => {
  it('passes, sets every output, summarizes the pass and uploads a valid report', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, {
      '/': html('<h1 id="brand">Acme</h1>', 'Home'),
      '/about': html('<h1>About us</h1>', 'About'),
    });
    const runId = 1101;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'pages.smoke.yml': PASSING }),
    });
    assert.equal(run.failure, null, logOf(run));

    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact, 'the smoke artifact was uploaded');
    const checkRun = service.checkRuns.at(-1);
    assert.ok(checkRun);
    assert.deepEqual(run.outputs, {
      [Outputs.Result]: 'pass',
      [Outputs.Mode]: 'full',
      [Outputs.Total]: '2',
      [Outputs.Passed]: '2',
      [Outputs.Failed]: '0',
      [Outputs.Flaky]: '0',
      [Outputs.Skipped]: '0',
      [Outputs.FailedFixtures]: '[]',
      [Outputs.QuarantinedFixtures]: '[]',
      [Outputs.SelectedCount]: '2',
      [Outputs.ReportPath]: path.join(run.env.RUNNER_TEMP ?? '', 'reliability-smoke', 'report.json'),
      [Outputs.ArtifactName]: 'reliability-smoke-smoke-attempt-1',
      [Outputs.ArtifactId]: String(artifact.id),
      [Outputs.ArtifactUrl]: `https://github.com/${service.repository}/actions/runs/${runId}/artifacts/${artifact.id}`,
      [Outputs.RerunSourceRunId]: '',
      [Outputs.CheckRunId]: String(checkRun.id),
    });
    assert.equal(checkRun.conclusion, 'success');

    assert.match(run.summary, /^## ✅ reliability-smoke: pass$/m);
    assert.match(run.summary, /\*\*2 fixtures\*\*: ✅ 2 passed · ❌ 0 failed · ⚠️ 0 flaky · ⏭️ 0 skipped/);
    assert.ok(rowOf(run.summary, 'home-loads')?.includes('✅ passed'));
    assert.ok(rowOf(run.summary, 'about-loads')?.includes('✅ passed'));
    assert.deepEqual(run.annotations, []);
    assert.deepEqual(run.log.match(/^RESULT: .*$/gm), ['RESULT: pass'], 'one verdict line');

    // The artifact is found by its prefix and ends with the job and the attempt.
    assert.equal(artifact.name, 'reliability-smoke-smoke-attempt-1');
    assert.ok(artifact.name.startsWith('reliability-smoke-'));
    assert.match(artifact.name, /-smoke-attempt-1$/);
    const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
    assert.deepEqual(listFiles(downloaded), ['junit.xml', 'report.html', 'report.json']);
    const report = Report.parse(JSON.parse(fs.readFileSync(path.join(downloaded, 'report.json'), 'utf8')));
    assert.equal(report.result, 'pass');
    assert.equal(report.run.runId, String(runId));
    assert.deepEqual(report.fixtures.map((fixture) => [fixture.id, fixture.status]).sort(), [
      ['about-loads', 'passed'],
      ['home-loads', 'passed'],
    ]);
    assert.deepEqual(
      report,
      Report.parse(JSON.parse(fs.readFileSync(run.outputs[Outputs.ReportPath] ?? '', 'utf8'))),
      'the artifact holds the report the step wrote',
    );
    assert.match(fs.readFileSync(path.join(downloaded, 'junit.xml'), 'utf8'), /<testsuites[^>]*tests="2"[^>]*failures="0"/);
  });
});

const FAILING = `fixtures:
  - id: checkout-works
    title: Checkout shows the pay button
    url: /checkout
    timeout: 3s
    expect:
      visible: ["#pay"]

  - id: search-works
    url: /search
    retries: 1
    expect:
      visible: ["#results"]

  - id: home-loads
    url: /
    expect:
      visible: ["#brand"]
`;

describe('a failing and flaky suite', () => {
  it('fails the step and points annotations, summary and evidence at the failure first', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, {
      '/': html('<h1 id="brand">Acme</h1>', 'Home'),
      '/checkout': html('<h1>Checkout</h1><p>No pay button here</p>', 'Checkout'),
      '/search': failTimes(1, html('<ul id="results"><li>one</li></ul>', 'Search')),
    });
    const runId = 1201;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': FAILING }),
    });
    assert.match(run.failure ?? '', /1 fixture failed/, logOf(run));
    assert.equal(site.hits('/search'), 2, 'the flaky fixture was retried once');
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(run.outputs[Outputs.Total], '3');
    assert.equal(run.outputs[Outputs.Passed], '1');
    assert.equal(run.outputs[Outputs.Failed], '1');
    assert.equal(run.outputs[Outputs.Flaky], '1');
    assert.equal(run.outputs[Outputs.FailedFixtures], '["checkout-works"]');
    assert.deepEqual(run.log.match(/^RESULT: .*$/gm), ['RESULT: fail'], 'one verdict line');

    // Annotations: the failure as an error at its fixture's file and line, then the flaky one as a warning.
    const failure = run.annotations.findIndex((annotation) => annotation.level === 'error' && annotation.file === 'fixtures/shop.smoke.yml');
    const flaky = run.annotations.findIndex((annotation) => annotation.level === 'warning' && annotation.file === 'fixtures/shop.smoke.yml');
    assert.ok(failure >= 0, `an error annotation at the fixture file:${logOf(run)}`);
    assert.ok(flaky > failure, 'the flaky warning comes after the failure');
    assert.equal(run.annotations[failure]?.startLine, 2);
    assert.match(run.annotations[failure]?.title ?? '', /checkout-works failed/);
    assert.equal(run.annotations[flaky]?.startLine, 9);
    assert.match(run.annotations[flaky]?.title ?? '', /search-works is flaky/);

    // The summary: verdict, counts, failures first in the table, and a flaky section.
    assert.match(run.summary, /^## ❌ reliability-smoke: fail$/m);
    assert.match(run.summary, /✅ 1 passed · ❌ 1 failed · ⚠️ 1 flaky/);
    const rows = fixtureTableOf(run.summary).split('\n').filter((line) => /^\| `[a-z-]+`/.test(line));
    assert.deepEqual(
      rows.map((line) => /^\| `([a-z-]+)`/.exec(line)?.[1]),
      ['checkout-works', 'search-works', 'home-loads'],
      'failures first, then flaky, then passed',
    );
    assert.match(rows[0] ?? '', /❌ failed/);
    assert.match(run.summary, /### ⚠️ Flaky \(1\)/);

    // Evidence of every failed attempt is in the artifact, beside the report.
    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact);
    assert.equal(run.outputs[Outputs.ArtifactId], String(artifact.id));
    const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
    const files = listFiles(downloaded);
    for (const file of [
      'report.json',
      'junit.xml',
      'report.html',
      'failures/checkout-works/attempt-1.png',
      'failures/checkout-works/attempt-1.html',
      'failures/checkout-works/attempt-1.log',
      'failures/search-works/attempt-1.png',
      'failures/search-works/attempt-1.html',
      'failures/search-works/attempt-1.log',
    ]) {
      assert.ok(files.includes(file), `${file} is in the artifact: ${files.join(', ')}`);
    }
    const png = fs.readFileSync(path.join(downloaded, 'failures/checkout-works/attempt-1.png'));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a real PNG');
    const report = Report.parse(JSON.parse(fs.readFileSync(path.join(downloaded, 'report.json'), 'utf8')));
    const checkout = report.fixtures.find((fixture) => fixture.id === 'checkout-works');
    assert.equal(checkout?.status, 'failed');
    assert.equal(checkout?.file, 'fixtures/shop.smoke.yml');
    assert.equal(checkout?.line, 2);
    assert.equal(checkout?.attempts[0]?.evidence?.screenshot, 'failures/checkout-works/attempt-1.png');
    assert.equal(report.fixtures.find((fixture) => fixture.id === 'search-works')?.status, 'flaky');
  });
});
