/**
 * Ctrl-C in the bundled CLI while it runs an app it started (`--start`): the real signal, in a real process. One
 * Ctrl-C stops the suite, stops the app's whole process group and still writes the report; a second one quits at
 * once, and the app's group goes with the process. The group is checked with `ps`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it, type TestContext } from 'node:test';
import { Report } from '../../src/report/schema.ts';
import { CLI_BOUND, createProject, fixturesYaml, type Project, spawnCli } from '../support/cli-harness.ts';
import { groupMembersLeft, killGroup, livingGroupMembers, startedGroup } from '../support/process-group.ts';
import { hang, html, type Site, startSite } from '../support/site.ts';

/** Keeps running, and ignores SIGTERM in a grandchild: only SIGKILL ends the whole group. */
const STUBBORN_APP = `sh -c 'trap "" TERM; while :; do sleep 1; done' & node -e "setInterval(() => {}, 1000)" & wait`;

let site: Site;
let project: Project;
before(async () => {
  site = await startSite({ '/': html('<h1>up</h1>'), '/hang': hang() });
});
after(() => site.close());
beforeEach(() => {
  project = createProject('smoke-cli-start-');
  project.write('fixtures/suite.smoke.yml', fixturesYaml({ stuck: 'url: /hang\ntimeout: 60s' }));
});
afterEach(() => project.remove());

/** The CLI, once its fixture hangs on the page (so the app is up and the suite runs). */
async function startCli(t: TestContext) {
  const hits = site.hits('/hang');
  const cli = spawnCli(['--base-url', site.url, '--start', STUBBORN_APP, '--wait-for', '/'], { cwd: project.dir });
  t.after(() => void cli.child.kill('SIGKILL'));
  await site.waitForHit('/hang', hits + 1);
  return cli;
}

describe('Ctrl-C with a started app', () => {
  it('stops the app’s whole group, killing what ignores SIGTERM, and still writes the report', CLI_BOUND, async (t) => {
    const cli = await startCli(t);
    const pgid = startedGroup(cli.stderr());
    t.after(() => killGroup(pgid));
    assert.ok(livingGroupMembers(pgid).length >= 3);
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    assert.equal(code, 130, `${cli.stdout()}\n${cli.stderr()}`);
    assert.match(cli.stderr(), /The app did not stop within 5s of SIGTERM, so its process group \d+ was killed \(SIGKILL\)\./);
    assert.deepEqual(await groupMembersLeft(pgid), []);
    const report = Report.parse(JSON.parse(fs.readFileSync(project.reportPath(), 'utf8')));
    assert.equal(report.interrupted?.reason, 'cancelled');
  });

  it('a second Ctrl-C quits at once, and the app’s group goes with the process', CLI_BOUND, async (t) => {
    const cli = await startCli(t);
    const pgid = startedGroup(cli.stderr());
    t.after(() => killGroup(pgid));
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130);
    assert.deepEqual(await groupMembersLeft(pgid), []);
  });
});
