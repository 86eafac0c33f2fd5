/**
 * The one view of a finished report that every renderer uses: terminal summary, job summary, annotations and
 * check run all read this, so they cannot disagree about what failed or what to run next. Texts here are raw
 * (page text included); each renderer escapes for its own medium.
 *
 * A report may come from another run (a rerun source, report-only, a merge): its text is data, never a link or a
 * command. Every link and copy-paste command here is built from the rendering run's own context (`context`) and
 * from ids that match the fixture id pattern, so every renderer shows only links and commands of ours.
 */
import { runLabel } from '../rerun/carry-over.ts';
import {
  fixturesCommand,
  fixturesInputValue,
  fullRunCommand,
  rerunFailedCommand,
  rerunIncludeCommand,
  RERUN_INCLUDE_ALL,
  workflowRerunCommand,
} from '../report/commands.ts';
import { FIXTURE_ID_PATTERN } from '../fixtures/schema.ts';
import { failedFixtureIds } from '../report/outcome.ts';
import type {
  Attempt,
  FailureKind,
  FixtureResult,
  FixtureStatus,
  MergedShard,
  MergeProblem,
  Mode,
  NotCoveredFixture,
  PreflightDiagnostic,
  Report,
  RunContext,
  Summary,
} from '../report/schema.ts';
import { rerunIdsOf } from '../rerun/failed-set.ts';
import { flakeRateOf, flakiestOf, type FlakyFixture, stripOf } from '../history/flake-rate.ts';
import { quarantineReason } from '../history/quarantine.ts';

/** Row messages are one line and at most this long; the full text is in report.json. */
export const ROW_MESSAGE_MAX_CHARS = 300;

export interface FailedAttemptView {
  attempt: number;
  kind: FailureKind;
  /** First line of the attempt's message. */
  message: string;
}

export interface FixtureRow {
  id: string;
  title: string | null;
  status: FixtureStatus;
  /** Kind of the last failed attempt (failed and flaky fixtures). */
  kind: FailureKind | null;
  attempts: number;
  failedAttempts: FailedAttemptView[];
  durationMs: number;
  /** First line of the last failed attempt's message, or why a skipped fixture did not run. */
  message: string | null;
  file: string;
  line: number;
  /** "file:line". */
  location: string;
  /** Evidence of the last failed attempt, relative to the report folder. */
  evidence: string[];
  /** Where its screenshot was cut, when the page was taller than the cap; null when it shows the whole page. */
  screenshotNote: string | null;
  carriedOver: boolean;
  recovered: boolean;
  /** Quarantined in this run: its failure does not fail the run. */
  quarantined: boolean;
  /** Skipped because its file parks it (`skip: "reason"`, the reason in `message`), not because the run stopped. */
  parked: boolean;
}

/** A quarantined fixture, listed loudly wherever the result is shown. */
export interface QuarantinedView {
  id: string;
  /** Why, in one phrase: "automatic: flake rate 40% over 10 runs". */
  reason: string;
  /** What it did in this run. */
  status: FixtureStatus | null;
  /** Its last outcomes, oldest first (✓✗~·), this run's included. */
  strip: string;
}

/** The history in a report: the flakiest fixtures, and each fixture's strip for a per-fixture view. */
export interface HistoryView {
  /** Fixtures that flaked at all, flakiest first, at most MAX_FLAKIEST. */
  flakiest: FlakyFixture[];
  /** Every fixture's strip and rate, by id. */
  byId: ReadonlyMap<string, FlakyFixture>;
  /** Where the earlier outcomes came from, or null when the history started with this run. */
  source: RunLink | null;
}

/** How many of the flakiest fixtures a summary lists. */
export const MAX_FLAKIEST = 10;

export interface RunLink {
  label: string;
  url: string | null;
}

export interface RerunView {
  source: RunLink & {
    runId: string | null;
    runAttempt: number | null;
    artifactName: string | null;
    path: string | null;
    sha: string | null;
  };
  carryOver: boolean;
  note: string;
  /** Rerun fixtures that failed in the source and pass now. */
  recovered: string[];
  /** Rerun fixtures that failed again. */
  stillFailing: string[];
  carriedOver: { id: string; status: FixtureStatus }[];
  /** Rerun fixtures that ran because they are new or changed since the source (rerun-include). */
  alsoRan: { id: string; reason: 'new' | 'changed' }[];
}

/** A rerun's fixtures new or changed since its source that it neither ran nor carried over, and how to run them. */
export interface NotCoveredView {
  fixtures: NotCoveredFixture[];
  /** `npx reliability-smoke … --rerun-failed --rerun-include failed,new,changed`. */
  cli: string;
  /** The Action input line that runs them too. */
  actionInput: string;
}

/** Copy-paste commands for the next attempt at the fixtures that did not pass. */
export interface NextAttempt {
  ids: string[];
  action: {
    /** `gh workflow run … -f rerun-failed=true`; null when the workflow is unknown or nothing failed as such. */
    rerunFailed: string | null;
    /** Value for the `fixtures:` input. */
    fixturesInput: string;
  };
  cli: {
    /** Null when no fixture failed (rerun-failed selects failed fixtures only). */
    rerunFailed: string | null;
    fixtures: string;
  };
}

/** A shard's own report: the part it ran. */
export interface ShardPartView {
  index: number;
  total: number;
  /** Fixtures in this part, and in the whole selection. */
  count: number;
  of: number;
  balancedBy: 'duration' | 'count' | null;
}

/** A merged report: every shard it expected and what became of it, and why the merge cannot vouch for the suite. */
export interface MergeView {
  shards: (MergedShard & { artifactUrl: string | null })[];
  problems: MergeProblem[];
}

/** The rendering run, as its own environment describes it: what links and the workflow command are built from. */
export type ViewContext = Pick<RunContext, 'serverUrl' | 'repository' | 'workflow' | 'ref'>;

/** Where a report from another run came from, and what in it does not match that run: shown before anything else. */
export interface Provenance {
  /** One line: "the smoke artifact … of run …". */
  source: string;
  /** The run it was downloaded from, as GitHub says: the run the view links to, whatever the report claims. */
  runId: string | null;
  runAttempt: number | null;
  /** What the report says about itself that the run it came from contradicts (its run id, its commit). */
  mismatches: string[];
}

export interface SummaryView {
  tool: Report['tool'];
  mode: Mode;
  verdict: Report['result'];
  counts: Summary;
  startedAt: string;
  durationMs: number;
  run: RunLink;
  /** Every fixture, failures first, then flaky, skipped, passed. */
  rows: FixtureRow[];
  failures: FixtureRow[];
  flaky: FixtureRow[];
  /** Fixtures their files park (`skip:`), each with its reason. */
  parked: FixtureRow[];
  rerun: RerunView | null;
  /** Null when the verdict covers every fixture of the suite it knows of. */
  notCovered: NotCoveredView | null;
  preflight: PreflightDiagnostic | null;
  interrupted: Report['interrupted'];
  warnings: string[];
  next: NextAttempt | null;
  /** Set for a shard's report (shard: i/n). */
  shard: ShardPartView | null;
  /** Set for a merged report. */
  merge: MergeView | null;
  provenance: Provenance | null;
  /** Quarantined fixtures of this run: they ran, but their failure does not fail it. */
  quarantined: QuarantinedView[];
  /** Null for a report without a history (written before it was kept). */
  history: HistoryView | null;
  /** Where the full report is, for "see the report" pointers; `html` is report.html's path, when it was written. */
  report: { dir: string | null; path: string | null; html: string | null; artifact: { name: string; url: string | null } | null };
}

export interface SummaryViewOptions {
  reportDir?: string | null;
  reportPath?: string | null;
  /** report.html, when the run wrote one. */
  htmlPath?: string | null;
  artifact?: { name: string; url: string | null } | null;
  /** CLI arguments to repeat in the next-attempt commands (fixtures dir, base URL…), without any selection. */
  commandArgs?: readonly string[];
  /** `--artifact` for the CLI rerun command; omitted when null (the CLI default is used). */
  cliArtifactPath?: string | null;
  /**
   * The ref a `gh workflow run` rerun should dispatch on, when it is not the run's own ref: a pull request's
   * head branch (its merge ref cannot be dispatched). Null when there is none, such as a fork's branch.
   */
  dispatchRef?: string | null;
  /**
   * The run that renders this view, as its own environment describes it. Links to runs and the `gh workflow run`
   * command are built from it; without it there are none. Never the report's own `run`: that is the report's text.
   */
  context?: ViewContext | null;
  /** For a report from another run's artifact: where it came from, and what does not add up. */
  provenance?: Provenance | null;
}

export function summaryViewOf(report: Report, options: SummaryViewOptions = {}): SummaryView {
  const quarantinedIds = new Set((report.quarantine?.fixtures ?? []).map((fixture) => fixture.id));
  const rows = report.fixtures
    .map((fixture) => ({ ...fixtureRowOf(fixture), quarantined: quarantinedIds.has(fixture.id) }))
    .sort((a, b) => rowRank(a) - rowRank(b));
  const context = options.context ?? null;
  return {
    tool: report.tool,
    mode: report.mode,
    verdict: report.result,
    counts: report.summary,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    run: options.provenance
      ? runLink(context, options.provenance.runId, options.provenance.runAttempt)
      : runLink(context, report.run.runId, report.run.runAttempt),
    rows,
    failures: rows.filter((row) => row.status === 'failed'),
    flaky: rows.filter((row) => row.status === 'flaky'),
    parked: rows.filter((row) => row.parked),
    rerun: rerunViewOf(report, context),
    notCovered: notCoveredViewOf(report, options),
    preflight: report.preflight && withOurCommands(report.preflight, options.commandArgs ?? []),
    interrupted: report.interrupted,
    warnings: report.warnings,
    next: report.preflight ? null : nextAttemptOf(report, options),
    shard: shardPartOf(report),
    merge: mergeViewOf(report, context),
    provenance: options.provenance ?? null,
    quarantined: quarantinedViewOf(report),
    history: historyViewOf(report),
    report: {
      dir: options.reportDir ?? null,
      path: options.reportPath ?? null,
      html: options.htmlPath ?? null,
      artifact: options.artifact ?? null,
    },
  };
}

/** Sort key: failed, flaky, skipped, passed; within each, this run's results before carried-over ones. */
function rowRank(row: FixtureRow): number {
  const statusRank = { failed: 0, flaky: 1, skipped: 2, passed: 3 }[row.status];
  return statusRank * 2 + (row.carriedOver ? 1 : 0);
}

export function fixtureRowOf(fixture: FixtureResult): FixtureRow {
  const failedAttempts = fixture.attempts.flatMap((attempt) =>
    attempt.status === 'failed' && attempt.error
      ? [{ attempt: attempt.attempt, kind: attempt.error.kind, message: firstLine(attempt.error.message) }]
      : [],
  );
  const lastFailed = fixture.attempts.filter((attempt) => attempt.status === 'failed').at(-1);
  const message = fixture.status === 'skipped' ? fixture.skipReason : (failedAttempts.at(-1)?.message ?? null);
  return {
    id: fixture.id,
    title: fixture.title,
    status: fixture.status,
    kind: lastFailed?.error?.kind ?? null,
    attempts: fixture.attempts.length,
    failedAttempts,
    durationMs: fixture.durationMs,
    message: message === null ? null : firstLine(message),
    file: fixture.file,
    line: fixture.line,
    location: `${fixture.file}:${fixture.line}`,
    evidence: evidencePaths(lastFailed?.evidence ?? null),
    screenshotNote: lastFailed?.evidence?.screenshotNote ?? null,
    carriedOver: fixture.carriedOver !== null,
    recovered: fixture.recovered,
    quarantined: false,
    parked: fixture.status === 'skipped' && fixture.skippedBy === 'fixture',
  };
}

function quarantinedViewOf(report: Report): QuarantinedView[] {
  const outcomes = new Map((report.history?.fixtures ?? []).map((fixture) => [fixture.id, fixture.outcomes]));
  return (report.quarantine?.fixtures ?? []).map((fixture) => ({
    id: fixture.id,
    reason: quarantineReason(fixture),
    status: report.fixtures.find((result) => result.id === fixture.id)?.status ?? null,
    strip: stripOf(outcomes.get(fixture.id) ?? []),
  }));
}

function historyViewOf(report: Report): HistoryView | null {
  const history = report.history;
  if (!history) return null;
  const byId = new Map(history.fixtures.map((fixture) => [fixture.id, { id: fixture.id, strip: stripOf(fixture.outcomes), ...flakeRateOf(fixture.outcomes) }]));
  const source = history.source && runLink(report.run, history.source.runId, history.source.runAttempt);
  return { flakiest: flakiestOf(history, MAX_FLAKIEST), byId, source };
}

/** First non-empty line, trimmed: what a message says in one line. */
export function firstTextLine(text: string): string {
  return (text.split(/\r\n|\r|\n/).find((part) => part.trim() !== '') ?? '').trim();
}

/** First non-empty line, cut to ROW_MESSAGE_MAX_CHARS. */
export function firstLine(text: string): string {
  const trimmed = firstTextLine(text);
  return trimmed.length > ROW_MESSAGE_MAX_CHARS ? `${trimmed.slice(0, ROW_MESSAGE_MAX_CHARS - 1)}…` : trimmed;
}

/** The evidence files an attempt left, relative to the report folder. */
export function evidencePaths(evidence: Attempt['evidence']): string[] {
  return evidence ? [evidence.screenshot, evidence.html, evidence.log].filter((path) => path !== null) : [];
}

/** A run id as GitHub makes them; anything else in a report names no run we would link to. */
const RUN_ID = /^[1-9]\d{0,19}$/;

/** A link to a run of the rendering run's repository, on its server; the report supplies only the numbers. */
function runLink(context: ViewContext | null, runId: string | null, runAttempt: number | null): RunLink {
  const label = runId ? runLabel(runId, runAttempt) : 'local run';
  const server = context?.serverUrl && /^https?:\/\//i.test(context.serverUrl) ? context.serverUrl.replace(/\/+$/, '') : null;
  if (!runId || !RUN_ID.test(runId) || !server || !context?.repository) return { label, url: null };
  const base = `${server}/${context.repository}/actions/runs/${runId}`;
  return { label, url: runAttempt ? `${base}/attempts/${runAttempt}` : base };
}

/** Only ids that match the fixture id pattern go into a command: a report from elsewhere may hold anything. */
function validIds(ids: readonly string[]): string[] {
  return ids.filter((id) => FIXTURE_ID_PATTERN.test(id));
}

/** The diagnostic with its fallback commands made again here, from its ids and our arguments, not taken as written. */
function withOurCommands(preflight: PreflightDiagnostic, commandArgs: readonly string[]): PreflightDiagnostic {
  if (!preflight.fallback) return preflight;
  const ids = validIds(preflight.fallback.fixtureIds);
  return {
    ...preflight,
    fallback: { fixtureIds: ids, cliCommand: fixturesCommand(ids, commandArgs), actionInput: fixturesInputValue(ids), fullRun: fullRunCommand(commandArgs) },
  };
}

function rerunViewOf(report: Report, context: ViewContext | null): RerunView | null {
  const source = report.selection.source;
  if (!source) return null;
  const link = runLink(context, source.runId, source.runAttempt);
  const label = source.runId ? link.label : (source.path ?? 'the source report');
  const ran = report.fixtures.filter((fixture) => fixture.carriedOver === null);
  return {
    source: {
      label,
      url: link.url,
      runId: source.runId,
      runAttempt: source.runAttempt,
      artifactName: source.artifactName,
      path: source.path,
      sha: source.sha,
    },
    carryOver: source.carryOver,
    note: source.carryOverNote,
    recovered: ran.filter((fixture) => fixture.recovered).map((fixture) => fixture.id),
    stillFailing: failedFixtureIds(ran),
    carriedOver: report.fixtures
      .filter((fixture) => fixture.carriedOver !== null)
      .map((fixture) => ({ id: fixture.id, status: fixture.status })),
    alsoRan: ran.flatMap((fixture) => (fixture.rerunReason === 'new' || fixture.rerunReason === 'changed' ? [{ id: fixture.id, reason: fixture.rerunReason }] : [])),
  };
}

function notCoveredViewOf(report: Report, options: SummaryViewOptions): NotCoveredView | null {
  const fixtures = report.notCovered ?? [];
  if (fixtures.length === 0) return null;
  return {
    fixtures,
    cli: rerunIncludeCommand(options.commandArgs ?? [], options.cliArtifactPath ?? null),
    actionInput: `rerun-include: ${RERUN_INCLUDE_ALL}`,
  };
}

/**
 * What to run next: the failed fixtures, plus flaky ones when they fail the run, plus those an interruption
 * skipped. rerun-failed picks the failed and the never-run ones, so its forms appear when there are any.
 */
function nextAttemptOf(report: Report, options: SummaryViewOptions): NextAttempt | null {
  const rerunnable = rerunIdsOf(report).length > 0;
  const ids = validIds([
    ...new Set([
    ...report.fixtures
      .filter(
        (fixture) =>
          fixture.status === 'failed' ||
          (fixture.status === 'flaky' && report.options.failOnFlaky) ||
          (fixture.status === 'skipped' && fixture.skippedBy !== 'fixture' && report.interrupted !== null),
      )
      .map((fixture) => fixture.id),
    // A merge that found no result for some fixtures (a missing shard) cannot say they passed: run them too.
    ...(report.mergeProblems ?? []).flatMap((problem) => problem.fixtureIds),
    ]),
  ]);
  if (ids.length === 0) return null;
  const args = options.commandArgs ?? [];
  const context = options.context ?? null;
  const target = context && { ...context, ref: options.dispatchRef === undefined ? context.ref : options.dispatchRef };
  return {
    ids,
    action: {
      rerunFailed: rerunnable && target ? workflowRerunCommand(target) : null,
      fixturesInput: fixturesInputValue(ids),
    },
    cli: {
      rerunFailed: rerunnable ? rerunFailedCommand(args, options.cliArtifactPath ?? null) : null,
      fixtures: fixturesCommand(ids, args),
    },
  };
}

function shardPartOf(report: Report): ShardPartView | null {
  const shard = report.shard;
  if (!shard) return null;
  const of = shard.partition?.fixtureIds.length ?? shard.fixtureIds.length;
  return { index: shard.index, total: shard.total, count: shard.fixtureIds.length, of, balancedBy: shard.partition?.balancedBy ?? null };
}

/** Shard artifacts are this run's own: their links are built from the run's context, never taken from a report. */
/** Artifact links, like every link, are built from the rendering run's context; the report gives only the numbers. */
function mergeViewOf(report: Report, context: ViewContext | null): MergeView | null {
  if (!report.shards && !report.mergeProblems) return null;
  const run = runLink(context, report.run.runId, null).url;
  return {
    shards: (report.shards ?? []).map((shard) => ({
      ...shard,
      artifactUrl: run && shard.artifactId && /^\d+$/.test(shard.artifactId) ? `${run}/artifacts/${shard.artifactId}` : null,
    })),
    problems: report.mergeProblems ?? [],
  };
}

/** 850ms, 4.2s, 2m 05s: short, and the same in every renderer. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return `${minutes}m ${seconds}s`;
}
