/**
 * Text that comes from pages is data, never markup: the Action runs fixtures against pages with hostile titles and
 * console messages, and the job summary stays what the Action meant. (What the runner reads from the log, workflow
 * commands and the masked token, needs the real process: e2e/action-bundle-log.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { HOSTILE_FIXTURES, hostileSite } from '../support/hostile-pages.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

describe('hostile page text', () => {
  it('cannot add markup to the job summary or cells to its table', { timeout: 120_000 }, async (t) => {
    const site = await hostileSite(t);
    const run = await runActionInProcess(service, {
      env: { runId: 3101, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'hostile.smoke.yml': HOSTILE_FIXTURES }),
    });
    assert.ok(run.failure, logOf(run));
    const failed = JSON.parse(run.outputs[Outputs.FailedFixtures] ?? '[]') as string[];
    assert.deepEqual(failed.sort(), ['hostile-console', 'hostile-title']);

    assert.doesNotMatch(run.summary, /<img/i, 'no raw tag from the page title');
    assert.doesNotMatch(run.summary, /onerror=alert\(1\)/, 'the attribute is not left as markup either');
    assert.match(run.summary, /&lt;img src=x onerror=alert&#40;1&#41;&gt; &#124; a &#124; b &#124;/, 'the title is shown, as text');

    const header = run.summary.split('\n').find((line) => line.startsWith('| Fixture |'));
    const cellsOf = (line: string) => line.split('|').length - 2;
    assert.ok(header);
    for (const id of ['hostile-title', 'hostile-console']) {
      const row = run.summary.split('\n').find((line) => line.startsWith(`| \`${id}\``));
      assert.ok(row, `a table row for ${id}`);
      assert.equal(cellsOf(row), cellsOf(header), `the row of ${id} has as many cells as the header: ${row}`);
      assert.doesNotMatch(row, /::error::|##\[/, 'commands from the page are not left as they were');
    }
    assert.doesNotMatch(run.summary, /^::/m);
  });
});
