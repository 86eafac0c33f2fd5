/**
 * Rerun-failed across a run that stopped before running anything: a typo in a fixture file stops the run (exit 2),
 * but its report carries the results before it forward, not run this time, so the next --rerun-failed (typo
 * fixed) reruns exactly the fixture that failed. And the report folder holds only the evidence its report names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie'] as const;
const body = (id: string) => `url: /${id}\ntimeout: 30s\nexpect:\n  visible: ["#${id}"]`;
const SUITE = fixturesYaml(Object.fromEntries(IDS.map((id) => [id, body(id)])));
/** The same suite with a typo in charlie: `expect` misspelt. */
const TYPO = SUITE.replace('url: /charlie\n    timeout: 30s\n    expect:', 'url: /charlie\n    timeout: 30s\n    exepct:');

let project: Project;
beforeEach(() => {
  project = createProject();
  project.write('fixtures/suite.smoke.yml', SUITE);
});
afterEach(() => project.remove());

const evidenceDir = (id: string) => path.join(project.dir, 'smoke-report', 'failures', id);

describe('a run that stops on a typo in a fixture file', () => {
  it('keeps the failed set, so the next --rerun-failed reruns exactly the failed fixture', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    assert.ok(fs.existsSync(evidenceDir('bravo')), 'the failure left its evidence');

    assert.notEqual(TYPO, SUITE, 'the typo is in the file');
    project.write('fixtures/suite.smoke.yml', TYPO);
    let before = hitsOf(site, IDS);
    const stopped = await project.run(['--base-url', site.url]);
    assert.equal(stopped.code, 2, shown(stopped));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 0 }, 'nothing ran');
    assert.match(stopped.stdout, /^Stopped before any fixture ran \(fixtures-invalid\):$/m);
    assert.match(stopped.stdout, /the 3 results of smoke-report\/report\.json are carried forward as they were \(not run this time\): a rerun still finds the 1 fixture to rerun\./);
    assert.equal(lastLine(stopped.stdout), 'RESULT: fail');
    const report = project.report();
    assert.equal(report.preflight?.code, 'fixtures-invalid');
    assert.equal(report.result, 'fail');
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'failed', charlie: 'passed' }, 'the results before it, carried forward');
    for (const id of IDS) assert.notEqual(fixtureOf(report, id).carriedOver, null, `${id} is marked as not run this time`);
    assert.equal(fs.existsSync(evidenceDir('bravo')), false, "the earlier run's evidence went with its report");

    project.write('fixtures/suite.smoke.yml', SUITE);
    setPages(site, { bravo: 'pass' });
    before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0 }, 'exactly the failed fixture ran');
    assert.equal(rerun.code, 0, shown(rerun));
    const after = project.report();
    assert.equal(after.preflight, null);
    assert.deepEqual(statusById(after), { alpha: 'passed', bravo: 'passed', charlie: 'passed' });
    assert.equal(fixtureOf(after, 'bravo').recovered, true);
    assert.equal(fixtureOf(after, 'bravo').rerunReason, 'failed');
    assert.equal(fixtureOf(after, 'alpha').carriedOver?.runId ?? null, null, 'a local run has no run id');
    assert.notEqual(fixtureOf(after, 'alpha').carriedOver, null);
  });

  it('a rerun stopped by an --artifact that cannot be read keeps the report folder\'s failed set too', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    let before = hitsOf(site, IDS);
    const stopped = await project.run(['--base-url', site.url, '--rerun-failed', '--artifact', 'elsewhere/report.json']);
    assert.equal(stopped.code, 2, shown(stopped));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 0 }, 'nothing ran');
    const report = project.report();
    assert.equal(report.preflight?.code, 'report-missing');
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'failed', charlie: 'passed' }, 'the results before it, carried forward');

    setPages(site, { bravo: 'pass' });
    before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.equal(rerun.code, 0, shown(rerun));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0 }, 'exactly the failed fixture ran');
  });

  it('with no earlier report, the stopped report holds no results, and a rerun from it says so', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass', charlie: 'pass' });
    project.write('fixtures/suite.smoke.yml', TYPO);
    const stopped = await project.run(['--base-url', site.url]);
    assert.equal(stopped.code, 2, shown(stopped));
    assert.deepEqual(project.report().fixtures, []);
    project.write('fixtures/suite.smoke.yml', SUITE);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.equal(rerun.code, 2, shown(rerun));
    assert.equal(project.report().preflight?.code, 'source-has-no-results');
  });
});

describe('evidence in the report folder', () => {
  it('only the evidence the current report names is kept: folders and files of earlier runs are removed', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'pass', charlie: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    assert.ok(fs.existsSync(evidenceDir('alpha')));
    // A leftover of some older run beside the evidence of this one.
    project.write('smoke-report/failures/charlie/attempt-3.png', 'old screenshot');

    setPages(site, { alpha: 'pass', charlie: 'fail' });
    const second = await project.run(['--base-url', site.url]);
    assert.equal(second.code, 1, shown(second));
    assert.equal(fs.existsSync(evidenceDir('alpha')), false, 'alpha passes now: its old evidence is gone');
    const named = fixtureOf(project.report(), 'charlie').attempts.flatMap((attempt) => Object.values(attempt.evidence ?? {}).filter((value) => value !== null));
    assert.ok(named.length > 0, 'charlie has evidence');
    const onDisk = fs.readdirSync(evidenceDir('charlie')).map((name) => `failures/charlie/${name}`).sort();
    assert.deepEqual(onDisk, [...named].sort(), 'exactly the files the report names');
    assert.deepEqual(fs.readdirSync(path.join(project.dir, 'smoke-report', 'failures')), ['charlie']);
  });
});
