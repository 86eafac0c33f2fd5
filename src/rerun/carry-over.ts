/**
 * Rerun-failed: what the new report holds besides the fixtures that were rerun. With the same commit, the
 * source's results for the fixtures that were not rerun are carried over, so the verdict covers the whole suite;
 * with another commit they would describe different code, so nothing is carried over and the report says so.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { clip, placementOf, REPORT_LIMITS } from '../report/limits.ts';
import type { FixtureResult, NotCoveredFixture, Report, RerunSource } from '../report/schema.ts';
import type { RerunMerge, RerunMerger } from '../report/build.ts';
import { changeOf, notCoveredOf, rerunReasonOf } from './changes.ts';
import { rerunIdsOf } from './failed-set.ts';

type CarriedOverFrom = NonNullable<FixtureResult['carriedOver']>;

/** Where the source report came from, as the caller found and verified it. */
export interface SourceOrigin {
  runId: string | null;
  runAttempt: number | null;
  artifactId: string | null;
  artifactName: string | null;
  /** Link to the source run. */
  url: string | null;
  /** The report file, for a local rerun. */
  path: string | null;
  /** "sha256:<hex>" of the exact bytes that were read. */
  digest: string;
}

export interface RerunInput {
  /** The validated source report (see read.ts). */
  source: Report;
  origin: SourceOrigin;
  /** The commit of this run; defaults to the run context's sha. */
  currentSha?: string | null;
  /**
   * Local runs often know no commit. The CLI sets this so that, when either sha is unknown, results are still
   * carried over; the Action leaves it off, since there an unknown sha means something is wrong.
   */
  carryOverWhenShaUnknown: boolean;
  /**
   * Every fixture of the current suite, not only the rerun ones: carry-over fills in the rest. Null when the
   * suite could not be loaded (a rerun that stopped on broken fixture files): every source result is then kept
   * as it was, so nothing the source knew is lost.
   */
  suite: readonly LoadedFixture[] | null;
  /**
   * Without the suite (a merge of shard reruns): the fixtures the shards found new or changed and did not run.
   * Their source results are not carried over, and the merged report lists them as not covered.
   */
  notCovered?: readonly NotCoveredFixture[];
}

const MAX_IDS_IN_WARNING = 50;

/** The merger the report builder calls: the current commit defaults to the run's own. */
export function carryOver(rerun: RerunInput): RerunMerger {
  return (results, run) => mergeRerun(results, rerun.currentSha === undefined ? { ...rerun, currentSha: run.sha } : rerun);
}

export function mergeRerun(rerunResults: readonly FixtureResult[], rerun: RerunInput): RerunMerge {
  const sourceById = new Map(rerun.source.fixtures.map((fixture) => [fixture.id, fixture]));
  const rerunMarked = withReasons(rerunResults, rerun, sourceById).map((result) => markRecovered(result, sourceById.get(result.id)));
  const decision = carryOverDecision(rerun, rerun.currentSha ?? null);
  const notCovered = notCoveredBy(rerunResults, rerun, sourceById);
  if (!decision.carry) {
    return { fixtures: rerunMarked, source: rerunSource(rerun, false, decision.note), warnings: [decision.note], notCovered };
  }
  const merged = mergeInSuiteOrder(rerunMarked, rerun, sourceById, new Set(notCovered.map((fixture) => fixture.id)));
  const note = `${decision.note} ${countNoun(merged.carried, 'result')} carried over from ${sourceLabel(rerun)}.`;
  return { fixtures: merged.fixtures, source: rerunSource(rerun, true, note), warnings: [...merged.warnings, ...unfingerprinted(rerun)], notCovered };
}

function hasFingerprints(source: Report): boolean {
  return source.fixtures.every((fixture) => fixture.fingerprint !== undefined);
}

/** A source written before fingerprints cannot tell an edited fixture from the one that ran: say so once. */
function unfingerprinted(rerun: RerunInput): string[] {
  if (rerun.suite === null || hasFingerprints(rerun.source)) return [];
  return [
    `${sourceLabel(rerun)} records no fixture fingerprints (it was written by an older release), so its results were matched by ` +
      'fixture id only: a fixture edited since then is carried over as it was. Run the full suite once to record them.',
  ];
}

/** Each rerun result says why it ran: failed or never ran in the source, or new or changed since (rerun-include). */
function withReasons(results: readonly FixtureResult[], rerun: RerunInput, sourceById: ReadonlyMap<string, FixtureResult>): FixtureResult[] {
  const failedIds = new Set(rerunIdsOf(rerun.source));
  const suiteById = new Map((rerun.suite ?? []).map((fixture) => [fixture.id, fixture]));
  return results.map((result) => ({
    ...result,
    rerunReason: result.rerunReason ?? rerunReasonOf(suiteById.get(result.id), sourceById.get(result.id), failedIds, result.id),
  }));
}

/**
 * The fixtures new or changed since the source that did not run: no result of theirs is carried over, so the
 * verdict does not cover them. Without the suite, the list the shards handed on.
 */
function notCoveredBy(results: readonly FixtureResult[], rerun: RerunInput, sourceById: ReadonlyMap<string, FixtureResult>): NotCoveredFixture[] {
  const ran = new Set(results.map((result) => result.id));
  if (rerun.suite === null) return (rerun.notCovered ?? []).filter((fixture) => !ran.has(fixture.id));
  return rerun.suite.flatMap((fixture) => {
    if (ran.has(fixture.id)) return [];
    const change = changeOf(fixture, sourceById.get(fixture.id));
    return change ? [notCoveredOf(fixture, change)] : [];
  });
}

/**
 * The merger of one shard of a rerun: it reports what it reran, marked recovered where it now passes, and records
 * the source. It carries nothing over: the merge job does that once, for the whole suite.
 */
export function markRerunOnly(rerun: RerunInput, note: string): RerunMerger {
  const sourceById = new Map(rerun.source.fixtures.map((fixture) => [fixture.id, fixture]));
  return (results) => ({
    fixtures: withReasons(results, rerun, sourceById).map((result) => markRecovered(result, sourceById.get(result.id))),
    source: rerunSource(rerun, false, note),
    warnings: [],
    notCovered: notCoveredBy(results, rerun, sourceById),
  });
}

/** Where the report before a stopped run came from, as the history found it. */
export interface ForwardOrigin {
  runId: string | null;
  runAttempt: number | null;
  artifactName?: string | null;
  digest: string;
}

/**
 * A run that stopped before running any fixture keeps the results of the report it replaces, marked as carried
 * over (not run this time), so the failed set the next rerun needs is not lost with it. A rerun reads them as it
 * would read that report's own; each keeps naming the run (and commit) it really came from.
 */
export function carryForward(previous: Report, origin: ForwardOrigin, label: string): RerunMerger {
  const rerun: RerunInput = {
    source: previous,
    origin: { runId: origin.runId, runAttempt: origin.runAttempt, artifactId: null, artifactName: origin.artifactName ?? null, url: null, path: null, digest: origin.digest },
    carryOverWhenShaUnknown: true,
    suite: null,
  };
  // The stopped run's own results (fixtures parked with skip:, listed though none ran) stand for their ids.
  return (results) => {
    const own = new Set(results.map((result) => result.id));
    const carried = previous.fixtures.filter((result) => !own.has(result.id)).map((result) => carriedAsIs(result, rerun));
    const fixtures = [...results, ...carried];
    const failed = rerunIdsOf(previous).length;
    const warnings =
      carried.length === 0
        ? []
        : [
            `Nothing ran, so the ${countNoun(carried.length, 'result')} of ${label} ${carried.length === 1 ? 'is' : 'are'} carried forward as they were ` +
              `(not run this time): a rerun still finds the ${countNoun(failed, 'fixture')} to rerun.`,
          ];
    return { fixtures, source: null, warnings, notCovered: [...(previous.notCovered ?? [])] };
  };
}

/**
 * A rerun that stopped before running any fixture: the same rule, with its source as the report before it. Every
 * source result is carried forward, whatever the commit and whatever changed since: nothing was judged, and the
 * next rerun must still find the failures (it decides per result what it may carry over).
 */
export function carryForwardRerun(rerun: RerunInput): RerunMerger {
  const forward = carryForward(rerun.source, rerun.origin, sourceLabel(rerun));
  return (results, run) => {
    const carried = forward(results, run);
    const note = `Stopped before any fixture ran: ${countNoun(carried.fixtures.length, 'result')} of ${sourceLabel(rerun)} carried forward as they were.`;
    return { ...carried, source: rerunSource(rerun, true, note) };
  };
}

/** A rerun fixture that failed in the source and now passes (or passes on retry) has recovered. */
export function markRecovered(result: FixtureResult, source: FixtureResult | undefined): FixtureResult {
  const recovered = source?.status === 'failed' && (result.status === 'passed' || result.status === 'flaky');
  return { ...result, recovered };
}

function carryOverDecision(rerun: RerunInput, currentSha: string | null): { carry: boolean; note: string } {
  const sourceSha = rerun.source.run.sha;
  if (sourceSha !== null && currentSha !== null) {
    if (sourceSha === currentSha) {
      return { carry: true, note: `Same commit as the source report (${shortSha(currentSha)}):` };
    }
    return {
      carry: false,
      note:
        `Nothing carried over: the source report is for commit ${shortSha(sourceSha)}, this run is for ` +
        `${shortSha(currentSha)}. This report holds only the rerun fixtures; run the full suite for a verdict on ` +
        'all of them.',
    };
  }
  const unknown = sourceSha === null ? 'the source report' : 'this run';
  if (rerun.carryOverWhenShaUnknown) {
    const by = hasFingerprints(rerun.source) ? 'fixture id and definition (fingerprint)' : 'fixture id only';
    const note = `The commit of ${unknown} is unknown (local run), so results were matched by ${by}:`;
    return { carry: true, note };
  }
  return {
    carry: false,
    note:
      `Nothing carried over: the commit of ${unknown} is unknown, so the source results cannot be matched to this ` +
      'code. This report holds only the rerun fixtures.',
  };
}

/**
 * Current suite order: each fixture is either rerun, carried over from the source, or not covered (new, changed
 * since the source, or its result is from another commit).
 */
function mergeInSuiteOrder(
  rerunResults: readonly FixtureResult[],
  rerun: RerunInput,
  sourceById: ReadonlyMap<string, FixtureResult>,
  notCovered: ReadonlySet<string>,
): { fixtures: FixtureResult[]; carried: number; warnings: string[] } {
  const rerunById = new Map(rerunResults.map((result) => [result.id, result]));
  if (rerun.suite === null) {
    // The source's order, each fixture either rerun or carried as the source placed it (a merge of shard reruns
    // knows no fixture files), then any rerun fixture the source did not have.
    const inSource = new Set(rerun.source.fixtures.map((fixture) => fixture.id));
    const fixtures = rerun.source.fixtures
      .filter((source) => rerunById.has(source.id) || !notCovered.has(source.id))
      .map((source) => rerunById.get(source.id) ?? carriedAsIs(source, rerun));
    const carried = fixtures.filter((fixture) => !rerunById.has(fixture.id)).length;
    return { fixtures: [...fixtures, ...rerunResults.filter((result) => !inSource.has(result.id))], carried, warnings: [] };
  }
  const suiteIds = new Set(rerun.suite.map((fixture) => fixture.id));
  const fixtures: FixtureResult[] = [];
  const otherCommit: string[] = [];
  let carried = 0;
  for (const current of rerun.suite) {
    const rerunResult = rerunById.get(current.id);
    const source = sourceById.get(current.id);
    if (rerunResult) fixtures.push(rerunResult);
    else if (source && !notCovered.has(current.id)) {
      if (ranOnAnotherCommit(source, rerun)) otherCommit.push(current.id);
      else {
        fixtures.push(carriedOver(source, current, rerun));
        carried += 1;
      }
    }
  }
  // The caller should only rerun suite fixtures; if it did not, keep their results rather than lose them.
  fixtures.push(...rerunResults.filter((result) => !suiteIds.has(result.id)));
  const dropped = rerun.source.fixtures.filter((f) => !suiteIds.has(f.id) && !rerunById.has(f.id)).map((f) => f.id);
  const warnings: string[] = [];
  if (dropped.length > 0) {
    warnings.push(
      `Not carried over because they are no longer in the fixture files (${dropped.length}): ${idList(dropped)}.`,
    );
  }
  if (otherCommit.length > 0) {
    warnings.push(
      `Not carried over because their results are from another commit than this run (${otherCommit.length}): ` +
        `${idList(otherCommit)}. Run the full suite for a verdict on them.`,
    );
  }
  return { fixtures, carried, warnings };
}

/**
 * A result the source itself carried (from a run that stopped before running anything, or an earlier rerun)
 * describes the commit it ran on, which may not be the source's own.
 */
function ranOnAnotherCommit(source: FixtureResult, rerun: RerunInput): boolean {
  const ranOn = source.carriedOver ? source.carriedOver.sha : rerun.source.run.sha;
  const current = rerun.currentSha ?? null;
  return ranOn !== null && current !== null && ranOn !== current;
}

/**
 * The source's status and attempts, placed where the fixture is now (file, line, title, tags), so annotations
 * point into this checkout. Evidence paths are dropped: those files belong to the source run's report folder
 * (its artifact), not this one, and a path into this folder would point at nothing or at another run's files.
 */
function carriedOver(source: FixtureResult, current: LoadedFixture, rerun: RerunInput): FixtureResult {
  return { ...carriedAsIs(source, rerun), ...placementOf(current) };
}

/** A source result kept where the source placed it, for when the current suite is unknown. */
function carriedAsIs(source: FixtureResult, rerun: RerunInput): FixtureResult {
  // Why it ran belongs to the run that ran it; here it did not run.
  const { rerunReason: _ranBecause, ...result } = source;
  return {
    ...result,
    attempts: source.attempts.map((attempt) => ({ ...attempt, evidence: null })),
    carriedOver: source.carriedOver ?? carriedOverFrom(rerun),
    recovered: false,
  };
}

/** The run the source report came from: as the caller found it, else as the report itself says. */
function sourceRun(rerun: Pick<RerunInput, 'source' | 'origin'>): { runId: string | null; runAttempt: number | null } {
  return {
    runId: rerun.origin.runId ?? rerun.source.run.runId,
    runAttempt: rerun.origin.runAttempt ?? rerun.source.run.runAttempt,
  };
}

function carriedOverFrom(rerun: RerunInput): CarriedOverFrom {
  return { ...sourceRun(rerun), artifactName: rerun.origin.artifactName, sha: rerun.source.run.sha };
}

function rerunSource(rerun: RerunInput, carryOver: boolean, note: string): RerunSource {
  const { origin } = rerun;
  return {
    ...sourceRun(rerun),
    artifactId: origin.artifactId,
    artifactName: origin.artifactName,
    url: origin.url,
    path: origin.path,
    sha: rerun.source.run.sha,
    digest: origin.digest,
    carryOver,
    carryOverNote: clip(note, REPORT_LIMITS.maxShortTextChars),
  };
}

function sourceLabel(rerun: Pick<RerunInput, 'source' | 'origin'>): string {
  const { runId, runAttempt } = sourceRun(rerun);
  if (runId) return runLabel(runId, runAttempt);
  return rerun.origin.path ?? 'the source report';
}

/** "run 123 (attempt 2)", or "run 123" when the attempt is unknown. */
export function runLabel(runId: string, runAttempt: number | null): string {
  return runAttempt ? `run ${runId} (attempt ${runAttempt})` : `run ${runId}`;
}

export function shortSha(sha: string): string {
  return /^[0-9a-f]{40,64}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

function countNoun(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_IDS_IN_WARNING).join(', ');
  return ids.length > MAX_IDS_IN_WARNING ? `${shown} and ${ids.length - MAX_IDS_IN_WARNING} more` : shown;
}
