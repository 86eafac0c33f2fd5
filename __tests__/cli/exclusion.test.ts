/**
 * Leaving fixtures out: `!pattern` and --exclude-tag narrow the selection, and `skip: "reason"` parks a fixture,
 * which is then reported as skipped with its reason everywhere (terminal, report.json, junit.xml, report.html),
 * never run, and never rerun. Real Chromium against a loopback site; the site's request counts show what ran.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixtureLine, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

const PAGES = ['home', 'search', 'legacy-cart', 'legacy-pay', 'login', 'broken'] as const;

let site: Site;
let project: Project;

before(async () => {
  site = await startSite({
    ...Object.fromEntries(PAGES.map((id) => [`/${id}`, html(`<h1 id="page">${id}</h1>`)])),
    '/broken': { status: 500, body: '<!doctype html><title>Broken</title><h1>Internal error</h1>' },
  });
});
after(() => site.close());
beforeEach(() => {
  project = createProject('smoke-exclusion-');
  project.write(
    'fixtures/shop.smoke.yml',
    fixturesYaml({
      home: 'tags: [critical]\nurl: /home',
      search: 'tags: [slow]\nurl: /search',
      'legacy-cart': 'url: /legacy-cart',
      'legacy-pay': 'tags: [critical]\nurl: /legacy-pay',
      // Parked, it needs nothing it would need to run: this variable is set nowhere.
      login: 'tags: [critical]\nurl: /login?as=${{ env.SMOKE_EXCLUSION_TEST_UNSET }}\nskip: "the login page is being rebuilt, see #123"',
      broken: 'tags: [critical]\nurl: /broken',
    }),
  );
});
afterEach(() => project.remove());

function hits(): Record<string, number> {
  return Object.fromEntries(PAGES.map((id) => [id, site.hits(`/${id}`)]));
}

function ranSince(before: Record<string, number>): string[] {
  return PAGES.filter((id) => site.hits(`/${id}`) > (before[id] ?? 0));
}

describe('excluding fixtures from the selection', () => {
  it('`!pattern` and --exclude-tag leave fixtures out; the report names them, and unmatched exclusions are warned about', CLI_BOUND, async () => {
    const before = hits();
    const run = await project.run([
      '--base-url', site.url,
      '--fixture', '!legacy-*,!brokn',
      '--exclude-tag', 'slow',
      '--exclude-tag', 'nightly',
    ]);
    assert.equal(run.code, 1, shown(run));
    assert.deepEqual(ranSince(before), ['home', 'broken'], 'the parked login page is never opened');
    const report = project.report();
    assert.equal(report.mode, 'selected');
    assert.deepEqual(report.selection.patterns, ['!legacy-*', '!brokn']);
    assert.deepEqual(report.selection.excludeTags, ['slow', 'nightly']);
    assert.deepEqual(report.selection.excluded, ['search', 'legacy-cart', 'legacy-pay']);
    assert.deepEqual(report.selection.selected, ['home', 'login', 'broken']);
    assert.deepEqual(
      report.fixtures.map((fixture) => fixture.id),
      ['home', 'login', 'broken'],
      'excluded fixtures have no result: they are named under selection.excluded',
    );
    assert.deepEqual(report.selection.missing, ['!brokn']);
    assert.match(run.stdout, /^ {2}! fixture pattern "!brokn" excludes nothing: no fixture id matches "brokn"; did you mean "!broken"\?$/m);
    assert.match(run.stdout, /^ {2}! exclude tag "nightly" is on no fixture, so it excludes nothing$/m);
  });
});

describe('a fixture parked with skip:', () => {
  it('is reported as skipped with its reason in every output, does not run, and neither passes nor fails the run', CLI_BOUND, async () => {
    const before = hits();
    const run = await project.run(['--base-url', site.url, '--tag', 'critical', '--fixture', '!broken']);
    assert.equal(run.code, 0, shown(run));
    assert.equal(lastLine(run.stdout), 'RESULT: pass');
    assert.deepEqual(ranSince(before), ['home', 'legacy-pay']);
    assert.match(fixtureLine(run.stdout, 'login'), /^ {2}- skipped\s+login\s+\(the login page is being rebuilt, see #123\)$/);
    assert.match(run.stdout, /^Summary: 3 fixtures: 2 passed, 0 failed, 0 flaky, 1 skipped in /m);
    assert.match(run.stdout, /^Skipped \(1\), parked with skip: in their files:\n {2}- login {2}fixtures\/shop\.smoke\.yml:\d+ {2}\(the login page is being rebuilt, see #123\)$/m);

    const report = project.report();
    const login = report.fixtures.find((fixture) => fixture.id === 'login');
    assert.deepEqual(
      login && { status: login.status, skipReason: login.skipReason, skippedBy: login.skippedBy, attempts: login.attempts },
      { status: 'skipped', skipReason: 'the login page is being rebuilt, see #123', skippedBy: 'fixture', attempts: [] },
    );
    assert.deepEqual([report.summary.passed, report.summary.skipped, report.result], [2, 1, 'pass']);

    const junit = fs.readFileSync(path.join(project.dir, 'smoke-report', 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase [^>]*name="login"[^>]*>(?:(?!<\/testcase>)[\s\S])*<skipped message="the login page is being rebuilt, see #123"\/>/);
    const htmlReport = fs.readFileSync(path.join(project.dir, 'smoke-report', 'report.html'), 'utf8');
    assert.match(htmlReport, /Skipped \(parked with skip: in its file\): the login page is being rebuilt, see #123/);
  });

  it('is listed with its reason by a dry run, in plan.json', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--dry-run', '--tag', 'critical', '--fixture', '!broken']);
    assert.equal(run.code, 0, shown(run));
    assert.deepEqual(
      project.plan().fixtures.map((fixture) => [fixture.id, fixture.skip]),
      [['home', null], ['legacy-pay', null], ['login', 'the login page is being rebuilt, see #123']],
    );
    assert.match(run.stdout, /^ {2}login\s+fixtures\/shop\.smoke\.yml:\d+\s+\[critical\]\s+skipped: the login page is being rebuilt, see #123$/m);
    assert.match(run.stdout, /^Dry run: 2 fixtures would run, 1 skipped, mode selected\./m);
    assert.equal(lastLine(run.stdout), 'PLAN: 2 fixtures would run, 1 skipped');
  });

  it('is not in the failed set: a rerun runs the failures again, not the parked fixture', CLI_BOUND, async () => {
    const first = await project.run(['--base-url', site.url, '--tag', 'critical']);
    assert.equal(first.code, 1, shown(first));
    const before = hits();
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.equal(rerun.code, 1, shown(rerun));
    assert.deepEqual(ranSince(before), ['broken']);
    assert.deepEqual(project.report().selection.selected, ['broken']);
  });

  it('with shards, is listed as skipped by the one shard that owns it, and the merge keeps it skipped', CLI_BOUND, async () => {
    const shards = [];
    for (const index of [1, 2]) {
      const run = await project.run(['--base-url', site.url, '--tag', 'critical', '--fixture', '!broken', '--shard', `${index}/2`, '--report-dir', `shard-${index}`]);
      assert.equal(run.code, 0, shown(run));
      shards.push(project.report(`shard-${index}`));
    }
    const owners = shards.filter((report) => report.fixtures.some((fixture) => fixture.id === 'login'));
    assert.equal(owners.length, 1, 'exactly one shard lists the parked fixture');
    const listed = owners[0]?.fixtures.find((fixture) => fixture.id === 'login');
    assert.deepEqual([listed?.status, listed?.skippedBy, listed?.skipReason], ['skipped', 'fixture', 'the login page is being rebuilt, see #123']);
    assert.deepEqual(shards.flatMap((report) => report.fixtures.map((fixture) => fixture.id)).sort(), ['home', 'legacy-pay', 'login']);

    const merged = await project.run(['--merge', 'shard-1', '--merge', 'shard-2', '--report-dir', 'merged']);
    assert.equal(merged.code, 0, shown(merged));
    const report = project.report('merged');
    assert.deepEqual([report.result, report.summary.passed, report.summary.skipped], ['pass', 2, 1]);
    assert.equal(report.fixtures.find((fixture) => fixture.id === 'login')?.skippedBy, 'fixture');
  });

  it('a run whose every selected fixture is parked stops with all-skipped instead of passing, and still lists them', CLI_BOUND, async () => {
    const before = hits();
    const run = await project.run(['--base-url', site.url, '--fixture', 'login']);
    assert.equal(run.code, 2, shown(run));
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    assert.deepEqual(ranSince(before), []);
    const report = project.report();
    assert.equal(report.preflight?.code, 'all-skipped');
    assert.match(report.preflight?.message ?? '', /^The one selected fixture is parked with skip:, so nothing would be checked\./);
    assert.deepEqual(report.preflight?.problems, [`fixtures/shop.smoke.yml:${report.fixtures[0]?.line} login: skipped: the login page is being rebuilt, see #123`]);
    assert.deepEqual(
      report.fixtures.map((fixture) => [fixture.id, fixture.status, fixture.skippedBy, fixture.skipReason]),
      [['login', 'skipped', 'fixture', 'the login page is being rebuilt, see #123']],
    );
    assert.equal(report.result, 'fail');
  });

  it('a run stopped that way keeps the failed set of the run before it, beside the parked fixture', CLI_BOUND, async () => {
    const first = await project.run(['--base-url', site.url, '--tag', 'critical']);
    assert.equal(first.code, 1, shown(first));
    const stopped = await project.run(['--base-url', site.url, '--fixture', 'login']);
    assert.equal(stopped.code, 2, shown(stopped));
    const report = project.report();
    assert.equal(report.preflight?.code, 'all-skipped');
    const statuses = Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, [fixture.status, fixture.carriedOver ? 'carried' : 'own']]));
    assert.deepEqual(statuses, {
      login: ['skipped', 'own'],
      home: ['passed', 'carried'],
      'legacy-pay': ['passed', 'carried'],
      broken: ['failed', 'carried'],
    });
    const before = hits();
    const rerun = await project.run(['--base-url', site.url, '--rerun-failed']);
    assert.equal(rerun.code, 1, shown(rerun));
    assert.deepEqual(ranSince(before), ['broken'], 'the failure of the run before the stop is rerun');
  });
});
