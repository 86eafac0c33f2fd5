/**
 * Where people are told about report.html: the job summary and the check run name the artifact that holds it
 * (with its URL), and the terminal summary ends with its path. The CLI and the Action that print them are tested
 * in ../cli/html-report.test.ts and ../action/html-report.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHECK_RUN_TEXT_MAX_CHARS, renderJobSummary, renderJobSummaryWithin } from '../../src/render/job-summary.ts';
import { formatSummary } from '../../src/render/terminal.ts';
import { summaryViewOf, type SummaryViewOptions } from '../../src/render/view.ts';
import type { Report } from '../../src/report/schema.ts';
import { largeReport } from '../support/large-report.ts';
import { dataReport } from '../support/report-helpers.ts';

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
