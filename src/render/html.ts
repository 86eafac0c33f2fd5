/**
 * report.html: one self-contained page beside report.json that opens from the unpacked artifact (file://) with no
 * server and no network. It shows the verdict and counts, why a run stopped, the rerun's source and what it carried
 * over or recovered, the commands for the next attempt, and every fixture (failures first) with a filter by
 * status, a search by id, title or tag, and `#<fixture-id>` links. Rendered on this side from the report and its
 * view; page text only ever enters through html-escape.ts, and the page's CSP allows nothing but its own style
 * and script (html-assets.ts).
 *
 * The page is a list of sections, so a later feature (flakiest fixtures from the history, a shards table) adds one.
 */
import type { FixtureResult, Report } from '../report/schema.ts';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './html-assets.ts';
import { esc, escBlock, fixtureLink, plural, utcTime, webLink } from './html-escape.ts';
import { DETAIL_BUDGET_CHARS, fixtureCard, STATUS_LABEL } from './html-fixture.ts';
import { formatDuration, type SummaryView } from './view.ts';
import { STRIP_LEGEND } from '../history/flake-rate.ts';
import { formatRate } from '../history/quarantine.ts';

/** Failed fixtures whose cards are open when the page loads; the rest open with a click or a link. */
const MAX_OPEN_CARDS = 20;
/** Ids listed inline in the rerun section before "and N more" (each has its card below). */
const MAX_LISTED_IDS = 50;
/** A command longer than this is not something anyone pastes. */
const MAX_COMMAND_CHARS = 2_000;

const FILTER_ORDER = ['failed', 'flaky', 'skipped', 'passed'] as const;

export function renderHtmlReport(report: Report, view: SummaryView): string {
  const sections = [
    header(report, view),
    interruptedPanel(view),
    preflightPanel(view),
    mergePanel(view),
    rerunPanel(view),
    notCoveredPanel(report, view),
    quarantinePanel(view),
    flakiestPanel(view),
    fixtureList(report, view),
    nextPanel(report, view),
    warningsPanel(view),
  ];
  const title = `${view.tool.name}: ${view.verdict}${report.run.repository ? ` · ${report.run.repository}` : ''}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body><main>',
    ...sections.filter((section) => section !== ''),
    `<footer>Written by ${esc(view.tool.name)} ${esc(view.tool.version)} from the report.json beside this file; screenshots, logs and page HTML are in failures/ beside it.</footer>`,
    '</main><dialog id="_lightbox"><img alt=""></dialog>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function header(report: Report, view: SummaryView): string {
  const c = view.counts;
  const verdict = `<span class="verdict ${view.verdict}">${view.verdict === 'pass' ? '✓ PASS' : '✗ FAIL'}</span>`;
  const counts = view.preflight
    ? ['<span><strong>No fixture ran.</strong></span>']
    : [
        `<span><span class="n">${c.total}</span> ${c.total === 1 ? 'fixture' : 'fixtures'}</span>`,
        ...FILTER_ORDER.map((status) => `<span class="${status}"><span class="n">${c[status]}</span> ${status}</span>`),
        ...(c.carriedOver > 0 ? [`<span><span class="n">${c.carriedOver}</span> carried over</span>`] : []),
        ...(c.recovered > 0 ? [`<span><span class="n">${c.recovered}</span> recovered</span>`] : []),
      ];
  const run = report.run;
  const about = [
    `mode ${esc(view.mode)}`,
    formatDuration(view.durationMs),
    `started ${utcTime(view.startedAt)}`,
    webLink(view.run.label, view.run.url),
    ...(run.repository ? [esc(run.repository)] : []),
    ...(run.sha ? [`commit <code>${esc(run.sha.slice(0, 12))}</code>`] : []),
    ...(run.ref ? [esc(run.ref)] : []),
    ...(run.event && run.runId ? [esc(run.event)] : []),
    ...(view.shard ? [`shard ${view.shard.index} of ${view.shard.total} (${view.shard.count} of ${plural(view.shard.of, 'fixture')})`] : []),
  ];
  const o = report.options;
  const settings = [
    ...(report.baseUrl ? [`base URL ${esc(report.baseUrl)}`] : []),
    `retries ${o.retries}`,
    `concurrency ${o.concurrency}`,
    `timeout ${formatDuration(o.timeoutMs)}`,
    ...(o.failOnFlaky ? ['fail-on-flaky'] : []),
  ];
  return [
    '<header>',
    `<h1>${verdict} ${esc(view.tool.name)}</h1>`,
    `<p class="counts">${counts.join('')}</p>`,
    `<p class="meta">${about.join(' · ')}</p>`,
    `<p class="meta">${settings.join(' · ')}</p>`,
    '</header>',
  ].join('\n');
}

function interruptedPanel(view: SummaryView): string {
  const interrupted = view.interrupted;
  if (!interrupted) return '';
  return `<section class="panel stop"><h2>Interrupted (${esc(interrupted.reason)})</h2><p class="msg">${escBlock(interrupted.message)}</p></section>`;
}

function preflightPanel(view: SummaryView): string {
  const p = view.preflight;
  if (!p) return '';
  const title = p.severity === 'error' ? 'Stopped before any fixture ran' : 'Nothing to run';
  const parts = [`<h2>${title}: <code>${esc(p.code)}</code></h2>`, `<p class="msg">${escBlock(p.message)}</p>`];
  if (p.problems.length > 0) parts.push(`<ul>${p.problems.map((problem) => `<li class="msg">${escBlock(problem)}</li>`).join('')}</ul>`);
  for (const line of p.guidance) parts.push(line.includes('\n') ? `<pre>${escBlock(line)}</pre>` : `<p>${esc(line)}</p>`);
  if (p.fallback) {
    parts.push('<p><strong>Run only these fixtures</strong> (set the <code>fixtures</code> input, or run locally):</p>');
    parts.push(command(`fixtures: ${p.fallback.actionInput}`), command(p.fallback.cliCommand));
    parts.push('<p><strong>Or run the full suite:</strong></p>', command(p.fallback.fullRun));
  }
  return `<section class="panel ${p.severity === 'error' ? 'stop' : 'notice'}" id="_preflight">${parts.join('\n')}</section>`;
}

function rerunPanel(view: SummaryView): string {
  const r = view.rerun;
  if (!r) return '';
  const facts = [
    ...(r.source.artifactName ? [`artifact ${esc(r.source.artifactName)}`] : []),
    ...(r.source.sha ? [`commit <code>${esc(r.source.sha.slice(0, 12))}</code>`] : []),
  ];
  const lists = [
    idList('Recovered', r.recovered.map((id) => fixtureLink(id))),
    idList('Still failing', r.stillFailing.map((id) => fixtureLink(id))),
    idList('Carried over', r.carriedOver.map((fixture) => `${fixtureLink(fixture.id)} (${STATUS_LABEL[fixture.status]})`)),
    idList('Ran as new or changed since the source', r.alsoRan.map((fixture) => `${fixtureLink(fixture.id)} (${fixture.reason})`)),
  ].filter((item) => item !== '');
  return [
    '<section class="panel" id="_rerun">',
    `<h2>Rerun of ${webLink(r.source.label, r.source.url)}</h2>`,
    `<p class="msg">${escBlock(r.note)}</p>`,
    facts.length > 0 ? `<p class="meta">Source: ${facts.join(', ')}</p>` : '',
    lists.length > 0 ? `<ul>${lists.join('')}</ul>` : '',
    '</section>',
  ].join('\n');
}

/** A rerun's new and changed fixtures it did not run: they have no card, as there is no result of theirs. */
function notCoveredPanel(report: Report, view: SummaryView): string {
  const n = view.notCovered;
  if (!n) return '';
  const items = n.fixtures.map((fixture) => `<code>${esc(fixture.id)}</code> (${fixture.reason}, ${esc(fixture.file)}:${fixture.line})`);
  const onGitHub = report.run.runId !== null;
  return [
    '<section class="panel stop" id="_not_covered">',
    `<h2>Not covered by this verdict (${n.fixtures.length})</h2>`,
    '<p>New or changed since the source report, so this rerun neither ran them nor carried a result over.</p>',
    `<ul>${idList('Not covered', items)}</ul>`,
    '<p>Run them too, with the failures:</p>',
    onGitHub ? command(n.actionInput) : '',
    command(n.cli),
    '</section>',
  ].join('\n');
}

const SHARD_STATUS = { merged: 'merged', missing: 'MISSING', invalid: 'UNREADABLE', stopped: 'STOPPED' } as const;

/** A merged report: why it cannot vouch for the suite, if it cannot, and every shard, with whose artifact holds which failure. */
function mergePanel(view: SummaryView): string {
  const merge = view.merge;
  if (!merge) return '';
  const problems = merge.problems.map(
    (problem) => `<li class="msg"><code>${esc(problem.code)}</code>${problem.shard ? ` (shard ${problem.shard})` : ''}: ${escBlock(problem.message)}</li>`,
  );
  const shards = merge.shards.map((shard) => {
    const facts = [
      SHARD_STATUS[shard.status],
      ...(shard.attempt === null ? [] : [`attempt ${shard.attempt}`]),
      ...(shard.artifactName ? [`artifact ${webLink(shard.artifactName, shard.artifactUrl)}`] : []),
      ...(shard.counts ? [`${plural(shard.counts.total, 'fixture')}, ${shard.counts.failed} failed`] : []),
      ...(shard.result ? [shard.result] : []),
    ];
    const failed = shard.failedFixtureIds.length > 0 ? `: ${shard.failedFixtureIds.slice(0, MAX_LISTED_IDS).map((id) => fixtureLink(id)).join(', ')}` : '';
    return `<li>Shard ${shard.index} of ${shard.total}: ${facts.join(' · ')}${failed}</li>`;
  });
  return [
    `<section class="panel${problems.length > 0 ? ' stop' : ''}" id="_shards">`,
    problems.length > 0 ? `<h2>The merge cannot vouch for the whole suite</h2><ul>${problems.join('')}</ul>` : '',
    `<h2>Merged from ${plural(merge.shards.length, 'shard')}</h2>`,
    '<p class="meta">Screenshots and logs of each failure are in the artifact of the shard that ran it.</p>',
    `<ul>${shards.join('')}</ul>`,
    '</section>',
  ].join('\n');
}

function idList(label: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  const more = items.length > MAX_LISTED_IDS ? ` … and ${items.length - MAX_LISTED_IDS} more` : '';
  return `<li>${label} (${items.length}): ${items.slice(0, MAX_LISTED_IDS).join(', ')}${more}</li>`;
}

function nextPanel(report: Report, view: SummaryView): string {
  const next = view.next;
  if (!next) return '';
  const parts = ['<h2>Rerun the failures</h2>'];
  // The Action's forms only mean something for a run on GitHub; a local run gets the CLI's.
  const onGitHub = report.run.runId !== null;
  if (onGitHub && next.action.rerunFailed) parts.push(command(next.action.rerunFailed));
  if (next.cli.rerunFailed) parts.push(command(next.cli.rerunFailed));
  if (next.cli.fixtures.length <= MAX_COMMAND_CHARS) {
    parts.push(`<p>Or run only ${plural(next.ids.length, 'fixture')}${onGitHub ? ' (set the <code>fixtures</code> input, or run locally)' : ''}:</p>`);
    if (onGitHub) parts.push(command(`fixtures: ${next.action.fixturesInput}`));
    parts.push(command(next.cli.fixtures));
  } else {
    parts.push(`<p>${plural(next.ids.length, 'fixture')} did not pass: too many to list as a command; use rerun-failed.</p>`);
  }
  return `<section class="panel" id="_next">${parts.join('\n')}</section>`;
}

/** A command to paste, shown as it is (escaped); the script adds a Copy button. */
function command(text: string): string {
  return `<pre class="cmd">${escBlock(text)}</pre>`;
}

/** Loud: a quarantined failure passes the run. */
function quarantinePanel(view: SummaryView): string {
  if (view.quarantined.length === 0) return '';
  const rows = view.quarantined.map(
    (fixture) =>
      `<tr><td><a href="#${esc(fixture.id)}"><code>${esc(fixture.id)}</code></a></td><td>${esc(fixture.status ?? 'not run')}</td>` +
      `<td class="strip">${esc(fixture.strip)}</td><td>${esc(fixture.reason)}</td></tr>`,
  );
  return [
    `<section class="panel stop" id="_quarantine"><h2>Quarantined (${view.quarantined.length})</h2>`,
    '<p>They ran and are reported, but their failures do not fail the run.</p>',
    `<table><thead><tr><th>Fixture</th><th>This run</th><th>History</th><th>Why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

function flakiestPanel(view: SummaryView): string {
  const flakiest = view.history?.flakiest ?? [];
  if (flakiest.length === 0) return '';
  const rows = flakiest.map(
    (fixture) =>
      `<tr><td><a href="#${esc(fixture.id)}"><code>${esc(fixture.id)}</code></a></td><td>${esc(formatRate(fixture.rate))}</td>` +
      `<td>${fixture.runs}</td><td class="strip">${esc(fixture.strip)}</td></tr>`,
  );
  return [
    '<section class="panel" id="_flakiest"><h2>Flakiest fixtures</h2>',
    `<p class="muted">Flaky runs over the runs in each fixture's history (${esc(STRIP_LEGEND)}).</p>`,
    `<table><thead><tr><th>Fixture</th><th>Flake rate</th><th>Runs</th><th>Last outcomes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

function warningsPanel(view: SummaryView): string {
  if (view.warnings.length === 0) return '';
  const items = view.warnings.map((warning) => `<li class="msg">${escBlock(warning)}</li>`).join('');
  return `<section class="panel" id="_warnings"><h2>Warnings (${view.warnings.length})</h2><ul>${items}</ul></section>`;
}

function fixtureList(report: Report, view: SummaryView): string {
  if (view.rows.length === 0) return '';
  const results = new Map<string, FixtureResult>(report.fixtures.map((fixture) => [fixture.id, fixture]));
  const byStatus = (status: (typeof FILTER_ORDER)[number]) => view.rows.filter((row) => row.status === status).length;
  const buttons = [
    `<button type="button" data-filter="all" aria-pressed="true">All <b>${view.rows.length}</b></button>`,
    ...FILTER_ORDER.filter((status) => byStatus(status) > 0).map(
      (status) => `<button type="button" data-filter="${status}" aria-pressed="false">${status[0]!.toUpperCase()}${status.slice(1)} <b>${byStatus(status)}</b></button>`,
    ),
  ];
  let opened = 0;
  const budget = { remaining: DETAIL_BUDGET_CHARS };
  const cards = view.rows.flatMap((row) => {
    const result = results.get(row.id);
    if (!result) return [];
    const open = row.status === 'failed' && opened < MAX_OPEN_CARDS;
    if (open) opened += 1;
    return [fixtureCard(row, result, { open, budget, history: view.history?.byId.get(row.id) ?? null })];
  });
  return [
    '<section id="_fixtures">',
    '<div class="toolbar" role="search">',
    ...buttons,
    '<input id="_search" type="search" placeholder="Search id, title or tag (press /)" aria-label="Search fixtures by id, title or tag" autocomplete="off">',
    `<span id="_shown" class="muted">Showing ${cards.length} of ${cards.length}</span>`,
    '</div>',
    ...cards,
    '<p id="_empty" class="muted" hidden>No fixture matches the filter and the search.</p>',
    '</section>',
  ].join('\n');
}
