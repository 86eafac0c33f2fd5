/**
 * Sharding in the CLI: `--shard i/n` runs one part (balanced by `--history-from`, else by count), `--merge PATH`
 * merges the shard reports into one report and verdict, a rerun's shards carry over through the merge, and every
 * bad combination is a usage error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { fixtureOf, statusById } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, setPages } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'] as const;
const SUITE = fixturesYaml(Object.fromEntries(IDS.map((id) => [id, `url: /${id}\ntimeout: 30s\nexpect:\n  visible: ["#${id}"]`])));
/** Three shards and a merge, each a CLI run with a browser. */
const MATRIX_BOUND = { timeout: 4 * CLI_BOUND.timeout };

let project: Project;
beforeEach(() => {
  project = createProject();
  project.write('fixtures/suite.smoke.yml', SUITE);
});
afterEach(() => project.remove());

async function shards(url: string, total: number, dir: string, extra: string[] = []) {
  const runs = [];
  for (let index = 1; index <= total; index++) {
    runs.push(await project.run(['--base-url', url, '--shard', `${index}/${total}`, '--report-dir', `${dir}/shard-${index}`, ...extra]));
  }
  return runs;
}

describe('--shard and --merge', () => {
  it('three shards run every fixture once between them; --merge gives one report and one verdict', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'pass', bravo: 'fail', charlie: 'pass', delta: 'pass', echo: 'pass' });
    const before = hitsOf(site, IDS);
    const runs = await shards(site.url, 3, 'shards');
    assert.deepEqual(hitsSince(site, before), Object.fromEntries(IDS.map((id) => [id, 1])));
    for (const run of runs) assert.match(run.stdout, /Shard \d of 3: \d of 5 fixtures, balanced by count/, shown(run));

    const merge = await project.run(['--merge', 'shards', '--report-dir', 'merged']);
    assert.equal(merge.code, 1, shown(merge));
    assert.equal(lastLine(merge.stdout), 'RESULT: fail');
    assert.match(merge.stdout, /Merged 3 of 3 shards:/);
    assert.deepEqual(hitsSince(site, before), Object.fromEntries(IDS.map((id) => [id, 1])), 'the merge ran nothing');
    const report = project.report('merged');
    assert.deepEqual(report.mergeProblems, []);
    assert.deepEqual(statusById(report), { alpha: 'passed', bravo: 'failed', charlie: 'passed', delta: 'passed', echo: 'passed' });
    assert.deepEqual(report.shards?.map((shard) => [shard.index, shard.status, shard.job, shard.artifactId]), [
      [1, 'merged', null, null],
      [2, 'merged', null, null],
      [3, 'merged', null, null],
    ]);
    assert.ok(fs.existsSync(`${project.dir}/merged/junit.xml`) && fs.existsSync(`${project.dir}/merged/report.html`));
  });

  it('a missing shard fails the merge, naming it and the fixtures without a result', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, Object.fromEntries(IDS.map((id) => [id, 'pass'])));
    await shards(site.url, 3, 'shards');
    const merge = await project.run(['--merge', 'shards/shard-1', '--merge', 'shards/shard-3/report.json', '--report-dir', 'merged']);
    assert.equal(merge.code, 1, shown(merge));
    assert.match(merge.stdout, /✗ shard-missing: Shard 2 of 3 is missing: none of the --merge paths holds the report of shard 2 of 3\./);
    assert.match(merge.stdout, /✗ fixture-in-no-shard: \d fixtures? of the selection ha(s|ve) no result in any shard report/);
    assert.equal(project.report('merged').result, 'fail');
  });

  it('--history-from balances the shards by the durations in that report', MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, Object.fromEntries(IDS.map((id) => [id, 'pass'])));
    await project.run(['--base-url', site.url, '--report-dir', 'previous']);
    const run = await project.run(['--base-url', site.url, '--shard', '1/2', '--history-from', 'previous/report.json', '--report-dir', 'one']);
    assert.equal(run.code, 0, shown(run));
    const partition = project.report('one').shard?.partition;
    assert.equal(partition?.balancedBy, 'duration');
    assert.match(partition?.durationSource?.digest ?? '', /^sha256:/);

    const unreadable = await project.run(['--base-url', site.url, '--shard', '1/2', '--history-from', 'nowhere.json', '--report-dir', 'two']);
    assert.equal(unreadable.code, 0, shown(unreadable));
    assert.match(unreadable.stderr, /warning: The durations of the previous run could not be read \(No report at nowhere\.json.*\); the parts are balanced by count\./);
    assert.equal(project.report('two').shard?.partition?.balancedBy, 'count');
  });

  it("a rerun's shards rerun their part of the failed set, and the merge carries the rest over from the report they recorded", MATRIX_BOUND, async (t) => {
    const site = await fixtureSite(t, { alpha: 'fail', bravo: 'pass', charlie: 'pass', delta: 'fail', echo: 'pass' });
    await shards(site.url, 2, 'first');
    assert.equal((await project.run(['--merge', 'first', '--report-dir', 'first-merged'])).code, 1);
    setPages(site, { alpha: 'pass' });
    const before = hitsOf(site, IDS);
    await shards(site.url, 2, 'again', ['--rerun-failed', '--artifact', 'first-merged/report.json']);
    assert.deepEqual(hitsSince(site, before), { alpha: 1, bravo: 0, charlie: 0, delta: 1, echo: 0 });
    const merge = await project.run(['--merge', 'again', '--report-dir', 'again-merged']);
    assert.equal(merge.code, 1, shown(merge));
    const report = project.report('again-merged');
    assert.equal(report.mode, 'rerun-failed');
    assert.equal(report.summary.total, 5);
    assert.equal(report.summary.carriedOver, 3);
    assert.equal(fixtureOf(report, 'alpha').recovered, true);
    assert.deepEqual(report.fixtures.filter((fixture) => fixture.status === 'failed').map((fixture) => fixture.id), ['delta']);
  });
});

describe('usage errors', () => {
  it('a shard that is not i/n with 1 <= i <= n <= 64 is refused before anything runs', CLI_BOUND, async () => {
    for (const bad of ['0/4', '5/4', '1/65', 'two/four', '3']) {
      const run = await project.run(['--shard', bad]);
      assert.equal(run.code, 2, shown(run));
      assert.match(run.stderr, new RegExp(`--shard: must be i/n with 1 <= i <= n <= 64, such as 2/4 \\(this job runs part 2 of 4\\), not "${bad}"`));
    }
  });

  it('--merge with --shard, --rerun-failed or --fixture is refused, all three at once', CLI_BOUND, async () => {
    const run = await project.run(['--merge', 'shards', '--shard', '1/2', '--rerun-failed', '--fixture', 'alpha']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /--merge cannot be combined with --shard/);
    assert.match(run.stderr, /--merge cannot be combined with --rerun-failed/);
    assert.match(run.stderr, /--merge cannot be combined with --fixture/);
    assert.ok(!fs.existsSync(project.reportPath()), 'a command line that cannot be parsed writes nothing');
  });

  it('a --merge path that holds no report is a usage error, with a report that says so', CLI_BOUND, async () => {
    fs.mkdirSync(`${project.dir}/empty`);
    const run = await project.run(['--merge', 'empty', '--merge', 'nowhere']);
    assert.equal(run.code, 2, shown(run));
    const report = project.report();
    assert.equal(report.preflight?.code, 'usage');
    assert.deepEqual(report.preflight?.problems, [
      '--merge empty: no report.json there (nor in a folder directly inside it)',
      '--merge nowhere: no report.json there (nor in a folder directly inside it)',
    ]);
  });
});
