/**
 * History and quarantine in the CLI: the history comes from the report the last run left in the report folder
 * (read before it is replaced), or from `--history-from PATH`; `--quarantine auto` passes a flaky failure and says
 * so; a dry run leaves the history where it is; bad values are usage or configuration errors.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { stripOf } from '../../src/history/flake-rate.ts';
import type { Report } from '../../src/report/schema.ts';
import { CLI_BOUND, createProject, fixturesYaml, gitInit, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { fixtureSite, type PageState, setPages, type Site } from '../support/site.ts';

const page = (id: string, extra = '') => `url: /${id}\ntimeout: 30s\n${extra}expect:\n  status: 200\n  visible: ["#${id}"]`;
const SUITE = fixturesYaml({ steady: page('steady'), wobbly: page('wobbly') });
/** Seven CLI runs with a browser. */
const CHAIN_BOUND = { timeout: 7 * CLI_BOUND.timeout };

let project: Project;
beforeEach(() => {
  project = createProject();
  project.write('fixtures/suite.smoke.yml', SUITE);
  gitInit(project);
});
afterEach(() => project.remove());

const stripIn = (report: Report, id: string) => stripOf(report.history?.fixtures.find((fixture) => fixture.id === id)?.outcomes ?? []);

async function runWith(site: Site, wobbly: PageState, extra: string[] = []) {
  setPages(site, { steady: 'pass', wobbly });
  return project.run(['--base-url', site.url, ...extra]);
}

describe('history and quarantine in the CLI', () => {
  it('the report folder carries the history from run to run, and --quarantine auto passes a proven flake', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'pass' });

    const first = await runWith(site, 'pass');
    assert.equal(first.code, 0, shown(first));
    assert.equal(first.stderr.match(/history starts afresh/g)?.length, 1, shown(first));
    assert.match(first.stderr, /there is no earlier report at smoke-report\/report\.json/);

    // A failure and a pass of the same commit, twice: 2 flakes in 5 runs.
    const schedule: PageState[] = ['fail', 'pass', 'fail', 'pass'];
    for (const wobbly of schedule) {
      const run = await runWith(site, wobbly);
      assert.equal(run.code, wobbly === 'fail' ? 1 : 0, shown(run));
      assert.doesNotMatch(run.stderr, /history starts afresh/, shown(run));
    }
    assert.equal(stripIn(project.report(), 'wobbly'), '✓✗✓✗✓');

    // A dry run writes plan.json only: the history stays in report.json, untouched.
    const before = fs.readFileSync(project.reportPath(), 'utf8');
    const dry = await project.run(['--base-url', site.url, '--dry-run']);
    assert.equal(dry.code, 0, shown(dry));
    assert.match(dry.stderr, /fixture history it carries, stay as the last run left them/);
    assert.equal(fs.readFileSync(project.reportPath(), 'utf8'), before);

    const quarantined = await runWith(site, 'fail', ['--quarantine', 'auto']);
    assert.equal(quarantined.code, 0, shown(quarantined));
    assert.equal(lastLine(quarantined.stdout), 'RESULT: pass');
    assert.match(quarantined.stdout, /QUARANTINED \(1, 1 failed\): they ran, but their failures do not fail the run:/);
    assert.match(quarantined.stdout, /! wobbly {2}failed {2}✓✗✓✗✓✗ {2}\(automatic: flake rate 40% over 5 runs\)/);
    assert.match(quarantined.stdout, /Flakiest fixtures over their history/);
    assert.match(quarantined.stdout, /wobbly +33% of 6 runs {2}✓✗✓✗✓✗/);
    const report = project.report();
    assert.equal(report.result, 'pass');
    assert.deepEqual(report.quarantine, { mode: 'auto', threshold: 0.2, fixtures: [{ id: 'wobbly', reason: 'auto', rate: 0.4, runs: 5 }] });
    assert.equal(stripIn(report, 'steady'), '✓✓✓✓✓✓');

    // The same failure without quarantine fails, and a higher threshold does not quarantine it.
    const strict = await runWith(site, 'fail', ['--quarantine', 'auto', '--quarantine-threshold', '0.5']);
    assert.equal(strict.code, 1, shown(strict));
    assert.deepEqual(project.report().quarantine?.fixtures, []);
  });

  it('--history-from reads another report; an unreadable one starts afresh with a warning and never fails the run', CLI_BOUND, async (t) => {
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'pass' });
    assert.equal((await runWith(site, 'pass', ['--report-dir', 'nightly'])).code, 0);
    const fromNightly = await runWith(site, 'pass', ['--history-from', 'nightly/report.json']);
    assert.equal(fromNightly.code, 0, shown(fromNightly));
    assert.doesNotMatch(fromNightly.stderr, /history starts afresh/);
    assert.equal(stripIn(project.report(), 'steady'), '✓✓');

    project.write('broken.json', '{"schemaVersion": 99, "tool": {"name": "reliability-smoke"}}');
    const broken = await runWith(site, 'pass', ['--history-from', 'broken.json']);
    assert.equal(broken.code, 0, shown(broken));
    assert.equal(broken.stderr.match(/history starts afresh/g)?.length, 1, shown(broken));
    assert.match(broken.stderr, /schemaVersion/);
    assert.equal(stripIn(project.report(), 'steady'), '✓');
  });

  it('a fixture with quarantine: true never fails the run, whatever --quarantine says', CLI_BOUND, async (t) => {
    project.write('fixtures/suite.smoke.yml', fixturesYaml({ steady: page('steady'), wobbly: page('wobbly', 'quarantine: true\n') }));
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'fail' });
    const run = await runWith(site, 'fail');
    assert.equal(run.code, 0, shown(run));
    assert.match(run.stdout, /! wobbly {2}failed {2}✗ {2}\(quarantine: true in its fixture \(no history yet\)\)/);
    assert.deepEqual(project.report().quarantine?.fixtures, [{ id: 'wobbly', reason: 'manual', rate: null, runs: 0 }]);
  });

  it("a merge of shards joins the shards' histories, and the next shards carry them on", { timeout: 6 * CLI_BOUND.timeout }, async (t) => {
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'fail' });
    const round = async (extra: string[], code: number) => {
      for (const index of [1, 2]) {
        const shard = await project.run(['--base-url', site.url, '--shard', `${index}/2`, '--report-dir', `shards/shard-${index}`, ...extra]);
        assert.ok(shard.code <= 1, shown(shard));
      }
      const merge = await project.run(['--merge', 'shards', '--report-dir', 'merged']);
      assert.equal(merge.code, code, shown(merge));
      return project.report('merged');
    };
    const first = await round([], 1);
    assert.deepEqual(first.history?.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]).sort(), [
      ['steady', '✓'],
      ['wobbly', '✗'],
    ]);
    setPages(site, { wobbly: 'pass' });
    const second = await round(['--history-from', 'merged/report.json'], 0);
    assert.deepEqual(second.history?.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]).sort(), [
      ['steady', '✓✓'],
      ['wobbly', '✗✓'],
    ]);
  });

  it('bad values are usage or configuration errors, reported at once', CLI_BOUND, async () => {
    const usage = await project.run(['--base-url', 'http://127.0.0.1:9', '--quarantine', 'sometimes', '--quarantine-threshold', '0']);
    assert.equal(usage.code, 2, shown(usage));
    assert.match(usage.stderr, /--quarantine: must be "off" or "auto", not "sometimes"/);
    assert.match(usage.stderr, /--quarantine-threshold: must be a number greater than 0 and at most 1, such as 0\.2 \(one run in five\), not "0"/);

    project.write('fixtures/suite.smoke.yml', fixturesYaml({ steady: page('steady', 'quarantine: "yes"\n') }));
    const config = await project.run(['--base-url', 'http://127.0.0.1:9']);
    assert.equal(config.code, 2, shown(config));
    assert.match(config.stdout + config.stderr, /quarantine/);
    assert.equal(project.report().preflight?.code, 'fixtures-invalid');
  });
});
