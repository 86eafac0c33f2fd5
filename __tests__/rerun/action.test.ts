/**
 * Rerun-failed in the Action, run in-process against the loopback GitHub and a real Chromium. A later run finds the previous run's smoke artifact by itself, reruns only the
 * fixtures that failed (the site's request counts prove which ran), carries the rest over on the same commit,
 * and gives one verdict for the whole suite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import {
  addRun,
  artifactNameFor,
  artifactOf,
  builtReport,
  complete,
  logOf,
  readable,
  reportOf,
  runIds,
  shaOf,
  step,
  STEP_BOUND,
  uploadedReport,
} from '../support/action-rerun.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'] as const;


let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

describe('rerun-failed after a failing run', () => {
  it('finds the previous run by itself, reruns only the failed fixtures and carries the rest over', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'fail', echo: 'pass' });
    const [first = 0, second = 0] = runIds(2);
    const sha = shaOf('same-commit');
    const branch = 'rerun/basic';
    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await step(service, { runId: first, site, ids: IDS });
    assert.ok(run1.failure, logOf(run1));
    assert.deepEqual(JSON.parse(run1.outputs[Outputs.FailedFixtures] ?? ''), ['bravo', 'delta']);
    complete(service, first, 'failure');

    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run2 = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0, delta: 1, echo: 0 }, 'only the failed fixtures ran');
    assert.ok(run2.failure, logOf(run2));
    assert.equal(run2.outputs[Outputs.Mode], 'rerun-failed');
    assert.equal(run2.outputs[Outputs.SelectedCount], '2');
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    assert.equal(run2.outputs[Outputs.Result], 'fail');
    assert.equal(run2.outputs[Outputs.Total], '5', 'the verdict covers the whole suite');
    assert.equal(run2.outputs[Outputs.Passed], '3');
    assert.equal(run2.outputs[Outputs.Failed], '2');

    const report = reportOf(run2);
    assert.equal(report.mode, 'rerun-failed');
    assert.deepEqual(report.selection.selected, ['bravo', 'delta']);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.id), [...IDS], 'every fixture of the suite, in suite order');
    for (const id of ['alpha', 'charlie', 'echo']) {
      assert.deepEqual(fixtureOf(report, id).carriedOver, { runId: String(first), runAttempt: 1, artifactName: artifactNameFor(1), sha });
      assert.equal(fixtureOf(report, id).status, 'passed');
    }
    for (const id of ['bravo', 'delta']) {
      assert.equal(fixtureOf(report, id).carriedOver, null);
      assert.equal(fixtureOf(report, id).recovered, false);
    }
    const source = report.selection.source;
    assert.ok(source);
    assert.equal(source.runId, String(first));
    assert.equal(source.artifactName, artifactNameFor(1));
    assert.equal(source.carryOver, true);
    assert.equal(source.sha, sha);
    assert.equal(report.result, 'fail');

    const summary = readable(run2.summary);
    assert.ok(
      summary.includes(`### 🔁 Rerun of [run ${first} (attempt 1)](https://github.com/octo-org/smoke-demo/actions/runs/${first}/attempts/1)`),
      summary,
    );
    assert.match(summary, /Same commit as the source report \(73616d6\): 3 results carried over/);
    assert.match(summary, /- ❌ Still failing \(2\): `bravo`, `delta`/);
    assert.match(summary, /- ↩️ Carried over \(3\): `alpha` \(passed\), `charlie` \(passed\), `echo` \(passed\)/);
    assert.match(summary, /### Rerun the failures/);
    assert.match(summary, /gh workflow run Smoke -R octo-org\/smoke-demo --ref rerun\/basic -f rerun-failed=true/);
    assert.match(summary, /fixtures: bravo,delta/);
    assert.match(summary, /npx reliability-smoke --base-url http:\/\/127\.0\.0\.1:\d+\/ --fixture bravo --fixture delta/);

    const uploaded = await uploadedReport(service, artifactOf(service, second, artifactNameFor(1)));
    assert.deepEqual(statusById(uploaded), statusById(report), 'the uploaded report is the merged one');
  });

  it('a fix between runs turns the suite green, with the recovered fixtures visible', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'fail', delta: 'pass', echo: 'pass' });
    const [first = 0, second = 0] = runIds(2);
    const sha = shaOf('fix-between');
    const branch = 'rerun/fixed';
    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await step(service, { runId: first, site, ids: IDS });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    setPages(site, { bravo: 'pass', charlie: 'pass' });
    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run2 = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 0, echo: 0 });
    assert.equal(run2.failure, null, logOf(run2));
    assert.equal(run2.outputs[Outputs.Result], 'pass');
    assert.equal(run2.outputs[Outputs.Passed], '5');
    assert.equal(run2.outputs[Outputs.FailedFixtures], '[]');
    const report = reportOf(run2);
    assert.equal(report.result, 'pass');
    assert.equal(report.summary.recovered, 2);
    assert.equal(fixtureOf(report, 'bravo').recovered, true);
    assert.equal(fixtureOf(report, 'charlie').recovered, true);
    assert.equal(fixtureOf(report, 'alpha').recovered, false);
    assert.match(run2.summary, /## ✅ reliability-smoke: pass/);
    assert.match(run2.summary, /🔁 2 recovered/);
    assert.match(run2.summary, /- 🔁 Recovered \(2\): `bravo`, `charlie`/);
    assert.doesNotMatch(run2.summary, /Still failing/);
    assert.doesNotMatch(run2.summary, /### Rerun the failures/, 'nothing left to rerun');
  });

  it('on another commit carries nothing over, and says so in the report and the summary', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'pass', charlie: 'pass', delta: 'pass', echo: 'fail' });
    const [first = 0, second = 0] = runIds(2);
    const branch = 'rerun/new-commit';
    addRun(service, { id: first, branch, sha: shaOf('old-commit'), status: 'in_progress', minute: 0 });
    const run1 = await step(service, { runId: first, site, ids: IDS });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    setPages(site, { echo: 'pass' });
    addRun(service, { id: second, branch, sha: shaOf('new-commit'), status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run2 = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0, delta: 0, echo: 1 });
    assert.ok(run2.failure, logOf(run2));
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    assert.equal(run2.outputs[Outputs.Total], '2', 'only the rerun fixtures are in the verdict');
    const report = reportOf(run2);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.id), ['alpha', 'echo']);
    assert.ok(report.fixtures.every((fixture) => fixture.carriedOver === null));
    assert.equal(report.summary.carriedOver, 0);
    const source = report.selection.source;
    assert.ok(source);
    assert.equal(source.carryOver, false);
    assert.match(source.carryOverNote, /Nothing carried over: the source report is for commit 6f6c642, this run is for 6e65772/);
    assert.match(readable(run2.summary), /### 🔁 Rerun of [^\n]*\n\nNothing carried over: the source report is for commit 6f6c642/);
    assert.doesNotMatch(run2.summary, /Carried over \(/);
  });

  it('after a run cut short by its suite timeout, also runs the fixtures that never ran', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass', charlie: 'pass', delta: 'pass', echo: 'pass' });
    const [first = 0, second = 0] = runIds(2);
    const sha = shaOf('interrupted');
    const branch = 'rerun/interrupted';
    addRun(service, { id: first, branch, sha, minute: 0 });
    const ids = { alpha: 'passed', bravo: 'failed', charlie: 'skipped', delta: 'skipped', echo: 'skipped' } as const;
    await service.addArtifact(first, {
      name: artifactNameFor(1),
      files: { 'report.json': builtReport({ ids, runId: first, sha, interrupted: true }) },
    });
    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    // The fixtures the interrupted run never started are run now, with the failed one; none is carried over as skipped.
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 1, echo: 1 }, logOf(run));
    assert.equal(run.outputs[Outputs.SelectedCount], '4');
    assert.equal(run.outputs[Outputs.Passed], '5');
  });
});
