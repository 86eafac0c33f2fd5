/**
 * Rerun-failed: reruns of reruns in the Action: each run finds the one before it by itself, reruns
 * only what is still failing, and every result keeps naming the run it really came from. A rerun that stops in
 * preflight still uploads the failures it was given, so the next rerun does not lose them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import {
  addRun,
  artifactNameFor,
  artifactOf,
  complete,
  logOf,
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
import { tempDir } from '../support/temp.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta'] as const;
/** Three steps in a row. */
const CHAIN_BOUND = { timeout: 3 * STEP_BOUND.timeout };

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

describe('a chain of reruns', () => {
  it('the third run reruns only what the second left failing, and every result names its true origin', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const [first = 0, second = 0, third = 0] = runIds(3);
    const sha = shaOf('chain');
    const branch = 'chain/three';
    const origin = (runId: number) => ({ runId: String(runId), runAttempt: 1, artifactName: artifactNameFor(1), sha });

    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await step(service, { runId: first, site, ids: IDS });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    setPages(site, { bravo: 'pass' });
    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    let before = hitsOf(site, IDS);
    const run2 = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });
    assert.ok(run2.failure, logOf(run2));
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 1, charlie: 0, delta: 0 });
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    assert.equal(fixtureOf(reportOf(run2), 'bravo').recovered, true);
    complete(service, second, 'failure');

    setPages(site, { alpha: 'pass' });
    addRun(service, { id: third, branch, sha, status: 'in_progress', minute: 20 });
    before = hitsOf(site, IDS);
    const run3 = await step(service, { runId: third, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0, delta: 0 }, 'only the fixture still failing ran');
    assert.equal(run3.failure, null, logOf(run3));
    assert.equal(run3.outputs[Outputs.RerunSourceRunId], String(second), 'run 2 was found by itself');
    assert.equal(run3.outputs[Outputs.SelectedCount], '1');
    assert.equal(run3.outputs[Outputs.Total], '4', 'one verdict for the whole suite');
    assert.equal(run3.outputs[Outputs.Passed], '4');
    assert.equal(run3.outputs[Outputs.Result], 'pass');
    const report = reportOf(run3);
    assert.equal(fixtureOf(report, 'alpha').carriedOver, null);
    assert.equal(fixtureOf(report, 'alpha').recovered, true);
    assert.deepEqual(fixtureOf(report, 'bravo').carriedOver, origin(second), 'bravo last ran in run 2');
    assert.deepEqual(fixtureOf(report, 'charlie').carriedOver, origin(first), 'charlie last ran in run 1, carried through run 2');
    assert.deepEqual(fixtureOf(report, 'delta').carriedOver, origin(first));
    assert.equal(report.selection.source?.runId, String(second));
  });

  it('a rerun that stops in preflight keeps the failures, and the next rerun reruns them', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'pass', charlie: 'pass', delta: 'pass' });
    const [first = 0, second = 0, third = 0] = runIds(3);
    const sha = shaOf('broken-browser');
    const branch = 'chain/preflight';
    const notABrowser = path.join(tempDir(t, 'not-a-browser-'), 'chrome');
    fs.writeFileSync(notABrowser, 'this file is not executable\n', { mode: 0o644 });

    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await step(service, { runId: first, site, ids: IDS });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');

    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    let before = hitsOf(site, IDS);
    const run2 = await step(service, { runId: second, site, ids: IDS, inputs: { 'rerun-failed': 'true', 'browser-path': notABrowser } });
    assert.ok(run2.failure, logOf(run2));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 0, delta: 0 });
    const stopped = reportOf(run2);
    assert.equal(stopped.preflight?.code, 'browser-not-found');
    assert.deepEqual(statusById(stopped), { alpha: 'failed', bravo: 'passed', charlie: 'passed', delta: 'passed' }, 'the source results are kept');
    assert.equal(fixtureOf(stopped, 'alpha').carriedOver?.runId, String(first));
    const uploaded = await uploadedReport(service, artifactOf(service, second, artifactNameFor(1)));
    assert.deepEqual(statusById(uploaded), statusById(stopped), 'and uploaded');
    complete(service, second, 'failure');

    addRun(service, { id: third, branch, sha, status: 'in_progress', minute: 20 });
    before = hitsOf(site, IDS);
    const run3 = await step(service, { runId: third, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0, delta: 0 });
    assert.ok(run3.failure, logOf(run3));
    assert.equal(run3.outputs[Outputs.RerunSourceRunId], String(second));
    assert.deepEqual(JSON.parse(run3.outputs[Outputs.FailedFixtures] ?? ''), ['alpha']);
    assert.equal(run3.outputs[Outputs.Total], '4');
    assert.equal(fixtureOf(reportOf(run3), 'bravo').carriedOver?.runId, String(first), 'still named by the run that ran it');
  });
});
