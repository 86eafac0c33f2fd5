/**
 * The job summary (and the check run's text): verdict and counts, the rerun section, a table with failures
 * first, flaky fixtures, preflight diagnostics and the command for the next attempt. A pure function of the
 * view: the Action writes it, tests read it. Page text only ever enters through md() (see markdown.ts).
 */
import type { FixtureRow, SummaryView } from './view.ts';
import { formatDuration } from './view.ts';
import { runnableCount, type Plan } from '../report/plan.ts';
import { STRIP_LEGEND } from '../history/flake-rate.ts';
import { formatRate } from '../history/quarantine.ts';
import { type CutInfo, fitSections, type Section, type SizeLimit, codeBlock, link, md, mdLines, tableRow, token } from './markdown.ts';

/** GitHub's limit for one step's summary. */
export const JOB_SUMMARY_MAX_BYTES = 1024 * 1024;
/** GitHub's limit for a check run's output.summary and output.text. */
export const CHECK_RUN_TEXT_MAX_CHARS = 65_535;

/** Ids listed inline in the rerun section, and flaky/warning lines, before "and N more". */
const MAX_INLINE_IDS = 30;
const MAX_LISTED_PROBLEMS = 20;
/** A command longer than this is not something anyone pastes; point at rerun-failed instead. */
const MAX_COMMAND_CHARS = 2_000;

const STATUS_CELL = {
  failed: '❌ failed',
  flaky: '⚠️ flaky',
  skipped: '⏭️ skipped',
  passed: '✅ passed',
} as const;

export function renderJobSummary(view: SummaryView): string {
  return renderJobSummaryWithin(view, { max: JOB_SUMMARY_MAX_BYTES, unit: 'bytes' });
}

/** The same summary within another limit, e.g. `{max: CHECK_RUN_TEXT_MAX_CHARS, unit: 'chars'}`. */
export function renderJobSummaryWithin(view: SummaryView, limit: SizeLimit): string {
  const sections: Section[] = [
    headerSection(view),
    mergeProblemsSection(view),
    preflightSection(view),
    rerunSection(view),
    notCoveredSection(view),
    shardsSection(view),
    quarantinedSection(view),
    fixtureTable(view),
    flakySection(view),
    parkedSection(view),
    flakiestSection(view),
    nextSection(view),
    warningsSection(view),
  ].filter((section): section is Section => section !== null);
  return fitSections(sections, limit, (cut) => cutNote(view, limit, cut));
}

function headerSection(view: SummaryView): Section {
  const c = view.counts;
  const icon = view.verdict === 'pass' ? '✅' : '❌';
  const counts = [`✅ ${c.passed} passed`, `❌ ${c.failed} failed`, `⚠️ ${c.flaky} flaky`, `⏭️ ${c.skipped} skipped`];
  if (c.carriedOver > 0) counts.push(`↩️ ${c.carriedOver} carried over`);
  if (c.recovered > 0) counts.push(`🔁 ${c.recovered} recovered`);
  const about = [`mode \`${view.mode}\``, formatDuration(view.durationMs), link(view.run.label, view.run.url)];
  if (view.shard) about.push(shardPart(view.shard));
  if (view.merge) about.push(`merged from ${view.merge.shards.length} ${plural(view.merge.shards.length, 'shard')}`);
  const tally = view.preflight
    ? '**No fixture ran.**'
    : `**${c.total} ${plural(c.total, 'fixture')}**: ${counts.join(' · ')}`;
  const head = [`## ${icon} ${md(view.tool.name)}: ${view.verdict}`, '', ...provenanceLines(view), tally, '', about.join(' · ')];
  const html = htmlReportLine(view);
  if (html) head.push('', html);
  if (view.interrupted) {
    head.push('', `**Interrupted** (\`${view.interrupted.reason}\`): ${mdLines(view.interrupted.message)}`);
  }
  return { essential: true, head };
}

/** A report from another run says so before anything else, and so does everything in it that does not add up. */
function provenanceLines(view: SummaryView): string[] {
  const p = view.provenance;
  if (!p) return [];
  const mismatches = p.mismatches.map((mismatch) => `> ⚠️ **Does not match:** ${mdLines(mismatch)}`);
  return [`> ℹ️ Reported from ${mdLines(p.source)}.`, ...(mismatches.length > 0 ? ['>', ...mismatches] : []), ''];
}

/** Where to look at the failures: report.html in the uploaded artifact (a summary cannot show screenshots). */
function htmlReportLine(view: SummaryView): string | null {
  const artifact = view.report.artifact;
  if (!view.report.html || !artifact) return null;
  const what = view.preflight
    ? 'why the run stopped and what to run instead'
    : 'every fixture, and for each failure its screenshot, console lines and failed requests';
  return `📄 The artifact ${link(artifact.name, artifact.url)} holds \`report.html\`: ${what}. Download it, unzip it and open \`report.html\`.`;
}

function shardPart(shard: NonNullable<SummaryView['shard']>): string {
  const balanced = shard.balancedBy ? `, balanced by ${shard.balancedBy}` : '';
  return `shard ${shard.index} of ${shard.total} (${shard.count} of ${shard.of} ${plural(shard.of, 'fixture')}${balanced})`;
}

/** First and loud: a merge that cannot vouch for the whole suite fails, whatever its fixtures say. */
function mergeProblemsSection(view: SummaryView): Section | null {
  const problems = view.merge?.problems ?? [];
  if (problems.length === 0) return null;
  const head = [
    `### ⛔ The merge cannot vouch for the whole suite (${problems.length} ${plural(problems.length, 'problem')})`,
    '',
    'Each fails the result; the results the shards did report are below.',
    '',
  ];
  const items = problems.map((problem) => `- ${token(problem.code)}${problem.shard ? ` (shard ${problem.shard})` : ''}: ${mdLines(problem.message)}`);
  return { essential: true, head: [...head, ...items.slice(0, MAX_LISTED_PROBLEMS), ...(items.length > MAX_LISTED_PROBLEMS ? [`- … and ${items.length - MAX_LISTED_PROBLEMS} more`] : [])] };
}

const SHARD_STATUS_CELL = { merged: '✅ merged', missing: '⛔ missing', invalid: '⛔ unreadable', stopped: '⛔ stopped' } as const;

/** Every shard a merge expected, with whose artifact holds each failure's evidence. */
function shardsSection(view: SummaryView): Section | null {
  const shards = view.merge?.shards ?? [];
  if (shards.length === 0) return null;
  return {
    head: [
      `### 🧩 Shards (${shards.length})`,
      '',
      tableRow(['Shard', 'Status', 'Job', 'Attempt', 'Artifact', 'Fixtures', 'Failed', 'Result']),
      tableRow(['---', '---', '---', '---:', '---', '---:', '---', '---']),
    ],
    items: shards.map((shard) => {
      const failed = shard.failedFixtureIds.slice(0, 5).map(token).join(', ') + (shard.failedFixtureIds.length > 5 ? ` … and ${shard.failedFixtureIds.length - 5} more` : '');
      return tableRow([
        `${shard.index} of ${shard.total}`,
        SHARD_STATUS_CELL[shard.status],
        shard.job ? md(shard.job) : '',
        shard.attempt === null ? '' : String(shard.attempt),
        shard.artifactName ? link(shard.artifactName, shard.artifactUrl) : '',
        shard.counts ? String(shard.counts.total) : '',
        shard.counts ? `${shard.counts.failed}${failed ? `: ${failed}` : ''}` : '',
        shard.result ?? '',
      ]);
    }),
    itemNoun: 'shards',
  };
}

function preflightSection(view: SummaryView): Section | null {
  const p = view.preflight;
  if (!p) return null;
  const title = p.severity === 'error' ? '### ⛔ Stopped before any fixture ran' : '### ℹ️ Nothing to run';
  const head = [`${title}: ${token(p.code)}`, '', mdLines(p.message)];
  const problems = p.problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `- ${mdLines(problem)}`);
  if (p.problems.length > MAX_LISTED_PROBLEMS) problems.push(`- … and ${p.problems.length - MAX_LISTED_PROBLEMS} more`);
  if (problems.length > 0) head.push('', ...problems);
  // A guidance entry of several lines is a snippet to paste (a permissions: block): kept as YAML, indentation and all.
  for (const line of p.guidance.slice(0, MAX_LISTED_PROBLEMS)) {
    head.push('', line.includes('\n') ? codeBlock(line, 'yaml') : `> ${mdLines(line)}`);
  }
  if (p.fallback) {
    head.push('', '**Run only these fixtures** (set the `fixtures` input, or run locally):', '');
    head.push(codeBlock(`fixtures: ${pasteable(p.fallback.actionInput)}`, 'yaml'), '');
    head.push(codeBlock(pasteable(p.fallback.cliCommand)));
    head.push('', '**Or run the full suite:**', '', codeBlock(pasteable(p.fallback.fullRun)));
  }
  return { essential: true, head };
}

function rerunSection(view: SummaryView): Section | null {
  const r = view.rerun;
  if (!r) return null;
  const head = [`### 🔁 Rerun of ${link(r.source.label, r.source.url)}`, '', mdLines(r.note)];
  const facts: string[] = [];
  if (r.source.artifactName) facts.push(`artifact ${md(r.source.artifactName)}`);
  if (r.source.sha) facts.push(`commit ${md(r.source.sha.slice(0, 12))}`);
  if (facts.length > 0) head.push('', `Source: ${facts.join(', ')}`);
  const lists = [
    listLine('🔁 Recovered', r.recovered),
    listLine('❌ Still failing', r.stillFailing),
    listLine(
      '↩️ Carried over',
      r.carriedOver.map((fixture) => fixture.id),
      r.carriedOver.map((fixture) => `${token(fixture.id)} (${fixture.status})`),
    ),
    listLine(
      '🆕 Ran as new or changed since the source',
      r.alsoRan.map((fixture) => fixture.id),
      r.alsoRan.map((fixture) => `${token(fixture.id)} (${fixture.reason})`),
    ),
  ].filter((line) => line !== '');
  if (lists.length > 0) head.push('', ...lists);
  return { essential: true, head };
}

/** Essential: a verdict that leaves fixtures out must say so wherever the verdict is shown. */
function notCoveredSection(view: SummaryView): Section | null {
  const n = view.notCovered;
  if (!n) return null;
  const ids = n.fixtures.map((fixture) => fixture.id);
  const head = [
    `### ⚠️ Not covered by this verdict (${ids.length})`,
    '',
    'New or changed since the source report, so this rerun neither ran them nor carried a result over:',
    '',
    listLine('Not covered', ids, n.fixtures.map((fixture) => `${token(fixture.id)} (${fixture.reason})`)),
    '',
    'Run them too: set this input on the step (or run the command locally):',
    '',
    codeBlock(n.actionInput, 'yaml'),
    '',
    codeBlock(pasteable(n.cli)),
  ];
  return { essential: true, head };
}

function listLine(label: string, ids: readonly string[], rendered = ids.map(token)): string {
  if (ids.length === 0) return '';
  const shown = rendered.slice(0, MAX_INLINE_IDS).join(', ');
  const more = ids.length > MAX_INLINE_IDS ? ` … and ${ids.length - MAX_INLINE_IDS} more` : '';
  return `- ${label} (${ids.length}): ${shown}${more}`;
}

function fixtureTable(view: SummaryView): Section | null {
  if (view.rows.length === 0) return null;
  return {
    head: [
      '### Fixtures',
      '',
      tableRow(['Fixture', 'Status', 'Kind', 'Attempts', 'Duration', 'Message']),
      tableRow(['---', '---', '---', '---:', '---:', '---']),
    ],
    items: view.rows.map(fixtureTableRow),
    itemNoun: 'fixture rows',
  };
}

function fixtureTableRow(row: FixtureRow): string {
  const fixture = row.title ? `${token(row.id)}<br>${md(row.title)}` : token(row.id);
  const marks = [row.quarantined ? '**quarantined**' : '', row.carriedOver ? 'carried over' : '', row.recovered ? 'recovered' : ''].filter((mark) => mark !== '');
  const status = marks.length > 0 ? `${STATUS_CELL[row.status]} (${marks.join(', ')})` : STATUS_CELL[row.status];
  const message = row.message ? md(row.message) : '';
  return tableRow([fixture, status, row.kind ?? '', String(row.attempts), formatDuration(row.durationMs), message]);
}

function flakySection(view: SummaryView): Section | null {
  if (view.flaky.length === 0) return null;
  return {
    head: [
      `### ⚠️ Flaky (${view.flaky.length})`,
      '',
      'Passed after failing; they do not fail the run unless `fail-on-flaky` is set.',
      '',
    ],
    items: view.flaky.map((row) => {
      const failed = row.failedAttempts.map((attempt) => `attempt ${attempt.attempt} (${attempt.kind})`).join(', ');
      const message = row.message ? `: ${md(row.message)}` : '';
      return `- ${token(row.id)} at ${md(row.location)}: ${failed} failed, passed on attempt ${row.attempts}${message}`;
    }),
    itemNoun: 'flaky fixtures',
  };
}

function parkedSection(view: SummaryView): Section | null {
  if (view.parked.length === 0) return null;
  return {
    head: [`### ⏭️ Skipped (${view.parked.length})`, '', 'Parked with `skip:` in their fixture files: they did not run, and neither pass nor fail the run.', ''],
    items: view.parked.map((row) => `- ${token(row.id)} at ${md(row.location)}${row.message ? `: ${md(row.message)}` : ''}`),
    itemNoun: 'skipped fixtures',
  };
}

/** Loud, and before the fixture table so a cut keeps it: a quarantined failure passes the run, and the check run must say so. */
function quarantinedSection(view: SummaryView): Section | null {
  if (view.quarantined.length === 0) return null;
  const failed = view.quarantined.filter((fixture) => fixture.status === 'failed').length;
  const lead = failed > 0 ? `${failed} of them failed in this run and did not fail it.` : 'None of them failed in this run.';
  return {
    head: [
      `### 🚧 Quarantined (${view.quarantined.length})`,
      '',
      `They ran and are reported, but their failures do not fail the run. ${lead}`,
      '',
      tableRow(['Fixture', 'This run', 'History', 'Why']),
      tableRow(['---', '---', '---', '---']),
    ],
    items: view.quarantined.map((fixture) =>
      tableRow([token(fixture.id), fixture.status ? STATUS_CELL[fixture.status] : 'not run', fixture.strip ? `\`${fixture.strip}\`` : '', md(fixture.reason)]),
    ),
    itemNoun: 'quarantined fixtures',
  };
}

function flakiestSection(view: SummaryView): Section | null {
  const flakiest = view.history?.flakiest ?? [];
  if (flakiest.length === 0) return null;
  return {
    head: [
      '### 🎲 Flakiest fixtures',
      '',
      `Flaky runs over the runs in each fixture's history (${STRIP_LEGEND}).`,
      '',
      tableRow(['Fixture', 'Flake rate', 'Runs', 'Last outcomes']),
      tableRow(['---', '---:', '---:', '---']),
    ],
    items: flakiest.map((fixture) => tableRow([token(fixture.id), formatRate(fixture.rate), String(fixture.runs), `\`${fixture.strip}\``])),
    itemNoun: 'flaky fixtures',
  };
}

function nextSection(view: SummaryView): Section | null {
  const next = view.next;
  if (!next) return null;
  const head = ['### Rerun the failures', ''];
  if (next.action.rerunFailed) head.push(codeBlock(next.action.rerunFailed), '');
  if (next.ids.length <= MAX_INLINE_IDS * 10 && next.action.fixturesInput.length <= MAX_COMMAND_CHARS) {
    const lead = next.action.rerunFailed ? 'Or run only these fixtures' : 'Run these fixtures again';
    head.push(`${lead}: set the \`fixtures\` input, or run them locally:`, '');
    head.push(codeBlock(`fixtures: ${next.action.fixturesInput}`, 'yaml'), '', codeBlock(pasteable(next.cli.fixtures)));
  } else {
    head.push(`${next.ids.length} fixtures did not pass: too many to list as a command; use \`rerun-failed\`.`);
  }
  return { essential: true, head };
}

function warningsSection(view: SummaryView): Section | null {
  if (view.warnings.length === 0) return null;
  const items = view.warnings.map((warning) => `- ${mdLines(warning)}`);
  return { head: ['### Warnings', ''], items, itemNoun: 'warnings' };
}

/** Commands inside code blocks are shown verbatim; only their length is bounded. */
function pasteable(command: string): string {
  return command.length > MAX_COMMAND_CHARS ? `${command.slice(0, MAX_COMMAND_CHARS)} …(cut: see report.json)` : command;
}

function cutNote(view: SummaryView, limit: SizeLimit, cut: CutInfo): string {
  const size = limit.unit === 'chars' ? `${limit.max.toLocaleString('en-US')} characters` : byteSize(limit.max);
  const shown = cut.itemNoun ? ` It shows ${cut.shown} of ${cut.total} ${cut.itemNoun}` : ' Some sections were left out';
  const left = cut.sectionsLeftOut > 0 ? ` and leaves out ${cut.sectionsLeftOut} later ${plural(cut.sectionsLeftOut, 'section')}` : '';
  const where = `Every result is in ${reportPointer(view)}.`;
  return `> ✂️ **This summary was cut to stay within ${size}.**${shown}${left}. ${where}`;
}

function reportPointer(view: SummaryView): string {
  const artifact = view.report.artifact;
  if (artifact) return `\`report.json\` in the artifact ${link(artifact.name, artifact.url)}`;
  if (view.report.path) return md(view.report.path);
  return '`report.json` in the report folder';
}

function byteSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes.toLocaleString('en-US')} bytes`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

// The job summary as the Action writes it: led by any publishing problem (an upload that failed), or for a dry
// run the plan. Always within GitHub's 1 MiB limit.

/** Keeps a dry run's table well under the summary limit; plan.json has every fixture. */
const MAX_PLAN_ROWS = 500;

function problemsBlock(problems: readonly string[]): string {
  if (problems.length === 0) return '';
  return `> [!WARNING]\n${problems.map((problem) => `> ${md(problem)}`).join('\n>\n')}\n\n`;
}

function planSummary(plan: Plan | null): string {
  if (!plan) return '## reliability-smoke: dry run could not be planned\n\nSee the log for the problem.\n';
  const shown = plan.fixtures.slice(0, MAX_PLAN_ROWS);
  const rows = shown.map((fixture) =>
    tableRow([
      `\`${fixture.id}\``,
      md(fixture.title ?? ''),
      md(`${fixture.file}:${fixture.line}`),
      md(fixture.tags.join(', ')),
      md(fixture.skip ? `skipped: ${fixture.skip}` : fixture.reason),
      md(fixture.url ?? '(no base URL)'),
    ]),
  );
  const warnings = plan.warnings.length > 0 ? ['**Warnings**', '', ...plan.warnings.map((warning) => `- ${md(warning)}`), ''] : [];
  return [
    `## 🧪 reliability-smoke: dry run, ${plannedCount(plan)}`,
    '',
    `mode \`${plan.mode}\` · nothing was run, so nothing passed or failed, and report.json was left untouched.`,
    '',
    ...warnings,
    tableRow(['Fixture', 'Title', 'File', 'Tags', 'Selected because', 'URL']),
    tableRow(['---', '---', '---', '---', '---', '---']),
    ...rows,
    '',
    ...(plan.fixtures.length > shown.length
      ? [`… and ${plan.fixtures.length - shown.length} more: see plan.json in the artifact.`, '']
      : []),
  ].join('\n');
}

function plannedCount(plan: Plan): string {
  const { run, skipped } = runnableCount(plan);
  return `${run} fixture${run === 1 ? '' : 's'} would run${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** The report's summary, or for a dry run (no report, so no view) its plan, led by any publishing problem. */
export function renderActionSummary(params: { view: SummaryView | null; plan: Plan | null; problems: readonly string[] }): string {
  const lead = problemsBlock(params.problems);
  const budget = JOB_SUMMARY_MAX_BYTES - Buffer.byteLength(lead) - 1024;
  if (!params.view) return lead + planSummary(params.plan);
  return lead + renderJobSummaryWithin(params.view, { max: budget, unit: 'bytes' });
}
