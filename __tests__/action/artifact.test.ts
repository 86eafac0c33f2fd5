/**
 * The smoke artifact as the Action uploads it with the real @actions/artifact client: a job re-run gets a
 * name of its own (no 409) that the prefix still finds, and an upload that fails is reported loudly without
 * changing the verdict.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Inputs, Outputs } from '../../src/action/names.ts';
import { parseSmokeArtifactName } from '../../src/rerun/artifact-names.ts';
import { Report } from '../../src/report/schema.ts';
import { runClients, valueOf } from '../support/github-service/child.ts';
import { downloadArtifact, listFiles, writeFixtures } from '../support/action-step.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub, tokenLeaks } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const HOME_PAGE = { '/': html('<h1 id="brand">Acme</h1>', 'Home') };

const HOME = 'id: home-loads\nurl: /\nexpect:\n  visible: ["#brand"]\n';
/** Fails fast: the route does not exist, so the page answers 404. */
const missingPage = (index: number) => `  - id: missing-${String(index).padStart(2, '0')}\n    url: /missing-${index}\n`;

describe('a job re-run', () => {
  it('uploads under a new name for each attempt, and the prefix finds both', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    const runId = 5101;
    const runAttempt = (attempt: number) =>
      runActionInProcess(service, {
        env: { runId, runAttempt: attempt, jobId: 'smoke' },
        inputs: { [Inputs.BaseUrl]: site.url, [Inputs.ArtifactName]: 'nightly-smoke', [Inputs.RetentionDays]: '5' },
        workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
      });
    const mark = service.log.length;
    const first = await runAttempt(1);
    const second = await runAttempt(2);
    for (const run of [first, second]) {
      assert.equal(run.failure, null, logOf(run));
      assert.doesNotMatch(run.log, /was not uploaded|already exists|\(409\) Conflict/);
    }
    assert.equal(first.outputs[Outputs.ArtifactName], 'nightly-smoke-smoke-attempt-1');
    assert.equal(second.outputs[Outputs.ArtifactName], 'nightly-smoke-smoke-attempt-2');
    assert.notEqual(first.outputs[Outputs.ArtifactId], second.outputs[Outputs.ArtifactId]);
    assert.deepEqual(
      service.log.slice(mark).filter((entry) => entry.status === 409).map((entry) => `${entry.method} ${entry.path}`),
      [],
      'no request was refused as a conflict',
    );

    // Both are in the run, found by the artifact-name prefix through the REST API, as a rerun looks for them.
    const [owner = '', repo = ''] = service.repository.split('/');
    const findBy = { token: service.githubToken, workflowRunId: runId, repositoryOwner: owner, repositoryName: repo };
    const listed = valueOf<{ artifacts: { id: number; name: string }[] }>(
      await runClients(service.env({ runId, jobId: 'later' }), [{ op: 'list', findBy }]),
      0,
    );
    const ours = listed.artifacts
      .map((artifact) => ({ ...artifact, parsed: parseSmokeArtifactName(artifact.name, 'nightly-smoke') }))
      .filter((artifact) => artifact.parsed !== null);
    assert.deepEqual(ours.map((artifact) => [artifact.parsed?.job, artifact.parsed?.attempt]).sort(), [
      ['smoke', 1],
      ['smoke', 2],
    ]);

    // retention-days reached the service: the artifacts expire in about 5 days, not the default 90.
    for (const artifact of service.artifacts.filter((candidate) => candidate.runId === runId)) {
      const days = (Date.parse(artifact.expiresAt) - Date.parse(artifact.createdAt)) / 86_400_000;
      assert.ok(days > 4 && days <= 5.01, `${artifact.name} expires after ${days} days`);
    }
    const secondArtifact = service.artifacts.find((candidate) => candidate.name === 'nightly-smoke-smoke-attempt-2');
    assert.ok(secondArtifact);
    const report = Report.parse(
      JSON.parse(fs.readFileSync(path.join(await downloadArtifact(service, runId, secondArtifact, tempDir(t)), 'report.json'), 'utf8')),
    );
    assert.equal(report.run.runAttempt, 2);
  });
});

/** What a failed upload must look like whatever the verdict. */
function assertUploadFailureReported(run: ActionStep): void {
  assert.equal(run.outputs[Outputs.ArtifactId], '');
  assert.equal(run.outputs[Outputs.ArtifactUrl], '');
  const annotation = run.annotations.find((candidate) => candidate.level === 'error' && candidate.title === 'reliability-smoke artifact upload failed');
  assert.ok(annotation, `an error annotation for the upload:${logOf(run)}`);
  assert.match(annotation.message, /was not uploaded/);
  assert.match(annotation.message, /verdict is unchanged/);
  assert.match(run.summary, /^> \[!WARNING\]$/m, 'the summary leads with a warning');
  assert.match(run.summary, /was not uploaded/);
  // Nothing points at an artifact that does not exist.
  assert.doesNotMatch(run.summary, /in the artifact/);
  for (const { message } of run.annotations) assert.doesNotMatch(message, /\(artifact [^)]*\)/, message);
  assert.doesNotMatch(run.failure ?? '', /\(artifact [^)]*\)/);
  assert.deepEqual(tokenLeaks(run, service.githubToken), []);
}

// The artifact client retries a 500 for about half a minute before giving up, so both verdicts run side by side.
describe('an upload that fails with 500s', { concurrency: true }, () => {
  before(() => {
    service.faults.add({ endpoint: 'CreateArtifact', status: 500, message: 'the results service is down' });
  });
  after(() => service.faults.clear());

  it('does not turn a pass into a fail', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    const run = await runActionInProcess(service, {
      env: { runId: 5201, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url },
      workspace: (dir) => writeFixtures(dir, { 'home.smoke.yml': HOME }),
    });
    assert.equal(run.failure, null, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'pass');
    assert.equal(run.outputs[Outputs.Passed], '1');
    assert.match(run.summary, /reliability-smoke: pass/);
    assertUploadFailureReported(run);
    assert.equal(service.artifacts.filter((artifact) => artifact.runId === 5201).length, 0);
    assert.ok(fs.existsSync(run.outputs[Outputs.ReportPath] ?? ''), 'the report is still on disk');
  });

  it('does not turn a fail into a pass', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, HOME_PAGE);
    // More failures than GitHub annotates, so the overflow notice says where the rest are.
    const fixtures = `fixtures:\n${Array.from({ length: 11 }, (_, index) => missingPage(index + 1)).join('')}`;
    const run = await runActionInProcess(service, {
      env: { runId: 5301, jobId: 'smoke' },
      inputs: { [Inputs.BaseUrl]: site.url, [Inputs.Concurrency]: '4' },
      workspace: (dir) => writeFixtures(dir, { 'missing.smoke.yml': fixtures, 'home.smoke.yml': HOME }),
    });
    assert.match(run.failure ?? '', /11 fixtures failed/, logOf(run));
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(run.outputs[Outputs.Failed], '11');
    assert.match(run.summary, /reliability-smoke: fail/);
    assertUploadFailureReported(run);
    // GitHub shows 10 errors per step: the upload failure first, then as many failures as fit beside the step's own
    // failure message (the entry point's, not counted here), and a notice that says how many more there are and where.
    const errors = run.annotations.filter((annotation) => annotation.level === 'error');
    assert.equal(errors.length, 9, errors.map((annotation) => annotation.title).join('\n'));
    assert.equal(errors[0]?.title, 'reliability-smoke artifact upload failed');
    assert.equal(errors.filter((annotation) => annotation.file === 'fixtures/missing.smoke.yml').length, 8);
    const notice = run.annotations.find((annotation) => annotation.level === 'notice' && /not annotated/.test(annotation.title));
    assert.equal(notice?.title, '3 more failures not annotated');
  });
});

/** What an earlier step left in a report folder shared with this one: its report, its plan and its evidence. */
function seedEarlierStep(reportDir: string): void {
  fs.mkdirSync(path.join(reportDir, 'failures', 'old-fixture'), { recursive: true });
  for (const name of ['report.json', 'junit.xml', 'report.html', 'plan.json', 'failures/old-fixture/attempt-1.png', 'failures/old-fixture/attempt-1.log']) {
    fs.writeFileSync(path.join(reportDir, name), `left by an earlier step: ${name}`);
  }
}

describe('a report folder an earlier step wrote to', () => {
  for (const [label, runId, dryRun, expected] of [
    ['a dry run uploads only its plan', 5401, 'true', ['plan.json']],
    ['a passing run uploads only its own report', 5402, 'false', ['junit.xml', 'report.html', 'report.json']],
  ] as const) {
    it(`${label}, none of the earlier files`, { timeout: 120_000 }, async (t) => {
      const site = await siteFor(t, HOME_PAGE);
      const run = await runActionInProcess(service, {
        env: { runId, jobId: 'smoke' },
        inputs: { [Inputs.BaseUrl]: site.url, [Inputs.ReportDir]: 'shared-report', [Inputs.DryRun]: dryRun },
        workspace: (dir) => {
          writeFixtures(dir, { 'home.smoke.yml': HOME });
          seedEarlierStep(path.join(dir, 'shared-report'));
        },
      });
      assert.equal(run.failure, null, logOf(run));
      const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
      assert.ok(artifact, 'the artifact was uploaded');
      const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
      assert.deepEqual(listFiles(downloaded), expected);
      for (const file of expected) assert.doesNotMatch(fs.readFileSync(path.join(downloaded, file), 'utf8'), /left by an earlier step/);
    });
  }
});
