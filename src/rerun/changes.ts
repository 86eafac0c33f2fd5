/**
 * What changed in the suite since the source report of a rerun, by fixture fingerprint: the fixtures that are new
 * (no result in the source) and those changed (the source ran another definition). A rerun never carries a result
 * over for either: it would vouch for a definition that never ran. By default it does not run them either (a rerun
 * runs the failures, that is its contract): they are listed as not covered by its verdict. rerun-include asks
 * for them to run too.
 */
import { fixtureFingerprint } from '../fixtures/fingerprint.ts';
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { FixtureResult, NotCoveredFixture, RerunReason } from '../report/schema.ts';

/** What a rerun runs besides the failed fixtures (which it always runs). */
export interface RerunInclude {
  new: boolean;
  changed: boolean;
}

export const FAILED_ONLY: RerunInclude = { new: false, changed: false };

export type Change = 'new' | 'changed';

/**
 * How the current definition stands against the source's result: new, changed, or null when it is the same. A
 * source result without a fingerprint (a report from before fingerprints) cannot say: it counts as the same, as
 * every result did before.
 */
export function changeOf(current: LoadedFixture, source: Pick<FixtureResult, 'fingerprint'> | undefined): Change | null {
  if (!source) return 'new';
  if (source.fingerprint === undefined) return null;
  return source.fingerprint === fixtureFingerprint(current) ? null : 'changed';
}

/** Every new or changed fixture of the suite, in suite order, besides those in `running`. */
export function changesSince(
  suite: readonly LoadedFixture[],
  sourceById: ReadonlyMap<string, FixtureResult>,
  running: ReadonlySet<string> = new Set(),
): { fixture: LoadedFixture; change: Change }[] {
  return suite.flatMap((fixture) => {
    const change = running.has(fixture.id) ? null : changeOf(fixture, sourceById.get(fixture.id));
    return change ? [{ fixture, change }] : [];
  });
}

export function included(include: RerunInclude, change: Change): boolean {
  return change === 'new' ? include.new : include.changed;
}

/** Why a rerun ran a fixture, given its result in the source (absent: new) and the ids the source left failed. */
export function rerunReasonOf(current: LoadedFixture | undefined, source: FixtureResult | undefined, failedIds: ReadonlySet<string>, id: string): RerunReason {
  if (source?.status === 'failed') return 'failed';
  if (failedIds.has(id)) return 'not-run';
  if (!source) return 'new';
  return current && changeOf(current, source) === 'changed' ? 'changed' : 'not-run';
}

export function notCoveredOf(fixture: LoadedFixture, change: Change): NotCoveredFixture {
  return { id: fixture.id, reason: change, file: fixture.file, line: fixture.line };
}
