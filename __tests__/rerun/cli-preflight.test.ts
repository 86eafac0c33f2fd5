/**
 * Rerun-failed: the CLI side: every way a rerun cannot start is named as what it is, exits 2 before any
 * browser goes to the site, prints a ready `--fixture <id>` command and the full-run alternative, and still writes
 * a report carrying the diagnostic. Source reports are real ones, written by earlier runs of the CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, type CliRun, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

const SUITE = fixturesYaml({
  home: 'url: /\nexpect:\n  visible: ["#hello"]',
  checkout: 'url: /checkout\nexpect:\n  timeout: 2s\n  visible: ["#pay"]',
});

let site: Site;
let project: Project;
/** report.json of a run where checkout failed and home passed. */
let failingReport: string;
/** report.json of a run where both passed. */
let passingReport: string;

before(async () => {
  site = await startSite({ '/': html('<h1 id="hello">Hello</h1>'), '/checkout': html('<p>no button yet</p>') });
  const seed = createProject();
  try {
    seed.write('fixtures/shop.smoke.yml', SUITE);
    const failing = await seed.run(['--base-url', site.url]);
    assert.equal(failing.code, 1, shown(failing));
    failingReport = fs.readFileSync(seed.reportPath(), 'utf8');
    site.route('/checkout', html('<button id="pay">Pay</button>'));
    const passing = await seed.run(['--base-url', site.url]);
    assert.equal(passing.code, 0, shown(passing));
    passingReport = fs.readFileSync(seed.reportPath(), 'utf8');
    site.route('/checkout', html('<p>no button yet</p>'));
  } finally {
    seed.remove();
  }
});
after(() => site.close());
beforeEach(() => {
  project = createProject();
  project.write('fixtures/shop.smoke.yml', SUITE);
});
afterEach(() => project.remove());

/** Runs a rerun and checks what every preflight stop has in common; returns the run for the case's own checks. */
async function stoppedRerun(args: string[], code: string): Promise<CliRun> {
  const hits = site.hits();
  const run = await project.run(['--base-url', site.url, '--rerun-failed', ...args]);
  assert.equal(run.code, 2, shown(run));
  assert.equal(site.hits(), hits, 'no fixture ran');
  assert.match(run.stdout, new RegExp(`^Stopped before any fixture ran \\(${code}\\):$`, 'm'));
  const base = `npx reliability-smoke --base-url ${site.url}/`;
  assert.ok(run.stdout.includes(`\nRun only these fixtures: ${base} --fixture <fixture-id>\n`), shown(run));
  assert.ok(run.stdout.includes(`\nOr run the full suite:   ${base}\n`), shown(run));
  assert.equal(lastLine(run.stdout), 'RESULT: fail');
  const report = project.report();
  assert.equal(report.mode, 'rerun-failed');
  assert.equal(report.result, 'fail');
  assert.equal(report.preflight?.code, code);
  assert.equal(report.preflight?.fallback?.cliCommand, `${base} --fixture <fixture-id>`);
  assert.equal(report.preflight?.fallback?.fullRun, base);
  return run;
}

describe('a rerun whose source report cannot be used', () => {
  it('no report at the default --artifact: report-missing, and the run writes one saying so', CLI_BOUND, async () => {
    const run = await stoppedRerun([], 'report-missing');
    assert.match(run.stdout, /│ Cannot rerun from smoke-report\/report\.json: No report at .*smoke-report\/report\.json: the file does not exist\./);
    assert.match(run.stdout, /Run the suite once to create smoke-report\/report\.json/);
    assert.match(run.stdout, /To run the whole suite instead, drop --rerun-failed\./);
  });

  it('no file at an explicit --artifact: report-missing names that path', CLI_BOUND, async () => {
    const run = await stoppedRerun(['--artifact', 'downloads/report.json'], 'report-missing');
    assert.match(run.stdout, /Cannot rerun from downloads\/report\.json: No report at .*downloads\/report\.json/);
  });

  it('a report that is not JSON: not-json, with where the JSON breaks', CLI_BOUND, async () => {
    project.write('smoke-report/report.json', failingReport.slice(0, 200));
    const run = await stoppedRerun([], 'not-json');
    assert.match(run.stdout, /smoke-report\/report\.json is not valid JSON: .*\(it ends too early\)\./);
    assert.match(run.stdout, /it may be truncated, or not a report at all/);
  });

  it('a report edited so it contradicts itself: schema-invalid, listing each problem with its JSON path', CLI_BOUND, async () => {
    const edited = JSON.parse(failingReport) as { fixtures: { id: string; status: string }[] };
    for (const fixture of edited.fixtures) fixture.status = 'passed';
    project.write('smoke-report/report.json', JSON.stringify(edited));
    const run = await stoppedRerun([], 'schema-invalid');
    assert.match(run.stdout, /^ {2}- \$\.fixtures\[1\]\.status: says "passed" but its attempts make it "failed"$/m);
    assert.match(run.stdout, /^ {2}- \$\.summary\.passed: is 1 but the fixtures give 2$/m);
    assert.match(run.stdout, /^ {2}- \$\.result: says "fail" but the run gives "pass"$/m);
    assert.equal(run.stdout.split('$.result: says').length, 2, 'each problem is shown once');
    assert.equal(project.report().preflight?.problems.length, 4);
  });

  it('a report from a newer release: unknown-schema-version says which versions this release reads', CLI_BOUND, async () => {
    project.write('smoke-report/report.json', JSON.stringify({ ...JSON.parse(failingReport), schemaVersion: 2 }));
    const run = await stoppedRerun([], 'unknown-schema-version');
    assert.match(run.stdout, /has schemaVersion 2, which this release of reliability-smoke does not know \(it reads schemaVersion 1\)/);
  });

  it('a report of a run that stopped before any fixture ran: source-has-no-results', CLI_BOUND, async () => {
    project.write('fixtures/broken.smoke.yml', 'id: broken\nurl: /\nexpect: { visable: ["#x"] }\n');
    const invalid = await project.run(['--base-url', site.url]);
    assert.equal(project.report().preflight?.code, 'fixtures-invalid', shown(invalid));
    fs.rmSync(`${project.dir}/fixtures/broken.smoke.yml`);
    const run = await stoppedRerun([], 'source-has-no-results');
    assert.match(run.stdout, /that run stopped before any fixture ran \(fixtures-invalid: 1 problem in the fixture files; nothing was run\.\)/);
  });
});

describe('a rerun with nothing to rerun', () => {
  it('nothing failed in the source: nothing-to-rerun exits 2 by default and says how to let it pass', CLI_BOUND, async () => {
    project.write('smoke-report/report.json', passingReport);
    const run = await stoppedRerun([], 'nothing-to-rerun');
    assert.match(run.stdout, /Nothing to rerun: no fixture failed in smoke-report\/report\.json \(2 passed, 0 flaky, result pass\)\./);
    assert.match(run.stdout, /--if-nothing-to-rerun pass/);
  });

  it('with --if-nothing-to-rerun pass, nothing failed is a pass: exit 0 and RESULT: pass', CLI_BOUND, async () => {
    project.write('smoke-report/report.json', passingReport);
    const hits = site.hits();
    const run = await project.run(['--base-url', site.url, '--rerun-failed', '--if-nothing-to-rerun', 'pass']);
    assert.equal(run.code, 0, shown(run));
    assert.equal(site.hits(), hits, 'no fixture ran');
    assert.match(run.stdout, /^Nothing to run \(nothing-to-rerun\):$/m);
    assert.equal(lastLine(run.stdout), 'RESULT: pass');
    const report = project.report();
    assert.equal(report.result, 'pass');
    assert.equal(report.preflight?.severity, 'notice');
    assert.deepEqual(
      report.fixtures.map((fixture) => [fixture.id, fixture.status, fixture.carriedOver !== null]),
      [['home', 'passed', true], ['checkout', 'passed', true]],
      'the passing results are kept, so the report still covers the suite',
    );
  });

  it('every failed fixture was renamed since: failed-fixtures-gone names it', CLI_BOUND, async () => {
    project.write('smoke-report/report.json', failingReport);
    project.write('fixtures/shop.smoke.yml', SUITE.replace('id: checkout', 'id: checkout-v2'));
    const run = await stoppedRerun([], 'failed-fixtures-gone');
    assert.match(run.stdout, /the fixtures that failed in smoke-report\/report\.json no longer exist: checkout\./);
  });
});
