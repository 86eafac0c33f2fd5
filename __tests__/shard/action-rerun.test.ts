/**
 * Reruns across shards and job re-runs of a sharded run, in the Action against the loopback GitHub. A rerun's
 * shards each rerun their part of the previous run's failed set (read from its merged report), and the merge
 * carries the other results over, so the rerun ends with one verdict for the whole suite. "Re-run failed jobs"
 * re-runs only the failed shard; the merge of attempt 2 takes its new artifact and the others' from attempt 1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { addRun, artifactNameFor, builtReport, complete, logOf, reportOf, runIds, shaOf, step, STEP_BOUND } from '../support/action-rerun.ts';
import {
  mergedArtifactName,
  mergedArtifactReport,
  mergeStep,
  partsOf,
  shardArtifactName,
  shardHolding,
  shardJobs,
  shardStep,
} from '../support/action-shards.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'] as const;
/** Two sharded runs of three shards and a merge each, and a plain rerun. */
const TWO_RUNS_BOUND = { timeout: 9 * STEP_BOUND.timeout };

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const passing = (extra: Record<string, 'pass' | 'fail'> = {}) => ({ ...Object.fromEntries(IDS.map((id) => [id, 'pass' as const])), ...extra });

describe('rerun across shards', () => {
  it('each shard reruns its part of the failed set; the merge carries the rest over into one verdict for the whole suite', TWO_RUNS_BOUND, async (t) => {
    const site = await fixtureSite(t, passing({ alpha: 'fail', charlie: 'fail' }));
    const [previous = 0, rerun = 0, plain = 0] = runIds(3);
    const sha = shaOf('shard-rerun');
    const branch = 'shards/rerun';

    addRun(service, { id: previous, branch, sha, status: 'in_progress', minute: 0 });
    const first = await shardJobs(service, { runId: previous, total: 3, site, ids: IDS });
    const parts = partsOf(first);
    assert.notEqual(shardHolding(parts, 'alpha'), shardHolding(parts, 'charlie'), 'the failures sit in two of the three shards');
    const firstMerge = await mergeStep(service, { runId: previous, site, ids: IDS });
    assert.deepEqual(JSON.parse(firstMerge.outputs[Outputs.FailedFixtures] ?? ''), ['alpha', 'charlie'], logOf(firstMerge));
    complete(service, previous, 'failure');

    setPages(site, { alpha: 'pass' });
    addRun(service, { id: rerun, branch, sha, status: 'in_progress', minute: 10 });
    const before = hitsOf(site, IDS);
    const shards = await shardJobs(service, { runId: rerun, total: 3, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 1, delta: 0, echo: 0, foxtrot: 0 }, 'only the failed set ran, once');
    const shares = partsOf(shards);
    assert.deepEqual([...shares.values()].flat().sort(), ['alpha', 'charlie'], 'the failed set is split among the shards');
    const idle = [...shares].find(([, share]) => share.length === 0)?.[0];
    assert.ok(idle, 'two failures over three shards leave one shard nothing to do');
    const quiet = shards.get(idle)!;
    assert.equal(quiet.failure, null, `a shard with nothing in its share passes quietly${logOf(quiet)}`);
    assert.match(quiet.log, new RegExp(`Nothing of the selection falls in shard ${idle} of 3: it runs nothing and passes\\.`));
    assert.doesNotMatch(quiet.log, /nothing-to-rerun/);
    assert.deepEqual(reportOf(quiet).fixtures, []);
    for (const shard of shards.values()) {
      const source = reportOf(shard).selection.source;
      assert.equal(source?.runId, String(previous), logOf(shard));
      assert.equal(source?.artifactName, mergedArtifactName(), "the source is the previous run's merged report");
      assert.equal(source?.carryOver, false, 'a shard carries nothing over: the merge does');
    }

    const merge = await mergeStep(service, { runId: rerun, site, ids: IDS });
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 1, delta: 0, echo: 0, foxtrot: 0 }, 'the merge ran nothing');
    assert.ok(merge.failure, logOf(merge));
    assert.equal(merge.outputs[Outputs.Mode], 'rerun-failed');
    assert.equal(merge.outputs[Outputs.Total], '6', 'one verdict for the whole suite');
    assert.deepEqual(JSON.parse(merge.outputs[Outputs.FailedFixtures] ?? ''), ['charlie']);
    assert.equal(merge.outputs[Outputs.RerunSourceRunId], String(previous));
    const merged = await mergedArtifactReport(service, rerun, merge);
    assert.deepEqual(merged.mergeProblems, []);
    assert.deepEqual(statusById(merged), { ...Object.fromEntries(IDS.map((id) => [id, 'passed'])), charlie: 'failed' });
    assert.equal(fixtureOf(merged, 'alpha').recovered, true);
    assert.equal(fixtureOf(merged, 'alpha').carriedOver, null);
    assert.equal(fixtureOf(merged, 'bravo').carriedOver?.runId, String(previous));
    assert.equal(merged.summary.carriedOver, 4);
    assert.equal(merged.selection.source?.carryOver, true);
    complete(service, rerun, 'failure');

    // A rerun without shards reads the sharded run's merged report: the whole suite.
    setPages(site, { charlie: 'pass' });
    addRun(service, { id: plain, branch, sha, status: 'in_progress', minute: 20 });
    const single = await step(service, { runId: plain, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });
    assert.equal(single.failure, null, logOf(single));
    assert.equal(single.outputs[Outputs.RerunSourceRunId], String(rerun));
    assert.equal(reportOf(single).selection.source?.artifactName, mergedArtifactName());
    assert.equal(single.outputs[Outputs.Total], '6');
    assert.equal(single.outputs[Outputs.SelectedCount], '1');
  });
});

describe('re-running failed jobs of a sharded run', () => {
  it('re-runs only the failed shard; the merge of attempt 2 takes its new artifact and attempt 1 for the others', TWO_RUNS_BOUND, async (t) => {
    const site = await fixtureSite(t, passing({ echo: 'fail' }));
    const [previous = 0, runId = 0] = runIds(2);
    const sha = shaOf('shard-job-rerun');
    const branch = 'shards/job-rerun';
    // An earlier run whose durations the shards balance by, at every attempt alike.
    addRun(service, { id: previous, branch, sha, minute: 0 });
    const timed = JSON.parse(builtReport({ ids: Object.fromEntries(IDS.map((id) => [id, 'passed'])), runId: previous, sha }));
    for (const [index, fixture] of timed.fixtures.entries()) fixture.durationMs = fixture.attempts[0].durationMs = 1000 * (index + 1);
    await service.addArtifact(previous, { name: artifactNameFor(1), files: { 'report.json': JSON.stringify(timed) } });
    addRun(service, { id: runId, branch, sha, status: 'in_progress', minute: 10 });

    const attempt1 = await shardJobs(service, { runId, total: 3, site, ids: IDS });
    const failed = shardHolding(partsOf(attempt1), 'echo');
    const merge1 = await mergeStep(service, { runId, site, ids: IDS });
    assert.ok(merge1.failure, logOf(merge1));
    const fingerprint = reportOf(attempt1.get(1)!).shard?.partition?.fingerprint;
    assert.equal(reportOf(attempt1.get(1)!).shard?.partition?.durationSource?.runId, String(previous));

    setPages(site, { echo: 'pass' });
    const before = hitsOf(site, IDS);
    const rerunShard = await shardStep(service, { runId, attempt: 2, total: 3, site, ids: IDS, index: failed });
    assert.equal(rerunShard.failure, null, logOf(rerunShard));
    assert.equal(rerunShard.outputs[Outputs.ArtifactName], shardArtifactName(failed, 3, 2));
    const again = reportOf(rerunShard).shard;
    assert.equal(again?.partition?.fingerprint, fingerprint, 'attempt 2 splits the suite as attempt 1 did');
    assert.equal(again?.partition?.durationSource?.runId, String(previous), 'never balanced by an earlier attempt of its own run');
    const ranAgain = Object.entries(hitsSince(site, before)).filter(([, hits]) => hits > 0).map(([id]) => id).sort();
    assert.deepEqual(ranAgain, [...partsOf(attempt1).get(failed)!].sort(), "only the failed shard's part ran again");

    const merge2 = await mergeStep(service, { runId, attempt: 2, site, ids: IDS });
    assert.equal(merge2.failure, null, logOf(merge2));
    assert.equal(merge2.outputs[Outputs.Total], '6');
    const merged = await mergedArtifactReport(service, runId, merge2, 2);
    assert.deepEqual(merged.mergeProblems, []);
    assert.deepEqual(
      merged.shards?.map((shard) => [shard.index, shard.attempt, shard.artifactName]),
      [1, 2, 3].map((index) => (index === failed ? [index, 2, shardArtifactName(index, 3, 2)] : [index, 1, shardArtifactName(index, 3, 1)])),
    );
    const checks = service.checkRuns.filter((check) => check.headSha === sha);
    assert.deepEqual(checks.map((check) => check.conclusion), ['failure', 'success'], 'one check run per merge attempt');
  });
});
