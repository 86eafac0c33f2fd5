/**
 * The job summary as the Action writes it: the rendered report (job-summary.ts), led by any publishing problem
 * (an upload that failed), or for a dry run the plan. Always within GitHub's 1 MiB limit.
 */
import type { SmokeOutcome } from '../engine.ts';
import type { SummaryView } from '../report/summary-data.ts';
import type { ActionContext } from './context.ts';
import { JOB_SUMMARY_MAX_BYTES, renderJobSummaryWithin } from './job-summary.ts';
import { md, tableRow } from './markdown.ts';

/** Keeps a dry run's table well under the summary limit; plan.json has every fixture. */
const MAX_PLAN_ROWS = 500;

function problemsBlock(problems: readonly string[]): string {
  if (problems.length === 0) return '';
  return `> [!WARNING]\n${problems.map((problem) => `> ${md(problem)}`).join('\n>\n')}\n\n`;
}

function planSummary(outcome: SmokeOutcome): string {
  const plan = outcome.plan;
  if (!plan) return '## reliability-smoke: dry run could not be planned\n\nSee the log for the problem.\n';
  const shown = plan.fixtures.slice(0, MAX_PLAN_ROWS);
  const rows = shown.map((fixture) =>
    tableRow([`\`${fixture.id}\``, md(fixture.title ?? ''), md(`${fixture.file}:${fixture.line}`), md(fixture.url ?? '(no base URL)')]),
  );
  return [
    `## 🧪 reliability-smoke: dry run, ${plan.fixtures.length} fixture${plan.fixtures.length === 1 ? '' : 's'} would run`,
    '',
    `mode \`${plan.mode}\` · nothing was run, and report.json was left untouched.`,
    '',
    tableRow(['Fixture', 'Title', 'File', 'URL']),
    tableRow(['---', '---', '---', '---']),
    ...rows,
    '',
    ...(plan.fixtures.length > shown.length
      ? [`… and ${plan.fixtures.length - shown.length} more: see plan.json in the artifact.`, '']
      : []),
  ].join('\n');
}

export function renderActionSummary(params: {
  outcome: SmokeOutcome;
  view: SummaryView | null;
  context: ActionContext;
  problems: readonly string[];
}): string {
  const lead = problemsBlock(params.problems);
  const budget = JOB_SUMMARY_MAX_BYTES - Buffer.byteLength(lead) - 1024;
  if (!params.view) return lead + planSummary(params.outcome);
  return lead + renderJobSummaryWithin(params.view, { max: budget, unit: 'bytes' });
}
