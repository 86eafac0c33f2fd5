/**
 * Two timeouts, as in Playwright: the fixture timeout bounds the whole attempt, and page assertions wait only for
 * the expect timeout. The fixture timeout here is 10 minutes, far past this test's own bound, so a run that
 * finishes at all shows that the failing assertions gave up at their expect timeout; the messages name it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { html, siteFor } from '../support/site.ts';

let project: Project;
beforeEach(() => {
  project = createProject();
});
afterEach(() => project.remove());

describe('--expect-timeout', () => {
  it('a failing assertion fails at the expect timeout, not at the fixture timeout, and says which one it waited for', CLI_BOUND, async (t) => {
    const site = await siteFor(t, { '/': html('<h1 id="hello">Hello</h1>') });
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({
        'uses-the-default': 'url: /\nexpect:\n  visible: ["#never-there"]',
        'sets-its-own': 'url: /\nexpect:\n  text: { selector: "#hello", contains: "Goodbye" }\n  timeout: 2s',
        passes: 'url: /\nexpect:\n  visible: ["#hello"]',
      }),
    );
    const run = await project.run(['--base-url', site.url, '--timeout', '10m', '--expect-timeout', '1s']);
    assert.equal(run.code, 1, shown(run));
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    const byId = new Map(project.report().fixtures.map((fixture) => [fixture.id, fixture]));
    assert.equal(byId.get('passes')?.status, 'passed');

    const defaulted = byId.get('uses-the-default')?.attempts[0]?.error;
    assert.equal(defaulted?.kind, 'assertion');
    assert.match(defaulted.message, /^expect\.visible "#never-there" to be visible, but no element matches it \(waited \d+\.\ds, the expect timeout\)$/m);
    assert.match(defaulted.message, /^The expect timeout is 1\.0s, from expect-timeout \(--expect-timeout\): raise it/m);

    const own = byId.get('sets-its-own')?.attempts[0]?.error;
    assert.equal(own?.kind, 'assertion');
    assert.match(own.message, /^expect\.text "#hello" to contain "Goodbye", found "Hello" \(waited \d+\.\ds, the expect timeout\)$/m);
    assert.match(own.message, /^The expect timeout is 2\.0s, from the fixture's expect\.timeout: raise it/m);
  });

  it('an expect-timeout that is not a duration is a usage error, named with the others', CLI_BOUND, async () => {
    const run = await project.run(['--expect-timeout', 'soon', '--timeout', 'later']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /--timeout: must be milliseconds or a duration such as "30s" or "2m", not "later"/);
    assert.match(run.stderr, /--expect-timeout: must be milliseconds or a duration such as "30s" or "2m", not "soon"/);
  });
});
