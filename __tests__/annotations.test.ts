import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ANNOTATIONS_PER_STEP, type Annotation, annotationsFor, toWorkflowCommand } from '../src/action/annotations.ts';
import { buildReport } from '../src/report/build.ts';
import type { Report } from '../src/report/schema.ts';
import { summaryViewOf } from '../src/report/summary-data.ts';
import { attempt, baseInput, dataReport, loaded, run, suite } from './report-helpers.ts';

/**
 * Reads a log line the way the runner does: a command only if, after leading spaces, it starts with `::`; the
 * properties end at the next `::`; then the runner's unescaping.
 */
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } | null {
  const text = line.trimStart();
  if (!text.startsWith('::')) return null;
  const end = text.indexOf('::', 2);
  if (end < 0) return null;
  const info = text.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const [key, ...value] = pair.split('=');
      properties[key ?? ''] = unescape(value.join('='), true);
    }
  }
  return { command, properties, data: unescape(text.slice(end + 2), false) };
}

function unescape(text: string, property: boolean): string {
  let out = text.replaceAll('%0D', '\r').replaceAll('%0A', '\n');
  if (property) out = out.replaceAll('%3A', ':').replaceAll('%2C', ',');
  return out.replaceAll('%25', '%');
}

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

  test('GitHub shows 10 errors and 10 warnings per step: the rest are counted in one notice', () => {
    const annotations = annotationsFor(view(reportWith(15, 12)));
    const count = (level: Annotation['level']) => annotations.filter((a) => a.level === level).length;
    assert.deepEqual([count('error'), count('warning'), count('notice')], [10, 10, 1]);
    assert.equal(annotations.length, 21);
    const notice = annotations.at(-1);
    assert.equal(notice?.title, '5 more failures and 2 more flaky fixtures not annotated');
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
});

describe('toWorkflowCommand', () => {
  test('the exact line, with file, line and title', () => {
    const line = toWorkflowCommand({ level: 'error', message: 'took too long', title: 'Smoke fixture a failed (timeout)', file: 'fixtures/a.smoke.yml', startLine: 12 });
    assert.equal(line, '::error file=fixtures/a.smoke.yml,line=12,title=Smoke fixture a failed (timeout)::took too long');
    assert.equal(toWorkflowCommand({ level: 'notice', message: 'm', title: '', file: null, startLine: null }), '::notice::m');
  });

  test('a message holding ::error:: and line breaks stays data of one command', () => {
    const message = 'expected "ok"\n::error::injected\r\n::add-mask::secret 100% done\n##[error]legacy';
    const annotation: Annotation = { level: 'warning', message, title: 'a: b, c', file: 'fixtures/we,ird:name.smoke.yml', startLine: 3 };
    const line = toWorkflowCommand(annotation);
    assert.doesNotMatch(line, /[\r\n]/);
    assert.equal(line, '::warning file=fixtures/we%2Cird%3Aname.smoke.yml,line=3,title=a%3A b%2C c::expected "ok"%0A::error::injected%0D%0A::add-mask::secret 100%25 done%0A##[error]legacy');
    const parsed = parseCommand(line);
    assert.deepEqual(parsed, {
      command: 'warning',
      properties: { file: 'fixtures/we,ird:name.smoke.yml', line: '3', title: 'a: b, c' },
      data: message,
    });
  });

  test('page text in real annotations round-trips through the runner unescaping, controls shown visibly', () => {
    const report = buildReport(
      baseInput(suite([run(loaded('evil', { title: 'T\u001b[2K', file: 'fixtures/evil.smoke.yml', line: 5 }), [attempt('evil', 1, { kind: 'script-error', message: '::error::x %0A \u0000 done' })])])),
    );
    const [annotation] = annotationsFor(view(report));
    assert.ok(annotation);
    const parsed = parseCommand(toWorkflowCommand(annotation));
    assert.equal(parsed?.command, 'error');
    assert.equal(parsed?.data, annotation.message);
    assert.match(annotation.message, /^::error::x %0A \\u0000 done\nAttempts: 1 \(script-error\)\nFixture: T\\u001b\[2K\n/);
  });
});
