/**
 * Rerun-failed in the Action, through the loopback artifact service: fixtures edited or added since the source are
 * neither rerun nor carried over by default, and the job summary lists them as not covered, with the input that
 * runs them; `rerun-include: failed,new,changed` runs them too. And a run that stops on a typo in a fixture file
 * uploads the results before it, carried forward, so discovery's newest run still holds the failed set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import {
  addRun,
  artifactNameFor,
  artifactOf,
  complete,
  JOB,
  logOf,
  reportOf,
  runIds,
  shaOf,
  STEP_BOUND,
  suiteYaml,
  uploadedReport,
} from '../support/action-rerun.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages, type Site } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie'] as const;
const ALL = [...IDS, 'delta'] as const;
const CHAIN_BOUND = { timeout: 3 * STEP_BOUND.timeout };
/** charlie edited (its title), delta added. */
const EDITED = suiteYaml(ALL).replace('title: The charlie page works', 'title: The charlie page still works');
/** A typo: `expect` misspelt in charlie. */
const TYPO = suiteYaml(IDS).replace(/(url: \/charlie\n {4}timeout: 30s\n {4})expect:/, '$1exepct:');

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

function stepWith(options: { runId: number; site: Site; yaml: string; inputs?: Record<string, string> }): Promise<ActionStep> {
  return runActionInProcess(service, {
    env: { runId: options.runId, jobId: JOB },
    inputs: { 'base-url': options.site.url, timeout: '30s', retries: '0', 'check-name': '', ...options.inputs },
    workspace: (dir) => writeFixtures(dir, { 'suite.smoke.yml': options.yaml }),
  });
}

describe('fixtures edited or added since the source', () => {
  it('are listed as not covered by default, and rerun-include: failed,new,changed runs them', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const [first = 0, second = 0, third = 0] = runIds(3);
    const sha = shaOf('include');
    const branch = 'include/changes';
    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await stepWith({ runId: first, site, yaml: suiteYaml(IDS) });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    let since = hitsOf(site, ALL);
    const run2 = await stepWith({ runId: second, site, yaml: EDITED, inputs: { 'rerun-failed': 'true' } });
    assert.deepEqual(hitsSince(site, since), { alpha: 0, bravo: 1, charlie: 0, delta: 0 }, 'strictly failed-only');
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    const report2 = reportOf(run2);
    assert.deepEqual(
      report2.notCovered?.map((fixture) => [fixture.id, fixture.reason]),
      [['charlie', 'changed'], ['delta', 'new']],
    );
    assert.equal(report2.fixtures.some((fixture) => fixture.id === 'charlie'), false, 'the edited fixture is not carried over');
    assert.equal(run2.outputs[Outputs.NotCoveredFixtures], '["charlie","delta"]');
    assert.match(run2.summary, /### ⚠️ Not covered by this verdict \(2\)/);
    assert.match(run2.summary, /`charlie` \(changed\), `delta` \(new\)/);
    assert.ok(run2.summary.includes('rerun-include: failed,new,changed'), run2.summary);
    complete(service, second, 'failure');

    // From run 1 again (artifact-run-id), so charlie is "changed" and delta "new" to the source.
    addRun(service, { id: third, branch, sha, status: 'in_progress', minute: 20 });
    since = hitsOf(site, ALL);
    const run3 = await stepWith({
      runId: third,
      site,
      yaml: EDITED,
      inputs: { 'rerun-failed': 'true', 'artifact-run-id': String(first), 'rerun-include': 'failed,new,changed' },
    });
    assert.deepEqual(hitsSince(site, since), { alpha: 0, bravo: 1, charlie: 1, delta: 1 });
    assert.ok(run3.failure, logOf(run3));
    assert.equal(run3.outputs[Outputs.SelectedCount], '3');
    assert.equal(run3.outputs[Outputs.Total], '4');
    const report3 = reportOf(run3);
    const reasons = Object.fromEntries(report3.fixtures.map((fixture) => [fixture.id, fixture.rerunReason ?? null]));
    assert.deepEqual(reasons, { alpha: null, bravo: 'failed', charlie: 'changed', delta: 'new' });
    assert.equal(report3.notCovered, undefined);
    assert.match(run3.summary, /Ran as new or changed since the source \(2\): `charlie` \(changed\), `delta` \(new\)/);
    const uploaded = await uploadedReport(service, artifactOf(service, third, artifactNameFor(1)));
    assert.deepEqual(uploaded.fixtures.map((fixture) => fixture.fingerprint), report3.fixtures.map((fixture) => fixture.fingerprint), 'uploaded with its fingerprints');
  });
});

describe('a run that stops on a typo in a fixture file', () => {
  it('uploads the results before it, carried forward, and the next rerun reruns exactly the failed fixture', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const [first = 0, second = 0, third = 0] = runIds(3);
    const sha = shaOf('typo');
    const branch = 'typo/stopped';
    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await stepWith({ runId: first, site, yaml: suiteYaml(IDS) });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    assert.notEqual(TYPO, suiteYaml(IDS));
    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    let since = hitsOf(site, IDS);
    const run2 = await stepWith({ runId: second, site, yaml: TYPO });
    assert.ok(run2.failure, logOf(run2));
    assert.deepEqual(hitsSince(site, since), { alpha: 0, bravo: 0, charlie: 0 });
    const stopped = await uploadedReport(service, artifactOf(service, second, artifactNameFor(1)));
    assert.equal(stopped.preflight?.code, 'fixtures-invalid');
    assert.deepEqual(statusById(stopped), { alpha: 'passed', bravo: 'failed', charlie: 'passed' }, 'the results before it, uploaded');
    assert.equal(fixtureOf(stopped, 'bravo').carriedOver?.runId, String(first), 'marked as run 1 ran it');
    complete(service, second, 'failure');

    setPages(site, { bravo: 'pass' });
    addRun(service, { id: third, branch, sha, status: 'in_progress', minute: 20 });
    since = hitsOf(site, IDS);
    const run3 = await stepWith({ runId: third, site, yaml: suiteYaml(IDS), inputs: { 'rerun-failed': 'true' } });
    assert.deepEqual(hitsSince(site, since), { alpha: 0, bravo: 1, charlie: 0 }, 'exactly the failed fixture');
    assert.equal(run3.failure, null, logOf(run3));
    assert.equal(run3.outputs[Outputs.RerunSourceRunId], String(second), 'the stopped run is the source: it holds the failed set');
    assert.equal(run3.outputs[Outputs.Total], '3');
    assert.equal(fixtureOf(reportOf(run3), 'charlie').carriedOver?.runId, String(first), 'still named by the run that ran it');
  });

  it('a rerun on a new commit that stops on a typo keeps the failed set too, for the rerun on the commit after', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const [first = 0, second = 0, third = 0] = runIds(3);
    const branch = 'typo/new-commits';
    addRun(service, { id: first, branch, sha: shaOf('commit-a'), status: 'in_progress', minute: 0 });
    const run1 = await stepWith({ runId: first, site, yaml: suiteYaml(IDS) });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    addRun(service, { id: second, branch, sha: shaOf('commit-b'), status: 'in_progress', minute: 10 });
    const run2 = await stepWith({ runId: second, site, yaml: TYPO, inputs: { 'rerun-failed': 'true' } });
    assert.ok(run2.failure, logOf(run2));
    const stopped = reportOf(run2);
    assert.equal(stopped.preflight?.code, 'fixtures-invalid');
    assert.deepEqual(statusById(stopped), { alpha: 'passed', bravo: 'failed', charlie: 'passed' }, 'carried forward, though the commit moved');
    assert.equal(fixtureOf(stopped, 'bravo').carriedOver?.sha, shaOf('commit-a'), 'each names the commit it ran on');
    complete(service, second, 'failure');

    setPages(site, { bravo: 'pass' });
    addRun(service, { id: third, branch, sha: shaOf('commit-c'), status: 'in_progress', minute: 20 });
    const since = hitsOf(site, IDS);
    const run3 = await stepWith({ runId: third, site, yaml: suiteYaml(IDS), inputs: { 'rerun-failed': 'true' } });
    assert.deepEqual(hitsSince(site, since), { alpha: 0, bravo: 1, charlie: 0 }, 'exactly the failed fixture');
    assert.equal(run3.outputs[Outputs.RerunSourceRunId], String(second));
    const report3 = reportOf(run3);
    assert.equal(report3.selection.source?.carryOver, false, 'another commit: nothing carried over');
    assert.deepEqual(statusById(report3), { bravo: 'passed' });
  });
});
