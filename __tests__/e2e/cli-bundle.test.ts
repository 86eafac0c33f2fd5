/**
 * The bundled CLI (dist/cli/index.js, which package.json's `bin` launcher loads) run as a user runs it, in its own Node process:
 * the demo that `npm run smoke` runs, flags it cannot parse, --json, --help and --version, and Ctrl-C, which
 * stops the suite but still writes the report.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Report } from '../../src/report/schema.ts';
import { TOOL_VERSION } from '../../src/version.ts';
import {
  CLI_BOUND,
  createProject,
  fixtureLine,
  fixturesYaml,
  lastLine,
  type Project,
  runBundle,
  shown,
  spawnCli,
} from '../support/cli-harness.ts';
import { hang, html, type Site, startSite } from '../support/site.ts';
import { REPO_ROOT } from '../support/temp.ts';

let project: Project;
before(() => {
  project = createProject();
});
after(() => project.remove());

describe('the demo, as npm run smoke runs it', () => {
  it('passes the demo fixtures from the repository root, and lists the parked one as skipped', CLI_BOUND, async () => {
    const reportDir = `${project.dir}/demo-report`;
    const run = await runBundle(['--fixtures-dir', 'fixtures', '--serve', 'fixtures/site', '--report-dir', reportDir], { cwd: REPO_ROOT });
    assert.equal(run.code, 0, shown(run));
    const ids = ['home-loads', 'home-deals-render', 'home-help-menu', 'home-banner-stays-hidden', 'login-flow', 'account-from-home', 'about-on-mobile', 'mobile-home', 'products-search', 'products-by-role-and-text', 'orders-list'];
    for (const id of ids) assert.match(fixtureLine(run.stdout, id), /✓ passed/);
    assert.match(fixtureLine(run.stdout, 'order-history'), /- skipped\s+order-history\s+\(the demo shop has no order history yet\)/);
    assert.match(run.stdout, /^Summary: 12 fixtures: 11 passed, 0 failed, 0 flaky, 1 skipped in .*, mode full$/m);
    assert.equal(lastLine(run.stdout), 'RESULT: pass');
    const report = Report.parse(JSON.parse(fs.readFileSync(`${reportDir}/report.json`, 'utf8')));
    assert.equal(report.summary.total, 12);
    assert.match(report.baseUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/, 'the demo site was served on loopback');
  });
});

describe('the bundled command line', () => {
  it('--help and --version answer on stdout and exit 0', CLI_BOUND, async () => {
    const help = await runBundle(['--help'], { cwd: project.dir });
    assert.equal(help.code, 0, shown(help));
    assert.match(help.stdout, /^Usage: reliability-smoke \[options\]$/m);
    const version = await runBundle(['--version'], { cwd: project.dir });
    assert.equal(version.stdout, `${TOOL_VERSION}\n`);
    const manifest = JSON.parse(fs.readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string; bin: Record<string, string> };
    assert.equal(version.stdout.trim(), manifest.version);
    assert.equal(manifest.bin['reliability-smoke'], 'bin/reliability-smoke.cjs', 'the launcher that checks the Node version, then loads dist/cli/index.js');
  });

  it('flags it cannot parse exit 2 with every problem on stderr and nothing written', CLI_BOUND, async () => {
    const run = await runBundle(['--fixtures-dri', 'e2e', '--concurrency'], { cwd: project.dir });
    assert.equal(run.code, 2, shown(run));
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^error: unknown flag --fixtures-dri \(did you mean --fixtures-dir\?\)$/m);
    assert.match(run.stderr, /^error: --concurrency needs a value$/m);
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
    assert.equal(fs.existsSync(`${project.dir}/smoke-report`), false);
  });

  it('--json prints a report that passes the schema, alone on stdout', CLI_BOUND, async () => {
    const reportDir = `${project.dir}/json-report`;
    const run = await runBundle(['--fixtures-dir', 'fixtures', '--serve', 'fixtures/site', '--fixture', 'home-*', '--json', '--report-dir', reportDir], {
      cwd: REPO_ROOT,
    });
    assert.equal(run.code, 0, shown(run));
    const report = Report.parse(JSON.parse(run.stdout));
    assert.deepEqual(report.selection.selected, ['home-loads', 'home-deals-render', 'home-help-menu', 'home-banner-stays-hidden']);
    assert.equal(lastLine(run.stderr), 'RESULT: pass');
  });
});

describe('Ctrl-C', () => {
  let site: Site;
  before(async () => {
    site = await startSite({ '/ok': html('<h1>ok</h1>'), '/hang': hang(), '/later': html('<h1>later</h1>') });
  });
  after(() => site.close());

  it('stops a suite stuck on a hanging page, still writes the report, and ends with RESULT: fail', CLI_BOUND, async (t) => {
    const cwd = `${project.dir}/interrupted`;
    fs.mkdirSync(`${cwd}/fixtures`, { recursive: true });
    fs.writeFileSync(
      `${cwd}/fixtures/suite.smoke.yml`,
      fixturesYaml({ quick: 'url: /ok', stuck: 'url: /hang\ntimeout: 60s', later: 'url: /later' }),
    );
    const cli = spawnCli(['--base-url', site.url, '--concurrency', '1'], { cwd });
    t.after(() => void cli.child.kill('SIGKILL'));
    await cli.waitForStdout(/^ {2}✓ passed {2}quick\b/);
    await site.waitForHit('/hang');
    cli.child.kill('SIGINT');
    const code = await cli.exited;

    assert.equal(code, 130, `Ctrl-C exits 130, as shells expect\n${cli.stdout()}\n${cli.stderr()}`);
    assert.match(cli.stderr(), /SIGINT: stopping; the report will still be written/);
    assert.match(fixtureLine(cli.stdout(), 'stuck'), /✗ FAILED .*The run was cancelled while this attempt was running\./);
    assert.match(cli.stdout(), /^Interrupted \(cancelled\): The run was cancelled/m);
    assert.equal(lastLine(cli.stdout()), 'RESULT: fail');
    assert.equal(site.hits('/later'), 0, 'the fixture after the stuck one never started');
    const report = Report.parse(JSON.parse(fs.readFileSync(`${cwd}/smoke-report/report.json`, 'utf8')));
    assert.equal(report.interrupted?.reason, 'cancelled');
    assert.equal(report.result, 'fail');
    assert.deepEqual(
      report.fixtures.map((fixture) => [fixture.id, fixture.status]),
      [['quick', 'passed'], ['stuck', 'failed'], ['later', 'skipped']],
    );
  });
});
