/**
 * Where people are told about report.html: the job summary and the check run name the artifact that holds it
 * (with its URL), the terminal summary ends with its path, and a dry run writes none and names none. End to end
 * through the CLI and the bundled Action, whose artifact holds the page and every evidence file it links to.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { Outputs } from '../src/action/names.ts';
import { CHECK_RUN_TEXT_MAX_CHARS, renderJobSummary, renderJobSummaryWithin } from '../src/render/job-summary.ts';
import { formatSummary } from '../src/render/terminal.ts';
import { summaryViewOf, type SummaryViewOptions } from '../src/render/view.ts';
import type { Report } from '../src/report/schema.ts';
import { dataReport } from './report-helpers.ts';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, linesOf } from './support/cli-harness.ts';
import { type GitHubService, startGitHubService } from './support/github-service/index.ts';
import { largeReport } from './support/large-report.ts';
import { downloadArtifact, listFiles, runBundledAction, writeFixtures } from './support/run-action.ts';
import { html, siteFor } from './support/site.ts';
import { tempDir } from './support/temp.ts';

const ARTIFACT = { name: 'reliability-smoke-smoke-attempt-1', url: 'https://github.com/acme/shop-web/actions/runs/13579246801/artifacts/42' };
const view = (report: Report, options: SummaryViewOptions) => summaryViewOf(report, options);

describe('the job summary and the check run', () => {
  test('say the artifact holds report.html, with its URL', () => {
    const summary = renderJobSummary(view(dataReport('report-failing-flaky.json'), { htmlPath: '/tmp/r/report.html', artifact: ARTIFACT }));
    assert.ok(
      summary.includes(
        `📄 The artifact [reliability-smoke-smoke-attempt-1](${ARTIFACT.url}) holds \`report.html\`: every fixture, and for each ` +
          'failure its screenshot, console lines and failed requests. Download it, unzip it and open `report.html`.',
      ),
      summary,
    );
  });

  test('say what the page of a stopped run shows', () => {
    const summary = renderJobSummary(view(dataReport('report-preflight-no-artifact.json'), { htmlPath: '/tmp/r/report.html', artifact: ARTIFACT }));
    assert.match(summary, /holds `report\.html`: why the run stopped and what to run instead\./);
  });

  test('keep it when a long summary is cut to the check run’s limit', () => {
    const summary = renderJobSummaryWithin(view(largeReport({ fixtures: 2_000, failures: 1_000 }), { htmlPath: '/tmp/r/report.html', artifact: ARTIFACT }), {
      max: CHECK_RUN_TEXT_MAX_CHARS,
      unit: 'chars',
    });
    assert.ok(summary.length <= CHECK_RUN_TEXT_MAX_CHARS);
    assert.match(summary, /✂️ \*\*This summary was cut/);
    assert.ok(summary.includes(`holds \`report.html\``));
  });

  test('say nothing of it when no artifact holds it (the upload failed, or nothing was uploaded)', () => {
    const summary = renderJobSummary(view(dataReport('report-failing-flaky.json'), { htmlPath: '/tmp/r/report.html', artifact: null }));
    assert.doesNotMatch(summary, /report\.html/);
  });
});

describe('the terminal summary', () => {
  test('ends with the path of report.html, just before the verdict', () => {
    const lines = formatSummary(view(dataReport('report-failing-flaky.json'), { htmlPath: '/work/shop/smoke-report/report.html' })).split('\n');
    assert.deepEqual(lines.slice(-3), ['HTML report: /work/shop/smoke-report/report.html', '', 'RESULT: fail']);
  });

  test('in the Action’s log, names the artifact that holds it', () => {
    const text = formatSummary(view(dataReport('report-all-passed.json'), { htmlPath: '/runner/tmp/report.html', artifact: ARTIFACT }));
    assert.match(text, new RegExp(`HTML report: report\\.html in the artifact reliability-smoke-smoke-attempt-1 ${ARTIFACT.url.replace(/[./]/g, '\\$&')} \\(on this runner: /runner/tmp/report\\.html\\)\n\nRESULT: pass$`));
  });
});

describe('the CLI', () => {
  it('prints the path of report.html after its summary; a dry run writes none and names none', CLI_BOUND, async (t) => {
    const site = await siteFor(t, { '/': html('<h1>Shop</h1>', 'Shop') });
    const project = createProject();
    t.after(() => project.remove());
    project.write('fixtures/site.smoke.yml', fixturesYaml({ home: 'url: /\nexpect:\n  title: Shop', wrong: 'url: /\ntimeout: 3s\nexpect:\n  title: Elsewhere' }));
    const htmlPath = path.join(project.dir, 'smoke-report', 'report.html');

    const dry = await project.run(['--base-url', site.url, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(fs.existsSync(htmlPath), false, 'a dry run writes plan.json only');
    assert.doesNotMatch(dry.stdout, /HTML report/);

    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const lines = linesOf(run.stdout);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    assert.equal(lines.at(-2), `HTML report: ${htmlPath}`);
    const page = fs.readFileSync(htmlPath, 'utf8');
    assert.match(page, /<details class="fx failed" id="wrong"/);
    assert.match(page, /<img src="failures\/wrong\/attempt-1\.png" loading="lazy"/);
  });
});

describe('the bundled Action', () => {
  let service: GitHubService;
  before(async () => {
    service = await startGitHubService();
  });
  after(() => service.stop());

  it('uploads report.html with every evidence file it links to, and points the summary, check run and log at it', { timeout: 120_000 }, async (t) => {
    const site = await siteFor(t, { '/': html('<h1>Shop</h1><script>console.error("cart failed: 503")</script>', 'Shop') });
    const runId = 7301;
    const run = await runBundledAction(service, {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': fixturesYaml({ 'shop-loads': 'url: /\nexpect:\n  title: Shop' }) }),
    });
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    const artifactUrl = run.outputs[Outputs.ArtifactUrl] ?? '';
    assert.match(artifactUrl, /\/actions\/runs\/7301\/artifacts\/\d+$/);
    const line = `📄 The artifact [${run.outputs[Outputs.ArtifactName]}](${artifactUrl}) holds \`report.html\``;
    assert.ok(run.summary.includes(line), run.summary);
    assert.ok(service.checkRuns.at(-1)?.output.summary?.includes(line), 'the check run says it too');
    assert.ok(run.stdout.includes(`HTML report: report.html in the artifact ${run.outputs[Outputs.ArtifactName]} ${artifactUrl}`));

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
