/**
 * What the CLI prints: --json puts report.json alone on stdout (progress and RESULT go to stderr), --help and
 * --version answer without running anything, and text from pages can never become a line of its own, so a page
 * cannot forge a workflow command (`::error::…`) when the CLI runs in a GitHub job.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Plan } from '../../src/report/plan.ts';
import { Report } from '../../src/report/schema.ts';
import { TOOL_VERSION } from '../../src/version.ts';
import { CLI_BOUND, createProject, fixtureLine, fixturesYaml, lastLine, linesOf, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

let site: Site;
let project: Project;

const HOSTILE_SCRIPT = `<script>
  console.error('::error file=app.js::forged\\n::warning::second line\\r\\n##[error]legacy');
  document.title = 'Shop\\n::error::from the title';
</script>`;

before(async () => {
  site = await startSite({
    '/': html('<h1 id="hello">Hello</h1>', 'Home'),
    '/hostile': html(`<h1 id="hello">Hello</h1>${HOSTILE_SCRIPT}`, 'Hostile'),
    '/commands': html(`<h1>Hi</h1><script>console.error('::error::from the console'); console.log('x ##[warning]y');</script>`, '##[error title=spoofed]pwned'),
  });
});
after(() => site.close());
beforeEach(() => {
  project = createProject();
});
afterEach(() => project.remove());

describe('--json', () => {
  it('prints report.json on stdout and nothing else; the fixture lines and RESULT go to stderr', CLI_BOUND, async () => {
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({ home: 'url: /\nexpect:\n  title: Home', wrong: 'url: /\nexpect:\n  timeout: 2s\n  title: Elsewhere' }),
    );
    const run = await project.run(['--base-url', site.url, '--json']);
    assert.equal(run.code, 1, shown(run));
    const printed = Report.parse(JSON.parse(run.stdout));
    assert.deepEqual(printed, project.report(), 'the same report as report.json');
    assert.deepEqual(printed.fixtures.map((fixture) => [fixture.id, fixture.status]), [['home', 'passed'], ['wrong', 'failed']]);
    assert.match(fixtureLine(run.stderr, 'home'), /✓ passed/);
    assert.match(fixtureLine(run.stderr, 'wrong'), /✗ FAILED/);
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
  });

  it('prints the report of a run that stopped in preflight too', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', fixturesYaml({ home: 'url: /' }));
    const run = await project.run(['--json']);
    assert.equal(run.code, 2, shown(run));
    assert.equal(Report.parse(JSON.parse(run.stdout)).preflight?.code, 'base-url-missing');
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
  });

  it('with --dry-run prints plan.json instead', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', fixturesYaml({ home: 'url: /' }));
    const run = await project.run(['--base-url', site.url, '--json', '--dry-run']);
    assert.equal(run.code, 0, shown(run));
    assert.deepEqual(Plan.parse(JSON.parse(run.stdout)).selection.selected, ['home']);
    assert.equal(lastLine(run.stderr), 'PLAN: 1 fixture would run');
  });
});

describe('--json in a workflow log', () => {
  /** The runner's two readings of a log line: `::name …::` at the start (after blanks), `##[name …]` anywhere. */
  const runnerCommands = (text: string) =>
    text.split(/\r\n|\r|\n/).flatMap((line) => {
      if (line.trimStart().startsWith('::')) return [line];
      return line.includes('##[') ? [line] : [];
    });

  it('prints page text that the runner cannot read as a command, and the same report when parsed', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', fixturesYaml({ hostile: 'url: /commands\nexpect:\n  timeout: 3s\n  title: Shop' }));
    const run = await project.run(['--base-url', site.url, '--json']);
    assert.equal(run.code, 1, shown(run));
    assert.deepEqual(runnerCommands(run.stdout), [], 'no line of stdout is a workflow command');
    const printed = Report.parse(JSON.parse(run.stdout));
    assert.deepEqual(printed, project.report(), 'JSON.parse gives back report.json, value for value');
    const message = printed.fixtures[0]?.attempts[0]?.error?.message ?? '';
    assert.match(message, /##\[error title=spoofed\]pwned/, 'the page title is in the report as the page wrote it');
    assert.match(JSON.stringify(printed), /::error::from the console/);
  });
});

describe('--help and --version', () => {
  it('--help prints the usage with every flag and runs nothing', CLI_BOUND, async () => {
    const run = await project.run(['--help', '--bogus']);
    assert.equal(run.code, 0, shown(run));
    assert.match(run.stdout, /^Usage: reliability-smoke \[options\]$/m);
    for (const flag of ['--fixtures-dir', '--base-url', '--serve', '--fixture', '--tag', '--sample', '--rerun-failed', '--artifact',
      '--retries', '--concurrency', '--timeout', '--browser-path', '--dry-run', '--fail-on-flaky', '--report-dir', '--json', '--version']) {
      assert.match(run.stdout, new RegExp(`^\\s+(-\\w, )?${flag}\\b`, 'm'), `--help lists ${flag}`);
    }
    assert.match(run.stdout, /^Exit codes: 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error,$/m);
    assert.equal(fs.existsSync(`${project.dir}/smoke-report`), false);
  });

  it('--version prints the version alone', CLI_BOUND, async () => {
    const run = await project.run(['--version']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${TOOL_VERSION}\n`);
    assert.equal((await project.run(['-v'])).stdout, `${TOOL_VERSION}\n`);
  });
});

describe('text from pages in the output', () => {
  it('a page that logs ::error:: with newlines never starts a line with :: or carries ##[', CLI_BOUND, async () => {
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({
        noisy: 'url: /hostile',
        titled: 'url: /hostile\nexpect:\n  timeout: 2s\n  noConsoleErrors: false\n  title: Shop',
      }),
    );
    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 1, shown(run));
    for (const line of [...linesOf(run.stdout), ...linesOf(run.stderr)]) {
      assert.doesNotMatch(line, /^\s*::/, `a line that a runner would read as a workflow command:\n${line}`);
      assert.doesNotMatch(line, /##\[/, `a legacy workflow command:\n${line}`);
    }
    assert.ok(run.stdout.includes('::error file=app.js::forged\\n::warning::second line\\r\\n##\\[error]legacy'), shown(run));
    assert.match(fixtureLine(run.stdout, 'titled'), /found "Shop ::error::from the title"/, 'the browser joins a title onto one line');
    const report = project.report();
    assert.ok(report.fixtures[0]?.attempts[0]?.error?.message.includes('::error file=app.js::forged'), 'the report keeps the text');
  });
});
