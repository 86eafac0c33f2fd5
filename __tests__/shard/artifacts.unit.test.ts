/**
 * Shard and merged artifact names, and how a rerun (or a shard's durations) finds the report of a sharded run:
 * its merged report first, else all its shard reports read together, else one job's; never an earlier attempt of
 * the current run for a shard. Driven through the RunsApi and ArtifactDownloader seams with in-memory stand-ins;
 * the Action tests (shard/action-*.test.ts) cover the same against the loopback GitHub.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { describe, it } from 'node:test';
import { readActionContext } from '../../src/action/context.ts';
import { getInputs } from '../../src/action/inputs.ts';
import {
  type ArtifactInfo,
  latestPerShard,
  parseArtifactName,
  parseSmokeArtifactName,
  pickReportArtifacts,
  shardArtifacts,
  smokeArtifactName,
} from '../../src/rerun/artifact-names.ts';
import { createRerunSourceFinder, type ZipFetcher } from '../../src/rerun/artifact-source.ts';
import { rerunIdsOf } from '../../src/rerun/failed-set.ts';
import { DiscoveryError, type RunInfo, type RunsApi } from '../../src/rerun/runs-api.ts';
import { createDurationFinder } from '../../src/shard/artifact-shards.ts';
import { shaOf } from '../support/action-rerun.ts';
import { zipFiles } from '../support/github-service/zip.ts';
import { partitionOf, shardReport } from '../support/shard-reports.ts';

const PREFIX = 'reliability-smoke';
const REPO = 'octo-org/smoke-demo';
const BOUND = { timeout: 30_000 };

let nextId = 1;
function artifact(name: string, extra: Partial<ArtifactInfo> = {}): ArtifactInfo {
  return { id: nextId++, name, sizeInBytes: 2048, expired: false, expiresAt: '2099-01-01T00:00:00Z', createdAt: '2026-01-05T08:00:00Z', digest: null, ...extra };
}
const shardName = (index: number, total: number, attempt = 1, job = 'smoke') => `${PREFIX}-shard-${index}-of-${total}-${job}-attempt-${attempt}`;

describe('shard and merged artifact names', () => {
  it('carry the shard or the merge, then the job and the attempt, so no two shards and no re-run clash', () => {
    const env = { GITHUB_JOB: 'smoke', GITHUB_RUN_ATTEMPT: '2' };
    assert.equal(smokeArtifactName(PREFIX, env, { kind: 'shard', index: 2, total: 4 }), 'reliability-smoke-shard-2-of-4-smoke-attempt-2');
    assert.equal(smokeArtifactName(PREFIX, { GITHUB_JOB: 'merge' }, { kind: 'merged' }), 'reliability-smoke-merged-merge-attempt-1');
    assert.equal(smokeArtifactName(PREFIX, env), 'reliability-smoke-smoke-attempt-2', 'an unsharded run keeps its name');
  });

  it('are read back: a shard, a merge, or one job, each only as what it is', () => {
    assert.deepEqual(parseArtifactName('reliability-smoke-shard-3-of-10-smoke-attempt-2', PREFIX), {
      variant: { kind: 'shard', index: 3, total: 10 },
      job: 'smoke',
      attempt: 2,
    });
    assert.deepEqual(parseArtifactName('reliability-smoke-merged-merge-attempt-1', PREFIX), { variant: { kind: 'merged' }, job: 'merge', attempt: 1 });
    assert.deepEqual(parseArtifactName('reliability-smoke-shard-1-of-2-attempt-1', PREFIX)?.variant, { kind: 'shard', index: 1, total: 2 });
    assert.equal(parseSmokeArtifactName('reliability-smoke-shard-3-of-10-smoke-attempt-2', PREFIX), null, 'a shard is never taken for one job');
    assert.equal(parseSmokeArtifactName('reliability-smoke-merged-merge-attempt-1', PREFIX), null);
    assert.deepEqual(parseSmokeArtifactName('reliability-smoke-smoke-attempt-2', PREFIX), { job: 'smoke', attempt: 2 });
  });

  it('each shard is taken at its latest attempt that is not expired and not past the current attempt', () => {
    const listed = [
      artifact(shardName(1, 3, 1)),
      artifact(shardName(2, 3, 1)),
      artifact(shardName(2, 3, 2)),
      artifact(shardName(3, 3, 1)),
      artifact(shardName(3, 3, 2), { expired: true }),
      artifact(shardName(1, 3, 3)),
      artifact(`${PREFIX}-merged-merge-attempt-1`),
    ];
    const picked = latestPerShard(shardArtifacts(listed, PREFIX, 2));
    assert.deepEqual(picked.map((shard) => shard.artifact.name), [shardName(1, 3, 1), shardName(2, 3, 2), shardName(3, 3, 1)]);
  });
});

describe("a rerun's source in a sharded run", () => {
  it('is the merged report when there is one, without downloading the shards', () => {
    const merged = artifact(`${PREFIX}-merged-merge-attempt-1`);
    const picked = pickReportArtifacts([artifact(shardName(1, 2)), merged, artifact(shardName(2, 2))], PREFIX, 'smoke', null);
    assert.equal(picked.usable?.kind, 'merged');
    assert.equal(picked.usable?.usable.artifact.id, merged.id);
  });

  it('is every shard report together when the run has no merged one', () => {
    const picked = pickReportArtifacts([artifact(shardName(1, 2)), artifact(shardName(2, 2)), artifact('coverage')], PREFIX, 'smoke', null);
    assert.equal(picked.usable?.kind, 'shards');
    assert.deepEqual(picked.usable?.kind === 'shards' && picked.usable.shards.map((shard) => shard.index), [1, 2]);
  });

  it("is one job's report for an unsharded run, as before", () => {
    const picked = pickReportArtifacts([artifact(`${PREFIX}-smoke-attempt-1`)], PREFIX, 'smoke', null);
    assert.equal(picked.usable?.kind, 'single');
  });

  it('says which artifact expired when none is left', () => {
    const picked = pickReportArtifacts([artifact(`${PREFIX}-merged-merge-attempt-1`, { expired: true })], PREFIX, 'smoke', null);
    assert.equal(picked.usable, null);
    assert.equal(picked.expired?.name, `${PREFIX}-merged-merge-attempt-1`);
  });
});

function memoryGitHub(runs: RunInfo[], artifacts: Record<string, ArtifactInfo[]>): RunsApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getRun(runId) {
      const found = runs.find((candidate) => candidate.id === runId);
      if (!found) throw new DiscoveryError('run-not-found', `no run ${runId}`);
      return found;
    },
    async *completedRuns() {
      yield* [...runs].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    },
    async listArtifacts(runId) {
      calls.push(`listArtifacts ${runId}`);
      return artifacts[runId] ?? [];
    },
    async artifactZipUrl(artifactId) {
      throw new Error(`artifact ${artifactId} is read through fetchZip in these tests`);
    },
  };
}

/** Zipped report.json files from memory (artifact id → its text); records which artifacts were fetched. */
function memoryZips(files: Record<number, string>): { fetchZip: ZipFetcher; downloaded: number[] } {
  const downloaded: number[] = [];
  const fetchZip: ZipFetcher = async (found, file) => {
    downloaded.push(found.id);
    const bytes = zipFiles(files[found.id] === undefined ? {} : { 'report.json': files[found.id]! });
    fs.writeFileSync(file, bytes);
    return { bytes: bytes.length, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
  };
  return { fetchZip, downloaded };
}

const runInfo = (id: number, minute: number): RunInfo => ({
  id: String(id),
  workflowId: 7,
  headBranch: 'main',
  headSha: shaOf('sharded'),
  headRepository: REPO,
  createdAt: new Date(Date.parse('2026-01-05T08:00:00Z') + minute * 60_000).toISOString(),
  htmlUrl: `https://github.com/${REPO}/actions/runs/${id}`,
});

function contextOf(attempt = 1) {
  return readActionContext({ GITHUB_REPOSITORY: REPO, GITHUB_RUN_ID: '90', GITHUB_RUN_ATTEMPT: String(attempt), GITHUB_REF: 'refs/heads/main', GITHUB_SHA: shaOf('sharded') });
}

const quiet = { info() {}, warn() {}, debug() {} };

describe('reading a sharded run as a rerun source', () => {
  const partition = partitionOf(['alpha', 'bravo', 'charlie', 'delta'], 2);
  const failing = partition.parts[1]![0]!;
  const shards = [1, 2].map((index) => artifact(shardName(index, 2)));
  const files = Object.fromEntries(shards.map((shard, index) => [shard.id, JSON.stringify(shardReport(partition, index + 1, { [failing]: 'failed' }))]));

  it('reads every shard report and merges them, so the rerun sees the whole suite', BOUND, async () => {
    const downloader = memoryZips(files);
    const inputs = getInputs((name) => ({ 'rerun-failed': 'true', 'github-token': 'ghs_test' })[name] ?? '', {});
    const finder = createRerunSourceFinder(inputs, contextOf(), quiet, {
      api: memoryGitHub([runInfo(10, 0), runInfo(90, 10)], { 10: shards }),
      fetchZip: downloader.fetchZip,
      env: { GITHUB_JOB: 'smoke' },
      tempDir: os.tmpdir(),
    });
    const source = await finder.acquireRerunSource();
    assert.deepEqual(downloader.downloaded.sort(), shards.map((shard) => shard.id).sort());
    assert.deepEqual(source.report.fixtures.map((fixture) => fixture.id).sort(), ['alpha', 'bravo', 'charlie', 'delta']);
    assert.deepEqual(rerunIdsOf(source.report), [failing]);
    assert.equal(source.origin.runId, '10');
    assert.equal(source.origin.artifactName, shards.map((shard) => shard.name).join(', '));
    assert.match(source.origin.digest, /^sha256:[0-9a-f]{64}$/);
  });

  it("reruns a shard that could not be read as having no result: its fixtures are in the failed set", BOUND, async () => {
    const downloader = memoryZips({ ...files, [shards[1]!.id]: '{ not json' });
    const inputs = getInputs((name) => ({ 'rerun-failed': 'true', 'github-token': 'ghs_test' })[name] ?? '', {});
    const finder = createRerunSourceFinder(inputs, contextOf(), quiet, {
      api: memoryGitHub([runInfo(10, 0), runInfo(90, 10)], { 10: shards }),
      fetchZip: downloader.fetchZip,
      env: { GITHUB_JOB: 'smoke' },
      tempDir: os.tmpdir(),
    });
    const source = await finder.acquireRerunSource();
    assert.deepEqual(source.report.mergeProblems?.map((problem) => problem.code), ['shard-report-invalid', 'fixture-in-no-shard']);
    assert.deepEqual(rerunIdsOf(source.report).sort(), [...partition.parts[1]!].sort());
  });

  it("a shard's durations come from the previous run, never an earlier attempt of its own run", BOUND, async () => {
    const downloader = memoryZips(files);
    const api = memoryGitHub([runInfo(10, 0), runInfo(90, 10)], { 10: shards, 90: [artifact(shardName(1, 2, 1))] });
    const inputs = getInputs((name) => ({ shard: '1/2', 'github-token': 'ghs_test' })[name] ?? '', {});
    const find = createDurationFinder(inputs, contextOf(2), quiet, { api, fetchZip: downloader.fetchZip, env: { GITHUB_JOB: 'smoke' }, tempDir: os.tmpdir() });
    const durations = await find();
    assert.equal(durations?.runId, '10');
    assert.deepEqual([...(durations?.durations.keys() ?? [])].sort(), ['alpha', 'bravo', 'charlie', 'delta']);
    assert.ok(!api.calls.includes('listArtifacts 90'), `attempt 1 of this run is never looked at: ${api.calls.join(', ')}`);
  });

  it('balances by count, with a note, when there is no earlier run', BOUND, async () => {
    const lines: string[] = [];
    const inputs = getInputs((name) => ({ shard: '1/2', 'github-token': 'ghs_test' })[name] ?? '', {});
    const find = createDurationFinder(inputs, contextOf(), { ...quiet, info: (line) => lines.push(line) }, {
      api: memoryGitHub([runInfo(90, 10)], {}),
      fetchZip: memoryZips({}).fetchZip,
      env: { GITHUB_JOB: 'smoke' },
      tempDir: os.tmpdir(),
    });
    assert.equal(await find(), null);
    assert.match(lines.join('\n'), /No durations of an earlier run to balance the shards by \(no-earlier-run: .*\); balancing by count\./);
  });
});
