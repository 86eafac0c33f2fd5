/**
 * Rerun-failed: the CLI side: `--rerun-failed` reruns exactly the fixtures that failed in the last report
 * (the site's request counts prove which ran), carries the rest over when the git commit is the same (or when
 * there is no git repository), carries nothing over when the commit moved, and marks recovered fixtures. A rerun
 * that stops early still keeps the failures in its report, so the next rerun finds them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  CLI_BOUND,
  createProject,
  fixtureLine,
  fixturesYaml,
  gitCommit,
  gitInit,
  lastLine,
  type Project,
  shown,
} from '../support/cli-harness.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hang, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta'] as const;

const SUITE = fixturesYaml(
  Object.fromEntries(IDS.map((id) => [id, `url: /${id}\ntimeout: 30s\nexpect:\n  visible: ["#${id}"]`])),
);

let project: Project;
beforeEach(() => {
  project = createProject();
  project.write('fixtures/suite.smoke.yml', SUITE);
});
afterEach(() => project.remove());


describe('rerun-failed on the same commit', () => {
  it('reruns only the failed fixtures, carries the rest over, and marks the recovered one', CLI_BOUND, async (t) => {
    const sha = gitInit(project);
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'fail', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));

    setPages(site, { bravo: 'pass' });
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 0 }, 'only the failed fixtures ran');
    assert.equal(rerun.code, 1, shown(rerun));
    assert.match(fixtureLine(rerun.stdout, 'bravo'), /✓ passed .*\(recovered\)/);
    assert.match(fixtureLine(rerun.stdout, 'charlie'), /✗ FAILED .*navigation: .*HTTP 500/);
    assert.match(rerun.stdout, /^Summary: 4 fixtures: 3 passed, 1 failed, 0 flaky, 0 skipped \(2 carried over, 1 recovered\) in .*, mode rerun-failed$/m);
    assert.match(rerun.stdout, /^Rerun of smoke-report\/report\.json$/m);
    assert.match(rerun.stdout, new RegExp(`Same commit as the source report \\(${sha.slice(0, 7)}\\): 2 results carried over`));
    assert.match(rerun.stdout, /^ {2}· Recovered \(1\): bravo$/m);
    assert.match(rerun.stdout, /^ {2}· Still failing \(1\): charlie$/m);
    assert.match(rerun.stdout, /^ {2}· Carried over \(2\): alpha \(passed\), delta \(passed\)$/m);
    assert.equal(lastLine(rerun.stdout), 'RESULT: fail');

    const report = project.report();
    assert.equal(report.mode, 'rerun-failed');
    assert.deepEqual(report.selection.selected, ['bravo', 'charlie']);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.id), [...IDS], 'the whole suite, in suite order');
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'passed', charlie: 'failed', delta: 'passed' });
    assert.deepEqual(fixtureOf(report, 'alpha').carriedOver, { runId: null, runAttempt: null, artifactName: null, sha });
    assert.equal(fixtureOf(report, 'bravo').carriedOver, null);
    assert.equal(fixtureOf(report, 'bravo').recovered, true);
    assert.equal(fixtureOf(report, 'charlie').recovered, false);
    assert.equal(report.selection.source?.sha, sha);
    assert.equal(report.selection.source?.path, 'smoke-report/report.json');
    assert.equal(report.selection.source?.carryOver, true);

    setPages(site, { charlie: 'pass' });
    const again = hitsOf(site, IDS);
    const last = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, again), { alpha: 0, bravo: 0, charlie: 1, delta: 0 }, 'a rerun of a rerun runs what still failed');
    assert.equal(last.code, 0, shown(last));
    assert.equal(lastLine(last.stdout), 'RESULT: pass');
    const green = project.report();
    assert.equal(green.result, 'pass');
    assert.equal(green.summary.total, 4, 'one verdict for the whole suite');
    assert.equal(green.summary.passed, 4);
  });
});

describe('rerun-failed when the commit is not the same', () => {
  it('after a new commit nothing is carried over, and the report and the output say so', CLI_BOUND, async (t) => {
    const firstSha = gitInit(project);
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    const secondSha = gitCommit(project, 'a fix, maybe');

    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0, delta: 0 });
    assert.equal(rerun.code, 1, shown(rerun));
    const note =
      `Nothing carried over: the source report is for commit ${firstSha.slice(0, 7)}, this run is for ` +
      `${secondSha.slice(0, 7)}.`;
    assert.ok(rerun.stdout.includes(note), shown(rerun));
    assert.match(rerun.stdout, /^Summary: 1 fixture: 0 passed, 1 failed, 0 flaky, 0 skipped in .*, mode rerun-failed$/m);
    const report = project.report();
    assert.deepEqual(report.fixtures.map((fixture) => fixture.id), ['bravo'], 'only the rerun fixture');
    assert.equal(report.selection.source?.carryOver, false);
    assert.ok(report.selection.source?.carryOverNote.startsWith(note));
    assert.equal(report.run.sha, secondSha);
  });

  it('outside a git repository the commit is unknown, so results are carried over by fixture id and fingerprint', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass', charlie: 'fail', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    assert.equal(project.report().run.sha, null, 'a temp folder is not in a git repository');

    setPages(site, { charlie: 'pass' });
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 1, delta: 0 });
    assert.equal(rerun.code, 0, shown(rerun));
    assert.match(rerun.stdout, /The commit of the source report is unknown \(local run\), so results were matched by fixture id and definition \(fingerprint\): 3 results carried over/);
    const report = project.report();
    assert.equal(report.result, 'pass');
    assert.equal(report.summary.carriedOver, 3);
    assert.equal(report.summary.recovered, 1);
  });
});

describe('rerun-failed and the command line', () => {
  it('--fixture together with --rerun-failed is a usage error that writes nothing', CLI_BOUND, async () => {
    const previous = project.write('smoke-report/report.json', '{"kept": true}\n');
    const run = await project.run(['--base-url', 'http://127.0.0.1:9/', '--rerun-failed', '--fixture', 'alpha']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /^error: --rerun-failed and --fixture cannot be combined: a rerun runs exactly the fixtures that failed last time\./m);
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
    assert.equal(fs.readFileSync(previous, 'utf8'), '{"kept": true}\n');
  });

  it('the printed next-attempt command reruns from the same --report-dir', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'pass', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url, '--report-dir', 'out/smoke']);
    assert.equal(first.code, 1, shown(first));
    const printed = /^ {2}\$ (npx reliability-smoke .* --rerun-failed)$/m.exec(first.stdout)?.[1];
    assert.equal(printed, `npx reliability-smoke --base-url ${site.url}/ --report-dir out/smoke --rerun-failed`);

    const before = hitsOf(site, IDS);
    const rerun = await project.run(printed.split(' ').slice(2));
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0, delta: 0 }, 'it read out/smoke/report.json');
    assert.equal(rerun.code, 1, shown(rerun));
    assert.equal(project.report('out/smoke').selection.source?.path, 'out/smoke/report.json');
    assert.equal(fs.existsSync(project.reportPath()), false, 'nothing went to the default smoke-report/');
  });
});

describe('rerun-failed after an interrupted run', () => {
  it('also runs the fixtures the interruption skipped, so a green verdict covers fixtures that really ran', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass', charlie: 'pass', delta: 'pass' });
    site.route('/bravo', hang());
    const controller = new AbortController();
    void site.waitForHit('/bravo').then(() => controller.abort());
    const first = await project.run(['--base-url', site.url, '--concurrency', '1'], { signal: controller.signal });
    assert.equal(lastLine(first.stdout), 'RESULT: fail', shown(first));
    const interrupted = project.report();
    assert.equal(interrupted.interrupted?.reason, 'cancelled');
    assert.deepEqual(statusById(interrupted), { alpha: 'passed', bravo: 'failed', charlie: 'skipped', delta: 'skipped' });

    setPages(site, { bravo: 'pass' });
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 1 }, 'the failed one and the two that never ran');
    assert.equal(rerun.code, 0, shown(rerun));
    const report = project.report();
    assert.deepEqual(report.selection.selected, ['bravo', 'charlie', 'delta']);
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'passed', charlie: 'passed', delta: 'passed' });
    assert.equal(fixtureOf(report, 'alpha').carriedOver?.sha, null);
    assert.equal(fixtureOf(report, 'bravo').recovered, true);
  });
});

describe('a rerun that stops before running keeps the failures it was given', () => {
  it('a bad --browser-path rewrites report.json with the failures carried over, and the next rerun still finds them', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'fail', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));

    const before = hitsOf(site, IDS);
    const stopped = await project.run(['--base-url', site.url, '--rerun-failed', '--browser-path', `${project.dir}/no-chrome`]);
    assert.equal(stopped.code, 2, shown(stopped));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 0, delta: 0 });
    assert.equal(lastLine(stopped.stdout), 'RESULT: fail');
    const kept = project.report();
    assert.equal(kept.preflight?.code, 'browser-not-found');
    assert.deepEqual(statusById(kept), { alpha: 'passed', bravo: 'failed', charlie: 'failed', delta: 'passed' });
    assert.ok(kept.fixtures.every((fixture) => fixture.carriedOver !== null), 'every result is marked as carried over');

    setPages(site, { bravo: 'pass', charlie: 'pass' });
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 0 }, 'the failures were still there to rerun');
    assert.equal(rerun.code, 0, shown(rerun));
    assert.deepEqual(statusById(project.report()), { alpha: 'passed', bravo: 'passed', charlie: 'passed', delta: 'passed' });
    assert.equal(project.report().summary.recovered, 2);
  });
});
