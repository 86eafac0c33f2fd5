/**
 * The report: a dry run writes plan.json with what would run and never overwrites report.json, the file a
 * later rerun reads. It runs nothing: the site sees no request.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

const SUITE = fixturesYaml({
  home: 'title: The home page\ntags: [critical]\nurl: /\nexpect:\n  visible: ["#hello"]',
  search: 'url: /search?q=shoes\nretries: 2\ntimeout: 20s',
  broken: 'url: /broken\ntimeout: 2s\nexpect:\n  visible: ["#never"]',
  external: 'url: https://example.com/status\ntags: [critical]',
});

let site: Site;
let project: Project;
/** report.json of a real run in which broken failed, copied into each project. */
let lastReport: Buffer;

before(async () => {
  site = await startSite({ '/': html('<h1 id="hello">Hello</h1>'), '/search': html('<p>3 shoes</p>'), '/broken': html('<p>broken</p>') });
  const seed = createProject();
  try {
    seed.write('fixtures/site.smoke.yml', SUITE.replace(/ {2}- id: external[^]*$/, ''));
    const run = await seed.run(['--base-url', site.url]);
    assert.equal(run.code, 1, shown(run));
    lastReport = fs.readFileSync(seed.reportPath());
  } finally {
    seed.remove();
  }
});
after(() => site.close());
beforeEach(() => {
  project = createProject();
  project.write('fixtures/site.smoke.yml', SUITE);
  project.write('smoke-report/report.json', lastReport);
});
afterEach(() => project.remove());

function assertReportUntouched(): void {
  assert.deepEqual(fs.readFileSync(project.reportPath()), lastReport, 'report.json is byte-for-byte what the last run wrote');
  assert.equal(fs.existsSync(`${project.dir}/smoke-report/junit.xml`), false, 'no junit.xml either');
}

describe('--dry-run', () => {
  it('writes plan.json with the selected fixtures and their resolved URLs, runs nothing, and keeps report.json', CLI_BOUND, async () => {
    const hits = site.hits();
    const run = await project.run(['--base-url', `${site.url}/shop`, '--dry-run', '--tag', 'critical', '--fixture', 'home,search,external']);
    assert.equal(run.code, 0, shown(run));
    assert.equal(site.hits(), hits, 'the site saw no request');
    assert.match(run.stdout, /^Dry run: 2 fixtures would run, mode selected\. Nothing was run, so nothing is judged\.$/m);
    assert.match(run.stdout, /^ {2}home {6}fixtures\/site\.smoke\.yml:2 {3}\[critical\] {2}id "home", tag "critical"$/m);
    assert.match(run.stdout, /^ {2}external {2}fixtures\/site\.smoke\.yml:17 {2}\[critical\] {2}id "external", tag "critical"$/m);
    assert.match(run.stdout, new RegExp(`^Plan written to ${project.dir}/smoke-report/plan\\.json$`, 'm'));
    assert.doesNotMatch(run.stdout, /RESULT/, 'nothing was judged');
    assert.equal(lastLine(run.stdout), 'PLAN: 2 fixtures would run');
    const plan = project.plan();
    assert.equal(plan.dryRun, true);
    assert.equal(plan.mode, 'selected');
    assert.equal(plan.baseUrl, `${site.url}/shop/`);
    assert.deepEqual(plan.selection.selected, ['home', 'external']);
    assert.deepEqual(
      plan.fixtures.map((fixture) => ({ id: fixture.id, url: fixture.url, file: fixture.file, line: fixture.line })),
      [
        { id: 'home', url: `${site.url}/`, file: 'fixtures/site.smoke.yml', line: 2 },
        { id: 'external', url: 'https://example.com/status', file: 'fixtures/site.smoke.yml', line: 17 },
      ],
    );
    assertReportUntouched();
  });

  it('lists why each fixture was selected and every warning the run would give, in plan.json too', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--dry-run', '--fixture', 'h*,nothing-like-this', '--tag', 'critical,nightly', '--sample', '1']);
    assert.equal(run.code, 0, shown(run));
    const plan = project.plan();
    assert.deepEqual(
      plan.fixtures.map((fixture) => [fixture.id, fixture.reason, fixture.timeoutMs, fixture.expectTimeoutMs]),
      [['home', 'id matches "h*", tag "critical", sampled 1 of 1', 30_000, 5_000]],
    );
    assert.deepEqual(plan.warnings, [
      'fixture pattern "nothing-like-this" matches no fixture id; check the spelling, or use a glob such as "nothing-like-this*"',
      'tag "nightly" is on no fixture',
    ]);
    const warnings = run.stdout.slice(run.stdout.indexOf('Warnings:'));
    assert.match(warnings, /^ {2}! fixture pattern "nothing-like-this" matches no fixture id/m);
    assert.match(warnings, /^ {2}! tag "nightly" is on no fixture$/m);
    assert.equal(lastLine(run.stdout), 'PLAN: 1 fixture would run');
    assertReportUntouched();
  });

  it('with no selection, every fixture is there because the run takes all of them', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--dry-run', '--expect-timeout', '2s']);
    assert.equal(run.code, 0, shown(run));
    const plan = project.plan();
    assert.deepEqual(new Set(plan.fixtures.map((fixture) => fixture.reason)), new Set(['all fixtures']));
    assert.deepEqual(plan.fixtures.map((fixture) => fixture.expectTimeoutMs), [2_000, 2_000, 2_000, 2_000]);
    assert.deepEqual(plan.warnings, []);
    assert.doesNotMatch(run.stdout, /Warnings:/);
    assert.equal(lastLine(run.stdout), 'PLAN: 4 fixtures would run');
  });

  it('a shard says which part of the selection it plans', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--dry-run', '--tag', 'critical', '--shard', '1/1']);
    assert.equal(run.code, 0, shown(run));
    assert.deepEqual(
      project.plan().fixtures.map((fixture) => [fixture.id, fixture.reason]),
      [['home', 'tag "critical", in shard 1 of 1'], ['external', 'tag "critical", in shard 1 of 1']],
    );
  });

  it('with --serve, each fixture is planned at its path on the served site', CLI_BOUND, async () => {
    project.write('build/index.html', '<h1 id="hello">Hello</h1>');
    const run = await project.run(['--serve', 'build', '--dry-run', '--fixture', 'home,search']);
    assert.equal(run.code, 0, shown(run));
    const plan = project.plan();
    assert.equal(plan.baseUrl, '(served from build)');
    assert.deepEqual(
      plan.fixtures.map((fixture) => [fixture.id, fixture.url, fixture.retries, fixture.timeoutMs]),
      [['home', '/', 0, 30_000], ['search', '/search?q=shoes', 2, 20_000]],
    );
    assertReportUntouched();
  });

  it('with --rerun-failed, plans exactly the failures of report.json and leaves that report for the real rerun', CLI_BOUND, async () => {
    const hits = site.hits();
    const run = await project.run(['--base-url', site.url, '--rerun-failed', '--dry-run']);
    assert.equal(run.code, 0, shown(run));
    assert.equal(site.hits(), hits);
    const plan = project.plan();
    assert.equal(plan.mode, 'rerun-failed');
    assert.deepEqual(plan.selection.selected, ['broken']);
    assert.equal(plan.fixtures[0]?.reason, 'failed in the previous run');
    assert.match(run.stdout, /^ {2}broken {2}fixtures\/site\.smoke\.yml:\d+ {2}- {2}failed in the previous run$/m);
    assertReportUntouched();
  });

  it('a dry run that cannot plan says why on stderr, exits 2, and writes nothing', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--dry-run', '--tag', 'nightly']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /^warning: nothing-selected: No fixture matches the selection, so nothing would run\.$/m);
    assert.match(run.stderr, /^warning: {3}tag "nightly" is on no fixture$/m);
    assert.equal(lastLine(run.stdout), 'PLAN: none, the dry run could not be planned');
    assert.equal(fs.existsSync(`${project.dir}/smoke-report/plan.json`), false);
    assertReportUntouched();
  });

  it('a dry run of a rerun with nothing to rerun passes under --if-nothing-to-rerun pass', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', SUITE.replace('id: broken', 'id: fixed'));
    const run = await project.run(['--base-url', site.url, '--rerun-failed', '--dry-run', '--if-nothing-to-rerun', 'pass']);
    assert.equal(run.code, 0, shown(run));
    assert.match(run.stderr, /failed-fixtures-gone: Nothing to rerun: the fixtures that failed in smoke-report\/report\.json no longer exist: broken\./);
    assert.equal(lastLine(run.stdout), 'PLAN: nothing would run');
    assertReportUntouched();
  });
});
