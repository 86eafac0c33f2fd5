/**
 * History and quarantine in the Action, across a chain of runs on the loopback GitHub: each run finds the previous
 * run's artifact by itself, carries its fixtures' history on (bounded, without fixtures that no longer exist),
 * and with `quarantine: auto` a fixture whose page fails on a schedule is quarantined once its history proves it
 * flaky, then released after 5 passes. A source that cannot be read starts the history afresh with one warning.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { stripOf } from '../../src/history/flake-rate.ts';
import type { History, HistoryOutcome, Report } from '../../src/report/schema.ts';
import {
  addRun,
  artifactNameFor,
  builtReport,
  complete,
  logOf,
  readable,
  reportOf,
  runIds,
  shaOf,
  step,
  STEP_BOUND,
} from '../support/action-rerun.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import type { ActionStep } from '../support/in-process-action.ts';
import { startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureOf } from '../support/report-view.ts';
import { fixtureSite, hitsOf, hitsSince, type PageState, setPages, type Site } from '../support/site.ts';

const IDS = ['steady', 'wobbly'] as const;
/** The seeded run and seven Action runs. */
const CHAIN_BOUND = { timeout: 8 * STEP_BOUND.timeout };

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const stripIn = (report: Report, id: string): string => stripOf(report.history?.fixtures.find((fixture) => fixture.id === id)?.outcomes ?? []);
const quarantinedOutput = (run: ActionStep): string[] => JSON.parse(run.outputs[Outputs.QuarantinedFixtures] ?? 'null') as string[];
const failedOutput = (run: ActionStep): string[] => JSON.parse(run.outputs[Outputs.FailedFixtures] ?? 'null') as string[];
const warningsAbout = (report: Report, pattern: RegExp) => report.warnings.filter((warning) => pattern.test(warning));

/** Outcomes of earlier runs 1..n (run ids "1".."n"), one per mark of the strip. */
function earlierOutcomes(strip: string, sha: string): HistoryOutcome[] {
  return [...strip].map((mark, index) => ({
    runId: String(index + 1),
    attempt: 1,
    sha,
    status: mark === '✗' ? 'failed' : 'passed',
    at: new Date(Date.UTC(2026, 0, 1, index)).toISOString(),
  }));
}

/**
 * A completed run with a smoke artifact whose report carries a history: `steady` at the bound (20 passes),
 * `wobbly` flaky (it failed and then passed on the same commit twice in 5 runs: a rate of 0.4), and `gone`, a
 * fixture the suite no longer has.
 */
async function seedRun(runId: number, branch: string, sha: string): Promise<void> {
  addRun(service, { id: runId, branch, sha, minute: 0 });
  const report = JSON.parse(builtReport({ ids: { steady: 'passed', wobbly: 'passed' }, runId, sha })) as Report;
  const history: History = {
    source: null,
    fixtures: [
      { id: 'steady', outcomes: earlierOutcomes('✓'.repeat(20), sha) },
      { id: 'wobbly', outcomes: earlierOutcomes('✓✗✓✗✓', sha) },
      { id: 'gone', outcomes: earlierOutcomes('✓', sha) },
    ],
  };
  await service.addArtifact(runId, { name: artifactNameFor(1), files: { 'report.json': JSON.stringify({ ...report, history }, null, 2) } });
}

interface ChainStep {
  runId: number;
  minute: number;
  wobbly: PageState;
  inputs?: Record<string, string>;
}

async function chainStep(site: Site, branch: string, sha: string, s: ChainStep): Promise<ActionStep> {
  setPages(site, { steady: 'pass', wobbly: s.wobbly });
  addRun(service, { id: s.runId, branch, sha, status: 'in_progress', minute: s.minute });
  const run = await step(service, { runId: s.runId, site, ids: IDS, inputs: { quarantine: 'auto', ...s.inputs } });
  complete(service, s.runId, run.failure ? 'failure' : 'success');
  return run;
}

describe('history and quarantine across runs', () => {
  it('the history grows and stays bounded, auto-quarantine passes a flaky failure, and 5 passes release it', CHAIN_BOUND, async (t) => {
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'pass' });
    const [seed = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0] = runIds(8);
    const sha = shaOf('history-chain');
    const branch = 'history/chain';
    await seedRun(seed, branch, sha);

    // Run 1: wobbly fails, but its history (0.4 over 5 runs) has it quarantined: the step passes, loudly.
    const run1 = await chainStep(site, branch, sha, { runId: r1, minute: 10, wobbly: 'fail' });
    assert.equal(run1.failure, null, logOf(run1));
    assert.equal(run1.outputs[Outputs.Result], 'pass');
    assert.deepEqual(quarantinedOutput(run1), ['wobbly']);
    assert.deepEqual(failedOutput(run1), ['wobbly'], 'still a failure, so rerun-failed picks it up');
    const report1 = reportOf(run1);
    assert.equal(fixtureOf(report1, 'wobbly').status, 'failed');
    assert.deepEqual(report1.quarantine?.fixtures, [{ id: 'wobbly', reason: 'auto', rate: 0.4, runs: 5 }]);
    assert.equal(report1.history?.source?.runId, String(seed), 'found the seeded run by itself');
    assert.equal(stripIn(report1, 'wobbly'), '✓✗✓✗✓✗');
    assert.equal(report1.history?.fixtures.find((fixture) => fixture.id === 'steady')?.outcomes.length, 20, 'bounded at 20');
    assert.equal(report1.history?.fixtures.find((fixture) => fixture.id === 'steady')?.outcomes.at(-1)?.runId, String(r1), 'the newest is this run');
    assert.equal(report1.history?.fixtures.find((fixture) => fixture.id === 'gone'), undefined, 'a fixture that no longer exists drops out');
    const summary1 = readable(run1.summary);
    assert.match(summary1, /### 🚧 Quarantined \(1\)/);
    assert.match(summary1, /1 of them failed in this run and did not fail it/);
    assert.match(summary1, /`wobbly` \| ❌ failed \| `✓✗✓✗✓✗` \| automatic: flake rate 40% over 5 runs/);
    assert.match(summary1, /### 🎲 Flakiest fixtures/);

    // Run 2 reruns the failure: only wobbly runs; steady is carried over and gets no second entry for the same result.
    let hits = hitsOf(site, IDS);
    const run2 = await chainStep(site, branch, sha, { runId: r2, minute: 20, wobbly: 'pass', inputs: { 'rerun-failed': 'true' } });
    assert.equal(run2.failure, null, logOf(run2));
    assert.deepEqual(hitsSince(site, hits), { steady: 0, wobbly: 1 });
    const report2 = reportOf(run2);
    assert.equal(stripIn(report2, 'wobbly'), '✓✗✓✗✓✗✓');
    assert.deepEqual(report2.history?.fixtures.find((fixture) => fixture.id === 'steady'), report1.history?.fixtures.find((fixture) => fixture.id === 'steady'));

    // Runs 3 to 6 pass: still quarantined until 5 passes in a row are in its history.
    const passes: ActionStep[] = [];
    for (const [index, runId] of [r3, r4, r5, r6].entries()) {
      passes.push(await chainStep(site, branch, sha, { runId, minute: 30 + index * 10, wobbly: 'pass' }));
    }
    for (const run of passes) {
      assert.equal(run.failure, null, logOf(run));
      assert.deepEqual(quarantinedOutput(run), ['wobbly']);
    }
    const report6 = reportOf(passes.at(-1)!);
    assert.equal(stripIn(report6, 'wobbly'), '✓✗✓✗✓✗✓✓✓✓✓');
    // Three failures, each followed by a pass of the same commit, over 11 runs.
    const flakiest = report6.history?.fixtures.find((fixture) => fixture.id === 'wobbly');
    assert.equal(flakiest?.outcomes.length, 11, 'the history grew by one a run');
    assert.match(readable(passes.at(-1)!.summary), /`wobbly` \| 27% \| 11 \| `✓✗✓✗✓✗✓✓✓✓✓`/);

    // Run 7: released, so a failure fails the step again.
    hits = hitsOf(site, IDS);
    const run7 = await chainStep(site, branch, sha, { runId: r7, minute: 80, wobbly: 'fail' });
    assert.ok(run7.failure, logOf(run7));
    assert.deepEqual(hitsSince(site, hits), { steady: 1, wobbly: 1 });
    assert.equal(run7.outputs[Outputs.Result], 'fail');
    assert.deepEqual(quarantinedOutput(run7), []);
    const report7 = reportOf(run7);
    assert.deepEqual(report7.quarantine?.fixtures, []);
    assert.equal(stripIn(report7, 'wobbly'), '✓✗✓✗✓✗✓✓✓✓✓✗');
    assert.deepEqual(warningsAbout(report7, /history/), [], 'no run of the chain lost its history');
  });

  it('a source that cannot be read starts the history afresh, with one warning, and never fails the run', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, { steady: 'pass', wobbly: 'pass' });
    const [earlier = 0, current = 0] = runIds(2);
    const sha = shaOf('history-broken');
    const branch = 'history/broken';
    addRun(service, { id: earlier, branch, sha, minute: 0 });
    await service.addArtifact(earlier, { name: artifactNameFor(1), files: { 'report.json': '{ "schemaVersion": 1, "this is not' } });

    const run = await chainStep(site, branch, sha, { runId: current, minute: 10, wobbly: 'pass' });
    assert.equal(run.failure, null, logOf(run));
    const report = reportOf(run);
    const warnings = warningsAbout(report, /history starts afresh/);
    assert.equal(warnings.length, 1, report.warnings.join('\n'));
    assert.match(warnings[0] ?? '', /is not valid JSON/);
    assert.equal(report.history?.source, null);
    assert.deepEqual(report.history?.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]), [
      ['steady', '✓'],
      ['wobbly', '✓'],
    ]);
    assert.match(readable(run.summary), /history starts afresh/);
  });
});
