/**
 * The history a report carries: for each fixture of the suite, its last outcomes (run, attempt, commit, status,
 * when), oldest first. Each report's history is the previous report's plus this run's own outcomes, so it travels
 * from run to run with the reports themselves and needs no service.
 */
import { clip, historyDepth, REPORT_LIMITS as L } from '../report/limits.ts';
import type { FixtureResult, History, HistoryOutcome, Report, RunContext } from '../report/schema.ts';

/** Where a previous report came from, as a history records it. */
export interface HistoryOrigin {
  runId: string | null;
  runAttempt: number | null;
  digest: string;
  /** The artifact it was read from, when it came from one. */
  artifactName?: string | null;
}

/**
 * The history a previous report hands on. A report written before histories were kept still tells what its own
 * run gave, so the history starts from that rather than from nothing.
 */
export function historyOfReport(report: Report, origin: HistoryOrigin): History {
  const source = { runId: origin.runId ?? report.run.runId, runAttempt: origin.runAttempt ?? report.run.runAttempt, digest: origin.digest };
  if (report.history) return { source, fixtures: report.history.fixtures };
  const ran = report.fixtures.filter((fixture) => fixture.carriedOver === null);
  return { source, fixtures: ran.map((fixture) => ({ id: fixture.id, outcomes: [outcomeOf(fixture, report.run, report.startedAt)] })) };
}

export interface NextHistoryInput {
  /** The previous report's history, or null when it starts with this run. */
  previous: History | null;
  run: RunContext;
  /** When this run started (ISO). */
  startedAt: string;
  /** This run's final results: those it ran get an entry; carried-over ones already have theirs. */
  fixtures: readonly FixtureResult[];
  /** The fixtures of the suite, in order; null when the suite could not be read (the previous ids are kept). */
  suiteIds: readonly string[] | null;
}

/** The previous history with this run's outcomes appended, bounded, and only for fixtures that still exist. */
export function nextHistory(input: NextHistoryInput): History {
  const earlier = new Map((input.previous?.fixtures ?? []).map((fixture) => [fixture.id, fixture.outcomes]));
  const ran = new Map(input.fixtures.filter((fixture) => fixture.carriedOver === null).map((fixture) => [fixture.id, fixture]));
  const ids = input.suiteIds ?? [...new Set([...earlier.keys(), ...ran.keys()])];
  const depth = historyDepth(ids.length);
  const fixtures = ids.flatMap((id) => {
    const result = ran.get(id);
    const previous = earlier.get(id) ?? [];
    const outcomes = (result ? appended(previous, outcomeOf(result, input.run, input.startedAt)) : previous).slice(-depth);
    return outcomes.length > 0 ? [{ id, outcomes }] : [];
  });
  return { source: input.previous?.source ?? null, fixtures };
}

/** The history of a merge: each fixture's from the shard that ran it, else from any shard that has one. */
export function mergedHistory(shards: readonly { history: History | undefined; ran: readonly string[] }[]): History | null {
  const withHistory = shards.filter((shard) => shard.history !== undefined);
  if (withHistory.length === 0) return null;
  const byId = new Map<string, HistoryOutcome[]>();
  for (const { history, ran } of withHistory) {
    const own = new Set(ran);
    for (const fixture of history?.fixtures ?? []) if (own.has(fixture.id) || !byId.has(fixture.id)) byId.set(fixture.id, fixture.outcomes);
  }
  const depth = historyDepth(byId.size);
  const fixtures = [...byId].flatMap(([id, outcomes]) => (outcomes.length > 0 ? [{ id, outcomes: outcomes.slice(-depth) }] : []));
  return { source: withHistory[0]?.history?.source ?? null, fixtures };
}

/** A run's outcome replaces an entry of the same run and attempt (a report written twice), never doubles it. */
function appended(outcomes: readonly HistoryOutcome[], outcome: HistoryOutcome): HistoryOutcome[] {
  const last = outcomes.at(-1);
  const sameRun = last !== undefined && outcome.runId !== null && last.runId === outcome.runId && last.attempt === outcome.attempt;
  return sameRun ? [...outcomes.slice(0, -1), outcome] : [...outcomes, outcome];
}

function outcomeOf(fixture: FixtureResult, run: RunContext, startedAt: string): HistoryOutcome {
  return {
    runId: run.runId === null ? null : clip(run.runId, L.maxHistoryIdChars),
    attempt: run.runAttempt,
    sha: run.sha === null ? null : clip(run.sha, L.maxHistoryIdChars),
    status: fixture.status,
    at: startedAt,
  };
}
