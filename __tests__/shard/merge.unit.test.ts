/**
 * The merge of shard reports never passes by omission: a missing shard, an unreadable report, shards that split the
 * suite differently, a fixture in two shards or in none, or a shard that stopped each fail the result with its own
 * code naming the shard or fixture, while the results the shards did report are kept. The merged report validates
 * against the report schema, and a rerun from it runs what the problems name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPreflightReport } from '../../src/report/build.ts';
import { Report } from '../../src/report/schema.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';
import { rerunIdsOf } from '../../src/rerun/failed-set.ts';
import { mergeShardReports, type ShardInput } from '../../src/shard/merge.ts';
import { mergedReportOf } from '../../src/shard/merged-report.ts';
import { baseInput, context, dataReport, suite } from '../support/report-helpers.ts';
import { describeMissing, fromArtifact, partitionOf, shardOf, shardReport } from '../support/shard-reports.ts';

const SUITE = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
const partition = partitionOf(SUITE, 3);

const merge = (inputs: ShardInput[]) => mergeShardReports(inputs, { describeMissing });
const reportOf = (inputs: ShardInput[]) =>
  mergedReportOf(merge(inputs), { toolVersion: '0.1.0', run: context(undefined, { runId: '900' }), startedAt: new Date('2026-03-02T07:00:00Z') });
const codes = (report: Report) => (report.mergeProblems ?? []).map((problem) => problem.code);
const all = () => [1, 2, 3].map((index) => fromArtifact(shardReport(partition, index)));

describe('merging shard reports', () => {
  it('merges every shard into one report of the whole suite, in suite order, with a shard entry each', () => {
    const report = reportOf(all());
    assert.equal(report.result, 'pass');
    assert.deepEqual(report.mergeProblems, []);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.id), SUITE);
    assert.deepEqual(report.selection.selected, SUITE);
    assert.equal(report.shard, undefined, 'a merged report is not a shard');
    assert.deepEqual(
      report.shards?.map((shard) => [shard.index, shard.status, shard.artifactName, shard.counts?.total]),
      [1, 2, 3].map((index) => [index, 'merged', `reliability-smoke-shard-${index}-of-3-smoke-attempt-1`, partition.parts[index - 1]!.length]),
    );
    assert.equal(Report.safeParse(JSON.parse(JSON.stringify(report))).success, true, 'it validates as any report does');
  });

  it('keeps a failure and its verdict, and names the shard whose artifact holds its evidence', () => {
    const failing = partition.parts[1]![0]!;
    const inputs = [1, 2, 3].map((index) => fromArtifact(shardReport(partition, index, { [failing]: 'failed' })));
    const report = reportOf(inputs);
    assert.equal(report.result, 'fail');
    assert.deepEqual(report.mergeProblems, []);
    assert.deepEqual(report.shards?.[1]?.failedFixtureIds, [failing]);
    const result = report.fixtures.find((fixture) => fixture.id === failing);
    assert.equal(result?.status, 'failed');
    assert.equal(result?.attempts[0]?.evidence, null, "evidence stays in the shard's artifact: no path points at nothing");
  });

  it('fails with shard-missing and fixture-in-no-shard when a shard uploaded nothing, keeping the others', () => {
    const [one, , three] = all();
    const report = reportOf([one!, three!]);
    assert.equal(report.result, 'fail', 'every fixture reported passed, and still: no pass by omission');
    assert.deepEqual(codes(report), ['shard-missing', 'fixture-in-no-shard']);
    const [missing, noResult] = report.mergeProblems!;
    assert.equal(missing?.shard, 2);
    assert.match(missing?.message ?? '', /Shard 2 of 3 is missing: no artifact for shard 2 of 3/);
    assert.deepEqual(noResult?.fixtureIds, partition.parts[1]);
    assert.equal(report.shards?.[1]?.status, 'missing');
    assert.equal(report.fixtures.length, SUITE.length - partition.parts[1]!.length, 'the reported results are kept');
    assert.deepEqual(rerunIdsOf(report).sort(), [...partition.parts[1]!].sort(), "a rerun runs the missing shard's fixtures");
  });

  it('fails with shard-fingerprint-mismatch when a shard split the suite another way', () => {
    const other = partitionOf(SUITE, 3, { runId: '40', digest: `sha256:${'b'.repeat(64)}`, durations: new Map([['alpha', 9000], ['bravo', 100], ['charlie', 100]]) });
    assert.notEqual(other.fingerprint, partition.fingerprint);
    const inputs = [fromArtifact(shardReport(partition, 1)), fromArtifact(shardReport(other, 2)), fromArtifact(shardReport(partition, 3))];
    const report = reportOf(inputs);
    assert.equal(report.result, 'fail');
    const mismatch = report.mergeProblems?.find((problem) => problem.code === 'shard-fingerprint-mismatch');
    assert.match(mismatch?.message ?? '', /shards 1, 3 split 7 fixtures by count .*; shard 2 split 7 fixtures by the durations of run 40/);
    assert.ok(codes(report).some((code) => code === 'fixture-in-two-shards' || code === 'fixture-in-no-shard'), codes(report).join());
  });

  it('fails with fixture-in-two-shards when two shards report the same fixture', () => {
    const overlap = { ...shardOf(partition, 2), fixtureIds: [...partition.parts[1]!, partition.parts[0]![0]!] };
    const inputs = [fromArtifact(shardReport(partition, 1)), fromArtifact(shardReport(partition, 2, {}, { shard: overlap })), fromArtifact(shardReport(partition, 3))];
    const report = reportOf(inputs);
    const twice = report.mergeProblems?.find((problem) => problem.code === 'fixture-in-two-shards');
    assert.deepEqual(twice?.fixtureIds, [partition.parts[0]![0]]);
    assert.match(twice?.message ?? '', /\(shards 1, 2\)/);
    assert.equal(new Set(report.fixtures.map((fixture) => fixture.id)).size, report.fixtures.length, 'one result per fixture');
  });

  it('fails with fixture-in-no-shard when the shards together leave a fixture out', () => {
    const short = { ...shardOf(partition, 3), fixtureIds: partition.parts[2]!.slice(1) };
    const inputs = [fromArtifact(shardReport(partition, 1)), fromArtifact(shardReport(partition, 2)), fromArtifact(shardReport(partition, 3, {}, { shard: short }))];
    const report = reportOf(inputs);
    assert.deepEqual(codes(report), ['fixture-in-no-shard']);
    assert.deepEqual(report.mergeProblems?.[0]?.fixtureIds, [partition.parts[2]![0]]);
  });

  it('fails with shard-report-invalid for a report that could not be read, or is not a shard', () => {
    const [one, two] = all();
    const unreadable: ShardInput = { ...fromArtifact(shardReport(partition, 3)), read: { code: 'not-json', message: 'report.json is not valid JSON.' } };
    const unsharded: ShardInput = { ...two!, read: { report: dataReport('report-all-passed.json'), digest: `sha256:${'c'.repeat(64)}` } };
    const report = reportOf([one!, unsharded, unreadable]);
    const invalid = report.mergeProblems?.filter((problem) => problem.code === 'shard-report-invalid') ?? [];
    assert.equal(invalid.length, 2);
    assert.match(invalid[0]?.message ?? '', /is not a shard's report/);
    assert.match(invalid[1]?.message ?? '', /\(not-json\): report\.json is not valid JSON/);
    assert.deepEqual(report.shards?.map((shard) => shard.status), ['merged', 'invalid', 'invalid']);
    assert.ok(!codes(report).includes('shard-missing'), 'a shard whose report is there but unusable is not also missing');
  });

  it("names a shard that stopped before running anything by its own stop code, and its fixtures as without result", () => {
    const stopped = buildPreflightReport({
      ...baseInput(suite([])),
      shard: shardOf(partition, 2),
      diagnostic: preflightDiagnostic({ code: 'browser-not-found', message: 'No Chrome.' }),
    });
    const [one, , three] = all();
    const report = reportOf([one!, fromArtifact(stopped), three!]);
    assert.deepEqual(codes(report), ['browser-not-found', 'fixture-in-no-shard']);
    assert.match(report.mergeProblems?.[0]?.message ?? '', /Shard 2 of 3 stopped before running any fixture \(browser-not-found\): No Chrome\./);
    assert.equal(report.shards?.[1]?.status, 'stopped');
  });

  it('a shard of an empty part is merged and passes', () => {
    const wide = partitionOf(['only', 'two'], 3);
    const report = reportOf([1, 2, 3].map((index) => fromArtifact(shardReport(wide, index))));
    assert.equal(report.result, 'pass');
    assert.equal(report.shards?.[2]?.counts?.total, 0);
  });

  it('fails when two reports claim to be the same shard', () => {
    const [one, two, three] = all();
    const copy: ShardInput = { ...two!, artifact: { ...two!.artifact!, job: 'other', name: 'reliability-smoke-shard-2-of-3-other-attempt-1' } };
    const report = reportOf([one!, two!, copy, three!]);
    assert.match(report.mergeProblems?.find((problem) => problem.code === 'shard-fingerprint-mismatch')?.message ?? '', /2 reports are shard 2 of 3/);
  });

  it('merging nothing gives an empty report that fails on its preflight', () => {
    const report = mergedReportOf(merge([]), {
      toolVersion: '0.1.0',
      run: context(),
      startedAt: new Date('2026-03-02T07:00:00Z'),
      preflight: preflightDiagnostic({ code: 'shard-missing', message: 'There is no shard report to merge.' }),
    });
    assert.equal(report.result, 'fail');
    assert.deepEqual(report.shards, []);
  });
});

describe('the report schema and merge problems', () => {
  it('a report with a merge problem cannot claim to pass', () => {
    const report = reportOf(all().slice(0, 2));
    const claimed = { ...JSON.parse(JSON.stringify(report)), result: 'pass' };
    const parsed = Report.safeParse(claimed);
    assert.equal(parsed.success, false);
    assert.match(JSON.stringify(parsed.error?.issues), /says \\"pass\\" but the run gives \\"fail\\"/);
  });

  it('reports written before sharding still validate', () => {
    for (const name of ['report-all-passed.json', 'report-failing-flaky.json', 'report-rerun-same-sha.json', 'report-preflight-no-artifact.json']) {
      assert.doesNotThrow(() => dataReport(name), name);
    }
  });

  it('a shard index above its total is refused', () => {
    const report = shardReport(partition, 1);
    const bad = { ...JSON.parse(JSON.stringify(report)), shard: { ...report.shard, index: 4 } };
    assert.equal(Report.safeParse(bad).success, false);
  });
});

describe('merging the shards of a rerun', () => {
  it('keeps the fixtures not covered by the shards, less any a shard ran, and each result why it ran', () => {
    const extra = { file: 'fixtures/suite.smoke.yml', line: 2 };
    const ranInTwo = partition.parts[1]![0]!;
    const inputs = [1, 2, 3].map((index) => {
      const report = shardReport(partition, index);
      const fixtures = report.fixtures.map((fixture) => ({ ...fixture, rerunReason: 'failed' as const }));
      // Every shard lists the same new fixture; shard 1 also lists one that shard 2 ran after all.
      const notCovered = [{ id: 'hotel', reason: 'new' as const, ...extra }, ...(index === 1 ? [{ id: ranInTwo, reason: 'changed' as const, ...extra }] : [])];
      return fromArtifact({ ...report, fixtures, notCovered });
    });
    const report = reportOf(inputs);
    assert.deepEqual(report.notCovered, [{ id: 'hotel', reason: 'new', ...extra }]);
    assert.ok(report.fixtures.every((fixture) => fixture.rerunReason === 'failed'));
    assert.equal(Report.safeParse(JSON.parse(JSON.stringify(report))).success, true);
  });
});
