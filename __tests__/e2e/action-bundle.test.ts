/**
 * The bundled Action (dist/index.js) run as the runner runs it, against the loopback GitHub service and a real
 * Chromium: what a workflow sees for a passing suite and for a failing + flaky one (the exit code, GITHUB_OUTPUT,
 * the job summary file, annotations as workflow commands, the uploaded artifact downloaded back with the real
 * client, report.html and the evidence it links to), and a rerun that finds the previous run's artifact with the
 * bundle's own clients. A job cancelled with the runner's signals is a fault: ../faults/cancel.test.ts. The
 * Action's behaviour in detail is tested in-process, from src/ (../action, ../rerun).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { addRun, artifactNameFor, complete, readable, shaOf, suiteYaml } from '../support/action-rerun.ts';
import { downloadArtifact, listFiles, writeFixtures } from '../support/action-step.ts';
import { runBundledAction } from '../support/bundled-action.ts';
import { type GitHubService, startGitHubService } from '../support/github-service/index.ts';
import { failTimes, fixtureSite, hitsOf, hitsSince, html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startGitHubService();
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
  it('exits 0, sets every output, summarizes the pass and uploads a valid report', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, {
      '/': html('<h1 id="brand">Acme</h1>', 'Home'),
      '/about': html('<h1>About us</h1>', 'About'),
    });
    const runId = 1101;
    const run = await runBundledAction(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'pages.smoke.yml': PASSING }),
    });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);

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
    assert.equal(run.commands.filter((command) => command.command === 'error').length, 0);
    assert.deepEqual(run.stdout.match(/^RESULT: .*$/gm), ['RESULT: pass'], 'one verdict line');

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
    const run = await runBundledAction(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': FAILING }),
    });
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    assert.equal(site.hits('/search'), 2, 'the flaky fixture was retried once');
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(run.outputs[Outputs.Total], '3');
    assert.equal(run.outputs[Outputs.Passed], '1');
    assert.equal(run.outputs[Outputs.Failed], '1');
    assert.equal(run.outputs[Outputs.Flaky], '1');
    assert.equal(run.outputs[Outputs.FailedFixtures], '["checkout-works"]');
    assert.deepEqual(run.stdout.match(/^RESULT: .*$/gm), ['RESULT: fail'], 'one verdict line');

    // Annotations: the failure as an error at its fixture's file and line, then the flaky one as a warning.
    const annotations = run.commands.filter((command) => ['error', 'warning'].includes(command.command));
    const failure = annotations.findIndex((command) => command.command === 'error' && command.properties.file === 'fixtures/shop.smoke.yml');
    const flaky = annotations.findIndex((command) => command.command === 'warning' && command.properties.file === 'fixtures/shop.smoke.yml');
    assert.ok(failure >= 0, `an error annotation at the fixture file:\n${run.stdout}`);
    assert.ok(flaky > failure, 'the flaky warning comes after the failure');
    assert.equal(annotations[failure]?.properties.line, '2');
    assert.match(annotations[failure]?.properties.title ?? '', /checkout-works failed/);
    assert.equal(annotations[flaky]?.properties.line, '9');
    assert.match(annotations[flaky]?.properties.title ?? '', /search-works is flaky/);
    assert.match(run.stdout, /^::error [^:]*file=fixtures\/shop\.smoke\.yml,line=2[,:]/m, 'as the runner reads it');
    // The step's failure message comes last, from setFailed in the entry point.
    assert.match(run.commands.at(-1)?.message ?? '', /1 fixture failed/);

    // The summary: verdict, counts, failures first in the table, and a flaky section.
    assert.match(run.summary, /^## ❌ reliability-smoke: fail$/m);
    assert.match(run.summary, /✅ 1 passed · ❌ 1 failed · ⚠️ 1 flaky/);
    const rows = run.summary.split('\n').filter((line) => /^\| `[a-z-]+`/.test(line));
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
    // report.html links the evidence of both failed attempts, and every file it links to is in the artifact.
    const page = fs.readFileSync(path.join(downloaded, 'report.html'), 'utf8');
    const linked = [...new Set([...page.matchAll(/\s(?:href|src)="(failures\/[^"]+)"/g)].map((match) => match[1]!))].sort();
    assert.deepEqual(linked, files.filter((file) => file.startsWith('failures/')), 'the page links each evidence file the artifact holds');
    assert.ok(linked.includes('failures/checkout-works/attempt-1.png') && linked.includes('failures/search-works/attempt-1.png'), linked.join(', '));
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

describe('a rerun', () => {
  it("finds the previous run's smoke artifact through the REST API and reruns only what failed", { timeout: 180_000 }, async (t) => {
    const ids = ['alpha', 'bravo', 'charlie'] as const;
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const [first, second] = [1501, 1502];
    const sha = shaOf('bundle-rerun');
    const step = (runId: number, inputs: Record<string, string> = {}) =>
      runBundledAction(service, {
        env: { runId, jobId: 'smoke' },
        inputs: { 'base-url': site.url, retries: '0', ...inputs },
        workspace: (dir) => writeFixtures(dir, { 'suite.smoke.yml': suiteYaml(ids) }),
      });
    addRun(service, { id: first, branch: 'bundle/rerun', sha, status: 'in_progress', minute: 0 });
    const run1 = await step(first);
    assert.equal(run1.exitCode, 1, run1.stdout + run1.stderr);
    assert.equal(run1.outputs[Outputs.FailedFixtures], '["bravo"]');
    complete(service, first, 'failure');

    site.route('/bravo', html('<h1 id="bravo">fixed</h1>'));
    addRun(service, { id: second, branch: 'bundle/rerun', sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, ids);
    const run2 = await step(second, { 'rerun-failed': 'true' });
    assert.equal(run2.exitCode, 0, run2.stdout + run2.stderr);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0 }, 'only the failed fixture ran');
    assert.equal(run2.outputs[Outputs.Mode], 'rerun-failed');
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    assert.equal(run2.outputs[Outputs.Total], '3', 'one verdict for the whole suite');
    assert.equal(run2.outputs[Outputs.Passed], '3');
    const report = Report.parse(JSON.parse(fs.readFileSync(run2.outputs[Outputs.ReportPath] ?? '', 'utf8')));
    assert.equal(report.selection.source?.artifactName, artifactNameFor(1));
    assert.ok(readable(run2.summary).includes(`Rerun of [run ${first} (attempt 1)]`), run2.summary);
  });
});
