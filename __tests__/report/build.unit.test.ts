import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPreflightReport, buildReport } from '../../src/report/build.ts';
import { carryForward, carryForwardRerun, carryOver } from '../../src/rerun/carry-over.ts';
import { workflowRerunCommand } from '../../src/report/commands.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { REPORT_LIMITS } from '../../src/report/limits.ts';
import { Report } from '../../src/report/schema.ts';
import {
  attempt,
  baseInput,
  context,
  dataReport,
  loaded,
  run,
  SHA_A,
  SHA_B,
  suite,
} from '../support/report-helpers.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';
import type { RerunInput } from '../../src/rerun/carry-over.ts';

const source = dataReport('report-failing-flaky.json');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** The demo suite as the source report saw it, rebuilt as loaded fixtures. */
const demoSuite = source.fixtures.map((f) => loaded(f.id, { title: f.title ?? undefined, file: f.file, line: f.line, tags: f.tags }));
const statusOf = (report: Report) => Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, fixture.status]));
const byId = (report: Report, id: string) => {
  const found = report.fixtures.find((fixture) => fixture.id === id);
  assert.ok(found, `fixture ${id} is in the report`);
  return found;
};

function rerunInput(extra: Partial<RerunInput> = {}): RerunInput {
  return {
    source,
    origin: {
      runId: '13579246801',
      runAttempt: 1,
      artifactId: '2718281828',
      artifactName: 'reliability-smoke-13579246801-1',
      url: 'https://github.com/acme/shop-web/actions/runs/13579246801',
      path: null,
      digest: DIGEST,
    },
    carryOverWhenShaUnknown: false,
    suite: demoSuite,
    ...extra,
  };
}

/** The two fixtures that failed in the source: help menu now passes, account fails again. */
function rerunOfFailures() {
  const help = demoSuite.find((f) => f.id === 'home-help-menu');
  const account = demoSuite.find((f) => f.id === 'account-from-home');
  assert.ok(help && account);
  return suite([
    run(help, [attempt(help.id, 1)]),
    run(account, [attempt(account.id, 1, { kind: 'timeout', message: 'timed out' }), attempt(account.id, 2, { kind: 'timeout', message: 'timed out' })]),
  ]);
}

describe('buildReport: a plain run', () => {
  test('derives statuses, counts and the verdict from the attempts', () => {
    const a = loaded('a');
    const b = loaded('b');
    const c = loaded('c');
    const report = buildReport(
      baseInput(
        suite([
          run(a, [attempt('a', 1)]),
          run(b, [attempt('b', 1, { kind: 'navigation', message: 'net::ERR_CONNECTION_REFUSED' }), attempt('b', 2)]),
          run(c, [attempt('c', 1, { kind: 'assertion', message: 'title was "Oops"' })]),
        ]),
      ),
    );
    assert.deepEqual(
      report.fixtures.map((f) => [f.id, f.status]),
      [['a', 'passed'], ['b', 'flaky'], ['c', 'failed']],
    );
    assert.deepEqual(report.summary, { total: 3, passed: 1, failed: 1, flaky: 1, skipped: 0, carriedOver: 0, recovered: 0 });
    assert.equal(report.result, 'fail');
    assert.equal(report.selection.source, null);
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('flaky fails the run only under fail-on-flaky', () => {
    const b = loaded('b');
    const runs = suite([run(b, [attempt('b', 1, { kind: 'timeout', message: 'slow' }), attempt('b', 2)])]);
    assert.equal(buildReport(baseInput(runs)).result, 'pass');
    const strict = baseInput(runs);
    assert.equal(buildReport({ ...strict, options: { ...strict.options, failOnFlaky: true } }).result, 'fail');
  });

  test('an interrupted suite fails, and fixtures that never ran are skipped with their reason', () => {
    const report = buildReport(
      baseInput(
        suite([run(loaded('a'), [attempt('a', 1)]), run(loaded('b'), [], 'The suite timeout (60s) was reached before it started')], {
          interrupted: { reason: 'suite-timeout', message: 'Suite timeout of 60s reached' },
        }),
      ),
    );
    assert.equal(byId(report, 'b').status, 'skipped');
    assert.equal(byId(report, 'b').skipReason, 'The suite timeout (60s) was reached before it started');
    assert.equal(report.result, 'fail');
  });

  test('texts over the schema limits are cut with a note instead of making the report invalid', () => {
    const long = 'x'.repeat(REPORT_LIMITS.maxMessageChars + 500);
    const report = buildReport(baseInput(suite([run(loaded('a', { title: 't'.repeat(3000) }), [attempt('a', 1, { kind: 'script-error', message: long })])])));
    const message = byId(report, 'a').attempts[0]?.error?.message ?? '';
    assert.equal(message.length, REPORT_LIMITS.maxMessageChars);
    assert.match(message, /more characters cut\]$/);
    assert.equal(byId(report, 'a').title?.length, REPORT_LIMITS.maxShortTextChars);
  });

  test('warnings from the caller and the runner are kept once each', () => {
    const report = buildReport(baseInput(suite([], { warnings: ['Added --no-sandbox: running as root'] }), { warnings: ['Added --no-sandbox: running as root', 'other'] }));
    assert.deepEqual(report.warnings, ['Added --no-sandbox: running as root', 'other']);
  });
});

describe('buildReport: rerun-failed', () => {
  test('same sha: results not rerun are carried over, and the verdict covers the whole suite', () => {
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', rerun: carryOver(rerunInput()) }));
    assert.deepEqual(report.fixtures.map((f) => f.id), demoSuite.map((f) => f.id), 'suite order, every fixture once');
    const carried = byId(report, 'login-flow');
    const inSource = byId(source, 'login-flow');
    assert.equal(carried.status, 'flaky');
    assert.deepEqual(carried.attempts.map((a) => [a.status, a.startedAt, a.error]), inSource.attempts.map((a) => [a.status, a.startedAt, a.error]));
    assert.ok(carried.attempts.every((a) => a.evidence === null), 'evidence files belong to the source run');
    assert.deepEqual(carried.carriedOver, { runId: '13579246801', runAttempt: 1, artifactName: 'reliability-smoke-13579246801-1', sha: SHA_A });
    assert.equal(byId(report, 'home-help-menu').carriedOver, null);
    assert.equal(byId(report, 'home-help-menu').recovered, true);
    assert.equal(byId(report, 'account-from-home').recovered, false);
    assert.deepEqual(report.summary, { total: 7, passed: 5, failed: 1, flaky: 1, skipped: 0, carriedOver: 5, recovered: 1 });
    assert.equal(report.result, 'fail');
    const from = report.selection.source;
    assert.ok(from);
    assert.equal(from.carryOver, true);
    assert.equal(from.digest, DIGEST);
    assert.equal(from.sha, SHA_A);
    assert.match(from.carryOverNote, /Same commit as the source report \(3f9c2a7\): 5 results carried over from run 13579246801 \(attempt 1\)/);
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a carried-over failure still fails the verdict', () => {
    const help = demoSuite.find((f) => f.id === 'home-help-menu');
    assert.ok(help);
    const report = buildReport(baseInput(suite([run(help, [attempt(help.id, 1)])]), { mode: 'rerun-failed', rerun: carryOver(rerunInput()) }));
    assert.equal(byId(report, 'account-from-home').status, 'failed');
    assert.notEqual(byId(report, 'account-from-home').carriedOver, null);
    assert.equal(report.result, 'fail');
  });

  test('different sha: nothing is carried over, and the report and warnings say so', () => {
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', run: context(SHA_B), rerun: carryOver(rerunInput()) }));
    assert.deepEqual(report.fixtures.map((f) => f.id), ['home-help-menu', 'account-from-home']);
    assert.equal(report.summary.carriedOver, 0);
    assert.equal(byId(report, 'home-help-menu').recovered, true, 'recovered does not depend on carry-over');
    const from = report.selection.source;
    assert.ok(from);
    assert.equal(from.carryOver, false);
    assert.match(from.carryOverNote, /Nothing carried over: the source report is for commit 3f9c2a7, this run is for 8b1e4d7/);
    assert.ok(report.warnings.some((w) => w.startsWith('Nothing carried over')));
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('unknown sha: carried over only when the caller allows it (local runs)', () => {
    const local = context(null, { runId: null, runAttempt: null, repository: null, workflow: null });
    const allowed = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', run: local, rerun: carryOver(rerunInput({ carryOverWhenShaUnknown: true })) }));
    assert.equal(allowed.summary.carriedOver, 5);
    assert.match(allowed.selection.source?.carryOverNote ?? '', /commit of this run is unknown \(local run\)/);
    const refused = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', run: local, rerun: carryOver(rerunInput()) }));
    assert.equal(refused.summary.carriedOver, 0);
    assert.match(refused.selection.source?.carryOverNote ?? '', /Nothing carried over: the commit of this run is unknown/);
  });

  test('the caller can give the current sha explicitly', () => {
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', run: context(null), rerun: carryOver(rerunInput({ currentSha: SHA_A })) }));
    assert.equal(report.summary.carriedOver, 5);
  });

  test('a rerun fixture that fails then passes is flaky and recovered', () => {
    const help = demoSuite.find((f) => f.id === 'home-help-menu');
    assert.ok(help);
    const runs = suite([run(help, [attempt(help.id, 1, { kind: 'timeout', message: 'slow' }), attempt(help.id, 2)])]);
    const report = buildReport(baseInput(runs, { mode: 'rerun-failed', rerun: carryOver(rerunInput()) }));
    assert.equal(byId(report, 'home-help-menu').status, 'flaky');
    assert.equal(byId(report, 'home-help-menu').recovered, true);
    assert.equal(report.summary.recovered, 1);
  });

  test('source fixtures that no longer exist are dropped with a warning naming them', () => {
    const suiteWithoutAbout = demoSuite.filter((f) => f.id !== 'about-on-mobile');
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', rerun: carryOver(rerunInput({ suite: suiteWithoutAbout })) }));
    assert.equal(report.fixtures.some((f) => f.id === 'about-on-mobile'), false);
    assert.equal(report.summary.total, 6);
    assert.ok(report.warnings.some((w) => /no longer in the fixture files \(1\): about-on-mobile\./.test(w)), report.warnings.join('\n'));
  });

  test('fixtures new since the source have no result to carry over, and the report lists them as not covered', () => {
    const withNew = [...demoSuite, loaded('checkout-new', { file: 'fixtures/checkout.smoke.yml', line: 2 })];
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', rerun: carryOver(rerunInput({ suite: withNew })) }));
    assert.equal(report.fixtures.some((f) => f.id === 'checkout-new'), false);
    assert.deepEqual(report.notCovered, [{ id: 'checkout-new', reason: 'new', file: 'fixtures/checkout.smoke.yml', line: 2 }]);
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a carried-over fixture is placed where it is now, cut to the same limits as a fixture that ran', () => {
    const longTag = 't'.repeat(REPORT_LIMITS.maxShortTextChars + 1);
    const manyTags = Array.from({ length: REPORT_LIMITS.maxListItems + 5 }, (_, i) => `tag-${i}`);
    const moved = demoSuite.map((f) =>
      f.id === 'login-flow' ? { ...f, tags: [longTag, ...manyTags], line: 42, title: undefined } : f,
    );
    const report = buildReport(baseInput(rerunOfFailures(), { mode: 'rerun-failed', rerun: carryOver(rerunInput({ suite: moved })) }));
    const carried = byId(report, 'login-flow');
    assert.notEqual(carried.carriedOver, null);
    assert.deepEqual([carried.line, carried.title], [42, null]);
    assert.equal(carried.tags.length, REPORT_LIMITS.maxListItems);
    assert.equal(carried.tags[0]?.length, REPORT_LIMITS.maxShortTextChars);
    assert.equal(carried.tags.at(-1), '… and 7 more');
  });

  test('a result the source had carried over keeps naming the run it came from', () => {
    const second = dataReport('report-rerun-same-sha.json');
    const help = demoSuite.find((f) => f.id === 'account-from-home');
    assert.ok(help);
    const report = buildReport(
      baseInput(suite([run(help, [attempt(help.id, 1)])]), {
        mode: 'rerun-failed',
        run: context(SHA_A, { runAttempt: 3 }),
        rerun: carryOver(rerunInput({ source: second, origin: { ...rerunInput().origin, runAttempt: 2, artifactName: 'reliability-smoke-13579246801-2' } })),
      }),
    );
    assert.equal(byId(report, 'home-loads').carriedOver?.runAttempt, 1, 'first carried over from attempt 1');
    assert.equal(byId(report, 'home-help-menu').carriedOver?.runAttempt, 2, 'ran in attempt 2');
    assert.equal(byId(report, 'home-help-menu').recovered, false, 'recovered belongs to the run that reran it');
    assert.equal(report.result, 'pass');
  });
});

describe('buildPreflightReport and preflightDiagnostic', () => {
  test('an error stops the run with result fail and no fixtures', () => {
    const diagnostic = preflightDiagnostic({ code: 'permission-denied', message: 'The token cannot list artifacts: actions: read is needed.', fallbackIds: ['a', 'b'] });
    const report = buildPreflightReport({ ...baseInput(suite([]), { mode: 'rerun-failed' }), diagnostic });
    assert.equal(report.result, 'fail');
    assert.deepEqual(report.fixtures, []);
    assert.equal(report.preflight?.code, 'permission-denied');
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a notice (if-nothing-to-rerun: pass) stops the run with result pass and carries the source over on the same commit', () => {
    const diagnostic = preflightDiagnostic({ code: 'nothing-to-rerun', severity: 'notice', message: 'Nothing failed in the source.', fallbackIds: null });
    const source = dataReport('report-all-passed.json');
    const report = buildPreflightReport({
      ...baseInput(suite([]), { mode: 'rerun-failed' }),
      diagnostic,
      rerun: carryOver(rerunInput({ source, origin: { ...rerunInput().origin, runId: '13579246700' }, currentSha: source.run.sha })),
    });
    assert.equal(report.result, 'pass');
    assert.equal(report.preflight?.fallback, null);
    assert.equal(report.selection.source?.runId, '13579246700');
    assert.equal(report.selection.source?.sha, SHA_A);
    assert.equal(report.selection.source?.carryOver, true);
    assert.ok(report.fixtures.length > 0);
    assert.ok(report.fixtures.every((fixture) => fixture.carriedOver !== null));
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a rerun that stops in preflight keeps the source failures, so the next rerun still finds them', () => {
    const diagnostic = preflightDiagnostic({ code: 'browser-launch-failed', message: 'Chrome did not start.', fallbackIds: null });
    const source = dataReport('report-failing-flaky.json');
    const report = buildPreflightReport({
      ...baseInput(suite([]), { mode: 'rerun-failed' }),
      diagnostic,
      rerun: carryOver(rerunInput({ source, currentSha: source.run.sha, suite: null })),
    });
    assert.equal(report.result, 'fail');
    assert.deepEqual(
      report.fixtures.filter((fixture) => fixture.status === 'failed').map((fixture) => fixture.id),
      source.fixtures.filter((fixture) => fixture.status === 'failed').map((fixture) => fixture.id),
    );
    assert.equal(report.summary.carriedOver, source.fixtures.length);
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a rerun that stops in preflight on another commit carries nothing over, and says so', () => {
    const diagnostic = preflightDiagnostic({ code: 'browser-launch-failed', message: 'Chrome did not start.', fallbackIds: null });
    const report = buildPreflightReport({
      ...baseInput(suite([]), { mode: 'rerun-failed' }),
      diagnostic,
      rerun: carryOver(rerunInput({ source: dataReport('report-failing-flaky.json'), currentSha: 'f'.repeat(40), suite: null })),
    });
    assert.deepEqual(report.fixtures, []);
    assert.equal(report.selection.source?.carryOver, false);
    assert.match(report.selection.source?.carryOverNote ?? '', /Nothing carried over/);
  });

  test('a rerun that stops on an error, on another commit, carries every source result forward', () => {
    const diagnostic = preflightDiagnostic({ code: 'fixtures-invalid', message: '1 problem in the fixture files.', fallbackIds: null });
    const source = dataReport('report-failing-flaky.json');
    const report = buildPreflightReport({
      ...baseInput(suite([]), { mode: 'rerun-failed' }),
      diagnostic,
      rerun: carryForwardRerun(rerunInput({ source, currentSha: 'f'.repeat(40), suite: null })),
    });
    assert.equal(report.result, 'fail');
    assert.deepEqual(statusOf(report), statusOf(source), 'the failed set survives the stop');
    assert.ok(report.fixtures.every((fixture) => fixture.carriedOver !== null && fixture.attempts.every((attempt) => attempt.evidence === null)));
    assert.equal(report.selection.source?.carryOver, true);
    assert.match(report.selection.source?.carryOverNote ?? '', /^Stopped before any fixture ran: 7 results of run 13579246801 \(attempt 1\) carried forward as they were\.$/);
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('a run that stops before running anything carries the report it replaces forward, marked as not run', () => {
    const diagnostic = preflightDiagnostic({ code: 'browser-not-found', message: 'No Chrome.', fallbackIds: null });
    const previous = dataReport('report-failing-flaky.json');
    const report = buildPreflightReport({
      ...baseInput(suite([])),
      diagnostic,
      rerun: carryForward(previous, { runId: '42', runAttempt: 2, digest: DIGEST }, 'run 42'),
    });
    assert.equal(report.mode, 'full');
    assert.equal(report.selection.source, null, 'it is no rerun');
    assert.deepEqual(statusOf(report), statusOf(previous));
    assert.ok(report.fixtures.every((fixture) => fixture.carriedOver?.runId === '42' && fixture.carriedOver.runAttempt === 2));
    assert.ok(report.warnings.some((warning) => /the 7 results of run 42 are carried forward as they were \(not run this time\): a rerun still finds the 2 fixtures to rerun\./.test(warning)), report.warnings.join('\n'));
    assert.doesNotThrow(() => Report.parse(report));
  });

  test('the fallback holds ready commands for the CLI, the Action input and a full run', () => {
    const diagnostic = preflightDiagnostic({
      code: 'artifact-expired',
      message: 'The artifact expired.',
      fallbackIds: ['checkout-pay', 'login-flow'],
      commandArgs: ['--fixtures-dir', 'smoke tests', '--base-url', 'https://staging.example.com'],
    });
    assert.deepEqual(diagnostic.fallback, {
      fixtureIds: ['checkout-pay', 'login-flow'],
      cliCommand: "npx reliability-smoke --fixtures-dir 'smoke tests' --base-url https://staging.example.com --fixture checkout-pay --fixture login-flow",
      actionInput: 'checkout-pay,login-flow',
      fullRun: "npx reliability-smoke --fixtures-dir 'smoke tests' --base-url https://staging.example.com",
    });
  });

  test('without known ids the fallback shows a placeholder to fill in', () => {
    const diagnostic = preflightDiagnostic({ code: 'no-artifact', message: 'No earlier run.' });
    assert.equal(diagnostic.fallback?.cliCommand, 'npx reliability-smoke --fixture <fixture-id>');
    assert.equal(diagnostic.fallback?.actionInput, '<fixture-id>');
  });
});

describe('rerun commands', () => {
  test('gh workflow run names the workflow, repository and branch; an unnamed workflow by its file', () => {
    const target = { workflow: 'Smoke tests', repository: 'acme/shop-web', ref: 'refs/heads/release/1.2' };
    assert.equal(workflowRerunCommand(target), "gh workflow run 'Smoke tests' -R acme/shop-web --ref release/1.2 -f rerun-failed=true");
    assert.equal(
      workflowRerunCommand({ ...target, workflow: '.github/workflows/smoke.yml', ref: 'refs/pull/7/merge' }),
      'gh workflow run smoke.yml -R acme/shop-web -f rerun-failed=true',
      'a PR merge ref cannot be dispatched, so no --ref',
    );
    assert.equal(workflowRerunCommand({ ...target, workflow: null }), null);
    assert.equal(workflowRerunCommand({ ...target, workflow: "it's" }), "gh workflow run 'it'\\''s' -R acme/shop-web --ref release/1.2 -f rerun-failed=true");
  });

  test("a pull request's rerun command dispatches on its head branch, and a fork's on none", () => {
    const report = { ...source, run: { ...source.run, workflow: 'Smoke', repository: 'acme/shop-web', ref: 'refs/pull/7/merge' } };
    const headBranch = summaryViewOf(report, { context: report.run, dispatchRef: 'refs/heads/feature/cart' }).next?.action.rerunFailed;
    assert.equal(headBranch, 'gh workflow run Smoke -R acme/shop-web --ref feature/cart -f rerun-failed=true');
    const fork = summaryViewOf(report, { context: report.run, dispatchRef: null }).next?.action.rerunFailed;
    assert.equal(fork, 'gh workflow run Smoke -R acme/shop-web -f rerun-failed=true');
  });
});
