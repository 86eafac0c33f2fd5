/**
 * Two suites every way of running the Action must get right, and what a workflow must see of each: a passing suite
 * and a failing + flaky one. action/run.test.ts runs them from src/ in-process, e2e/action-bundle.test.ts through
 * the bundled dist/index.js as the runner does; both check the step with the same assertions below, after
 * checking how their own step ended (a failure message in-process, an exit code and workflow commands for the
 * bundle).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { Report } from '../../src/report/schema.ts';
import { downloadArtifact, listFiles, type StepOptions, writeFixtures } from './action-step.ts';
import type { GitHubService } from './github-service/index.ts';
import { fixtureTableOf } from './report-view.ts';
import { failTimes, html, siteFor } from './site.ts';
import { tempDir } from './temp.ts';

/** What both ways of running a step give, in one shape. */
export interface SeenStep {
  outputs: Record<string, string>;
  summary: string;
  /** The step's log (its stdout for the bundle). */
  log: string;
  /** Annotations (errors, warnings, notices) in the order they were sent. */
  annotations: { level: string; file: string | null; line: number | null; title: string }[];
  env: Record<string, string>;
}

export interface Scenario {
  runId: number;
  /** The options of the step that runs it, for the site the scenario started. */
  step: StepOptions;
  /** Checks what the workflow sees of the step; `downloaded` is where the smoke artifact was downloaded to. */
  check(service: GitHubService, seen: SeenStep): Promise<{ downloaded: string }>;
}

const PASSING = `fixtures:
  - id: home-loads
    title: The home page loads
    url: /
    expect:
      status: 200
      title: Home
      visible: ["#brand"]
  - id: about-loads
    url: /about
    expect:
      text: { selector: h1, contains: About us }
`;

const FAILING = `fixtures:
  - id: checkout-works
    title: Checkout shows the pay button
    url: /checkout
    expect:
      timeout: 3s
      visible: ["#pay"]

  - id: search-works
    url: /search
    retries: 1
    expect:
      visible: ["#results"]

  - id: home-loads
    url: /
    expect:
      visible: ["#brand"]
`;

/** The table row of a fixture in the job summary. */
export const rowOf = (summary: string, id: string) => summary.split('\n').find((line) => line.startsWith(`| \`${id}\``));

/** Two fixtures that pass: every output is set, the summary says so, and the artifact holds a valid report. */
export async function passingSuite(t: TestContext): Promise<Scenario> {
  const site = await siteFor(t, {
    '/': html('<h1 id="brand">Acme</h1>', 'Home'),
    '/about': html('<h1>About us</h1>', 'About'),
  });
  const runId = 1101;
  return {
    runId,
    step: {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'pages.smoke.yml': PASSING }),
    },
    async check(service, seen) {
      const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
      assert.ok(artifact, 'the smoke artifact was uploaded');
      const checkRun = service.checkRuns.at(-1);
      assert.ok(checkRun);
      assert.deepEqual(seen.outputs, {
        [Outputs.Result]: 'pass',
        [Outputs.Mode]: 'full',
        [Outputs.Total]: '2',
        [Outputs.Passed]: '2',
        [Outputs.Failed]: '0',
        [Outputs.Flaky]: '0',
        [Outputs.Skipped]: '0',
        [Outputs.FailedFixtures]: '[]',
        [Outputs.QuarantinedFixtures]: '[]',
        [Outputs.NotCoveredFixtures]: '[]',
        [Outputs.SelectedCount]: '2',
        [Outputs.ReportPath]: path.join(seen.env.RUNNER_TEMP ?? '', 'reliability-smoke', 'report.json'),
        [Outputs.ArtifactName]: 'reliability-smoke-smoke-attempt-1',
        [Outputs.ArtifactId]: String(artifact.id),
        [Outputs.ArtifactUrl]: `https://github.com/${service.repository}/actions/runs/${runId}/artifacts/${artifact.id}`,
        [Outputs.RerunSourceRunId]: '',
        [Outputs.CheckRunId]: String(checkRun.id),
      });
      assert.equal(checkRun.conclusion, 'success');

      assert.match(seen.summary, /^## ✅ reliability-smoke: pass$/m);
      assert.match(seen.summary, /\*\*2 fixtures\*\*: ✅ 2 passed · ❌ 0 failed · ⚠️ 0 flaky · ⏭️ 0 skipped/);
      assert.ok(rowOf(seen.summary, 'home-loads')?.includes('✅ passed'));
      assert.ok(rowOf(seen.summary, 'about-loads')?.includes('✅ passed'));
      assert.deepEqual(seen.annotations, []);
      assert.deepEqual(seen.log.match(/^RESULT: .*$/gm), ['RESULT: pass'], 'one verdict line');

      // The artifact is found by its prefix and ends with the job and the attempt.
      assert.equal(artifact.name, 'reliability-smoke-smoke-attempt-1');
      const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
      assert.deepEqual(listFiles(downloaded), ['junit.xml', 'report.html', 'report.json']);
      const report = Report.parse(JSON.parse(fs.readFileSync(path.join(downloaded, 'report.json'), 'utf8')));
      assert.equal(report.result, 'pass');
      assert.equal(report.run.runId, String(runId));
      assert.deepEqual(report.fixtures.map((fixture) => [fixture.id, fixture.status]).sort(), [
        ['about-loads', 'passed'],
        ['home-loads', 'passed'],
      ]);
      assert.deepEqual(
        report,
        Report.parse(JSON.parse(fs.readFileSync(seen.outputs[Outputs.ReportPath] ?? '', 'utf8'))),
        'the artifact holds the report the step wrote',
      );
      assert.match(fs.readFileSync(path.join(downloaded, 'junit.xml'), 'utf8'), /<testsuites[^>]*tests="2"[^>]*failures="0"/);
      return { downloaded };
    },
  };
}

/**
 * A failing fixture, a flaky one and a passing one: the failure comes first in annotations and the summary, and the
 * evidence of every failed attempt is in the artifact.
 */
export async function failingSuite(t: TestContext): Promise<Scenario & { site: Awaited<ReturnType<typeof siteFor>> }> {
  const site = await siteFor(t, {
    '/': html('<h1 id="brand">Acme</h1>', 'Home'),
    '/checkout': html('<h1>Checkout</h1><p>No pay button here</p>', 'Checkout'),
    '/search': failTimes(1, html('<ul id="results"><li>one</li></ul>', 'Search')),
  });
  const runId = 1201;
  return {
    runId,
    site,
    step: {
      env: { runId, jobId: 'smoke' },
      inputs: { 'base-url': site.url, timeout: '10s' },
      workspace: (dir) => writeFixtures(dir, { 'shop.smoke.yml': FAILING }),
    },
    async check(service, seen) {
      assert.equal(site.hits('/search'), 2, 'the flaky fixture was retried once');
      assert.equal(seen.outputs[Outputs.Result], 'fail');
      assert.equal(seen.outputs[Outputs.Total], '3');
      assert.equal(seen.outputs[Outputs.Passed], '1');
      assert.equal(seen.outputs[Outputs.Failed], '1');
      assert.equal(seen.outputs[Outputs.Flaky], '1');
      assert.equal(seen.outputs[Outputs.FailedFixtures], '["checkout-works"]');
      assert.deepEqual(seen.log.match(/^RESULT: .*$/gm), ['RESULT: fail'], 'one verdict line');

      // Annotations: the failure as an error at its fixture's file and line, then the flaky one as a warning.
      const atFile = (level: string) => seen.annotations.findIndex((annotation) => annotation.level === level && annotation.file === 'fixtures/shop.smoke.yml');
      const failure = atFile('error');
      const flaky = atFile('warning');
      assert.ok(failure >= 0, `an error annotation at the fixture file:\n${seen.log}`);
      assert.ok(flaky > failure, 'the flaky warning comes after the failure');
      assert.equal(seen.annotations[failure]?.line, 2);
      assert.match(seen.annotations[failure]?.title ?? '', /checkout-works failed/);
      assert.equal(seen.annotations[flaky]?.line, 9);
      assert.match(seen.annotations[flaky]?.title ?? '', /search-works is flaky/);

      // The summary: verdict, counts, failures first in the table, and a flaky section.
      assert.match(seen.summary, /^## ❌ reliability-smoke: fail$/m);
      assert.match(seen.summary, /✅ 1 passed · ❌ 1 failed · ⚠️ 1 flaky/);
      const rows = fixtureTableOf(seen.summary).split('\n').filter((line) => /^\| `[a-z-]+`/.test(line));
      assert.deepEqual(
        rows.map((line) => /^\| `([a-z-]+)`/.exec(line)?.[1]),
        ['checkout-works', 'search-works', 'home-loads'],
        'failures first, then flaky, then passed',
      );
      assert.match(rows[0] ?? '', /❌ failed/);
      assert.match(seen.summary, /### ⚠️ Flaky \(1\)/);

      // Evidence of every failed attempt is in the artifact, beside the report.
      const artifact = service.artifacts.find((candidate) => candidate.runId === runId);
      assert.ok(artifact);
      assert.equal(seen.outputs[Outputs.ArtifactId], String(artifact.id));
      const downloaded = await downloadArtifact(service, runId, artifact, tempDir(t));
      const files = listFiles(downloaded);
      for (const file of [
        'report.json',
        'junit.xml',
        'report.html',
        'failures/checkout-works/attempt-1.png',
        'failures/checkout-works/attempt-1.html',
        'failures/checkout-works/attempt-1.log',
        'failures/search-works/attempt-1.png',
        'failures/search-works/attempt-1.html',
        'failures/search-works/attempt-1.log',
      ]) {
        assert.ok(files.includes(file), `${file} is in the artifact: ${files.join(', ')}`);
      }
      const png = fs.readFileSync(path.join(downloaded, 'failures/checkout-works/attempt-1.png'));
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a real PNG');
      const report = Report.parse(JSON.parse(fs.readFileSync(path.join(downloaded, 'report.json'), 'utf8')));
      const checkout = report.fixtures.find((fixture) => fixture.id === 'checkout-works');
      assert.equal(checkout?.status, 'failed');
      assert.equal(checkout?.file, 'fixtures/shop.smoke.yml');
      assert.equal(checkout?.line, 2);
      assert.equal(checkout?.attempts[0]?.evidence?.screenshot, 'failures/checkout-works/attempt-1.png');
      assert.equal(report.fixtures.find((fixture) => fixture.id === 'search-works')?.status, 'flaky');
      return { downloaded };
    },
  };
}
