/**
 * Leaving fixtures out in the Action: the `exclude-tags` input and a `!pattern` in `fixtures`, and a fixture parked
 * with `skip:`, as a workflow sees them: outputs, job summary, annotations and the check run. The Action from src/,
 * in-process, against the loopback GitHub service and a real Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { writeFixtures } from '../support/action-step.ts';
import { rowOf } from '../support/action-scenarios.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const SUITE = `fixtures:
  - id: home
    tags: [critical]
    url: /
  - id: search
    tags: [critical, slow]
    url: /search
  - id: legacy-cart
    tags: [critical]
    url: /legacy/cart
  - id: login
    tags: [critical]
    url: /login
    skip: "login is being rebuilt, see #123"
`;

describe('exclude-tags, !pattern and skip: in the Action', () => {
  it('leaves out what exclude-tags and !pattern name, lists the parked fixture as skipped, and passes', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, {
      '/': html('<h1>Home</h1>', 'Home'),
      '/search': html('<h1>Search</h1>', 'Search'),
      '/legacy/cart': html('<h1>Cart</h1>', 'Cart'),
      '/login': html('<h1>Login</h1>', 'Login'),
    });
    const runId = 1601;
    const step = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, tags: 'critical', 'exclude-tags': 'slow, nightly', fixtures: '!legacy-*' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': SUITE }),
    });
    assert.equal(step.failure, null, logOf(step));
    assert.deepEqual(
      ['/', '/search', '/legacy/cart', '/login'].map((page) => site.hits(page)),
      [1, 0, 0, 0],
      'only home ran: search and legacy-cart are excluded, login is parked',
    );
    assert.equal(step.outputs[Outputs.Result], 'pass');
    assert.equal(step.outputs[Outputs.Mode], 'selected');
    assert.deepEqual(
      [Outputs.Total, Outputs.Passed, Outputs.Skipped, Outputs.SelectedCount].map((name) => step.outputs[name]),
      ['2', '1', '1', '2'],
    );

    assert.match(step.summary, /\*\*2 fixtures\*\*: ✅ 1 passed · ❌ 0 failed · ⚠️ 0 flaky · ⏭️ 1 skipped/);
    // Page and file text is escaped for Markdown: "#" is written as &#35;, which GitHub shows as "#".
    assert.match(rowOf(step.summary, 'login') ?? '', /⏭️ skipped.*login is being rebuilt, see &#35;123/);
    assert.match(step.summary, /^### ⏭️ Skipped \(1\)$/m);
    assert.match(step.summary, /^- `login` at fixtures\/shop\.smoke\.yml&#58;\d+: login is being rebuilt, see &#35;123$/m);
    assert.equal(rowOf(step.summary, 'search'), undefined, 'an excluded fixture has no row');

    const notices = step.annotations.filter((annotation) => annotation.level === 'notice');
    assert.deepEqual(
      notices.map(({ title, file }) => ({ title, file })),
      [{ title: 'Smoke fixture login skipped', file: 'fixtures/shop.smoke.yml' }],
    );
    assert.match(notices[0]?.message ?? '', /^Skipped: login is being rebuilt, see #123$/m);
    assert.match(step.log, /exclude tag "nightly" is on no fixture, so it excludes nothing/);

    const checkRun = service.checkRuns.at(-1);
    assert.equal(checkRun?.conclusion, 'success');
  });
});
