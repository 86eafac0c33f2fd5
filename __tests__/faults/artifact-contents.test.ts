/**
 * Fault: the smoke artifact a rerun downloads is not what it should be: a corrupt zip, a zip without report.json,
 * a zip bomb, a report.json past the size limit. Each stops the rerun before any fixture runs, with its own stop
 * code and a message that names the artifact and what is wrong with it; the step fails with every output set and
 * uploads its own report saying why. The zip reader's own cases are in rerun/zip-entry.unit.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { REPORT_LIMITS } from '../../src/report/limits.ts';
import { addRun, artifactNameFor, artifactOf, builtReport, reportOf, runIds, shaOf, step, uploadedReport } from '../support/action-rerun.ts';
import type { AddArtifactOptions, GitHubService } from '../support/github-service/index.ts';
import { zipFiles } from '../support/github-service/zip.ts';
import { logOf, startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureSite } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const IDS = ['alpha', 'bravo'] as const;
const BOUND = { timeout: 180_000 };

/** Reruns from an earlier run of its own branch whose smoke artifact is `artifact`, and checks the stop. */
async function rerunFrom(t: TestContext, label: string, artifact: Omit<AddArtifactOptions, 'name'>, code: string, message: RegExp) {
  const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass' });
  const [earlier = 0, current = 0] = runIds(2);
  addRun(service, { id: earlier, branch: `faults/${label}`, sha: shaOf(label), minute: 0 });
  addRun(service, { id: current, branch: `faults/${label}`, sha: shaOf(label), status: 'in_progress', minute: 10 });
  await service.addArtifact(earlier, { name: artifactNameFor(1), ...artifact });
  const run = await step(service, { runId: current, site, ids: IDS, inputs: { 'rerun-failed': 'true' } });
  assert.ok(run.failure, `the step fails${logOf(run)}`);
  assert.equal(site.hits(), 0, 'no fixture ran');
  for (const name of Object.values(Outputs)) assert.ok(name in run.outputs, `output ${name} is set`);
  assert.equal(run.outputs[Outputs.Result], 'fail');
  const written = reportOf(run);
  assert.equal(written.preflight?.code, code, written.preflight?.message);
  assert.match(written.preflight?.message ?? '', new RegExp(`"${artifactNameFor(1)}" of run ${earlier}`));
  assert.match(written.preflight?.message ?? '', message);
  assert.match(run.failure, message);
  const uploaded = await uploadedReport(service, artifactOf(service, current, artifactNameFor(1)));
  assert.deepEqual(uploaded.preflight, written.preflight, 'the report saying why was uploaded');
}

/** A zip whose report.json says it inflates to `claimed` bytes: the local and central headers both lie. */
function lyingAboutSize(zip: Buffer, claimed: number): Buffer {
  const bytes = Buffer.from(zip);
  bytes.writeUInt32LE(claimed, 22);
  const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bytes.writeUInt32LE(claimed, central + 24);
  return bytes;
}

describe('a downloaded smoke artifact that cannot be used', () => {
  it('is not a zip at all', BOUND, async (t) => {
    await rerunFrom(t, 'not-a-zip', { zip: Buffer.from('<html><body>Service Unavailable</body></html>') }, 'artifact-unreadable', /no end of central directory record/);
  });

  it('is a zip cut short', BOUND, async (t) => {
    const whole = zipFiles({ 'report.json': builtReport({ ids: { alpha: 'failed', bravo: 'passed' }, runId: 1, sha: shaOf('cut') }) });
    await rerunFrom(t, 'cut-short', { zip: whole.subarray(0, whole.length - 40) }, 'artifact-unreadable', /no end of central directory record|corrupt/);
  });

  it('holds no report.json', BOUND, async (t) => {
    await rerunFrom(t, 'no-report', { files: { 'junit.xml': '<testsuites/>', 'report.html': '<!doctype html>' } }, 'report-missing', /holds no report\.json at its root \(it holds junit\.xml, report\.html\)/);
  });

  it('holds a report.json past the size limit, refused by its size before anything is inflated', BOUND, async (t) => {
    const oversized = `{"schemaVersion":1,"padding":"${' '.repeat(REPORT_LIMITS.maxReportBytes)}"}`;
    await rerunFrom(t, 'oversized', { files: { 'report.json': oversized } }, 'too-large', new RegExp(`is \\d+ bytes, over the ${REPORT_LIMITS.maxReportBytes}-byte limit for a report, so it was not read`));
  });

  it('is a zip bomb: report.json claims 2 bytes and inflates to 256 MiB, and inflating stops at the limit', BOUND, async (t) => {
    const bomb = lyingAboutSize(zipFiles({ 'report.json': Buffer.alloc(256 * 1024 * 1024, 0x20) }), 2);
    assert.ok(bomb.length < 1024 * 1024, `a ${bomb.length}-byte bomb`);
    const rss = process.memoryUsage().rss;
    await rerunFrom(t, 'bomb', { zip: bomb }, 'too-large', /inflates to more than the \d+-byte limit/);
    // The step runs in this process: had it inflated the bomb, this process would have held 256 MiB more.
    assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, 'the bomb was not inflated');
  });
});
