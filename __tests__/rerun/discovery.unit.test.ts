/**
 * Rerun-failed: where the source report comes from: artifact names, the order runs are tried in, and what
 * is passed over (expired artifacts, other jobs' and other suites' artifacts, forks, dry runs, runs that stopped
 * before running anything). Driven through the RunsApi and ZipFetcher seams with small in-memory stand-ins (the
 * zips are real); the Action tests (rerun/action*.test.ts) cover the same paths against the loopback GitHub.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readActionContext, type ActionContext } from '../../src/action/context.ts';
import { getInputs } from '../../src/action/inputs.ts';
import { type Candidate, discoverCandidates, type DiscoveryRequest } from '../../src/rerun/artifact-discovery.ts';
import { createRerunSourceFinder, type ZipFetcher } from '../../src/rerun/artifact-source.ts';
import { DownloadError } from '../../src/rerun/artifact-download.ts';
import { DiscoveryError, type RunInfo, type RunsApi } from '../../src/rerun/runs-api.ts';
import {
  type ArtifactInfo,
  parseSmokeArtifactName,
  pickSmokeArtifact,
  smokeArtifactName,
} from '../../src/rerun/artifact-names.ts';
import { PreflightError } from '../../src/report/stops.ts';
import { REPORT_LIMITS } from '../../src/report/limits.ts';
import { builtReport, shaOf } from '../support/action-rerun.ts';
import { tempDir } from '../support/temp.ts';
import { zipFiles } from '../support/github-service/zip.ts';
import { createHash } from 'node:crypto';

const REPO = 'octo-org/smoke-demo';
const PREFIX = 'reliability-smoke';
const BOUND = { timeout: 30_000 };

const minute = (n: number) => new Date(Date.parse('2026-01-05T08:00:00Z') + n * 60_000).toISOString();

function run(id: number, at: number, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    id: String(id),
    workflowId: 7,
    headBranch: 'main',
    headSha: shaOf(`run-${id}`),
    headRepository: REPO,
    createdAt: minute(at),
    htmlUrl: `https://github.com/${REPO}/actions/runs/${id}`,
    ...extra,
  };
}

let nextArtifactId = 1;
function artifact(name: string, extra: Partial<ArtifactInfo> = {}): ArtifactInfo {
  return {
    id: nextArtifactId++,
    name,
    sizeInBytes: 2048,
    expired: false,
    expiresAt: '2099-01-01T00:00:00Z',
    createdAt: '2026-01-05T08:00:00Z',
    digest: null,
    ...extra,
  };
}

/** GitHub as far as discovery sees it: runs, their artifacts, injected failures, and a log of the calls. */
interface MemoryGitHub extends RunsApi {
  calls: string[];
  failListing: Map<string, DiscoveryError>;
}

function memoryGitHub(runs: RunInfo[], artifacts: Record<string, ArtifactInfo[]>, pageSize = 2): MemoryGitHub {
  const calls: string[] = [];
  const failListing = new Map<string, DiscoveryError>();
  return {
    calls,
    failListing,
    async getRun(runId) {
      calls.push(`getRun ${runId}`);
      const found = runs.find((candidate) => candidate.id === runId);
      if (!found) throw new DiscoveryError('run-not-found', `GitHub found nothing when asked to read run ${runId} (404).`);
      return found;
    },
    async *completedRuns(workflowId, branch) {
      const matching = runs
        .filter((candidate) => candidate.workflowId === workflowId && candidate.headBranch === branch)
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      for (let page = 0; page * pageSize < matching.length; page++) {
        calls.push(`completedRuns ${workflowId} ${branch} page ${page + 1}`);
        yield* matching.slice(page * pageSize, (page + 1) * pageSize);
      }
    },
    async listArtifacts(runId) {
      calls.push(`listArtifacts ${runId}`);
      const failure = failListing.get(runId);
      if (failure) throw failure;
      return artifacts[runId] ?? [];
    },
    async artifactZipUrl(artifactId) {
      calls.push(`artifactZipUrl ${artifactId}`);
      return `https://blob.example/${artifactId}.zip`;
    },
  };
}

function contextOf(env: Record<string, string> = {}): ActionContext {
  return readActionContext({
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: '90',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: shaOf('run-90'),
    GITHUB_WORKFLOW: 'Smoke',
    ...env,
  });
}

function request(overrides: Partial<DiscoveryRequest> = {}): DiscoveryRequest {
  return { artifactRunId: null, prefix: PREFIX, job: 'smoke', context: contextOf(), ...overrides };
}

/** Every candidate in the order offered, then how the search ended once all were passed over. */
async function all(candidates: AsyncGenerator<Candidate>): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const candidate of candidates) found.push(`${candidate.via} run ${candidate.run.id} ${candidate.artifact.name}`);
  } catch (error) {
    assert.ok(error instanceof DiscoveryError, `a DiscoveryError, got ${String(error)}`);
    found.push(`then ${error.code}`);
  }
  return found;
}

async function discoveryError(candidates: AsyncGenerator<Candidate>): Promise<DiscoveryError> {
  try {
    for await (const candidate of candidates) assert.fail(`no candidate expected, got run ${candidate.run.id} ${candidate.artifact.name}`);
  } catch (error) {
    if (error instanceof DiscoveryError) return error;
    throw error;
  }
  assert.fail('discovery should have failed');
}

const ours = (attempt: number, job = 'smoke') => artifact(`${PREFIX}-${job}-attempt-${attempt}`);

describe('smoke artifact names', () => {
  it('carry the prefix, the job and the run attempt, so a job re-run never reuses a name', () => {
    assert.equal(smokeArtifactName(PREFIX, { GITHUB_JOB: 'smoke', GITHUB_RUN_ATTEMPT: '3' }), 'reliability-smoke-smoke-attempt-3');
    assert.equal(smokeArtifactName(PREFIX, { GITHUB_JOB: 'e2e tests/a:b', GITHUB_RUN_ATTEMPT: '1' }), 'reliability-smoke-e2e-tests-a-b-attempt-1');
    assert.equal(smokeArtifactName(PREFIX, {}), 'reliability-smoke-attempt-1', 'outside a job: no job part, attempt 1');
  });

  it('are read back by prefix only, whatever characters the prefix holds', () => {
    assert.deepEqual(parseSmokeArtifactName('reliability-smoke-smoke-attempt-2', PREFIX), { job: 'smoke', attempt: 2 });
    assert.deepEqual(parseSmokeArtifactName('reliability-smoke-attempt-4', PREFIX), { job: null, attempt: 4 });
    assert.deepEqual(parseSmokeArtifactName(PREFIX, PREFIX), { job: null, attempt: null }, 'an artifact named exactly the prefix');
    assert.equal(parseSmokeArtifactName('coverage-smoke-attempt-1', PREFIX), null);
    assert.equal(parseSmokeArtifactName('reliability-smoke-smoke-attempt-x', PREFIX), null);
    assert.deepEqual(parseSmokeArtifactName('smoke (v2)+-ci-attempt-1', 'smoke (v2)+'), { job: 'ci', attempt: 1 });
    assert.equal(parseSmokeArtifactName('smokeX(v2)+-ci-attempt-1', 'smoke.(v2)+'), null, 'prefix characters are literal');
  });

  it('pick the highest attempt of this job that has not expired', () => {
    const picked = pickSmokeArtifact(
      [ours(1), ours(3, 'lint'), ours(2), artifact(`${PREFIX}-smoke-attempt-3`, { expired: true }), artifact('coverage')],
      PREFIX,
      'smoke',
      null,
    );
    assert.equal(picked.usable?.artifact.name, 'reliability-smoke-smoke-attempt-2');
    assert.equal(picked.usable?.attempt, 2);
    assert.equal(picked.expired?.name, 'reliability-smoke-smoke-attempt-3');
    assert.deepEqual(picked.seen.length, 5);
  });

  it('treat an artifact past its expiry date as expired before GitHub flags it', () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const lapsed = artifact('reliability-smoke-smoke-attempt-2', { expired: false, expiresAt: '2026-02-28T23:59:59Z' });
    const picked = pickSmokeArtifact([ours(1), lapsed], PREFIX, 'smoke', null, now);
    assert.equal(picked.usable?.artifact.name, 'reliability-smoke-smoke-attempt-1');
    assert.equal(picked.expired?.id, lapsed.id);
  });

  it('never pick an attempt later than the one asked for', () => {
    const picked = pickSmokeArtifact([ours(1), ours(2), ours(3)], PREFIX, 'smoke', 2);
    assert.equal(picked.usable?.artifact.name, 'reliability-smoke-smoke-attempt-2');
  });

  it("take another job's artifact only when it is the only other job", () => {
    assert.equal(pickSmokeArtifact([ours(1, 'nightly')], PREFIX, 'smoke', null).usable?.artifact.name, 'reliability-smoke-nightly-attempt-1');
    assert.equal(pickSmokeArtifact([ours(1, 'nightly'), ours(1, 'mobile')], PREFIX, 'smoke', null).usable, null);
  });

  it("never take another suite's artifact (a longer artifact-name) for this one", () => {
    const mobileSuite = artifact(`${PREFIX}-mobile-smoke-attempt-1`);
    assert.equal(pickSmokeArtifact([mobileSuite], PREFIX, 'smoke', null).usable, null);
    assert.equal(pickSmokeArtifact([mobileSuite, ours(1)], PREFIX, 'smoke', null).usable?.artifact.name, 'reliability-smoke-smoke-attempt-1');
    assert.equal(pickSmokeArtifact([mobileSuite], `${PREFIX}-mobile`, 'smoke', null).usable?.artifact.id, mobileSuite.id);
  });
});

describe('finding the run to rerun from', () => {
  it('artifact-run-id picks that run even when a newer one has an artifact, and looks nowhere else', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(20, 5), run(90, 10)], { 10: [ours(1)], 20: [ours(1)] });
    assert.deepEqual(await all(discoverCandidates(api, request({ artifactRunId: '10' }))), ['artifact-run-id run 10 reliability-smoke-smoke-attempt-1']);
    assert.deepEqual(api.calls, ['getRun 10', 'listArtifacts 10']);
  });

  it('artifact-run-id says why its run cannot be used: unknown run, no artifact, expired', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(11, 1), run(90, 10)], {
      10: [artifact('coverage'), artifact('reliability-smoke-smoke-attempt-1', { expired: true, expiresAt: '2026-01-01T00:00:00Z' })],
      11: [artifact('coverage')],
    });
    assert.equal((await discoveryError(discoverCandidates(api, request({ artifactRunId: '404' })))).code, 'run-not-found');
    const expired = await discoveryError(discoverCandidates(api, request({ artifactRunId: '10' })));
    assert.equal(expired.code, 'artifact-expired');
    assert.match(expired.message, /"reliability-smoke-smoke-attempt-1" of run 10 expired on 2026-01-01T00:00:00Z/);
    const none = await discoveryError(discoverCandidates(api, request({ artifactRunId: '11' })));
    assert.equal(none.code, 'no-artifact');
    assert.match(none.message, /Run 11 has no artifact named "reliability-smoke".*\(it has: coverage\)/);
  });

  it('takes the newest earlier run with a smoke artifact, and asks for older ones only when told to go on', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(20, 5), run(30, 8), run(90, 10), run(95, 12)], {
      10: [ours(1)],
      20: [ours(1)],
      30: [artifact('coverage')],
      95: [ours(1)],
    });
    const candidates = discoverCandidates(api, request());
    const first = await candidates.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.run.id, '20', 'run 30 has no smoke artifact; run 95 started after this one');
    assert.equal(first.value?.via, 'earlier-run');
    assert.ok(!api.calls.includes('listArtifacts 10'), 'older runs are not looked at while the newest candidate serves');
    assert.ok(!api.calls.includes('listArtifacts 95'));
    assert.equal((await candidates.next()).value?.run.id, '10');
  });

  it('passes over expired artifacts for an older one that has not expired', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(20, 5), run(90, 10)], {
      10: [ours(1)],
      20: [artifact('reliability-smoke-smoke-attempt-1', { expired: true })],
    });
    assert.deepEqual(await all(discoverCandidates(api, request())), ['earlier-run run 10 reliability-smoke-smoke-attempt-1', 'then artifact-expired']);
  });

  it('says artifact-expired when the only smoke artifacts have expired, naming the newest', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(20, 5), run(90, 10)], {
      10: [artifact('reliability-smoke-smoke-attempt-1', { expired: true, expiresAt: '2025-12-01T00:00:00Z' })],
      20: [artifact('reliability-smoke-smoke-attempt-2', { expired: true, expiresAt: '2025-12-20T00:00:00Z' })],
    });
    const error = await discoveryError(discoverCandidates(api, request()));
    assert.equal(error.code, 'artifact-expired');
    assert.match(error.message, /"reliability-smoke-smoke-attempt-2"\) expired on 2025-12-20/);
  });

  it('says no-artifact when earlier runs exist but none uploaded a smoke artifact, and no-earlier-run when there is none', BOUND, async () => {
    const none = await discoveryError(discoverCandidates(memoryGitHub([run(10, 0), run(90, 10)], { 10: [artifact('coverage')] }), request()));
    assert.equal(none.code, 'no-artifact');
    assert.match(none.message, /None of the 1 earlier completed run of workflow "Smoke" on branch "main"/);
    const first = await discoveryError(discoverCandidates(memoryGitHub([run(90, 10)], {}), request()));
    assert.equal(first.code, 'no-earlier-run');
    assert.match(first.message, /no earlier completed run of workflow "Smoke" on branch "main"/);
  });

  it("never uses a fork's run on a branch of the same name, and says it passed it over", BOUND, async () => {
    const fork = run(20, 5, { headRepository: 'mallory/smoke-demo' });
    const upstream = run(10, 0);
    const withBoth = memoryGitHub([upstream, fork, run(90, 10)], { 10: [ours(1)], 20: [ours(1)] });
    assert.deepEqual(await all(discoverCandidates(withBoth, request())), ['earlier-run run 10 reliability-smoke-smoke-attempt-1', 'then no-artifact']);
    assert.ok(!withBoth.calls.includes('listArtifacts 20'), "the fork's artifacts are not even listed");

    const onlyFork = memoryGitHub([fork, run(90, 10)], { 20: [ours(1)] });
    const error = await discoveryError(discoverCandidates(onlyFork, request()));
    assert.equal(error.code, 'no-earlier-run');
    assert.match(error.message, /from mallory\/smoke-demo were passed over/);
  });

  it('for a pull request from a fork, compares runs by the head branch and the fork, not the base repository', BOUND, async (t) => {
    const dir = tempDir(t, 'discovery-');
    const eventPath = path.join(dir, 'event.json');
    fs.writeFileSync(eventPath, JSON.stringify({ pull_request: { head: { ref: 'fix/login', sha: shaOf('pr-head'), repo: { full_name: 'ada/smoke-demo' } } } }));
    const context = contextOf({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge', GITHUB_EVENT_PATH: eventPath });
    const api = memoryGitHub(
      [run(10, 0, { headBranch: 'fix/login' }), run(20, 5, { headBranch: 'fix/login', headRepository: 'ada/smoke-demo' }), run(90, 10)],
      { 10: [ours(1)], 20: [ours(1)] },
    );
    assert.deepEqual(await all(discoverCandidates(api, request({ context }))), ['earlier-run run 20 reliability-smoke-smoke-attempt-1', 'then no-artifact']);
    assert.ok(api.calls.includes('completedRuns 7 fix/login page 1'));
  });

  it('looks at no more than maxRuns earlier runs, across pages', BOUND, async () => {
    const runs = [run(90, 100), ...Array.from({ length: 9 }, (_, index) => run(10 + index, index))];
    const api = memoryGitHub(runs, { 10: [ours(1)] });
    const error = await discoveryError(discoverCandidates(api, request({ maxRuns: 4 })));
    assert.equal(error.code, 'no-artifact');
    assert.match(error.message, /None of the 4 earlier completed runs/);
    assert.equal(api.calls.filter((call) => call.startsWith('listArtifacts')).length, 4);
  });

  it('cannot compare runs without a run id or a branch', BOUND, async () => {
    const api = memoryGitHub([run(90, 10)], {});
    const noRun = await discoveryError(discoverCandidates(api, request({ context: { ...contextOf(), runId: null } })));
    assert.equal(noRun.code, 'no-earlier-run');
    const tag = await discoveryError(discoverCandidates(api, request({ context: contextOf({ GITHUB_REF: 'refs/tags/v1.0.0' }) })));
    assert.equal(tag.code, 'no-earlier-run');
    assert.match(tag.message, /branch of this run is unknown \(GITHUB_REF is refs\/tags\/v1\.0\.0\)/);
  });
});

describe('attempt 2 of a run', () => {
  const attempt2 = () => request({ context: contextOf({ GITHUB_RUN_ATTEMPT: '2' }) });

  it("tries attempt 1's artifact first, then the earlier runs", BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(90, 10)], { 10: [ours(1)], 90: [ours(1), ours(2)] });
    assert.deepEqual(await all(discoverCandidates(api, attempt2())), [
      'earlier-attempt run 90 reliability-smoke-smoke-attempt-1',
      'earlier-run run 10 reliability-smoke-smoke-attempt-1',
      'then no-artifact',
    ]);
  });

  it('goes on to earlier runs when the earlier attempt left nothing, or its listing fails', BOUND, async () => {
    const notes: string[] = [];
    const empty = memoryGitHub([run(10, 0), run(90, 10)], { 10: [ours(1)] });
    assert.deepEqual(await all(discoverCandidates(empty, { ...attempt2(), note: (line) => notes.push(line) })), [
      'earlier-run run 10 reliability-smoke-smoke-attempt-1',
      'then no-artifact',
    ]);
    const failing = memoryGitHub([run(10, 0), run(90, 10)], { 10: [ours(1)], 90: [ours(1)] });
    failing.failListing.set('90', new DiscoveryError('api-error', 'GitHub failed to list the artifacts of run 90: Server Error'));
    assert.deepEqual(await all(discoverCandidates(failing, { ...attempt2(), note: (line) => notes.push(line) })), [
      'earlier-run run 10 reliability-smoke-smoke-attempt-1',
      'then no-artifact',
    ]);
    assert.match(notes.join('\n'), /No smoke artifact of an earlier attempt of run 90 is listed/);
    assert.match(notes.join('\n'), /could not be listed \(GitHub failed to list the artifacts of run 90: Server Error\)/);
  });

  it('stops on a refusal, which every other listing would meet too', BOUND, async () => {
    const api = memoryGitHub([run(10, 0), run(90, 10)], { 10: [ours(1)] });
    api.failListing.set('90', new DiscoveryError('permission-denied', 'GitHub refused to list the artifacts of run 90 (403).'));
    assert.equal((await discoveryError(discoverCandidates(api, attempt2()))).code, 'permission-denied');
  });
});

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Zips from an in-memory store (artifact id → files, or raw bytes); records which artifacts were fetched. */
function memoryZips(files: Record<number, Record<string, string | Buffer> | Buffer>, options: { error?: DownloadError } = {}) {
  const requests: number[] = [];
  const fetchZip: ZipFetcher = async (found, file) => {
    requests.push(found.id);
    if (options.error) throw options.error;
    const content = files[found.id] ?? {};
    const bytes = Buffer.isBuffer(content) ? content : zipFiles(content);
    fs.writeFileSync(file, bytes);
    return { bytes: bytes.length, digest: digestOf(bytes) };
  };
  return { fetchZip, requests };
}

function finderFor(api: RunsApi, fetchZip: ZipFetcher, env: Record<string, string> = {}) {
  const inputs = getInputs((name) => ({ 'rerun-failed': 'true', 'github-token': 'ghs_test' })[name] ?? '', {});
  const lines: string[] = [];
  const logger = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line), debug: () => {} };
  return { finder: createRerunSourceFinder(inputs, contextOf(), logger, { api, fetchZip, env: { GITHUB_JOB: 'smoke', ...env }, tempDir: os.tmpdir() }), lines };
}

async function preflightCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof PreflightError, `a PreflightError, got ${String(error)}`);
    return error.diagnostic.code;
  }
  assert.fail('expected a preflight stop');
}

describe('reading the source report', () => {
  const sha = shaOf('run-90');
  const failedReport = builtReport({ ids: { alpha: 'passed', bravo: 'failed' }, runId: 10, sha });

  it('downloads the zip, checks the digest GitHub recorded, and records where the report came from', BOUND, async () => {
    const found = ours(1);
    const zip = zipFiles({ 'report.json': failedReport, 'junit.xml': '<testsuites/>' });
    found.digest = digestOf(zip);
    const { fetchZip, requests } = memoryZips({ [found.id]: zip });
    const { finder } = finderFor(memoryGitHub([run(10, 0), run(90, 10)], { 10: [found] }), fetchZip);
    const source = await finder.acquireRerunSource();
    assert.deepEqual(requests, [found.id]);
    assert.equal(source.origin.runId, '10');
    assert.equal(source.origin.artifactName, found.name);
    assert.equal(source.origin.url, 'https://github.com/octo-org/smoke-demo/actions/runs/10');
    assert.match(source.origin.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(source.headSha, shaOf('run-10'));
  });

  it('passes over a dry run and a run that stopped before running anything, and says so in the log', BOUND, async () => {
    const dryRun = ours(1);
    const stopped = ours(1);
    const good = ours(1);
    const stoppedReport = JSON.parse(failedReport) as { fixtures: unknown[]; summary: Record<string, number>; result: string; preflight: unknown };
    Object.assign(stoppedReport, {
      fixtures: [],
      summary: { total: 0, passed: 0, failed: 0, flaky: 0, skipped: 0, carriedOver: 0, recovered: 0 },
      result: 'fail',
      preflight: { code: 'browser-not-found', severity: 'error', message: 'no browser', problems: [], guidance: [], fallback: null },
    });
    const { fetchZip } = memoryZips({
      [dryRun.id]: { 'plan.json': '{}' },
      [stopped.id]: { 'report.json': JSON.stringify(stoppedReport) },
      [good.id]: { 'report.json': failedReport },
    });
    const api = memoryGitHub([run(10, 0), run(20, 5), run(30, 8), run(90, 10)], { 30: [dryRun], 20: [stopped], 10: [good] });
    const { finder, lines } = finderFor(api, fetchZip);
    assert.equal((await finder.acquireRerunSource()).origin.runId, '10');
    assert.match(lines.join('\n'), /run 30: it is a dry run \(plan\.json only\)\. Looking further back\./);
    assert.match(lines.join('\n'), /run 20: that run stopped before running any fixture \(browser-not-found\)/);
  });

  it('stops with its own code for each way the artifact is unusable', BOUND, async () => {
    const cases: [string, Record<string, string> | Buffer, { digest?: string; error?: DownloadError; size?: number }][] = [
      ['not-json', { 'report.json': '{"schemaVersion": 1, "fixtures": [' }, {}],
      ['schema-invalid', { 'report.json': '{"schemaVersion": 1}' }, {}],
      ['unknown-schema-version', { 'report.json': '{"schemaVersion": 99}' }, {}],
      ['report-missing', { 'notes.txt': 'hello', 'failures/report.json': failedReport }, {}],
      ['artifact-unreadable', Buffer.from('<html>not a zip</html>'), {}],
      ['digest-mismatch', { 'report.json': failedReport }, { digest: `sha256:${'ab'.repeat(32)}` }],
      ['permission-denied', {}, { error: new DownloadError('permission-denied', "GitHub's API refused (403).") }],
      ['artifact-expired', {}, { error: new DownloadError('artifact-expired', "GitHub's API answered 410.") }],
      ['download-failed', {}, { error: new DownloadError('download-failed', 'blob storage answered HTTP 500', true) }],
      ['too-large', {}, { size: 600 * 1024 * 1024 }],
    ];
    for (const [code, files, how] of cases) {
      const found = artifact('reliability-smoke-smoke-attempt-1', { ...(how.size ? { sizeInBytes: how.size } : {}), ...(how.digest ? { digest: how.digest } : {}) });
      const { fetchZip, requests } = memoryZips({ [found.id]: files }, how.error ? { error: how.error } : {});
      const { finder } = finderFor(memoryGitHub([run(10, 0), run(90, 10)], { 10: [found] }), fetchZip);
      assert.equal(await preflightCode(finder.acquireRerunSource()), code, code);
      assert.deepEqual(requests, how.size ? [] : [found.id], `${code}: an artifact over the size limit is not even downloaded`);
    }
  });

  it('refuses a report.json over the size limit without inflating it', BOUND, async () => {
    const found = ours(1);
    const { fetchZip } = memoryZips({ [found.id]: { 'report.json': Buffer.alloc(REPORT_LIMITS.maxReportBytes + 1, 0x20) } });
    const { finder } = finderFor(memoryGitHub([run(10, 0), run(90, 10)], { 10: [found] }), fetchZip);
    await assert.rejects(finder.acquireRerunSource(), (error) => {
      assert.ok(error instanceof PreflightError, `a PreflightError, got ${String(error)}`);
      assert.equal(error.diagnostic.code, 'too-large');
      assert.match(error.diagnostic.message, /report\.json in the smoke artifact .* is 33554433 bytes, over the 33554432-byte limit for a report/);
      return true;
    });
  });

  it('never unpacks the artifact: the temp folder holds nothing afterwards, whatever the entries are called', BOUND, async (t) => {
    const found = ours(1);
    const temp = tempDir(t, 'smoke-source-temp-');
    const { fetchZip } = memoryZips({ [found.id]: { 'report.json': failedReport, '../../escaped.txt': 'x', 'failures/a/attempt-1.png': 'png' } });
    const inputs = getInputs((name) => ({ 'rerun-failed': 'true', 'github-token': 'ghs_test' })[name] ?? '', {});
    const quiet = { info() {}, warn() {}, debug() {} };
    const finder = createRerunSourceFinder(inputs, contextOf(), quiet, { api: memoryGitHub([run(10, 0), run(90, 10)], { 10: [found] }), fetchZip, env: { GITHUB_JOB: 'smoke' }, tempDir: temp });
    assert.equal((await finder.acquireRerunSource()).origin.runId, '10');
    assert.deepEqual(fs.readdirSync(temp), []);
    assert.equal(fs.existsSync(path.join(temp, '..', 'escaped.txt')), false);
  });

  it('refuses GitHub Enterprise Server and an empty token before asking GitHub anything', BOUND, async () => {
    const api = memoryGitHub([run(90, 10)], {});
    const { finder } = finderFor(api, memoryZips({}).fetchZip, { GITHUB_SERVER_URL: 'https://github.example.com' });
    assert.equal(await preflightCode(finder.acquireRerunSource()), 'ghes-not-supported');
    const inputs = getInputs((name) => ({ 'rerun-failed': 'true' })[name] ?? '', {});
    const noToken = createRerunSourceFinder(inputs, contextOf(), { info() {}, warn() {}, debug() {} }, { api, fetchZip: memoryZips({}).fetchZip, env: {}, tempDir: os.tmpdir() });
    assert.equal(await preflightCode(noToken.acquireRerunSource()), 'token-missing');
    assert.deepEqual(api.calls, []);
  });
});
