/**
 * Sharding in the Action, against the loopback GitHub: the jobs of one matrix each run their part and upload their
 * own artifact through the real @actions/artifact client, then a merge job downloads them (same limits and digest
 * check as a rerun source) and publishes one verdict. A missing shard or shards that split the suite differently
 * fail the merge, which still writes and uploads its report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { addRun, artifactNameFor, builtReport, logOf, PREFIX, readable, reportOf, runIds, shaOf, step, STEP_BOUND } from '../support/action-rerun.ts';
import {
  mergedArtifactReport,
  mergeStep,
  partsOf,
  shardArtifactName,
  shardHolding,
  shardJobs,
} from '../support/action-shards.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { startInProcessGitHub } from '../support/in-process-action.ts';
import { statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'] as const;
const PAGES = { alpha: 'pass', bravo: 'pass', charlie: 'fail', delta: 'pass', echo: 'pass', foxtrot: 'pass' } as const;
/** Three shards and a merge, one after another. */
const MATRIX_BOUND = { timeout: 4 * STEP_BOUND.timeout };

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const artifactsOf = (runId: number) => service.artifacts.filter((artifact) => artifact.runId === runId).map((artifact) => artifact.name).sort();
const checkRunsOn = (sha: string) => service.checkRuns.filter((check) => check.headSha === sha);

describe('a sharded run and its merge', () => {
  it('three shards each run their part and upload their own artifact; the merge gives one verdict and the one check run', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, PAGES);
    const [runId = 0] = runIds(1);
    const sha = shaOf('sharded-three');
    addRun(service, { id: runId, branch: 'shards/three', sha, status: 'in_progress', minute: 0 });
    const before = hitsOf(site, IDS);
    const shards = await shardJobs(service, { runId, total: 3, site, ids: IDS });

    assert.deepEqual(hitsSince(site, before), Object.fromEntries(IDS.map((id) => [id, 1])), 'every fixture ran exactly once, in one shard');
    const parts = partsOf(shards);
    assert.deepEqual([...parts.values()].flat().sort(), [...IDS].sort());
    const failing = shardHolding(parts, 'charlie');
    for (const [index, shard] of shards) {
      assert.equal(shard.outputs[Outputs.ArtifactName], shardArtifactName(index, 3), logOf(shard));
      assert.equal(shard.outputs[Outputs.CheckRunId], '', 'a shard creates no check run');
      assert.equal(shard.failure === null, index !== failing, `only the shard with charlie fails${logOf(shard)}`);
      assert.match(shard.log, new RegExp(`no check run; the merge job \\(merge: true\\) reports it`));
      assert.equal(reportOf(shard).shard?.partition?.fingerprint, reportOf(shards.get(1)!).shard?.partition?.fingerprint, 'one partition');
    }
    assert.deepEqual(checkRunsOn(sha), [], 'no shard created a check run');

    const merge = await mergeStep(service, { runId, site, ids: IDS });
    assert.ok(merge.failure, logOf(merge));
    assert.deepEqual(hitsSince(site, before), Object.fromEntries(IDS.map((id) => [id, 1])), 'the merge ran no fixture');
    assert.equal(merge.outputs[Outputs.Result], 'fail');
    assert.equal(merge.outputs[Outputs.Total], '6');
    assert.equal(merge.outputs[Outputs.Passed], '5');
    assert.deepEqual(JSON.parse(merge.outputs[Outputs.FailedFixtures] ?? ''), ['charlie']);
    const merged = await mergedArtifactReport(service, runId, merge);
    assert.deepEqual(merged.mergeProblems, []);
    assert.deepEqual(statusById(merged), { ...Object.fromEntries(IDS.map((id) => [id, 'passed'])), charlie: 'failed' });
    assert.deepEqual(
      merged.shards?.map((shard) => [shard.index, shard.status, shard.job, shard.attempt, shard.artifactName]),
      [1, 2, 3].map((index) => [index, 'merged', 'smoke', 1, shardArtifactName(index, 3)]),
    );
    assert.deepEqual(merged.shards?.[failing - 1]?.failedFixtureIds, ['charlie']);
    assert.deepEqual(artifactsOf(runId), [1, 2, 3].map((index) => shardArtifactName(index, 3)).concat(`${PREFIX}-merged-merge-attempt-1`).sort());

    const checks = checkRunsOn(sha);
    assert.equal(checks.length, 1, 'the merge job creates the one check run');
    assert.equal(checks[0]?.conclusion, 'failure');
    assert.equal(merge.outputs[Outputs.CheckRunId], String(checks[0]?.id));
    const summary = readable(merge.summary);
    assert.match(summary, /### 🧩 Shards \(3\)/);
    // Each shard's artifact is linked from this run, on this run's server.
    const link = `\\[${shardArtifactName(failing, 3)}\\]\\(https://github\\.com/${service.repository}/actions/runs/\\d+/artifacts/\\d+\\)`;
    assert.match(summary, new RegExp(`\\| ${failing} of 3 \\| ✅ merged \\| smoke \\| 1 \\| ${link} \\| \\d \\| 1: \`charlie\` \\| fail \\|`));
  });

  it('a shard that never uploaded fails the merge with shard-missing, and the merged report is still uploaded', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, Object.fromEntries(IDS.map((id) => [id, 'pass'])));
    const [runId = 0] = runIds(1);
    const sha = shaOf('sharded-missing');
    addRun(service, { id: runId, branch: 'shards/missing', sha, status: 'in_progress', minute: 0 });
    const shards = await shardJobs(service, { runId, total: 3, site, ids: IDS }, [1, 3]);
    for (const shard of shards.values()) assert.equal(shard.failure, null, logOf(shard));

    const merge = await mergeStep(service, { runId, site, ids: IDS });
    assert.ok(merge.failure, `every fixture that ran passed, and still the merge fails${logOf(merge)}`);
    assert.match(merge.failure ?? '', /cannot vouch for the whole suite: shard-missing, fixture-in-no-shard/);
    assert.equal(merge.outputs[Outputs.Result], 'fail');
    const merged = await mergedArtifactReport(service, runId, merge);
    const [missing, noResult] = merged.mergeProblems ?? [];
    assert.equal(missing?.code, 'shard-missing');
    assert.equal(missing?.shard, 2);
    assert.match(missing?.message ?? '', new RegExp(`this run has no artifact named ${PREFIX}-shard-2-of-3-…`));
    assert.equal(noResult?.code, 'fixture-in-no-shard');
    const ran = [...partsOf(shards).values()].flat();
    assert.deepEqual([...(noResult?.fixtureIds ?? [])].sort(), IDS.filter((id) => !ran.includes(id)).sort(), "the missing shard's fixtures are named");
    assert.equal(merged.fixtures.length, ran.length, 'the results the shards did report are kept');
    assert.deepEqual(merged.shards?.map((shard) => shard.status), ['merged', 'missing', 'merged']);
    assert.match(readable(merge.summary), /### ⛔ The merge cannot vouch for the whole suite \(2 problems\)/);
    assert.ok(merge.annotations.some((annotation) => annotation.level === 'error' && /merge: shard-missing \(shard 2\)/.test(annotation.title)));
    assert.equal(checkRunsOn(sha)[0]?.conclusion, 'failure');
  });

  it('shards that split the suite differently fail the merge with shard-fingerprint-mismatch', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, Object.fromEntries(IDS.map((id) => [id, 'pass'])));
    const [previous = 0, runId = 0] = runIds(2);
    const sha = shaOf('sharded-mismatch');
    const branch = 'shards/mismatch';
    // The previous run: alpha is far slower than the rest, so balancing by its durations splits unlike by count.
    addRun(service, { id: previous, branch, sha, minute: 0 });
    const slowAlpha = JSON.parse(builtReport({ ids: Object.fromEntries(IDS.map((id) => [id, 'passed'])), runId: previous, sha }));
    for (const fixture of slowAlpha.fixtures) if (fixture.id === 'alpha') fixture.durationMs = fixture.attempts[0].durationMs = 30_000;
    await service.addArtifact(previous, { name: artifactNameFor(1), files: { 'report.json': JSON.stringify(slowAlpha) } });
    addRun(service, { id: runId, branch, sha, status: 'in_progress', minute: 10 });

    // Shard 2's token may not read earlier runs, so it balances by count; the others by the previous run's durations.
    const shards = await shardJobs(service, { runId, total: 3, site, ids: IDS, inputsOf: { 2: { 'github-token': '' } } });
    assert.equal(reportOf(shards.get(1)!).shard?.partition?.balancedBy, 'duration', logOf(shards.get(1)!));
    assert.equal(reportOf(shards.get(1)!).shard?.partition?.durationSource?.runId, String(previous));
    assert.deepEqual(reportOf(shards.get(1)!).shard?.fixtureIds, ['alpha'], 'the slow page has a shard of its own');
    assert.equal(reportOf(shards.get(2)!).shard?.partition?.balancedBy, 'count');

    const merge = await mergeStep(service, { runId, site, ids: IDS });
    assert.ok(merge.failure, logOf(merge));
    const merged = await mergedArtifactReport(service, runId, merge);
    const mismatch = merged.mergeProblems?.find((problem) => problem.code === 'shard-fingerprint-mismatch');
    assert.match(mismatch?.message ?? '', new RegExp(`shards 1, 3 split 6 fixtures by the durations of run ${previous} .*; shard 2 split 6 fixtures by count`));
  });

  it('a merge that finds no shard artifact stops with shard-missing, and still publishes a report', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, {});
    const [runId = 0] = runIds(1);
    addRun(service, { id: runId, branch: 'shards/none', sha: shaOf('sharded-none'), status: 'in_progress', minute: 0 });
    const merge = await mergeStep(service, { runId, site, ids: IDS });
    assert.ok(merge.failure, logOf(merge));
    const report = reportOf(merge);
    assert.equal(report.preflight?.code, 'shard-missing');
    assert.match(report.preflight?.message ?? '', /this run has no artifact named reliability-smoke-shard-<i>-of-<n>-…/);
    assert.equal(merge.outputs[Outputs.ArtifactName], `${PREFIX}-merged-merge-attempt-1`);
  });

  it('merge with shard, rerun-failed or fixtures, and a shard that is not i/n, are usage errors reported at once, with a report', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, {});
    const [runId = 0] = runIds(1);
    addRun(service, { id: runId, branch: 'shards/usage', sha: shaOf('sharded-usage'), status: 'in_progress', minute: 0 });
    const merge = await step(service, {
      runId,
      site,
      ids: IDS,
      env: { jobId: 'merge' },
      inputs: { merge: 'true', shard: '5/4', 'rerun-failed': 'true', fixtures: 'alpha' },
    });
    assert.ok(merge.failure, logOf(merge));
    const report = reportOf(merge);
    assert.equal(report.preflight?.code, 'usage');
    assert.deepEqual(report.preflight?.problems, [
      'shard: must be i/n with 1 <= i <= n <= 64, such as 2/4 (this job runs part 2 of 4), not "5/4"',
      'rerun-failed and fixtures cannot be combined: a rerun runs exactly the fixtures that failed last time. Drop fixtures to rerun the failures, or drop rerun-failed to run the fixtures you named.',
      'merge cannot be combined with shard (the merge job merges the shards; it is not one): set it only on the job that merges.',
      'merge cannot be combined with rerun-failed (the shards rerun; the merge job carries the other results over by itself): set it only on the job that merges.',
      'merge cannot be combined with fixtures (the shards select the fixtures): set it only on the job that merges.',
    ]);
  });
});
