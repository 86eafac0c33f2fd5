/**
 * One fixture in report.html: a <details> card whose id is the fixture id (so `report.html#<id>` links to it),
 * with its status, title, tags and file:line in the summary line, and every attempt in the body: status, kind,
 * duration, the error, the screenshot (lazy-loaded from the evidence beside the report), the console lines and
 * failed requests the page produced, and links to the attempt's log and page HTML.
 *
 * The summary line and the body are lists of parts, so a later feature (a history strip, a shard) adds one part.
 *
 * The long parts of failed attempts (whole messages, console lines, failed requests) share one budget per page,
 * spent in page order (failures first): past it, an attempt shows its message cut short and points to its log,
 * so the page stays small (under 2 MB for 500 fixtures with 50 failures) whatever the pages logged.
 */
import { clip } from '../report/limits.ts';
import type { Attempt, FixtureResult, PageLog } from '../report/schema.ts';
import { esc, escBlock, evidenceHref, utcTime } from './html-escape.ts';
import { type FixtureRow, formatDuration } from './view.ts';
import { type FlakyFixture, STRIP_LEGEND } from '../history/flake-rate.ts';
import { formatRate } from '../history/quarantine.ts';

export const STATUS_LABEL = { failed: 'failed', flaky: 'flaky', skipped: 'skipped', passed: 'passed' } as const;

/** Characters of page for the long parts of failed attempts, shared by every card of the page. */
export const DETAIL_BUDGET_CHARS = 1_000_000;
/** A message past the budget is cut to this. */
const CUT_MESSAGE_CHARS = 600;

export interface DetailBudget {
  remaining: number;
}

export interface FixtureCardOptions {
  /** Open the card when the page loads (the first failures). */
  open: boolean;
  /** Spent by this card's failed attempts. */
  budget: DetailBudget;
  /** The fixture's history: its strip of last outcomes and flake rate; null when the report keeps none for it. */
  history?: FlakyFixture | null;
}

/** The card of one fixture; `result` is the report's record of the row's fixture. */
export function fixtureCard(row: FixtureRow, result: FixtureResult, options: FixtureCardOptions): string {
  const search = [row.id, row.title ?? '', ...result.tags].join(' ').toLowerCase();
  const summary = [
    `<span class="badge ${row.status}">${STATUS_LABEL[row.status]}</span>`,
    `<code class="id">${esc(row.id)}</code>`,
    row.title ? `<span class="title">${esc(row.title)}</span>` : '',
    row.kind && row.status !== 'passed' ? `<span class="kind">${esc(row.kind)}</span>` : '',
    row.carriedOver ? '<span class="mark">carried over</span>' : '',
    row.recovered ? '<span class="mark good">recovered</span>' : '',
    row.quarantined ? '<span class="mark bad">quarantined</span>' : '',
    historyPart(options.history ?? null),
    ...result.tags.map((tag) => `<span class="tag">${esc(tag)}</span>`),
    `<span class="dur">${row.status === 'skipped' ? '' : `${formatDuration(row.durationMs)}${row.attempts > 1 ? ` · ${row.attempts} attempts` : ''}`}</span>`,
  ];
  const attempts = result.attempts.map((attempt) => attemptBlock(attempt, result, options.budget));
  const body = [whereLine(row, result), provenance(result), skipped(result), ...attempts];
  return (
    `<details class="fx ${row.status}" id="${esc(row.id)}" data-status="${row.status}" data-search="${esc(search)}"${options.open ? ' open' : ''}>` +
    `<summary>${summary.filter((part) => part !== '').join('')}</summary>` +
    `<div class="body">${body.filter((part) => part !== '').join('')}</div></details>`
  );
}

/** The last outcomes on one line (oldest first) and the flake rate over them, when the fixture has a history. */
function historyPart(history: FlakyFixture | null): string {
  if (!history || history.strip === '') return '';
  const rate = history.flakes > 0 ? ` · ${formatRate(history.rate)} flaky` : '';
  return `<span class="strip" title="${esc(`Last ${history.strip.length} outcomes, oldest first: ${STRIP_LEGEND}`)}">${esc(history.strip)}${rate}</span>`;
}

function whereLine(row: FixtureRow, result: FixtureResult): string {
  const parts = [`<span class="loc">${esc(row.location)}</span>`];
  if (result.url) parts.push(`<span class="url">${esc(result.url)}</span>`);
  parts.push(`<a class="permalink" href="#${esc(row.id)}" title="Link to this fixture">#</a>`);
  return `<p class="where">${parts.join(' ')}</p>`;
}

function provenance(result: FixtureResult): string {
  const from = result.carriedOver;
  if (from) {
    const run = from.runId ? `run ${from.runId}${from.runAttempt ? ` attempt ${from.runAttempt}` : ''}` : 'the source report';
    const commit = from.sha ? ` at commit ${from.sha.slice(0, 12)}` : '';
    const artifact = from.artifactName ? `the artifact ${from.artifactName}` : "that run's report folder";
    return `<p class="note">Carried over from ${esc(run)}${esc(commit)}: not run this time. Its evidence is in ${esc(artifact)}.</p>`;
  }
  if (result.recovered) return '<p class="note good">Recovered: it failed in the source run and passes now.</p>';
  return '';
}

function skipped(result: FixtureResult): string {
  if (result.status !== 'skipped' || !result.skipReason) return '';
  const lead = result.skippedBy === 'fixture' ? 'Skipped (parked with skip: in its file)' : 'Not run';
  return `<p class="note">${lead}: ${esc(result.skipReason)}</p>`;
}

function attemptBlock(attempt: Attempt, result: FixtureResult, budget: DetailBudget): string {
  const head = [
    `Attempt ${attempt.attempt}`,
    `<span class="badge ${attempt.status}">${attempt.status}</span>`,
    attempt.error ? `<span class="kind">${esc(attempt.error.kind)}</span>` : '',
    formatDuration(attempt.durationMs),
    `<span class="muted">${utcTime(attempt.startedAt)}</span>`,
  ].filter((part) => part !== '');
  const parts = [`<h4>${head.join(' ')}</h4>`];
  if (attempt.status === 'failed') parts.push(failureDetails(attempt, result, budget));
  return `<section class="attempt ${attempt.status}">${parts.join('')}</section>`;
}

/** The message and the page log in full while the page's budget lasts; then the message cut short. */
function failureDetails(attempt: Attempt, result: FixtureResult, budget: DetailBudget): string {
  const message = attempt.error ? `<pre class="error">${escBlock(attempt.error.message)}</pre>` : '';
  const log = attempt.pageLog ? pageLogBlock(attempt.pageLog) : '<p class="muted">No console lines or requests were recorded for this attempt.</p>';
  if (message.length + log.length <= budget.remaining) {
    budget.remaining -= message.length + log.length;
    return message + evidenceBlock(attempt, result, log);
  }
  budget.remaining = 0;
  const cut = attempt.error ? `<pre class="error">${escBlock(clip(attempt.error.message, CUT_MESSAGE_CHARS))}</pre>` : '';
  const note = '<p class="muted">Console lines and failed requests are left out here to keep this page small: see the attempt log, or report.json.</p>';
  return cut + evidenceBlock(attempt, result, note);
}

function evidenceBlock(attempt: Attempt, result: FixtureResult, signals: string): string {
  const screenshot = evidenceHref(attempt.evidence?.screenshot ?? null);
  const shot = screenshot
    ? `<a class="shot" href="${screenshot}"><img src="${screenshot}" loading="lazy" alt="Screenshot of ${esc(result.id)}, attempt ${attempt.attempt}" width="320" height="180"></a>`
    : `<p class="noshot">${result.carriedOver ? 'Screenshot in the source run’s artifact.' : 'No screenshot.'}</p>`;
  const cut = screenshot && attempt.evidence?.screenshotNote ? `<p class="muted shotnote">${esc(capitalized(attempt.evidence.screenshotNote))}</p>` : '';
  const files = [
    linkTo(attempt.evidence?.log ?? null, 'attempt log', 'error, step trace, every console line and request'),
    linkTo(attempt.evidence?.html ?? null, 'page HTML', 'the page as captured; opening it runs its scripts'),
  ].filter((part) => part !== '');
  const side = [signals, files.length > 0 ? `<p class="files">${files.join(' · ')}</p>` : ''];
  return `<div class="evidence"><div class="shotcol">${shot}${cut}</div><div class="signals">${side.join('')}</div></div>`;
}

function linkTo(path: string | null, label: string, title: string): string {
  const href = evidenceHref(path);
  return href ? `<a href="${href}" title="${esc(title)}">${esc(label)}</a>` : '';
}

const at = (ms: number) => `+${formatDuration(ms)}`;

function pageLogBlock(log: PageLog): string {
  const consoleLines = log.console.map((entry) => {
    const where = entry.location ? `<span class="muted"> ${esc(entry.location)}</span>` : '';
    const ignored = entry.ignored ? `<span class="muted"> (not counted: ${esc(entry.ignored)})</span>` : '';
    return `<li class="c-${cssToken(entry.type)}${entry.ignored ? ' ignored' : ''}"><span class="t">${at(entry.atMs)} ${esc(entry.type)}</span> <span class="text">${escBlock(entry.text)}</span>${where}${ignored}</li>`;
  });
  const requests = log.failedRequests.map((entry) => {
    const ignored = entry.ignored ? `<span class="muted"> (not counted: ${esc(entry.ignored)})</span>` : '';
    return `<li${entry.ignored ? ' class="ignored"' : ''}><span class="t">${at(entry.atMs)} ${esc(entry.method)}</span> <span class="text">${esc(entry.url)}</span> <strong>${esc(entry.failure)}</strong> <span class="muted">${esc(entry.resourceType)}</span>${ignored}</li>`;
  });
  const parts = [
    `<h5>Console (${log.console.length})</h5>`,
    consoleLines.length > 0 ? `<ol class="log">${consoleLines.join('')}</ol>` : '<p class="muted">Nothing logged.</p>',
    `<h5>Failed requests (${log.failedRequests.length})</h5>`,
    requests.length > 0 ? `<ol class="log">${requests.join('')}</ol>` : '<p class="muted">None.</p>',
  ];
  if (log.omitted > 0) parts.push(`<p class="muted">${log.omitted} more ${log.omitted === 1 ? 'entry is' : 'entries are'} in the attempt log.</p>`);
  return parts.join('');
}

/** Console types are page-controlled strings: only a plain token may become part of a class name. */
function cssToken(type: string): string {
  return /^[a-z]{1,20}$/.test(type) ? type : 'other';
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
