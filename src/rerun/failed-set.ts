/**
 * The failed set: what a rerun runs again, picked from a validated source report. Last-failed is just the ids whose
 * derived status is failed, plus the ones an interruption never let run. Everything that makes a source unusable,
 * or leaves nothing to rerun, stops the run here with its own diagnostic.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { failedFixtureIds } from '../report/outcome.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import type { FixtureResult, Report } from '../report/schema.ts';
import type { RerunInput } from './carry-over.ts';
import { changesSince, included, type RerunInclude } from './changes.ts';
import {
  type AcquiredSource,
  type FallbackContext,
  failedFixturesGoneDiagnostic,
  nothingToRerunDiagnostic,
} from './diagnostics.ts';

/**
 * What rerun-failed runs again: the failed fixtures, then the skipped ones. Those an interruption (suite timeout,
 * Ctrl-C, no browser) skipped never ran, so they have no result to carry over: carried over as "skipped", a rerun
 * would pass a suite whose fixtures were never checked. A fixture its file parks (`skip:`) is not among them: it
 * did not run because it was told not to.
 */
export function rerunFixtureIds(fixtures: readonly Pick<FixtureResult, 'id' | 'status' | 'skippedBy'>[]): string[] {
  const skipped = fixtures.filter((fixture) => fixture.status === 'skipped' && fixture.skippedBy !== 'fixture').map((fixture) => fixture.id);
  return [...failedFixtureIds(fixtures), ...skipped];
}

/**
 * What a rerun from this report runs again: its failed and never-run fixtures, and for a merged report those a
 * merge problem names (a missing shard's fixtures have no result at all: a rerun must not take them as passed).
 */
export function rerunIdsOf(report: Pick<Report, 'fixtures' | 'mergeProblems'>): string[] {
  const problemIds = (report.mergeProblems ?? []).flatMap((problem) => problem.fixtureIds);
  return [...new Set([...rerunFixtureIds(report.fixtures), ...problemIds])];
}

export interface RerunSelection {
  selected: LoadedFixture[];
  /** Failed ids that no longer exist in the fixture files, in the order given. */
  missing: string[];
  warnings: string[];
}

/** Exactly the failed fixtures, in suite order. Never sampled: a rerun that skipped a failure would hide it. */
export function selectForRerun(all: readonly LoadedFixture[], failedIds: readonly string[]): RerunSelection {
  const failed = new Set(failedIds);
  const known = new Set(all.map((fixture) => fixture.id));
  const missing = [...failed].filter((id) => !known.has(id));
  return {
    selected: all.filter((fixture) => failed.has(fixture.id)),
    missing,
    warnings: missing.map(
      (id) => `fixture "${id}" failed (or never ran) in the source run but is no longer in the fixture files (renamed or removed?); skipping it`,
    ),
  };
}

/** How a rerun is asked for: the source, how to name it, and the rules that apply. */
export interface RerunRequest {
  source: AcquiredSource;
  /** How the source is named in messages: "smoke-report/report.json", or "the smoke artifact … of run 123". */
  sourceName: string;
  ifNothingToRerun: 'error' | 'pass';
  /** Selection options given with the rerun, which it ignores (tags, sample). */
  ignoredOptions: readonly string[];
  carryOverWhenShaUnknown: boolean;
  /** What runs besides the failed fixtures: those new or changed since the source (rerun-include). */
  include: RerunInclude;
  fallback: FallbackContext;
}

/**
 * A report of a run that stopped before any fixture ran, and carried nothing over, knows no result: rerunning
 * from it would find "nothing failed" and could pass a suite whose failures were never checked again.
 */
export function requireResults(source: AcquiredSource, sourceName: string, fallback: FallbackContext): AcquiredSource {
  const { preflight, fixtures } = source.report;
  if (preflight?.severity !== 'error' || fixtures.length > 0) return source;
  throw new PreflightError(
    preflightDiagnostic({
      code: 'source-has-no-results',
      message:
        `Cannot rerun from ${sourceName}: that run stopped before any fixture ran ` +
        `(${preflight.code}: ${preflight.message}), so it holds no results to rerun.`,
      guidance: ['Fix what stopped that run, then run the suite in full; or name the fixtures to run.', fallback.fullRunHint],
      fallbackIds: [],
      commandArgs: fallback.commandArgs,
    }),
  );
}

export function rerunInputOf(request: Pick<RerunRequest, 'source' | 'carryOverWhenShaUnknown'>, suite: LoadedFixture[] | null): RerunInput {
  return { source: request.source.report, origin: request.source.origin, carryOverWhenShaUnknown: request.carryOverWhenShaUnknown, suite };
}

/**
 * The fixtures to rerun, or the PreflightError that says why there are none: the failed set, then the new and
 * changed fixtures rerun-include asks for, in suite order.
 */
export function planRerun(request: RerunRequest, suite: LoadedFixture[]): RerunSelection & { rerun: RerunInput } {
  const severity = request.ifNothingToRerun === 'pass' ? 'notice' : 'error';
  const toRerun = rerunIdsOf(request.source.report);
  const sourceById = new Map(request.source.report.fixtures.map((fixture) => [fixture.id, fixture]));
  const changes = changesSince(suite, sourceById, new Set(toRerun));
  const asked = changes.filter(({ change }) => included(request.include, change));
  if (toRerun.length === 0 && asked.length === 0) {
    const left = changes.map(({ fixture, change }) => `${fixture.id} (${change})`);
    throw new PreflightError(nothingToRerunDiagnostic(request.source, request.sourceName, severity, request.fallback, left));
  }
  const failedSelection = selectForRerun(suite, toRerun);
  if (failedSelection.selected.length === 0 && asked.length === 0) {
    throw new PreflightError(failedFixturesGoneDiagnostic(failedSelection.missing, request.sourceName, severity, request.fallback));
  }
  const running = new Set([...failedSelection.selected, ...asked.map(({ fixture }) => fixture)]);
  const selection = { ...failedSelection, selected: suite.filter((fixture) => running.has(fixture)) };
  const ignored = request.ignoredOptions.map((name) => `${name} is ignored for a rerun: it runs exactly the fixtures that failed or never ran.`);
  return { ...selection, warnings: [...ignored, ...selection.warnings], rerun: rerunInputOf(request, suite) };
}
