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
import { failingSuite, passingSuite, type SeenStep } from '../support/action-scenarios.ts';
import { listFiles, writeFixtures } from '../support/action-step.ts';
import { type ActionRun, runBundledAction } from '../support/bundled-action.ts';
import { type GitHubService, startGitHubService } from '../support/github-service/index.ts';
import { fixtureSite, hitsOf, hitsSince, html } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startGitHubService();
});
after(() => service.stop());

function seen(run: ActionRun): SeenStep {
  const annotations = run.commands.filter((command) => ['error', 'warning', 'notice'].includes(command.command));
  return {
    outputs: run.outputs,
    summary: run.summary,
    log: run.stdout,
    // A failed step's last command is its failure message (setFailed in the entry point), not an annotation of the run.
    annotations: annotations
      .filter((command) => run.exitCode === 0 || command !== run.commands.at(-1))
      .map(({ command, properties }) => ({
        level: command,
        file: properties.file ?? null,
        line: properties.line === undefined ? null : Number(properties.line),
        title: properties.title ?? '',
      })),
    env: run.env,
  };
}

describe('a passing suite', () => {
  it('exits 0, sets every output, summarizes the pass and uploads a valid report', { timeout: 120_000 }, async (t) => {
    const scenario = await passingSuite(t);
    const run = await runBundledAction(service, scenario.step);
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    await scenario.check(service, seen(run));
  });
});

describe('a failing and flaky suite', () => {
  it('fails the step and points annotations, summary and evidence at the failure first', { timeout: 120_000 }, async (t) => {
    const scenario = await failingSuite(t);
    const run = await runBundledAction(service, scenario.step);
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    const { downloaded } = await scenario.check(service, seen(run));
    assert.match(run.stdout, /^::error [^:]*file=fixtures\/shop\.smoke\.yml,line=2[,:]/m, 'as the runner reads it');
    // The step's failure message comes last, from setFailed in the entry point.
    assert.match(run.commands.at(-1)?.message ?? '', /1 fixture failed/);

    // report.html links the evidence of both failed attempts, and every file it links to is in the artifact.
    const files = listFiles(downloaded);
    const page = fs.readFileSync(path.join(downloaded, 'report.html'), 'utf8');
    const linked = [...new Set([...page.matchAll(/\s(?:href|src)="(failures\/[^"]+)"/g)].map((match) => match[1]!))].sort();
    assert.deepEqual(linked, files.filter((file) => file.startsWith('failures/')), 'the page links each evidence file the artifact holds');
    assert.ok(linked.includes('failures/checkout-works/attempt-1.png') && linked.includes('failures/search-works/attempt-1.png'), linked.join(', '));
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
