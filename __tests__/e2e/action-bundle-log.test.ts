/**
 * The bundled Action's log as the runner reads it: text from pages never becomes a workflow command (old or new
 * form), and the token never shows up in stdout, stderr or anything else a person can read. Only a real process
 * shows this: @actions/core writes the commands to stdout, and the runner acts on every line that parses as one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { writeFixtures } from '../support/action-step.ts';
import { type ActionRun, runBundledAction, tokenLeaks } from '../support/bundled-action.ts';
import { type GitHubService, startGitHubService } from '../support/github-service/index.ts';
import { HOSTILE_FIXTURES, hostileSite } from '../support/hostile-pages.ts';

let service: GitHubService;

before(async () => {
  service = await startGitHubService();
});
after(() => service.stop());

/** The commands this Action means to send; anything else in stdout came from somewhere it should not have. */
const OUR_COMMANDS = new Set(['add-mask', 'debug', 'error', 'warning', 'notice']);

/** With debug logging on, the setting most likely to print what it should not. */
async function runHostile(t: TestContext, runId: number): Promise<ActionRun> {
  const site = await hostileSite(t);
  return runBundledAction(service, {
    env: { runId, jobId: 'smoke' },
    inputs: { 'base-url': site.url, timeout: '10s' },
    workspace: (dir) => writeFixtures(dir, { 'hostile.smoke.yml': HOSTILE_FIXTURES }),
    extraEnv: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' },
  });
}

describe('hostile page text in the log', () => {
  it('never becomes a workflow command, old or new form', { timeout: 120_000 }, async (t) => {
    const run = await runHostile(t, 3201);
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    // The page's console message did reach the log and the annotations, as data.
    assert.match(run.stdout, /pwned/);

    // As the runner reads stdout: a line that starts with `::` after blanks is a command...
    const lines = run.stdout.split(/\r?\n/);
    const commandLines = lines.filter((line) => line.trimStart().startsWith('::'));
    for (const line of commandLines) {
      assert.ok(line.startsWith('::'), `a command line starts at column 0, as the Action writes them: ${line}`);
      const name = /^::([A-Za-z-]+)[ :]/.exec(line)?.[1] ?? '';
      assert.ok(OUR_COMMANDS.has(name), `"${name}" is a command this Action sends: ${line}`);
    }
    assert.equal(run.commands.length, commandLines.length, 'every command line parses as one command');
    assert.deepEqual(
      run.commands.filter((command) => /^\s*pwned/.test(command.message) || command.message.trim() === 'pass'),
      [],
      'no command carries a message the page wrote',
    );
    // ...and in any other line the legacy `##[command]` form is honoured anywhere (the runner tries it only when
    // the line is not a `::` command).
    const plainLines = lines.filter((line) => !line.startsWith('::'));
    assert.deepEqual(plainLines.filter((line) => line.includes('##[')), [], 'no legacy command in a plain line');
    assert.ok(plainLines.some((line) => line.includes('##\\[error]pwned')), 'the page text is logged, defused');

    // The annotations are the ones the Action meant: a run of its own, each at the fixture file.
    const annotations = run.commands.filter((command) => command.command === 'error' || command.command === 'warning');
    const fixtureAnnotations = annotations.filter((command) => command.properties.file);
    assert.deepEqual(
      fixtureAnnotations.map((command) => command.properties.title).sort(),
      ['Smoke fixture hostile-console failed (script-error)', 'Smoke fixture hostile-title failed (assertion)'],
    );
    for (const command of fixtureAnnotations) {
      assert.equal(command.properties.file, 'fixtures/hostile.smoke.yml');
      assert.deepEqual(Object.keys(command.properties).sort(), ['file', 'line', 'title']);
    }
    const consoleAnnotation = fixtureAnnotations.find((command) => command.properties.title?.includes('hostile-console'));
    assert.match(consoleAnnotation?.message ?? '', /::error::pwned/, 'the page text is in the message, as data');
    assert.match(consoleAnnotation?.message ?? '', /%0A::error::pwned/, 'a literal %0A stays literal, not a line break');
    // Outputs come only from the Action (set-output attempts above tried to make this pass).
    assert.equal(run.outputs[Outputs.Result], 'fail');
  });

  it('never shows the token in stdout, stderr, the summary, the outputs or the report', { timeout: 120_000 }, async (t) => {
    // The check run is refused, the path most likely to echo request details, with debug logging on.
    const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 403, times: 1 });
    t.after(() => service.faults.remove(fault));
    const run = await runHostile(t, 3301);
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    assert.equal(fault.fired, 1, 'the check run was refused');
    assert.ok(service.githubToken.length > 20);
    const report = fs.readFileSync(run.outputs[Outputs.ReportPath] ?? '', 'utf8');
    assert.deepEqual(tokenLeaks(run, service.githubToken, { 'report.json': report }), []);
    // The one place it may be: the add-mask command, which the runner consumes and never shows.
    assert.ok(run.commands.some((command) => command.command === 'add-mask' && command.message === service.githubToken));
  });
});
