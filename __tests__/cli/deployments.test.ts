/**
 * The CLI against real deployments: an app it starts (`--start`) and waits for (`--wait-for`), one that never comes
 * up or exits early, one that dies mid-suite, and secrets (`${{ env.NAME }}`, `--header`, `--http-credentials`) that a
 * failing page echoes back: none of them may show in anything the run prints or writes. Every started process group
 * is checked with `ps` afterwards: nothing of it may be left, on any path.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, type TestContext } from 'node:test';
import { APP_SERVER, freePort } from '../support/app-server.ts';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { groupMembersLeft, killGroup, startedGroup } from '../support/process-group.ts';
import { BYPASS_HEADER, CHATTY_START, CREDENTIALS, ECHO_FIXTURES, filesUnder, leaks, SECRET_ENV, SECRETS, secretEchoSite } from '../support/secret-echo.ts';
import { siteFor } from '../support/site.ts';

let project: Project;
beforeEach(() => {
  project = createProject('smoke-cli-deploy-');
});
afterEach(() => project.remove());

/** The app's process group, from the run's log, killed when the test ends whatever happened. */
function groupOf(t: TestContext, log: string): number {
  const pgid = startedGroup(log);
  t.after(() => killGroup(pgid));
  return pgid;
}

const APP_FIXTURES = fixturesYaml({ 'app-home': 'url: /\nexpect:\n  text: { selector: "#app", equals: "app is up" }' });

describe('--start and --wait-for', () => {
  it('start the app, wait until it answers, run the fixtures against it, and stop it', CLI_BOUND, async (t) => {
    project.write('fixtures/app.smoke.yml', APP_FIXTURES);
    project.write('server.cjs', APP_SERVER);
    const port = await freePort();
    // The server listens only after a while: the wait has to poll.
    const run = await project.run(['--start', `node server.cjs ${port} 700`, '--wait-for', `http://127.0.0.1:${port}/`]);
    assert.equal(run.code, 0, shown(run));
    const pgid = groupOf(t, run.stderr);
    assert.match(run.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/ answered HTTP 200 after .* \\(\\d+ tries\\)`));
    assert.equal(project.report().baseUrl, `http://127.0.0.1:${port}/`, 'the base URL is the origin of --wait-for');
    assert.deepEqual(await groupMembersLeft(pgid), [], 'nothing of the app is left');
    assert.match(fs.readFileSync(path.join(project.dir, 'smoke-report', 'start.log'), 'utf8'), /listening on \d+\nserved \/\n/);
  });

  it('stop with site-not-ready when the site never answers below 400, saying what it last answered', CLI_BOUND, async (t) => {
    const site = await siteFor(t, { '/health': { status: 503, body: 'deploying' } });
    project.write('fixtures/app.smoke.yml', APP_FIXTURES);
    const run = await project.run(['--base-url', site.url, '--start', CHATTY_START, '--wait-for', '/health', '--wait-timeout', '1s'], {
      env: { ...process.env, ...SECRET_ENV },
    });
    assert.equal(run.code, 2, shown(run));
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    const pgid = groupOf(t, run.stderr);
    const { preflight } = project.report();
    assert.equal(preflight?.code, 'site-not-ready');
    assert.match(preflight?.message ?? '', new RegExp(`^${site.url}/health was not ready after .* \\(\\d+ tries?\\): the last answer was HTTP 503 Service Unavailable\\.$`));
    assert.deepEqual(await groupMembersLeft(pgid), [], 'the app is stopped on a preflight stop too');
  });

  it('stop with start-exited when the command exits first, with its exit code and the last 20 lines of its log', CLI_BOUND, async () => {
    project.write('fixtures/app.smoke.yml', APP_FIXTURES);
    const port = await freePort();
    const run = await project.run(['--start', 'for i in $(seq 1 25); do echo "build line $i"; done; exit 4', '--wait-for', `http://127.0.0.1:${port}/`]);
    assert.equal(run.code, 2, shown(run));
    const { preflight } = project.report();
    assert.equal(preflight?.code, 'start-exited');
    assert.equal(preflight?.message, `The start command exited with code 4 before http://127.0.0.1:${port}/ answered.`);
    assert.deepEqual(preflight?.problems, ['The last 20 lines of start.log:', ...Array.from({ length: 20 }, (_, i) => `| build line ${i + 6}`)]);
    assert.match(run.stdout, /\| build line 25/);
    assert.ok(fs.existsSync(path.join(project.dir, 'smoke-report', 'start.log')));
  });

  it('a server that dies mid-suite makes the fixtures that fail after it say that the app exited', CLI_BOUND, async (t) => {
    project.write('server.cjs', APP_SERVER);
    project.write('fixtures/app.smoke.yml', fixturesYaml({ 'first-kills-it': 'url: /die\nexpect:\n  visible: ["#bye"]', 'then-it-is-gone': 'url: /\ntimeout: 10s' }));
    const port = await freePort();
    const run = await project.run(['--start', `node server.cjs ${port}`, '--wait-for', `http://127.0.0.1:${port}/`, '--concurrency', '1']);
    assert.equal(run.code, 1, shown(run));
    const pgid = groupOf(t, run.stderr);
    const gone = project.report().fixtures.find((fixture) => fixture.id === 'then-it-is-gone');
    assert.equal(gone?.status, 'failed');
    assert.match(gone?.attempts[0]?.error?.message ?? '', /ERR_CONNECTION_REFUSED[\s\S]*The app started with start exited with code 7 while the fixtures ran, so the site was down when this attempt failed; its output is in start\.log\./);
    assert.match(run.stderr, /warning: The app started with start exited with code 7 while the fixtures ran/);
    assert.deepEqual(await groupMembersLeft(pgid), []);
  });

  it('stops the app when the suite timeout is reached', CLI_BOUND, async (t) => {
    project.write('server.cjs', APP_SERVER);
    project.write('fixtures/app.smoke.yml', fixturesYaml({ hangs: 'url: /hang\ntimeout: 60s' }));
    const port = await freePort();
    const run = await project.run(['--start', `node server.cjs ${port}`, '--wait-for', `http://127.0.0.1:${port}/`, '--suite-timeout', '2s']);
    assert.equal(run.code, 1, shown(run));
    const pgid = groupOf(t, run.stderr);
    assert.equal(project.report().interrupted?.reason, 'suite-timeout');
    assert.deepEqual(await groupMembersLeft(pgid), []);
  });
});

describe('secrets', () => {
  it('never show in anything the run prints or writes, though the failing page echoes them everywhere', CLI_BOUND, async (t) => {
    const site = await secretEchoSite(t);
    project.write('fixtures/echo.smoke.yml', ECHO_FIXTURES);
    const args = ['--base-url', site.url, '--header', BYPASS_HEADER, '--http-credentials', CREDENTIALS, '--start', CHATTY_START, '--wait-for', '/echo'];
    const run = await project.run([...args, '--json'], { env: { ...process.env, ...SECRET_ENV } });
    assert.equal(run.code, 1, shown(run));
    groupOf(t, run.stderr);
    // The page did get every secret, and gave each back: otherwise this test would prove nothing.
    const echoed = site.log.find((url) => url.startsWith('/missing/'));
    assert.equal(echoed, `/missing/${SECRETS.token}?b=${SECRETS.bypass}`);

    const reportDir = path.join(project.dir, 'smoke-report');
    const files = filesUnder(reportDir);
    assert.ok(['report.json', 'junit.xml', 'report.html', 'start.log', 'failures/echoes-secrets/attempt-1.html', 'failures/echoes-secrets/attempt-1.log'].every((file) => file in files), Object.keys(files).join(', '));
    assert.deepEqual(leaks({ stdout: run.stdout, stderr: run.stderr, ...files }), []);

    const failure = project.report().fixtures[0]?.attempts[0];
    assert.match(failure?.error?.message ?? '', /expect\.text "#typed" to equal "not \$\{\{ env\.SMOKE_PASSWORD \}\}", found "\*\*\*"/, 'the message shows the template');
    assert.ok(failure?.pageLog?.console.some((line) => line.text === 'leaking *** *** *** ***'), JSON.stringify(failure?.pageLog));
    assert.ok(failure?.pageLog?.failedRequests.some((request) => request.url.endsWith('/missing/***?b=***')));
    assert.match(files['start.log'] ?? '', /starting with \*\*\* and \*\*\*/);

    const plan = await project.run([...args, '--dry-run'], { env: { ...process.env, ...SECRET_ENV } });
    assert.equal(plan.code, 0, shown(plan));
    assert.deepEqual(leaks({ stdout: plan.stdout, stderr: plan.stderr, 'plan.json': fs.readFileSync(path.join(reportDir, 'plan.json'), 'utf8') }), []);
    assert.equal(project.plan().fixtures[0]?.url, `${site.url}/echo?token=***`);
  });

  it('a variable the fixtures need but the environment lacks stops the run before any browser, naming each', CLI_BOUND, async () => {
    project.write('fixtures/echo.smoke.yml', ECHO_FIXTURES);
    const env: Record<string, string | undefined> = { ...process.env, SMOKE_TOKEN: '' };
    delete env.SMOKE_PASSWORD;
    const run = await project.run(['--base-url', 'http://127.0.0.1:9/'], { env });
    assert.equal(run.code, 2, shown(run));
    const { preflight } = project.report();
    assert.equal(preflight?.code, 'env-missing');
    assert.deepEqual(preflight?.problems, [
      'fixtures/echo.smoke.yml:2 echoes-secrets url: ${{ env.SMOKE_TOKEN }} refers to the environment variable SMOKE_TOKEN, which is set to an empty value',
      'fixtures/echo.smoke.yml:2 echoes-secrets headers.X-Fixture-Token: ${{ env.SMOKE_TOKEN }} refers to the environment variable SMOKE_TOKEN, which is set to an empty value',
      'fixtures/echo.smoke.yml:2 echoes-secrets steps[0].fill.value: ${{ env.SMOKE_PASSWORD }} refers to the environment variable SMOKE_PASSWORD, which is not set',
      'fixtures/echo.smoke.yml:2 echoes-secrets expect.text.equals: ${{ env.SMOKE_PASSWORD }} refers to the environment variable SMOKE_PASSWORD, which is not set',
    ]);
  });
});
