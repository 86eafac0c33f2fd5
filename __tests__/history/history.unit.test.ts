/**
 * The history core on its own: how outcomes are carried from report to report and bounded, how the flake rate
 * counts, and when a fixture is quarantined and released. No browser: reports are built by the report builder.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flakeRateOf, flakiestOf, stripOf } from '../../src/history/flake-rate.ts';
import { historyOfReport, mergedHistory, nextHistory } from '../../src/history/outcomes.ts';
import { autoQuarantined, quarantineOf } from '../../src/history/quarantine.ts';
import { buildReport } from '../../src/report/build.ts';
import { annotationsFor } from '../../src/render/annotations.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { renderJobSummary } from '../../src/render/job-summary.ts';
import { formatSummary } from '../../src/render/terminal.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { historyDepth, REPORT_LIMITS } from '../../src/report/limits.ts';
import { type FixtureResult, type FixtureStatus, type History, type HistoryOutcome, Report } from '../../src/report/schema.ts';
import { attempt, baseInput, context, loaded, run, SHA_A, SHA_B, suite } from '../support/report-helpers.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

/** Outcomes from a strip: ✓ passed, ✗ failed, ~ flaky, · skipped; one run each, all on `sha` unless given. */
function outcomes(strip: string, sha: string | null = SHA_A): HistoryOutcome[] {
  const status: Record<string, FixtureStatus> = { '✓': 'passed', '✗': 'failed', '~': 'flaky', '·': 'skipped' };
  return [...strip].map((mark, index) => ({
    runId: String(100 + index),
    attempt: 1,
    sha,
    status: status[mark] ?? assert.fail(`unknown mark ${mark}`),
    at: new Date(Date.UTC(2026, 2, 1, index)).toISOString(),
  }));
}

function historyOf(entries: Record<string, HistoryOutcome[]>): History {
  return { source: null, fixtures: Object.entries(entries).map(([id, list]) => ({ id, outcomes: list })) };
}

function result(id: string, status: 'passed' | 'failed' | 'flaky', carried = false): FixtureResult {
  const attempts =
    status === 'passed'
      ? [attempt(id, 1)]
      : status === 'failed'
        ? [attempt(id, 1, { kind: 'assertion', message: 'expected 200, got 500' })]
        : [attempt(id, 1, { kind: 'assertion', message: 'expected 200, got 500' }), attempt(id, 2)];
  return {
    id,
    title: null,
    file: 'fixtures/a.smoke.yml',
    line: 1,
    tags: [],
    url: null,
    status,
    attempts,
    durationMs: 100,
    skipReason: null,
    carriedOver: carried ? { runId: '1', runAttempt: 1, artifactName: null, sha: SHA_A } : null,
    recovered: false,
  };
}

describe('flake rate', () => {
  test('a run that passed only on a retry is flaky', () => {
    assert.deepEqual(flakeRateOf(outcomes('✓~✓✓')), { runs: 4, flakes: 1, rate: 0.25 });
  });

  test('a failure followed by a pass of the same commit is flaky', () => {
    assert.deepEqual(flakeRateOf(outcomes('✓✗✓✓✓')), { runs: 5, flakes: 1, rate: 0.2 });
  });

  test('a failure followed by a pass of another commit is a fix, not a flake', () => {
    const fixed = [...outcomes('✓✗'), ...outcomes('✓✓', SHA_B)];
    assert.deepEqual(flakeRateOf(fixed), { runs: 4, flakes: 0, rate: 0 });
  });

  test('a failure with no run after it, or failing again, is not (yet) flaky', () => {
    assert.equal(flakeRateOf(outcomes('✓✓✗')).flakes, 0);
    assert.equal(flakeRateOf(outcomes('✗✗✗')).flakes, 0);
  });

  test('skipped runs are not runs, and a failure skips over them to the next run', () => {
    assert.deepEqual(flakeRateOf(outcomes('✗··✓')), { runs: 2, flakes: 1, rate: 0.5 });
  });

  test('an unknown commit never makes a failure flaky', () => {
    assert.equal(flakeRateOf(outcomes('✗✓', null)).flakes, 0);
  });

  test('the strip shows every outcome, oldest first', () => {
    assert.equal(stripOf(outcomes('✓✓✗✓~·')), '✓✓✗✓~·');
  });

  test('the flakiest list leaves out fixtures that never flaked and puts the worst first', () => {
    const flakiest = flakiestOf(historyOf({ steady: outcomes('✓✓✓'), bad: outcomes('~~✓✓'), worse: outcomes('✗✓~') }), 10);
    assert.deepEqual(
      flakiest.map((fixture) => [fixture.id, fixture.rate, fixture.strip]),
      [
        ['worse', 0.667, '✗✓~'],
        ['bad', 0.5, '~~✓✓'],
      ],
    );
  });
});

describe('quarantine', () => {
  const suiteOf = (...ids: string[]) => ids.map((id) => ({ id }));

  test('auto quarantines a fixture whose rate over at least 5 runs reaches the threshold', () => {
    assert.equal(autoQuarantined(outcomes('✓✗✓✓✓✗'), 0.2), false, '1 flake in 6 runs is under 0.2 (the last failure has no run after it)');
    assert.equal(autoQuarantined(outcomes('✓✗✓✓✓✗'), 0.15), true, 'but not under 0.15');
    assert.equal(autoQuarantined(outcomes('✗✓✓✓✗'), 0.2), true, '1 flake in 5 runs is 0.2');
    assert.equal(autoQuarantined(outcomes('✗✓✓✓'), 0.2), false, 'only 4 runs');
    assert.equal(autoQuarantined(outcomes('✓✓✓✓✗✓✓✓✓✓✓'), 0.2), false, 'under the threshold');
  });

  test('5 passes in a row release it; a failure after that counts again', () => {
    assert.equal(autoQuarantined(outcomes('~~✓✓✓✓'), 0.2), true, '4 passes are not enough');
    assert.equal(autoQuarantined(outcomes('~~✓✓✓✓✓'), 0.2), false, '5 passes release it, though its rate is still 2/7');
    assert.equal(autoQuarantined(outcomes('~~✓✓✓✓~'), 0.2), true, 'a flaky run is not a pass');
  });

  test('off quarantines only fixtures that say so; auto adds the flaky ones', () => {
    const history = historyOf({ flaky: outcomes('~✓~✓✓'), steady: outcomes('✓✓✓✓✓') });
    const suite = [{ id: 'flaky' }, { id: 'steady' }, { id: 'manual', quarantine: true }];
    assert.deepEqual(quarantineOf({ suite, history, mode: 'off', threshold: 0.2 }).fixtures, [{ id: 'manual', reason: 'manual', rate: null, runs: 0 }]);
    assert.deepEqual(quarantineOf({ suite, history, mode: 'auto', threshold: 0.2 }).fixtures, [
      { id: 'flaky', reason: 'auto', rate: 0.4, runs: 5 },
      { id: 'manual', reason: 'manual', rate: null, runs: 0 },
    ]);
    assert.deepEqual(quarantineOf({ suite: suiteOf('flaky'), history, mode: 'auto', threshold: 0.5 }).fixtures, []);
  });

  test('a quarantined failure does not fail the result, and the report says so', () => {
    const a = loaded('alpha');
    const b = loaded('bravo');
    const failing = suite([run(a, [attempt('alpha', 1, { kind: 'assertion', message: 'boom' })]), run(b, [attempt('bravo', 1)])]);
    const quarantine = { mode: 'auto' as const, threshold: 0.2, fixtures: [{ id: 'alpha', reason: 'auto' as const, rate: 0.4, runs: 5 }] };
    const report = buildReport(baseInput(failing, { quarantine }));
    assert.equal(report.result, 'pass');
    assert.equal(report.fixtures[0]?.status, 'failed', 'still failed, so a rerun picks it up');
    assert.deepEqual(report.quarantine?.fixtures.map((fixture) => fixture.id), ['alpha']);
    assert.equal(buildReport(baseInput(failing)).result, 'fail', 'without quarantine it fails');
    const claimed = { ...report, result: 'fail' };
    assert.equal(Report.safeParse(claimed).success, false, 'the verdict is checked against the quarantine');
  });
});

describe('the history a report carries', () => {
  const run1 = context(SHA_A, { runId: '500', runAttempt: 1 });

  test('this run is appended to the previous history; fixtures that no longer exist drop out', () => {
    const previous = historyOf({ alpha: outcomes('✓✗'), gone: outcomes('✓✓') });
    const next = nextHistory({ previous, run: run1, startedAt: '2026-03-02T06:00:00.000Z', fixtures: [result('alpha', 'passed'), result('bravo', 'flaky')], suiteIds: ['alpha', 'bravo'] });
    assert.deepEqual(next.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]), [
      ['alpha', '✓✗✓'],
      ['bravo', '~'],
    ]);
    assert.deepEqual(next.fixtures[0]?.outcomes.at(-1), { runId: '500', attempt: 1, sha: SHA_A, status: 'passed', at: '2026-03-02T06:00:00.000Z' });
  });

  test('carried-over results add nothing: their run is already in the history', () => {
    const previous = historyOf({ alpha: outcomes('✓✗') });
    const next = nextHistory({ previous, run: run1, startedAt: '2026-03-02T06:00:00.000Z', fixtures: [result('alpha', 'failed', true)], suiteIds: ['alpha'] });
    assert.equal(stripOf(next.fixtures[0]?.outcomes ?? []), '✓✗');
  });

  test('the same run and attempt written twice is one entry', () => {
    const previous = nextHistory({ previous: null, run: run1, startedAt: '2026-03-02T06:00:00.000Z', fixtures: [result('alpha', 'failed')], suiteIds: ['alpha'] });
    const again = nextHistory({ previous, run: run1, startedAt: '2026-03-02T06:00:00.000Z', fixtures: [result('alpha', 'passed')], suiteIds: ['alpha'] });
    assert.equal(stripOf(again.fixtures[0]?.outcomes ?? []), '✓');
  });

  test('each fixture keeps its last 20 outcomes, and a huge suite keeps fewer so the whole stays bounded', () => {
    const previous = historyOf({ alpha: outcomes('✓'.repeat(20)) });
    const next = nextHistory({ previous, run: run1, startedAt: '2026-03-02T06:00:00.000Z', fixtures: [result('alpha', 'failed')], suiteIds: ['alpha'] });
    assert.equal(next.fixtures[0]?.outcomes.length, REPORT_LIMITS.maxHistoryPerFixture);
    assert.equal(stripOf(next.fixtures[0]?.outcomes ?? []), `${'✓'.repeat(19)}✗`);
    assert.equal(historyDepth(1_000), 20);
    assert.equal(historyDepth(2_500), 8);
    assert.equal(historyDepth(20_000), 1);
    assert.ok(historyDepth(20_000) * 20_000 <= REPORT_LIMITS.maxHistoryEntries);
  });

  test('the schema refuses a history past its bounds', () => {
    const report = buildReport(baseInput(suite([run(loaded('alpha'), [attempt('alpha', 1)])])));
    const tooLong = { ...report, history: historyOf({ alpha: outcomes('✓'.repeat(21)) }) };
    assert.equal(Report.safeParse(tooLong).success, false);
    assert.equal(Report.safeParse({ ...report, history: historyOf({ alpha: outcomes('✓'.repeat(20)) }) }).success, true);
  });

  test('a report written before histories were kept starts one from its own results', () => {
    const report = buildReport(baseInput(suite([run(loaded('alpha'), [attempt('alpha', 1)]), run(loaded('bravo'), [attempt('bravo', 1, { kind: 'timeout', message: 'slow' })])])));
    assert.equal(report.history, undefined);
    const history = historyOfReport(report, { runId: '13579246801', runAttempt: 1, digest: DIGEST });
    assert.deepEqual(history.source, { runId: '13579246801', runAttempt: 1, digest: DIGEST });
    assert.deepEqual(history.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]), [
      ['alpha', '✓'],
      ['bravo', '✗'],
    ]);
  });

  test("a merge takes each fixture's history from the shard that ran it", () => {
    const stale = historyOf({ alpha: outcomes('✓'), bravo: outcomes('✓') });
    const one = historyOf({ alpha: outcomes('✓✗'), bravo: outcomes('✓') });
    const two = historyOf({ alpha: outcomes('✓'), bravo: outcomes('✓~') });
    const merged = mergedHistory([
      { history: stale, ran: [] },
      { history: two, ran: ['bravo'] },
      { history: one, ran: ['alpha'] },
    ]);
    assert.deepEqual(merged?.fixtures.map((fixture) => [fixture.id, stripOf(fixture.outcomes)]), [
      ['alpha', '✓✗'],
      ['bravo', '✓~'],
    ]);
  });
});

describe('rendering the history and the quarantine', () => {
  test('report.html, the job summary and the terminal list the quarantined and the flakiest fixtures, page text escaped', () => {
    const a = loaded('alpha');
    const b = loaded('bravo');
    const runs = suite([run(a, [attempt('alpha', 1, { kind: 'assertion', message: '<img src=x onerror=alert(1)>' })]), run(b, [attempt('bravo', 1)])]);
    const previous = historyOf({ alpha: outcomes('✓✗✓~✓'), bravo: outcomes('✓✓') });
    const quarantine = quarantineOf({ suite: [a, b], history: previous, mode: 'auto', threshold: 0.2 });
    const report = buildReport(
      baseInput(runs, {
        quarantine,
        history: (fixtures) => nextHistory({ previous, run: context(), startedAt: '2026-03-02T06:00:00.000Z', fixtures, suiteIds: ['alpha', 'bravo'] }),
      }),
    );
    assert.equal(report.result, 'pass');
    const view = summaryViewOf(report);
    assert.deepEqual(view.quarantined.map((fixture) => [fixture.id, fixture.status, fixture.strip]), [['alpha', 'failed', '✓✗✓~✓✗']]);
    assert.deepEqual(view.history?.flakiest.map((fixture) => [fixture.id, fixture.rate, fixture.runs]), [['alpha', 0.333, 6]]);

    const page = renderHtmlReport(report, view);
    assert.match(page, /<section class="panel stop" id="_quarantine"><h2>Quarantined \(1\)<\/h2>/);
    assert.match(page, /<section class="panel" id="_flakiest"><h2>Flakiest fixtures<\/h2>/);
    assert.match(page, /<span class="mark bad">quarantined<\/span>/);
    assert.match(page, /<span class="strip" title="[^"]*">✓✗✓~✓✗ · 33% flaky<\/span>/);
    assert.doesNotMatch(page, /<img src=x/);

    const summary = renderJobSummary(view);
    assert.ok(summary.indexOf('### 🚧 Quarantined (1)') < summary.indexOf('### Fixtures'), 'quarantined before the fixture table');
    assert.match(summary, /\| `alpha`<br>.*\| ❌ failed \(\*\*quarantined\*\*\) \|/);
    assert.match(summary, /\| `alpha` \| 33% \| 6 \| `✓✗✓~✓✗` \|/);

    const annotations = annotationsFor(view);
    assert.deepEqual(
      annotations.map((annotation) => [annotation.level, annotation.title]),
      [['warning', 'Smoke fixture alpha failed (assertion) [quarantined]']],
      'a quarantined failure is a warning, not an error',
    );

    const terminal = formatSummary(view);
    assert.match(terminal, /QUARANTINED \(1, 1 failed\)/);
    assert.match(terminal, /alpha +33% of 6 runs {2}✓✗✓~✓✗/);
    assert.match(terminal, /RESULT: pass$/);
  });
});
