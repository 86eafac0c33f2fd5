/**
 * report.html in the Action, run in-process from src/: the artifact holds the page and every evidence file it
 * links to, and the job summary, the check run and the log point at it. e2e/action-bundle.test.ts checks the
 * bundled Action's artifact holds the page and its evidence too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { downloadArtifact, listFiles, writeFixtures } from '../support/action-step.ts';
import { fixturesYaml } from '../support/cli-harness.ts';
import type { GitHubService } from '../support/github-service/index.ts';
import { logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, siteFor } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';

let service: GitHubService;

before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

describe('the Action', () => {
  it('uploads report.html with every evidence file it links to, and points the summary, check run and log at it', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1>Shop</h1><script>console.error("cart failed: 503")</script>', 'Shop') });
    const runId = 7301;
    const run = await runActionInProcess(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': fixturesYaml({ 'shop-loads': 'url: /\nexpect:\n  title: Shop' }) }),
    });
    assert.match(run.failure ?? '', /1 fixture failed/, logOf(run));
    const artifactUrl = run.outputs[Outputs.ArtifactUrl] ?? '';
    assert.match(artifactUrl, /\/actions\/runs\/7301\/artifacts\/\d+$/);
    const line = `📄 The artifact [${run.outputs[Outputs.ArtifactName]}](${artifactUrl}) holds \`report.html\``;
    assert.ok(run.summary.includes(line), run.summary);
    assert.ok(service.checkRuns.at(-1)?.output.summary?.includes(line), 'the check run says it too');
    assert.ok(run.log.includes(`HTML report: report.html in the artifact ${run.outputs[Outputs.ArtifactName]} ${artifactUrl}`), logOf(run));

    const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
    assert.ok(artifact);
    const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
    const files = listFiles(downloaded);
    const page = fs.readFileSync(path.join(downloaded, 'report.html'), 'utf8');
    const linked = [...page.matchAll(/\s(?:href|src)="(failures\/[^"]+)"/g)].map((match) => match[1]!);
    assert.deepEqual([...new Set(linked)].sort(), ['failures/shop-loads/attempt-1.html', 'failures/shop-loads/attempt-1.log', 'failures/shop-loads/attempt-1.png']);
    for (const file of linked) assert.ok(files.includes(file), `${file} is in the artifact`);
    assert.match(page, /cart failed: 503/, 'the console line is on the page');
  });
});
