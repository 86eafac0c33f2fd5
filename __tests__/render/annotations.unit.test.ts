import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ANNOTATIONS_PER_STEP, type Annotation, annotationsFor } from '../../src/render/annotations.ts';
import { buildReport } from '../../src/report/build.ts';
import type { Report } from '../../src/report/schema.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { rerunIdsOf } from '../../src/rerun/failed-set.ts';
import { attempt, baseInput, dataReport, loaded, run, suite } from '../support/report-helpers.ts';

function reportWith(failed: number, flaky: number, carriedFailures = 0): Report {
  const runs = [
    ...Array.from({ length: flaky }, (_, i) =>
      run(loaded(`flaky-${i}`, { line: 100 + i }), [attempt(`flaky-${i}`, 1, { kind: 'navigation', message: 'reset' }), attempt(`flaky-${i}`, 2)]),
    ),
    ...Array.from({ length: failed }, (_, i) =>
      run(loaded(`fail-${i}`, { file: 'fixtures/checkout.smoke.yml', line: 10 + i }), [attempt(`fail-${i}`, 1, { kind: 'timeout', message: `took too long ${i}` })]),
    ),
  ];
  const report = buildReport(baseInput(suite(runs)));
  // Mark the first failures as carried over, as a rerun on the same commit would.
  report.fixtures.filter((f) => f.status === 'failed').slice(0, carriedFailures).forEach((f) => {
    f.carriedOver = { runId: '1', runAttempt: 1, artifactName: 'a', sha: null };
  });
  report.summary.carriedOver = carriedFailures;
  return report;
}

const view = (report: Report) => summaryViewOf(report, { reportDir: 'smoke-report', reportPath: 'smoke-report/report.json' });

describe('annotationsFor', () => {
  test('failures are errors at the fixture file and line, flaky fixtures warnings, failures first', () => {
    const annotations = annotationsFor(view(dataReport('report-failing-flaky.json')));
    assert.deepEqual(
      annotations.map((a) => [a.level, a.file, a.startLine, a.title]),
      [
        ['error', 'fixtures/home.smoke.yml', 26, 'Smoke fixture home-help-menu failed (assertion)'],
        ['error', 'fixtures/pages.smoke.yaml', 14, 'Smoke fixture account-from-home failed (timeout)'],
        ['warning', 'fixtures/login.smoke.yml', 3, 'Smoke fixture login-flow is flaky'],
      ],
    );
    const [first] = annotations;
    assert.ok(first);
    assert.match(first.message, /^expect\.visible\[0\]: .* is not visible/);
    assert.match(first.message, /\nAttempts: 2 \(assertion, assertion\)\n/);
    assert.match(first.message, /\nEvidence: smoke-report\/failures\/home-help-menu\/attempt-2\.png, /);
  });

  test('a parked fixture is a notice at its line with its reason; one skipped by an interruption is not, and a rerun leaves parked ones alone', () => {
    const parked = Array.from({ length: 7 }, (_, i) => run(loaded(`parked-${i}`, { line: 40 + i, skip: `waiting for #${i}` }), [], `waiting for #${i}`));
    const cutOff = run(loaded('cut-off', { line: 90 }), [], 'The suite timeout was reached before this fixture started.');
    const passing = run(loaded('home', { line: 2 }), [attempt('home', 1)]);
    const report = buildReport(baseInput(suite([passing, ...parked, cutOff])));
    assert.deepEqual(
      report.fixtures.filter((f) => f.status === 'skipped').map((f) => f.skippedBy),
      [...parked.map(() => 'fixture'), 'run'],
    );
    const notices = annotationsFor(view(report)).filter((a) => a.level === 'notice');
    assert.deepEqual(
      notices.map((a) => [a.startLine, a.title]),
      [40, 41, 42, 43, 44].map((line, i) => [line, `Smoke fixture parked-${i} skipped`]),
    );
    assert.equal(notices[0]?.message, 'Skipped: waiting for #0\nIt is parked with skip: in its file; remove that line to run it again.');
    assert.match(notices.at(-1)?.message ?? '', /\n2 more skipped fixtures are listed in the job summary\.$/);
    assert.deepEqual(rerunIdsOf(report), ['cut-off'], 'a rerun runs what the run never reached, not what is parked');
  });

  test('GitHub shows 10 errors and 10 warnings per step: the rest are counted in one notice', () => {
    const annotations = annotationsFor(view(reportWith(15, 12)));
    const count = (level: Annotation['level']) => annotations.filter((a) => a.level === level).length;
    assert.deepEqual([count('error'), count('warning'), count('notice')], [10, 10, 1]);
    assert.equal(annotations.length, 21);
    const notice = annotations.at(-1);
    assert.equal(notice?.title, '5 more failures and 2 more warnings (flaky or quarantined fixtures) not annotated');
    assert.match(notice?.message ?? '', /GitHub shows 10 error and 10 warning annotations per step/);
    assert.match(notice?.message ?? '', /listed in the job summary and in smoke-report\/report\.json/);
    assert.deepEqual(
      annotations.filter((a) => a.level === 'error').map((a) => a.title),
      Array.from({ length: 10 }, (_, i) => `Smoke fixture fail-${i} failed (timeout)`),
    );
  });

  test('the notice counts one left-out failure in the singular', () => {
    const notice = annotationsFor(view(reportWith(11, 0))).at(-1);
    assert.equal(notice?.title, '1 more failure not annotated');
    assert.match(notice?.message ?? '', /1 more failure is listed in the job summary/);
  });

  test('no notice when everything fits, and the check run can ask for all of them', () => {
    assert.equal(annotationsFor(view(reportWith(10, 10))).length, 20);
    const all = annotationsFor(view(reportWith(60, 3)), { error: Infinity, warning: Infinity });
    assert.equal(all.length, 63);
    assert.deepEqual(ANNOTATIONS_PER_STEP, { error: 10, warning: 10 });
  });

  test("this run's failures come before carried-over ones", () => {
    const titles = annotationsFor(view(reportWith(3, 0, 2))).map((a) => a.title);
    assert.deepEqual(titles, [
      'Smoke fixture fail-2 failed (timeout)',
      'Smoke fixture fail-0 failed (timeout) [carried over]',
      'Smoke fixture fail-1 failed (timeout) [carried over]',
    ]);
  });

  test('a preflight stop is an error without a file, with the fallback commands', () => {
    const [annotation, ...rest] = annotationsFor(view(dataReport('report-preflight-no-artifact.json')));
    assert.deepEqual(rest, []);
    assert.ok(annotation);
    assert.equal(annotation.level, 'error');
    assert.equal(annotation.file, null);
    assert.equal(annotation.title, 'reliability-smoke stopped before running any fixture (no-artifact)');
    assert.match(annotation.message, /\nRun only these fixtures: npx reliability-smoke --fixture <fixture-id>\nOr run the full suite: npx reliability-smoke$/);
  });

  test('page text in annotations keeps its line breaks and shows other controls visibly', () => {
    const report = buildReport(
      baseInput(suite([run(loaded('evil', { title: 'T\u001b[2K', file: 'fixtures/evil.smoke.yml', line: 5 }), [attempt('evil', 1, { kind: 'script-error', message: '::error::x %0A \u0000 done' })])])),
    );
    const [annotation] = annotationsFor(view(report));
    assert.ok(annotation);
    assert.match(annotation.message, /^::error::x %0A \\u0000 done\nAttempts: 1 \(script-error\)\nFixture: T\\u001b\[2K\n/);
  });
});
