/**
 * How a merged report reads everywhere it is shown: its problems first and loud (job summary, check run title,
 * annotations, terminal, report.html), a shards section with each shard's artifact linked from the run's own
 * context, and a shard's own report saying which part it ran. Text is escaped like every other text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { titleOf } from '../../src/action/check-run.ts';
import type { SmokeOutcome } from '../../src/engine/request.ts';
import { annotationsFor } from '../../src/render/annotations.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { renderJobSummary } from '../../src/render/job-summary.ts';
import { renderJunit } from '../../src/render/junit.ts';
import { formatSummary } from '../../src/render/terminal.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import type { Report } from '../../src/report/schema.ts';
import { mergeShardReports, type ShardInput } from '../../src/shard/merge.ts';
import { mergedReportOf } from '../../src/shard/merged-report.ts';
import { context } from '../support/report-helpers.ts';
import { describeMissing, fromArtifact, partitionOf, shardReport } from '../support/shard-reports.ts';

const partition = partitionOf(['alpha', 'bravo', 'charlie', 'delta'], 3);
const failing = partition.parts[0]![0]!;
const RUN = 'https://github.com/acme/shop-web/actions/runs/13579246801';

function merged(inputs: ShardInput[]): Report {
  return mergedReportOf(mergeShardReports(inputs, { describeMissing }), {
    toolVersion: '0.1.0',
    run: context(),
    startedAt: new Date('2026-03-02T07:00:00Z'),
  });
}

const shard = (index: number) => fromArtifact(shardReport(partition, index, { [failing]: 'failed' }));
const withProblem = () => merged([shard(1), shard(3)]);
const outcomeOf = (report: Report): SmokeOutcome => ({
  report,
  reportPath: null,
  junitPath: null,
  htmlPath: null,
  planPath: null,
  plan: null,
  selectedCount: 4,
  mode: report.mode,
  exitCode: 1,
});

describe('a merged report in the job summary', () => {
  it('leads with the problems, then lists every shard with its artifact linked from this run', () => {
    const summary = renderJobSummary(summaryViewOf(withProblem(), { context: context() }));
    const problems = summary.indexOf('### ⛔ The merge cannot vouch for the whole suite (2 problems)');
    const shards = summary.indexOf('### 🧩 Shards (3)');
    const fixtures = summary.indexOf('### Fixtures');
    assert.ok(problems > 0 && problems < shards && shards < fixtures, summary);
    assert.match(summary, /- `shard-missing` \(shard 2\): Shard 2 of 3 is missing&#58; no artifact for shard 2 of 3\./);
    assert.match(summary, /merged from 3 shards/);
    const name = 'reliability-smoke-shard-1-of-3-smoke-attempt-1';
    assert.ok(summary.includes(`| 1 of 3 | ✅ merged | smoke | 1 | [${name}](${RUN}/artifacts/101) |`), summary);
    assert.match(summary, /\| 2 of 3 \| ⛔ missing \|/);
    assert.match(summary, new RegExp(`\\| 1: \`${failing}\` \\| fail \\|`));
  });

  it("escapes what a shard's report says, and links nothing a report supplies", () => {
    const hostile = shard(2);
    const report = merged([shard(1), { ...hostile, label: 'the artifact "<img src=x>|**bold**"', read: { code: 'not-json', message: '[click](https://evil.example)' } }, shard(3)]);
    const summary = renderJobSummary(summaryViewOf(report));
    assert.ok(!summary.includes('<img'), 'no markup');
    // Artifact links come from the rendering run's server and repository, never from the report's own run.
    const forged = { ...report, run: { ...report.run, serverUrl: 'https://evil.example' } };
    const linked = renderJobSummary(summaryViewOf(forged, { context: context() }));
    assert.ok(!linked.includes('(https://evil.example'), linked);
    assert.ok(linked.includes(`${RUN}/artifacts/101`), linked);
    assert.ok(!summary.includes('](https://evil.example)'), 'no link from report text');
    const html = renderHtmlReport(report, summaryViewOf(report));
    assert.ok(!html.includes('<img src=x>'));
    assert.ok(!html.includes('href="https://evil.example"'));
  });
});

describe('a merged report elsewhere', () => {
  it('its problems are error annotations that come before the failures', () => {
    const annotations = annotationsFor(summaryViewOf(withProblem()), { error: 10, warning: 10 });
    assert.deepEqual(
      annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.title),
      ['reliability-smoke merge: shard-missing (shard 2)', 'reliability-smoke merge: fixture-in-no-shard', `Smoke fixture ${failing} failed (assertion)`],
    );
  });

  it('the check run title says the merge is incomplete before the counts', () => {
    assert.match(titleOf(outcomeOf(withProblem())), /^Merge incomplete \(shard-missing, fixture-in-no-shard\), 1 failed, \d passed$/);
    assert.match(titleOf(outcomeOf(merged([shard(1), shard(2), shard(3)]))), /^1 failed, 3 passed$/);
  });

  it('the terminal lists each shard, then the problems', () => {
    const text = formatSummary(summaryViewOf(withProblem()));
    assert.match(text, /Merged 2 of 3 shards:\n {2}shard 1 of 3 {2}fail {2}\d fixtures?, 1 failed {2}attempt 1 {2}reliability-smoke-shard-1-of-3-smoke-attempt-1\n {2}shard 2 of 3 {2}MISSING\n/);
    assert.match(text, /The merge cannot vouch for the whole suite \(2\):\n {2}✗ shard-missing: Shard 2 of 3 is missing/);
    assert.match(text, /RESULT: fail$/);
  });

  it('report.html has a shards panel: the problems, each shard, and links to the failures', () => {
    const report = withProblem();
    const html = renderHtmlReport(report, summaryViewOf(report, { context: context() }));
    assert.match(html, /<section class="panel stop" id="_shards">/);
    assert.match(html, /<h2>The merge cannot vouch for the whole suite<\/h2>/);
    assert.match(html, new RegExp(`Shard 1 of 3: merged · attempt 1 · artifact <a href="${RUN}/artifacts/101" rel="noopener noreferrer">`));
    assert.match(html, new RegExp(`1 failed · fail: <a href="#${failing}">`));
    assert.match(html, /Shard 2 of 3: MISSING<\/li>/);
  });
});

describe('a merged report in junit.xml', () => {
  it('has an error per merge problem, so a reader of junit.xml alone never sees a pass', () => {
    const xml = renderJunit(merged([shard(1), shard(3)]));
    assert.match(xml, /<testsuites name="reliability-smoke" tests="\d+" failures="1" errors="2"/);
    assert.match(xml, /<testsuite name="merge" tests="2" failures="0" errors="2"/);
    assert.match(xml, /<testcase classname="merge" name="shard-missing \(shard 2\)" time="0\.000">\n {6}<error message="Shard 2 of 3 is missing: no artifact for shard 2 of 3\." type="shard-missing">/);
    assert.doesNotMatch(renderJunit(merged([shard(1), shard(2), shard(3)])), /name="merge"/);
  });
});

describe("a shard's own report", () => {
  it('says which part it ran, of how many fixtures, and how the parts were balanced', () => {
    const view = summaryViewOf(shardReport(partition, 2));
    assert.deepEqual(view.shard, { index: 2, total: 3, count: partition.parts[1]!.length, of: 4, balancedBy: 'count' });
    assert.match(renderJobSummary(view), new RegExp(`shard 2 of 3 \\(${partition.parts[1]!.length} of 4 fixtures, balanced by count\\)`));
    assert.match(formatSummary(view), new RegExp(`Shard 2 of 3: ${partition.parts[1]!.length} of 4 fixtures, balanced by count`));
    assert.equal(view.merge, null);
  });
});
