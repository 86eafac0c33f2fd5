/**
 * Terminal output: a line per fixture as it finishes, then the summary, ending with `RESULT: pass|fail`; for a dry
 * run, the plan, ending with a `PLAN:` line.
 * The Action prints these lines too, and on a runner a line whose first non-blank characters are `::` is a
 * workflow command, while the legacy `##[` form is honoured anywhere in a line. So every line starts with text of
 * ours (a symbol, a label, a marker), and text from pages is escaped onto that one line: control characters and
 * newlines shown as escapes, `##[` defused.
 */
import { fixtureResultOf } from '../report/build.ts';
import { escapeLine } from '../common/text.ts';
import type { FixtureResult } from '../report/schema.ts';
import { runnableCount, type Plan } from '../report/plan.ts';
import { type FixtureRow, fixtureRowOf, formatDuration, type SummaryView } from './view.ts';
import type { FixtureRun } from '../report/build.ts';
import { STRIP_LEGEND } from '../history/flake-rate.ts';
import { formatRate } from '../history/quarantine.ts';

const STATUS_MARK = {
  passed: '✓ passed ',
  failed: '✗ FAILED ',
  flaky: '~ flaky  ',
  skipped: '- skipped',
} as const;

/** Most failures listed in the summary; the rest are in report.json. */
export const MAX_SUMMARY_FAILURES = 50;
const MAX_LISTED_IDS = 20;

/** One line for a fixture that just reached its final status. */
export function formatFixtureLine(fixture: FixtureRun | FixtureResult): string {
  const result = 'fixture' in fixture ? fixtureResultOf(fixture) : fixture;
  return rowLine(fixtureRowOf(result));
}

function rowLine(row: FixtureRow): string {
  const parts = [`${STATUS_MARK[row.status]} ${row.id}`];
  if (row.status !== 'skipped') parts.push(formatDuration(row.durationMs));
  if (row.attempts > 1) parts.push(`${row.attempts} attempts`);
  if (row.carriedOver) parts.push('(carried over)');
  if (row.recovered) parts.push('(recovered)');
  if (row.status === 'failed' && row.kind) parts.push(`${row.kind}: ${escapeLine(row.message ?? '')}`);
  if (row.status === 'flaky') parts.push(`(${failedAttemptsText(row)})`);
  if (row.status === 'skipped' && row.message) parts.push(`(${escapeLine(row.message)})`);
  return `  ${parts.join('  ')}`;
}

function failedAttemptsText(row: FixtureRow): string {
  return row.failedAttempts.map((attempt) => `attempt ${attempt.attempt} ${attempt.kind}`).join(', ') + ' failed';
}

/** The summary after the fixture lines. Its last line is exactly `RESULT: pass` or `RESULT: fail`. */
export function formatSummary(view: SummaryView): string {
  const sections = [
    provenanceSection(view),
    headline(view),
    mergeSection(view),
    rerunSection(view),
    notCoveredSection(view),
    preflightSection(view),
    interruptedSection(view),
    failuresSection(view),
    quarantinedSection(view),
    flakySection(view),
    parkedSection(view),
    flakiestSection(view),
    warningsSection(view),
    nextSection(view),
    htmlReportSection(view),
  ];
  const body = sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n'));
  return [...body, `RESULT: ${view.verdict}`].join('\n\n');
}

function headline(view: SummaryView): string[] {
  const c = view.counts;
  if (view.preflight) return [`Summary: no fixture ran (${formatDuration(view.durationMs)}, mode ${view.mode})`];
  const counts = [`${c.passed} passed`, `${c.failed} failed`, `${c.flaky} flaky`, `${c.skipped} skipped`];
  const extra = [c.carriedOver > 0 ? `${c.carriedOver} carried over` : '', c.recovered > 0 ? `${c.recovered} recovered` : '']
    .filter((part) => part !== '')
    .join(', ');
  const lines = [
    `Summary: ${c.total} ${c.total === 1 ? 'fixture' : 'fixtures'}: ${counts.join(', ')}${extra ? ` (${extra})` : ''} ` +
      `in ${formatDuration(view.durationMs)}, mode ${view.mode}`,
  ];
  if (view.run.url) lines.push(`Run: ${escapeLine(view.run.url)}`);
  if (view.shard) {
    const { index, total, count, of, balancedBy } = view.shard;
    lines.push(`Shard ${index} of ${total}: ${count} of ${of} ${of === 1 ? 'fixture' : 'fixtures'}${balancedBy ? `, balanced by ${balancedBy}` : ''}`);
  }
  return lines;
}

/** A merged report: each shard in a line, then every problem that keeps it from vouching for the whole suite. */
function mergeSection(view: SummaryView): string[] {
  const merge = view.merge;
  if (!merge) return [];
  const merged = merge.shards.filter((shard) => shard.status === 'merged').length;
  const lines = [`Merged ${merged} of ${merge.shards.length} shards:`];
  for (const shard of merge.shards) {
    const counts = shard.counts ? `${shard.counts.total} ${shard.counts.total === 1 ? 'fixture' : 'fixtures'}, ${shard.counts.failed} failed` : '';
    const from = [shard.attempt === null ? '' : `attempt ${shard.attempt}`, shard.artifactName ? escapeLine(shard.artifactName) : ''].filter(Boolean);
    const status = shard.status === 'merged' ? (shard.result ?? '') : shard.status.toUpperCase();
    lines.push(`  shard ${shard.index} of ${shard.total}  ${[status, counts, ...from].filter(Boolean).join('  ')}`);
  }
  if (merge.problems.length > 0) {
    lines.push(`The merge cannot vouch for the whole suite (${merge.problems.length}):`);
    for (const problem of merge.problems) lines.push(`  ✗ ${problem.code}: ${escapeLine(problem.message)}`);
  }
  return lines;
}

function provenanceSection(view: SummaryView): string[] {
  const p = view.provenance;
  if (!p) return [];
  return [`Reported from ${escapeLine(p.source)}.`, ...p.mismatches.map((mismatch) => `  ! Does not match: ${escapeLine(mismatch)}`)];
}

function rerunSection(view: SummaryView): string[] {
  const rerun = view.rerun;
  if (!rerun) return [];
  const where = rerun.source.url ? ` ${escapeLine(rerun.source.url)}` : '';
  const lines = [`Rerun of ${escapeLine(rerun.source.label)}${where}`, `  · ${escapeLine(rerun.note)}`];
  if (rerun.recovered.length > 0) lines.push(`  · Recovered (${rerun.recovered.length}): ${idList(rerun.recovered)}`);
  if (rerun.stillFailing.length > 0) {
    lines.push(`  · Still failing (${rerun.stillFailing.length}): ${idList(rerun.stillFailing)}`);
  }
  if (rerun.carriedOver.length > 0) {
    const carried = rerun.carriedOver.map((fixture) => `${fixture.id} (${fixture.status})`);
    lines.push(`  · Carried over (${carried.length}): ${idList(carried)}`);
  }
  if (rerun.alsoRan.length > 0) {
    const also = rerun.alsoRan.map((fixture) => `${fixture.id} (${fixture.reason})`);
    lines.push(`  · Ran as new or changed since the source (${also.length}): ${idList(also)}`);
  }
  return lines;
}

/** A rerun's new and changed fixtures it did not run: its verdict says nothing about them. */
function notCoveredSection(view: SummaryView): string[] {
  const notCovered = view.notCovered;
  if (!notCovered) return [];
  const ids = notCovered.fixtures.map((fixture) => `${fixture.id} (${fixture.reason})`);
  return [
    `Not covered by this verdict (${ids.length}): new or changed since the source report, so neither rerun nor carried over:`,
    `  · ${idList(ids)}`,
    'Run them too (with the failures):',
    `  $ ${escapeLine(notCovered.cli)}`,
  ];
}

function preflightSection(view: SummaryView): string[] {
  const preflight = view.preflight;
  if (!preflight) return [];
  const stopped = preflight.severity === 'error' ? 'Stopped before any fixture ran' : 'Nothing to run';
  const lines = [`${stopped} (${preflight.code}):`, ...markedLines('  │ ', preflight.message)];
  lines.push(...preflight.problems.flatMap((problem) => markedLines('  - ', problem)));
  lines.push(...preflight.guidance.flatMap((guidance) => markedLines('  · ', guidance)));
  if (preflight.fallback) {
    lines.push(`Run only these fixtures: ${escapeLine(preflight.fallback.cliCommand)}`);
    lines.push(`  (Action: set the input fixtures: ${escapeLine(preflight.fallback.actionInput)})`);
    lines.push(`Or run the full suite:   ${escapeLine(preflight.fallback.fullRun)}`);
  }
  return lines;
}

/** A text of several lines, each escaped and behind the same marker. */
function markedLines(marker: string, text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((line) => `${marker}${escapeLine(line)}`);
}

function interruptedSection(view: SummaryView): string[] {
  if (!view.interrupted) return [];
  return [`Interrupted (${view.interrupted.reason}): ${escapeLine(view.interrupted.message)}`];
}

function failuresSection(view: SummaryView): string[] {
  if (view.failures.length === 0) return [];
  const shown = view.failures.slice(0, MAX_SUMMARY_FAILURES);
  const lines = [`Failed (${view.failures.length}):`];
  for (const row of shown) {
    const carried = row.carriedOver ? ', carried over' : '';
    const kind = row.kind ? `${row.kind}, ` : '';
    lines.push(`  ✗ ${row.id}  ${escapeLine(row.location)}  (${kind}${attemptsText(row.attempts)}${carried})`);
    if (row.title) lines.push(`    │ ${escapeLine(row.title)}`);
    if (row.message) lines.push(`    │ ${escapeLine(row.message)}`);
    if (row.evidence.length > 0) {
      const paths = row.evidence.map((path) => escapeLine(evidencePath(view, path)));
      lines.push(`    │ evidence: ${paths.join(', ')}`);
      if (row.screenshotNote) lines.push(`    │ ${escapeLine(row.screenshotNote)}`);
    }
  }
  if (view.failures.length > shown.length) {
    lines.push(`  … and ${view.failures.length - shown.length} more failed fixtures: see ${reportPointer(view)}`);
  }
  return lines;
}

function flakySection(view: SummaryView): string[] {
  if (view.flaky.length === 0) return [];
  const lines = [`Flaky (${view.flaky.length}), passed after failing:`];
  for (const row of view.flaky.slice(0, MAX_SUMMARY_FAILURES)) {
    const how = `${failedAttemptsText(row)}, passed on attempt ${row.attempts}`;
    lines.push(`  ~ ${row.id}  ${escapeLine(row.location)}  (${how})`);
    if (row.message) lines.push(`    │ ${escapeLine(row.message)}`);
  }
  if (view.flaky.length > MAX_SUMMARY_FAILURES) {
    lines.push(`  … and ${view.flaky.length - MAX_SUMMARY_FAILURES} more flaky fixtures: see ${reportPointer(view)}`);
  }
  return lines;
}

/** Parked fixtures are never silent: each is named with its reason, so nobody forgets to bring it back. */
function parkedSection(view: SummaryView): string[] {
  if (view.parked.length === 0) return [];
  const lines = [`Skipped (${view.parked.length}), parked with skip: in their files:`];
  for (const row of view.parked.slice(0, MAX_SUMMARY_FAILURES)) {
    lines.push(`  - ${row.id}  ${escapeLine(row.location)}${row.message ? `  (${escapeLine(row.message)})` : ''}`);
  }
  if (view.parked.length > MAX_SUMMARY_FAILURES) {
    lines.push(`  … and ${view.parked.length - MAX_SUMMARY_FAILURES} more skipped fixtures: see ${reportPointer(view)}`);
  }
  return lines;
}

/** Loud: a quarantined failure passes the run, so nobody should miss that it happened. */
function quarantinedSection(view: SummaryView): string[] {
  if (view.quarantined.length === 0) return [];
  const failed = view.quarantined.filter((fixture) => fixture.status === 'failed').length;
  const lines = [
    `QUARANTINED (${view.quarantined.length}${failed > 0 ? `, ${failed} failed` : ''}): they ran, but their failures do not fail the run:`,
  ];
  for (const fixture of view.quarantined.slice(0, MAX_SUMMARY_FAILURES)) {
    lines.push(`  ! ${fixture.id}  ${fixture.status ?? 'not run'}  ${fixture.strip}  (${escapeLine(fixture.reason)})`);
  }
  if (view.quarantined.length > MAX_SUMMARY_FAILURES) lines.push(`  … and ${view.quarantined.length - MAX_SUMMARY_FAILURES} more: see ${reportPointer(view)}`);
  return lines;
}

function flakiestSection(view: SummaryView): string[] {
  const flakiest = view.history?.flakiest ?? [];
  if (flakiest.length === 0) return [];
  const lines = [`Flakiest fixtures over their history (${STRIP_LEGEND}):`];
  const width = Math.max(...flakiest.map((fixture) => fixture.id.length));
  for (const fixture of flakiest) {
    lines.push(`  ${fixture.id.padEnd(width)}  ${formatRate(fixture.rate).padStart(4)} of ${fixture.runs} ${fixture.runs === 1 ? 'run' : 'runs'}  ${fixture.strip}`);
  }
  return lines;
}

function warningsSection(view: SummaryView): string[] {
  if (view.warnings.length === 0) return [];
  return ['Warnings:', ...view.warnings.flatMap((warning) => markedLines('  ! ', warning))];
}

function nextSection(view: SummaryView): string[] {
  const next = view.next;
  if (!next) return [];
  const lines = ['Next attempt:'];
  if (next.cli.rerunFailed) lines.push(`  $ ${escapeLine(next.cli.rerunFailed)}`);
  lines.push(`  $ ${escapeLine(next.cli.fixtures)}`);
  return lines;
}

/** The last thing before the verdict: where to look at the failures in a browser. */
function htmlReportSection(view: SummaryView): string[] {
  const html = view.report.html;
  if (!html) return [];
  const artifact = view.report.artifact;
  if (!artifact) return [`HTML report: ${escapeLine(html)}`];
  const url = artifact.url ? ` ${escapeLine(artifact.url)}` : '';
  return [`HTML report: report.html in the artifact ${escapeLine(artifact.name)}${url} (on this runner: ${escapeLine(html)})`];
}

function attemptsText(count: number): string {
  return `${count} ${count === 1 ? 'attempt' : 'attempts'}`;
}

function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED_IDS).map(escapeLine).join(', ');
  return ids.length > MAX_LISTED_IDS ? `${shown} … and ${ids.length - MAX_LISTED_IDS} more` : shown;
}

/** An evidence path (relative to the report folder) as the reader can find it: inside the report folder. */
export function evidencePath(view: SummaryView, path: string): string {
  const dir = view.report.dir;
  if (!dir) return path;
  return dir.endsWith('/') ? `${dir}${path}` : `${dir}/${path}`;
}

function reportPointer(view: SummaryView): string {
  return view.report.path ?? (view.report.dir ? evidencePath(view, 'report.json') : 'report.json');
}

// A dry run: what would run and why, every warning the run would give, and a last line that is a plan, not a
// verdict. Nothing ran, so nothing passed: `RESULT: pass` there would be read as a green suite.

/** Most fixtures a dry run lists in the terminal; plan.json has every one. */
export const MAX_PLAN_LINES = 500;

function fixtureCount(count: number): string {
  return `${count} ${count === 1 ? 'fixture' : 'fixtures'}`;
}

/**
 * The last line of a dry run: `PLAN: 3 fixtures would run`, `PLAN: nothing would run` (a rerun with nothing to
 * rerun, allowed), or `PLAN: none, the dry run could not be planned` (the errors are above it).
 */
export function planLine(plan: Plan | null, planned: boolean): string {
  if (plan) return `PLAN: ${planCount(plan)}`;
  return planned ? 'PLAN: nothing would run' : 'PLAN: none, the dry run could not be planned';
}

/** "3 fixtures would run", and ", 1 skipped" when some are parked. */
function planCount(plan: Plan): string {
  const { run, skipped } = runnableCount(plan);
  return `${fixtureCount(run)} would run${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** What a dry run prints: a line per fixture (id, file:line, tags, why it was selected), the warnings, the plan line. */
export function formatPlan(plan: Plan, planPath: string | null): string {
  const shown = plan.fixtures.slice(0, MAX_PLAN_LINES);
  const cells = shown.map((fixture) => [
    escapeLine(fixture.id),
    escapeLine(`${fixture.file}:${fixture.line}`),
    fixture.tags.length > 0 ? `[${fixture.tags.map(escapeLine).join(', ')}]` : '-',
    escapeLine(fixture.skip ? `skipped: ${fixture.skip}` : fixture.reason),
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(0, ...cells.map((row) => row[column]!.length)));
  const rows = cells.map((row) => `  ${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ')}`.trimEnd());
  const sections = [
    [
      `Dry run: ${planCount(plan)}, mode ${plan.mode}. Nothing was run, so nothing is judged.`,
      ...rows,
      ...(plan.fixtures.length > shown.length ? [`  … and ${plan.fixtures.length - shown.length} more: see plan.json`] : []),
    ],
    plan.warnings.length > 0 ? ['Warnings:', ...plan.warnings.flatMap((warning) => markedLines('  ! ', warning))] : [],
    planPath ? [`Plan written to ${escapeLine(planPath)}`] : [],
  ];
  const body = sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n'));
  return [...body, planLine(plan, true)].join('\n\n');
}
