/**
 * Rerun-failed and fixtures edited or added since the source report: a result is carried over only when the
 * fixture's fingerprint matches the one that ran. By default a rerun stays failed-only and lists the others as not
 * covered by its verdict, with the command that runs them; --rerun-include failed,new,changed runs them too, and
 * each result says why it ran. A source report from before fingerprints still works, matched by id.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, type Project, shown } from '../support/cli-harness.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta'] as const;
const body = (id: string, timeout = '30s') => `url: /${id}\ntimeout: ${timeout}\nexpect:\n  visible: ["#${id}"]`;
const SUITE = fixturesYaml({ alpha: body('alpha'), bravo: body('bravo'), charlie: body('charlie') });
/** charlie edited (a longer timeout), delta added. */
const EDITED = fixturesYaml({ alpha: body('alpha'), bravo: body('bravo'), charlie: body('charlie', '45s'), delta: body('delta') });

let project: Project;
beforeEach(() => {
  project = createProject();
  project.write('fixtures/suite.smoke.yml', SUITE);
});
afterEach(() => project.remove());

describe('a rerun after fixtures were edited or added', () => {
  it('by default reruns only the failure, and lists the changed and new fixtures as not covered', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    const fingerprints = Object.fromEntries(project.report().fixtures.map((fixture) => [fixture.id, fixture.fingerprint]));
    for (const id of ['alpha', 'bravo', 'charlie']) assert.match(fingerprints[id] ?? '', /^[0-9a-f]{16}$/);

    project.write('fixtures/suite.smoke.yml', EDITED);
    setPages(site, { bravo: 'pass' });
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0, delta: 0 }, 'strictly failed-only');
    assert.equal(rerun.code, 0, shown(rerun));
    const report = project.report();
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'passed' }, 'the edited charlie is not carried over as "passed"');
    assert.equal(fixtureOf(report, 'bravo').rerunReason, 'failed');
    assert.equal(fixtureOf(report, 'alpha').fingerprint, fingerprints.alpha, 'a carried result keeps the fingerprint that ran');
    assert.deepEqual(report.notCovered, [
      { id: 'charlie', reason: 'changed', file: 'fixtures/suite.smoke.yml', line: 12 },
      { id: 'delta', reason: 'new', file: 'fixtures/suite.smoke.yml', line: 17 },
    ]);
    assert.match(rerun.stdout, /^Not covered by this verdict \(2\): new or changed since the source report, so neither rerun nor carried over:$/m);
    assert.match(rerun.stdout, /^ {2}· charlie \(changed\), delta \(new\)$/m);
    const command = `npx reliability-smoke --base-url ${site.url}/ --rerun-failed --rerun-include failed,new,changed`;
    assert.ok(rerun.stdout.includes(`\n  $ ${command}\n`), shown(rerun));
    const page = fs.readFileSync(project.reportPath().replace(/report\.json$/, 'report.html'), 'utf8');
    assert.match(page, /<h2>Not covered by this verdict \(2\)<\/h2>/);

    // The command it printed runs them (from this report, where both have no result: both are new to it).
    const next = hitsOf(site, IDS);
    const included = await project.run(command.split(' ').slice(2));
    assert.equal(included.code, 0, shown(included));
    assert.deepEqual(hitsSince(site, next), { alpha: 0, bravo: 0, charlie: 1, delta: 1 });
    const full = project.report();
    assert.equal(full.notCovered, undefined);
    assert.deepEqual(Object.keys(statusById(full)), ['alpha', 'bravo', 'charlie', 'delta'], 'one verdict for the whole suite, in suite order');
  });

  it('--rerun-include failed,new,changed runs them too, and each result says why it ran', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    project.write('fixtures/suite.smoke.yml', EDITED);
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed', '--rerun-include', 'failed,new,changed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 1, delta: 1 });
    assert.equal(rerun.code, 1, shown(rerun));
    const report = project.report();
    const reasons = Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, fixture.rerunReason ?? null]));
    assert.deepEqual(reasons, { alpha: null, bravo: 'failed', charlie: 'changed', delta: 'new' });
    assert.notEqual(fixtureOf(report, 'alpha').carriedOver, null);
    assert.equal(report.notCovered, undefined);
    assert.match(rerun.stdout, /^ {2}· Ran as new or changed since the source \(2\): charlie \(changed\), delta \(new\)$/m);
  });

  it('with nothing failed, a rerun names the changed fixtures it leaves out, and --rerun-include runs only those', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'pass', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 0, shown(first));
    project.write('fixtures/suite.smoke.yml', EDITED);
    const stopped = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.equal(stopped.code, 2, shown(stopped));
    assert.equal(project.report().preflight?.code, 'nothing-to-rerun');
    assert.match(stopped.stdout, /2 fixtures are new or changed since then and not covered: charlie \(changed\), delta \(new\)\. rerun-include: failed,new,changed \(--rerun-include failed,new,changed\) runs them\./);

    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed', '--rerun-include', 'failed,new,changed']);
    assert.equal(rerun.code, 0, shown(rerun));
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 0, charlie: 1, delta: 1 });
  });

  it('a bad --rerun-include is a usage error that says what it accepts', CLI_BOUND, async () => {
    const run = await project.run(['--rerun-failed', '--rerun-include', 'new']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /--rerun-include: must include "failed": a rerun always reruns the failed fixtures; write "failed,new"/);
  });

  it('a source report without fingerprints (an older release) still works: results are matched by id, and a warning says so', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass' });
    const first = await project.run(['--base-url', site.url]);
    assert.equal(first.code, 1, shown(first));
    const old = JSON.parse(fs.readFileSync(project.reportPath(), 'utf8')) as { fixtures: Record<string, unknown>[] };
    for (const fixture of old.fixtures) delete fixture.fingerprint;
    fs.writeFileSync(project.reportPath(), JSON.stringify(old));

    project.write('fixtures/suite.smoke.yml', EDITED);
    setPages(site, { bravo: 'pass' });
    const before = hitsOf(site, IDS);
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.deepEqual(hitsSince(site, before), { alpha: 0, bravo: 1, charlie: 0, delta: 0 });
    assert.equal(rerun.code, 0, shown(rerun));
    const report = project.report();
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'passed', charlie: 'passed' }, 'charlie carried by id, as before fingerprints');
    assert.deepEqual(report.notCovered, [{ id: 'delta', reason: 'new', file: 'fixtures/suite.smoke.yml', line: 17 }], 'a new fixture is still known');
    assert.ok(report.warnings.some((warning) => /records no fixture fingerprints \(it was written by an older release\)/.test(warning)), report.warnings.join('\n'));
  });
});
