import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFixtureLine, formatSummary } from '../../src/render/terminal.ts';
import { buildPreflightReport, buildReport } from '../../src/report/build.ts';
import type { Report } from '../../src/report/schema.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { attempt, baseInput, dataReport, loaded, run, suite } from '../support/report-helpers.ts';
import { escapeLine } from '../../src/common/text.ts';
import { annotationsFor } from '../../src/render/annotations.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';

const HOSTILE = 'boom\n::error::injected\r\n##[error]legacy\u2028sep \u001b[2K\u0000 end';

/** A line a GitHub runner would take as a workflow command (modern form after trimming, or legacy anywhere). */
const isCommand = (line: string) => line.trimStart().startsWith('::') || line.includes('##[');

function summaryOf(report: Report, reportDir = 'smoke-report'): string[] {
  return formatSummary(summaryViewOf(report, { reportDir, context: report.run })).split('\n');
}

describe('formatFixtureLine', () => {
  test('one line per finished fixture: status, id, duration, attempts, and kind + message for failures', () => {
    const failed = run(loaded('checkout-pay'), [
      attempt('checkout-pay', 1, { kind: 'timeout', message: 'Timed out after 30000ms\nwaiting for #pay' }, 30_000),
      attempt('checkout-pay', 2, { kind: 'assertion', message: 'expect.title: was "Oops"\nsecond line' }, 2_500),
    ]);
    const line = formatFixtureLine(failed);
    assert.equal(line, '  ✗ FAILED  checkout-pay  32.5s  2 attempts  assertion: expect.title: was "Oops"');
    assert.equal(formatFixtureLine(run(loaded('home'), [attempt('home', 1, undefined, 850)])), '  ✓ passed  home  850ms');
  });

  test('flaky, skipped and report results (carried over, recovered) read the same way', () => {
    const flaky = run(loaded('login'), [attempt('login', 1, { kind: 'navigation', message: 'net::ERR_CONNECTION_RESET' }, 300), attempt('login', 2, undefined, 1_700)]);
    assert.equal(formatFixtureLine(flaky), '  ~ flaky   login  2.0s  2 attempts  (attempt 1 navigation failed)');
    assert.equal(formatFixtureLine(run(loaded('late'), [], 'suite timeout reached')), '  - skipped late  (suite timeout reached)');
    const rerun = dataReport('report-rerun-same-sha.json');
    const lines = rerun.fixtures.map(formatFixtureLine);
    assert.equal(lines.length, 7);
    assert.ok(lines.includes('  ✓ passed  home-help-menu  1.4s  (recovered)'), lines.join('\n'));
    assert.ok(lines.includes('  ✓ passed  home-loads  1.2s  (carried over)'), lines.join('\n'));
  });

  test('page text stays on its line: newlines and controls are shown escaped, ##[ is defused', () => {
    const line = formatFixtureLine(run(loaded('evil'), [attempt('evil', 1, { kind: 'script-error', message: `first ::error::x ${HOSTILE}` })]));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line, /[\n\r\u2028\u0000\u001b]/);
    assert.equal(isCommand(line), false);
    const title = escapeLine(HOSTILE);
    assert.equal(title, 'boom\\n::error::injected\\r\\n##\\[error]legacy\\u2028sep \\x1b[2K\\x00 end');
  });
});

describe('formatSummary', () => {
  test('the last line is exactly RESULT: pass or RESULT: fail', () => {
    assert.equal(summaryOf(dataReport('report-all-passed.json')).at(-1), 'RESULT: pass');
    assert.equal(summaryOf(dataReport('report-failing-flaky.json')).at(-1), 'RESULT: fail');
    assert.equal(summaryOf(dataReport('report-preflight-no-artifact.json')).at(-1), 'RESULT: fail');
  });

  test('counts, failures with message and evidence, flaky, and the commands for the next attempt', () => {
    const text = summaryOf(dataReport('report-failing-flaky.json')).join('\n');
    assert.match(text, /^Summary: 7 fixtures: 4 passed, 2 failed, 1 flaky, 0 skipped in 1m 04s, mode full$/m);
    assert.match(text, /^ {2}✗ home-help-menu {2}fixtures\/home\.smoke\.yml:26 {2}\(assertion, 2 attempts\)$/m);
    assert.match(text, /^ {4}│ expect\.visible\[0\]: "#help-items a\[href='\/about\.html'\]" is not visible/m);
    assert.match(text, /│ evidence: smoke-report\/failures\/home-help-menu\/attempt-2\.png, smoke-report\/failures\/home-help-menu\/attempt-2\.html/);
    assert.match(text, /^Flaky \(1\), passed after failing:\n {2}~ login-flow {2}fixtures\/login\.smoke\.yml:3 {2}\(attempt 1 navigation failed, passed on attempt 2\)$/m);
    assert.match(text, /^ {2}\$ npx reliability-smoke --rerun-failed$/m);
    assert.match(text, /^ {2}\$ npx reliability-smoke --fixture home-help-menu --fixture account-from-home$/m);
  });

  test('a screenshot cut at the height cap says so under its evidence, in the annotation and in report.html', () => {
    const report = dataReport('report-failing-flaky.json');
    const failed = report.fixtures.find((fixture) => fixture.id === 'home-help-menu')!;
    const note = "screenshot cut at 8000 of the page's 23456 CSS px (the page HTML has all of it)";
    failed.attempts.at(-1)!.evidence!.screenshotNote = note;
    const text = summaryOf(report).join('\n');
    assert.match(text, /│ evidence: smoke-report\/failures\/home-help-menu\/attempt-2\.png, .*\n {4}│ screenshot cut at 8000 of the page's 23456 CSS px \(the page HTML has all of it\)$/m);
    const view = summaryViewOf(report, { reportDir: 'smoke-report', context: report.run });
    const annotation = annotationsFor(view).find((candidate) => candidate.title.includes('home-help-menu'));
    assert.match(annotation?.message ?? '', /\nNote: screenshot cut at 8000 of the page's 23456 CSS px/);
    const html = renderHtmlReport(report, view);
    assert.match(html, /<p class="muted shotnote">Screenshot cut at 8000 of the page&#39;s 23456 CSS px \(the page HTML has all of it\)<\/p>/);
    assert.equal(summaryOf(dataReport('report-failing-flaky.json')).join('\n').includes('cut at'), false, 'no note when nothing was cut');
  });

  test('a rerun shows its source, recovered, still failing and carried over', () => {
    const text = summaryOf(dataReport('report-rerun-same-sha.json')).join('\n');
    assert.match(text, /^Rerun of run 13579246801 \(attempt 1\) https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/13579246801\/attempts\/1$/m);
    assert.match(text, /· Same commit as the source report \(3f9c2a7\): 5 results carried over/);
    assert.match(text, /· Recovered \(1\): home-help-menu$/m);
    assert.match(text, /· Still failing \(1\): account-from-home$/m);
    assert.match(text, /· Carried over \(5\): home-loads \(passed\), home-deals-render \(passed\), login-flow \(flaky\)/);
    assert.match(text, /\(5 carried over, 1 recovered\)/);
  });

  test('a preflight stop gives its guidance and the fallback commands', () => {
    const diagnostic = preflightDiagnostic({
      code: 'schema-invalid',
      message: 'smoke-report/report.json does not match the schema, 1 problem:\n  - $.summary.failed: is 0 but the fixtures give 2',
      problems: ['$.summary.failed: is 0 but the fixtures give 2'],
      guidance: ['Run the full suite to write a fresh report.'],
      fallbackIds: ['checkout-pay'],
    });
    const report = buildPreflightReport({ ...baseInput(suite([]), { mode: 'rerun-failed' }), diagnostic });
    const lines = summaryOf(report);
    const text = lines.join('\n');
    assert.match(text, /^Summary: no fixture ran/m);
    assert.match(text, /^Stopped before any fixture ran \(schema-invalid\):\n {2}│ smoke-report\/report\.json does not match the schema, 1 problem:\n {2}│ {3}- \$\.summary\.failed/m);
    assert.match(text, /^ {2}· Run the full suite to write a fresh report\.$/m);
    assert.match(text, /^Run only these fixtures: npx reliability-smoke --fixture checkout-pay$/m);
    assert.match(text, /^ {2}\(Action: set the input fixtures: checkout-pay\)$/m);
    assert.match(text, /^Or run the full suite: {3}npx reliability-smoke$/m);
    assert.equal(lines.at(-1), 'RESULT: fail');
  });

  test('no line of the summary can become a workflow command, whatever the pages said', () => {
    const evil = loaded('evil', { title: `::error::title ${HOSTILE}`, file: 'fixtures/x.smoke.yml' });
    const report = buildReport(
      baseInput(
        suite(
          [
            run(evil, [attempt('evil', 1, { kind: 'assertion', message: `::error::first ${HOSTILE}` })]),
            run(loaded('wobbly'), [attempt('wobbly', 1, { kind: 'script-error', message: `##[warning]x ${HOSTILE}` }), attempt('wobbly', 2)]),
          ],
          { warnings: [`::warning::from a page\n::error::second line`], interrupted: { reason: 'cancelled', message: `::error::why\n${HOSTILE}` } },
        ),
      ),
    );
    const lines = summaryOf(report);
    const commands = lines.filter(isCommand);
    assert.deepEqual(commands, []);
    assert.ok(lines.some((line) => line.includes('│ ::error::title boom\\n::error::injected\\r\\n##\\[error]legacy')), lines.join('\n'));
    assert.equal(lines.at(-1), 'RESULT: fail');
  });

  test('warnings and an interruption are shown', () => {
    const report = buildReport(
      baseInput(suite([run(loaded('a'), [], 'Not started: the suite timeout (60s) was reached')], {
        interrupted: { reason: 'suite-timeout', message: 'Suite timeout of 60s reached' },
        warnings: ['Added --no-sandbox: running as root'],
      })),
    );
    const text = summaryOf(report).join('\n');
    assert.match(text, /^Interrupted \(suite-timeout\): Suite timeout of 60s reached$/m);
    assert.match(text, /^Warnings:\n {2}! Added --no-sandbox: running as root$/m);
    assert.match(text, /^ {2}\$ npx reliability-smoke --fixture a$/m, 'skipped by the interruption, so worth running again');
  });
});
