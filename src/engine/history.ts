/**
 * The engine's side of the history: read the previous one (never a reason to stop), decide the quarantine from it,
 * and hand the report builder what it needs to append this run.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { Logger } from '../common/types.ts';
import { nextHistory } from '../history/outcomes.ts';
import { afresh, type PreviousHistory, readPreviousHistory } from '../history/previous.ts';
import { quarantineOf, quarantineReason } from '../history/quarantine.ts';
import type { FixtureResult, History, Quarantine, RunContext } from '../report/schema.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import type { SmokeRequest } from './request.ts';

/**
 * The history before this run: a rerun's source holds it; otherwise the front door's source, if it has one. When
 * `unusable` says why the previous report is already known to be unusable (a rerun source that failed), it is not
 * read a second time only to repeat the diagnostic.
 */
export async function previousHistoryOf(
  request: SmokeRequest,
  rerunSource: AcquiredSource | null,
  logger: Logger,
  unusable: string | null = null,
): Promise<PreviousHistory> {
  const describe = request.describeHistory ?? (() => 'the previous report');
  let previous: PreviousHistory;
  if (unusable) previous = afresh(unusable);
  else if (rerunSource) previous = await readPreviousHistory(async () => rerunSource, () => request.describeSource?.(rerunSource) ?? 'the rerun source');
  else if (request.acquireHistory) previous = await readPreviousHistory(request.acquireHistory, describe);
  else previous = afresh('this run has no earlier report to read it from.');
  if (previous.history === null) logger.warn(previous.warning);
  else logger.info(`Fixture history: ${previous.history.fixtures.length} fixture${previous.history.fixtures.length === 1 ? '' : 's'} from ${previous.label}.`);
  return previous;
}

/** Quarantine for this run, from the history before it; the quarantined fixtures are listed in the log up front. */
export function decideQuarantine(request: SmokeRequest, suite: readonly LoadedFixture[], previous: PreviousHistory, logger: Logger): Quarantine {
  const quarantine = quarantineOf({ suite, history: previous.history, mode: request.options.quarantine, threshold: request.options.quarantineThreshold });
  for (const fixture of quarantine.fixtures) {
    logger.info(`Quarantined: ${fixture.id} (${quarantineReason(fixture)}): it runs, but its failure does not fail the run.`);
  }
  return quarantine;
}

/** What the report builder calls with the final results, to carry the history on. */
export function historyBuilder(
  previous: PreviousHistory | null,
  run: RunContext,
  startedAt: Date,
  suite: readonly LoadedFixture[] | null,
): (fixtures: readonly FixtureResult[]) => History {
  return (fixtures) =>
    nextHistory({
      previous: previous?.history ?? null,
      run,
      startedAt: startedAt.toISOString(),
      fixtures,
      suiteIds: suite ? suite.map((fixture) => fixture.id) : null,
    });
}
