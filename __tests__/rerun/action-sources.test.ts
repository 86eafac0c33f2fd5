/**
 * Rerun-failed: which run's smoke artifact the Action reruns from: artifact-run-id first, then an
 * earlier attempt of this run, then the newest earlier run on the branch that holds a smoke artifact that has
 * not expired. Earlier runs are seeded with reports built by the report builder; the rerun runs in Chromium.
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
  reportOf,
  runIds,
  shaOf,
  step,
  STEP_BOUND,
} from '../support/action-rerun.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureOf } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie'] as const;
const ALL_PASS = { alpha: 'pass', bravo: 'pass', charlie: 'pass' } as const;

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

/** An earlier completed run whose smoke artifact says which fixtures failed. */
async function seedRun(
  options: { id: number; branch: string; sha: string; minute: number; failed: string[]; attempt?: number; expired?: boolean },
): Promise<void> {
  addRun(service, { id: options.id, branch: options.branch, sha: options.sha, minute: options.minute });
  const ids = Object.fromEntries(IDS.map((id) => [id, options.failed.includes(id) ? 'failed' : 'passed'] as const));
  await service.addArtifact(options.id, {
    name: artifactNameFor(options.attempt ?? 1),
    files: { 'report.json': builtReport({ ids, runId: options.id, sha: options.sha }) },
    ...(options.expired ? { expired: true } : {}),
  });
}

describe('which earlier run a rerun uses', () => {
  it('artifact-run-id picks that run even when a newer run has a smoke artifact', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, ALL_PASS);
    const [older = 0, newer = 0, current = 0] = runIds(3);
    const sha = shaOf('explicit');
    const branch = 'sources/explicit';
    await seedRun({ id: older, branch, sha, minute: 0, failed: ['alpha'] });
    await seedRun({ id: newer, branch, sha, minute: 5, failed: ['charlie'] });
    addRun(service, { id: current, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run = await step(service, { runId: current, site, ids: IDS, inputs: { 'rerun-failed': 'true', 'artifact-run-id': String(older) } });

    assert.equal(run.failure, null, logOf(run));
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0 });
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(older));
    assert.equal(reportOf(run).selection.source?.artifactName, artifactNameFor(1));
    assert.equal(fixtureOf(reportOf(run), 'charlie').carriedOver?.runId, String(older));
  });

  it("attempt 2 of a run reruns from attempt 1's artifact and uploads its own, attempt-2 artifact", STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const [runId = 0] = runIds(1);
    const sha = shaOf('attempts');
    addRun(service, { id: runId, branch: 'sources/attempts', sha, status: 'in_progress', minute: 0 });
    const attempt1 = await step(service, { runId, site, ids: IDS });
    assert.ok(attempt1.failure, logOf(attempt1));
    complete(service, runId, 'failure');

    site.route('/bravo', { body: '<h1 id="bravo">fixed</h1>' });
    const before = hitsOf(site, IDS);
    const attempt2 = await step(service, { runId, attempt: 2, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.equal(attempt2.failure, null, logOf(attempt2));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0 });
    assert.equal(attempt2.outputs[Outputs.RerunSourceRunId], String(runId));
    assert.equal(attempt2.outputs[Outputs.ArtifactName], artifactNameFor(2));
    const report = reportOf(attempt2);
    assert.equal(report.selection.source?.runAttempt, 1);
    assert.equal(report.selection.source?.artifactName, artifactNameFor(1));
    assert.deepEqual(fixtureOf(report, 'alpha').carriedOver, { runId: String(runId), runAttempt: 1, artifactName: artifactNameFor(1), sha });
    assert.equal(fixtureOf(report, 'bravo').recovered, true);
    artifactOf(service, runId, artifactNameFor(1));
    artifactOf(service, runId, artifactNameFor(2));
    assert.ok(!service.log.some((entry) => entry.status === 409), 'no artifact name clashed');
    assert.match(attempt2.log, /found via earlier-attempt/);
  });

  it("attempt 2 falls back to the earlier runs when listing attempt 1's artifacts fails", STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, ALL_PASS);
    const [earlier = 0, runId = 0] = runIds(2);
    const sha = shaOf('attempt-hidden');
    const branch = 'sources/attempt-hidden';
    await seedRun({ id: earlier, branch, sha, minute: 0, failed: ['charlie'] });
    addRun(service, { id: runId, branch, sha, minute: 5, attempt: 2, status: 'in_progress', conclusion: null });
    await service.addArtifact(runId, {
      name: artifactNameFor(1),
      attempt: 1,
      files: { 'report.json': builtReport({ ids: { alpha: 'failed', bravo: 'passed', charlie: 'passed' }, runId, sha }) },
    });
    // The first artifact listing is this run's own (for attempt 1); GitHub answers it with a 500.
    const fault = service.faults.add({ endpoint: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', status: 500, times: 1 });
    t.after(() => service.faults.remove(fault));
    const before = hitsOf(site, IDS);
    const run = await step(service, { runId, attempt: 2, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.equal(run.failure, null, logOf(run));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 1 }, "earlier run's failure, not attempt 1's");
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(earlier));
    assert.match(run.log, /could not be listed .*looking at earlier runs/);
    assert.equal(run.outputs[Outputs.ArtifactName], artifactNameFor(2));
  });

  it('passes over a newer earlier run that uploaded no smoke artifact', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, ALL_PASS);
    const [older = 0, newer = 0, current = 0] = runIds(3);
    const sha = shaOf('gap');
    const branch = 'sources/gap';
    await seedRun({ id: older, branch, sha, minute: 0, failed: ['bravo'] });
    addRun(service, { id: newer, branch, sha, minute: 5, conclusion: 'cancelled' });
    await service.addArtifact(newer, { name: 'coverage', files: { 'lcov.info': 'TN:\n' } });
    addRun(service, { id: current, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run = await step(service, { runId: current, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.equal(run.failure, null, logOf(run));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0 });
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(older));
  });

  it('passes over a newer expired smoke artifact for an older one that has not expired', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, ALL_PASS);
    const [older = 0, newer = 0, current = 0] = runIds(3);
    const sha = shaOf('expired-newer');
    const branch = 'sources/expired-newer';
    await seedRun({ id: older, branch, sha, minute: 0, failed: ['alpha', 'charlie'] });
    await seedRun({ id: newer, branch, sha, minute: 5, failed: ['bravo'], expired: true });
    addRun(service, { id: current, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const run = await step(service, { runId: current, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });

    assert.equal(run.failure, null, logOf(run));
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 1 });
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(older));
    assert.equal(run.outputs[Outputs.SelectedCount], '2');
  });
});
