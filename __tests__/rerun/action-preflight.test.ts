/**
 * Rerun-failed: preflight: every way the Action can fail to find or read the report to rerun.
 * Each stops before any browser starts (the site sees no request), with its own code and message, fails the step,
 * sets every output, writes AND uploads a report with the diagnostic, and shows guidance with a ready fallback
 * (the `fixtures:` input and the CLI `--fixture` form) and the full-run alternative.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import {
  addRun,
  artifactNameFor,
  artifactOf,
  builtReport,
  logOf,
  readable,
  reportOf,
  runIds,
  shaOf,
  step,
  STEP_BOUND,
  uploadedReport,
} from '../support/action-rerun.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureSite, type Site } from '../support/site.ts';

const IDS = ['alpha', 'bravo', 'charlie'] as const;
const ALL_PASS = { alpha: 'pass', bravo: 'pass', charlie: 'pass' } as const;


let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

interface Case {
  site: Site;
  current: number;
  earlier: number;
  branch: string;
  sha: string;
}

/** A branch of its own with an earlier completed run (no artifact yet) and the current run, in progress. */
async function caseFor(t: TestContext, label: string): Promise<Case> {
  const site = await fixtureSite(t, ALL_PASS);
  const [earlier = 0, current = 0] = runIds(2);
  const branch = `preflight/${label}`;
  const sha = shaOf(label);
  addRun(service, { id: earlier, branch, sha, minute: 0 });
  addRun(service, { id: current, branch, sha, status: 'in_progress', minute: 10 });
  return { site, current, earlier, branch, sha };
}

function rerun(c: Case, inputs: Record<string, string> = {}, env: Parameters<typeof step>[1]['env'] = {}): Promise<ActionStep> {
  return step(service, { runId: c.current, site: c.site, ids: IDS, inputs: { 'rerun-failed': 'true', ...inputs }, env });
}

function seed(c: Case, files: Record<string, string>) {
  return service.addArtifact(c.earlier, { name: artifactNameFor(1), files });
}

const report = (c: Case, ids: Record<string, 'passed' | 'failed'>) => builtReport({ ids, runId: c.earlier, sha: c.sha });

/** Everything every preflight stop must do; returns the readable summary for case-specific checks. */
async function assertStopped(c: Case, run: ActionStep, code: string, message: RegExp): Promise<string> {
  assert.ok(run.failure, `the step fails${logOf(run)}`);
  assert.equal(c.site.hits(), 0, 'no browser went anywhere: the site saw no request');
  for (const name of Object.values(Outputs)) assert.ok(name in run.outputs, `output ${name} is set`);
  assert.equal(run.outputs[Outputs.Result], 'fail');
  assert.equal(run.outputs[Outputs.Mode], 'rerun-failed');
  assert.equal(run.outputs[Outputs.SelectedCount], '0');

  const written = reportOf(run);
  assert.equal(written.preflight?.code, code);
  assert.equal(written.preflight?.severity, 'error');
  assert.match(written.preflight?.message ?? '', message);
  assert.equal(written.result, 'fail');
  const uploaded = await uploadedReport(service, artifactOf(service, c.current, artifactNameFor(1)));
  assert.deepEqual(uploaded.preflight, written.preflight, 'the uploaded report carries the diagnostic');

  assert.match(run.failure ?? '', /^reliability-smoke stopped/, `the step is failed with the reason${logOf(run)}`);
  assert.match(run.failure ?? '', message);

  const summary = readable(run.summary);
  assert.ok(summary.includes(`### ⛔ Stopped before any fixture ran: \`${code}\``), summary);
  assert.match(summary, /```yaml\nfixtures: <fixture-id>\n```/, 'the fixtures: input fallback');
  assert.match(summary, /```sh\nnpx reliability-smoke --base-url http:\/\/127\.0\.0\.1:\d+\/? --fixture <fixture-id>\n```/, 'the CLI fallback');
  assert.match(summary, /\*\*Or run the full suite:\*\*\n\n```sh\nnpx reliability-smoke --base-url http:\/\/127\.0\.0\.1:\d+\/?\n```/);
  assert.match(summary, /run the workflow without rerun-failed/);
  assert.match(run.log, /RESULT: fail/);
  return summary;
}

describe('a rerun that cannot find its source stops before the browser starts', () => {
  it('no earlier run: says there is none on this branch', STEP_BOUND, async (t) => {
    const site = await fixtureSite(t, ALL_PASS);
    const [current = 0] = runIds(1);
    addRun(service, { id: current, branch: 'preflight/first-ever', sha: shaOf('first'), status: 'in_progress', minute: 0 });
    const c = { site, current, earlier: 0, branch: 'preflight/first-ever', sha: shaOf('first') };
    const summary = await assertStopped(c, await rerun(c), 'no-earlier-run', /no earlier completed run of workflow "Smoke" on branch "preflight\/first-ever"/);
    assert.match(summary, /Run the suite in full first, or set artifact-run-id/);
  });

  it('no artifact: earlier runs exist but none uploaded a smoke artifact', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'no-artifact');
    await service.addArtifact(c.earlier, { name: 'coverage', files: { 'lcov.info': 'TN:\n' } });
    await assertStopped(c, await rerun(c), 'no-artifact', /None of the 1 earlier completed run .* has a usable smoke artifact named "reliability-smoke"/);
  });

  it('expired: the only smoke artifact has expired', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'expired');
    const seeded = await seed(c, { 'report.json': report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed' }) });
    service.expireArtifact(seeded.id);
    const summary = await assertStopped(c, await rerun(c), 'artifact-expired', /\("reliability-smoke-smoke-attempt-1"\) expired on/);
    assert.match(summary, /raise retention-days/);
  });

  it('permission denied: a 403 on the artifact listing asks for actions: read and shows the permissions block', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'forbidden');
    await seed(c, { 'report.json': report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed' }) });
    const fault = service.faults.add({ endpoint: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', status: 403, times: 1, message: 'Resource not accessible by integration' });
    t.after(() => service.faults.remove(fault));
    const summary = await assertStopped(c, await rerun(c), 'permission-denied', /GitHub refused to list the artifacts of run \d+ \(403/);
    assert.match(summary, /needs the actions: read permission/);
    assert.match(summary, /permissions:(<br>|\n)\s*contents: read(<br>|\n)\s*actions: read/);
  });

  it('permission denied: the permissions block in the summary pastes into a workflow as YAML', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'forbidden-yaml');
    const fault = service.faults.add({ endpoint: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', status: 403, times: 1 });
    t.after(() => service.faults.remove(fault));
    const run = await rerun(c);
    assert.ok(run.failure, logOf(run));
    // The block is a fenced yaml code block with real line breaks, not one quoted line joined with <br>.
    assert.match(readable(run.summary), /```yaml\npermissions:\n {2}contents: read\n {2}actions: read/);
  });

  it("a fork's run on a branch of the same name is not used", STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'fork-shared');
    await seed(c, { 'report.json': report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed' }) });
    const run = await rerun(c, {}, {
      eventName: 'pull_request',
      ref: 'refs/pull/12/merge',
      event: {
        action: 'synchronize',
        number: 12,
        pull_request: { number: 12, head: { ref: c.branch, sha: c.sha, repo: { full_name: 'ada/smoke-demo' } }, base: { ref: 'main', sha: shaOf('base') } },
        repository: { full_name: 'octo-org/smoke-demo' },
      },
    });
    await assertStopped(c, run, 'no-earlier-run', /from octo-org\/smoke-demo were passed over: they test another repository's code, not ada\/smoke-demo/);
  });
});

describe('a rerun whose source report is unusable stops before the browser starts', () => {
  it('not JSON', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'not-json');
    await seed(c, { 'report.json': '{"schemaVersion": 1, "fixtures": [' });
    const summary = await assertStopped(c, await rerun(c), 'not-json', /"reliability-smoke-smoke-attempt-1" of run \d+ is not valid JSON: .*\(it ends too early\)/);
    assert.match(summary, /is not JSON: it may be truncated/);
  });

  it('fails the report schema, naming the fields', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'schema-invalid');
    const broken = JSON.parse(report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed' })) as { fixtures: { status: string }[] };
    broken.fixtures[0]!.status = 'passed';
    await seed(c, { 'report.json': JSON.stringify(broken) });
    const run = await rerun(c);
    await assertStopped(c, run, 'schema-invalid', /does not match the reliability-smoke report schema/);
    assert.match(reportOf(run).preflight?.problems.join('\n') ?? '', /\$\.fixtures\[0\]\.status: says "passed" but its attempts make it "failed"/);
  });

  it('an unknown schemaVersion', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'schema-99');
    await seed(c, { 'report.json': JSON.stringify({ schemaVersion: 99, fixtures: 'whatever a newer release writes' }) });
    const summary = await assertStopped(c, await rerun(c), 'unknown-schema-version', /has schemaVersion 99, which this release of reliability-smoke does not know/);
    assert.match(summary, /reads report schemaVersion 1/);
  });

  it('a digest that does not match what GitHub recorded at upload', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'digest');
    const seeded = await seed(c, { 'report.json': report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed' }) });
    await service.corruptArtifact(seeded.id, { 'report.json': report(c, { alpha: 'passed', bravo: 'passed', charlie: 'passed' }) });
    await assertStopped(c, await rerun(c), 'digest-mismatch', /does not match its recorded digest sha256:[0-9a-f]{64}/);
  });

  it('nothing failed in the source, with if-nothing-to-rerun: error', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'nothing-error');
    await seed(c, { 'report.json': report(c, { alpha: 'passed', bravo: 'passed', charlie: 'passed' }) });
    const run = await rerun(c);
    const summary = await assertStopped(c, run, 'nothing-to-rerun', /Nothing to rerun: no fixture failed in .*\(3 passed, 0 flaky, result pass\)/);
    assert.match(summary, /Set if-nothing-to-rerun: pass/);
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(c.earlier));
  });
});

describe('nothing to rerun, with if-nothing-to-rerun: pass', () => {
  it('passes without starting a browser, and carries the source results over on the same commit', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'nothing-pass');
    await seed(c, { 'report.json': report(c, { alpha: 'passed', bravo: 'passed', charlie: 'passed' }) });
    const run = await rerun(c, { 'if-nothing-to-rerun': 'pass' });

    assert.equal(run.failure, null, logOf(run));
    assert.equal(c.site.hits(), 0);
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.equal(run.outputs[Outputs.Total], '3');
    assert.equal(run.outputs[Outputs.Passed], '3');
    assert.equal(run.outputs[Outputs.RerunSourceRunId], String(c.earlier));
    const written = reportOf(run);
    assert.equal(written.preflight?.code, 'nothing-to-rerun');
    assert.equal(written.preflight?.severity, 'notice');
    assert.equal(written.summary.carriedOver, 3);
    assert.ok(written.fixtures.every((fixture) => fixture.carriedOver?.runId === String(c.earlier)));
    const uploaded = await uploadedReport(service, artifactOf(service, c.current, artifactNameFor(1)));
    assert.equal(uploaded.summary.carriedOver, 3);
    const summary = readable(run.summary);
    assert.match(summary, /## ✅ reliability-smoke: pass/);
    assert.match(summary, /### ℹ️ Nothing to run: `nothing-to-rerun`/);
    assert.match(summary, /if-nothing-to-rerun is pass, so this run passes without running anything/);
    assert.ok(!run.annotations.some((annotation) => annotation.level === 'error'), 'nothing is annotated as an error');
  });
});

describe('inputs and fixtures that changed', () => {
  it('rerun-failed together with fixtures is a usage error', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'usage');
    const run = await rerun(c, { fixtures: 'alpha' });
    assert.ok(run.failure, logOf(run));
    assert.equal(c.site.hits(), 0);
    assert.equal(reportOf(run).preflight?.code, 'usage');
    assert.match(reportOf(run).preflight?.problems.join('\n') ?? '', /rerun-failed and fixtures cannot be combined/);
    assert.ok(run.annotations.some((annotation) => annotation.level === 'error' && /rerun-failed and fixtures cannot be combined/.test(annotation.message)));
    assert.ok(
      !service.log.some((entry) => entry.path.includes(`/runs/${c.current}`) || entry.path.includes(`/runs/${c.earlier}/artifacts`)),
      'GitHub was not asked for any run',
    );
  });

  it('a failed fixture that no longer exists is named in a warning and skipped; the others rerun', STEP_BOUND, async (t) => {
    const c = await caseFor(t, 'renamed');
    await seed(c, { 'report.json': report(c, { alpha: 'failed', bravo: 'passed', charlie: 'passed', retired: 'failed' }) });
    const run = await rerun(c);
    assert.equal(run.failure, null, logOf(run));
    assert.deepEqual([c.site.hits('/alpha'), c.site.hits('/bravo'), c.site.hits('/charlie')], [1, 0, 0]);
    assert.equal(run.outputs[Outputs.SelectedCount], '1');
    const written = reportOf(run);
    assert.deepEqual(written.selection.missing, ['retired']);
    assert.ok(written.warnings.some((warning) => /fixture "retired" failed \(or never ran\) in the source run but is no longer in the fixture files/.test(warning)));
    assert.ok(!written.fixtures.some((fixture) => fixture.id === 'retired'), 'a gone fixture is not carried over');
    assert.match(readable(run.summary), /### Warnings[\s\S]*fixture "retired" failed \(or never ran\) in the source run but is no longer in the fixture files/);
  });
});
