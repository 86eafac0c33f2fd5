/**
 * The smoke artifact as the Action uploads it with the real @actions/artifact client: a job re-run gets a
 * name of its own (no 409) that the prefix still finds. An upload that fails is a fault: faults/artifact-service.test.ts.
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
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const HOME_PAGE = { '/': html('<h1 id="brand">Acme</h1>', 'Home') };

const HOME = 'id: home-loads\nurl: /\nexpect:\n  visible: ["#brand"]\n';

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
