/**
 * The Action from src/, run in-process against the loopback GitHub service and a real Chromium: what a workflow
 * sees for a passing suite and for a failing + flaky one (outputs, job summary, annotations, the failure message,
 * the uploaded artifact downloaded back with the real client). e2e/action-bundle.test.ts runs the same scenarios
 * through the bundled dist/index.js, as the runner does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failingSuite, passingSuite, type SeenStep } from '../support/action-scenarios.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

function seen(step: ActionStep): SeenStep {
  return {
    outputs: step.outputs,
    summary: step.summary,
    log: step.log,
    annotations: step.annotations.map(({ level, file, startLine, title }) => ({ level, file, line: startLine, title })),
    env: step.env,
  };
}

describe('a passing suite', () => {
  it('passes, sets every output, summarizes the pass and uploads a valid report', { timeout: 120_000 }, async (t) => {
    const scenario = await passingSuite(t);
    const run = await runActionInProcess(service, scenario.step);
    assert.equal(run.failure, null, logOf(run));
    await scenario.check(service, seen(run));
  });
});

describe('a failing and flaky suite', () => {
  it('fails the step and points annotations, summary and evidence at the failure first', { timeout: 120_000 }, async (t) => {
    const scenario = await failingSuite(t);
    const run = await runActionInProcess(service, scenario.step);
    assert.match(run.failure ?? '', /1 fixture failed/, logOf(run));
    await scenario.check(service, seen(run));
  });
});
