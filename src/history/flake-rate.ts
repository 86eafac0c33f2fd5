/**
 * How flaky a fixture has been over its history. A run counts as flaky when the fixture passed only on a retry,
 * or when it failed and the next run of the same commit passed: nothing changed but the dice. A failure followed
 * by a pass on another commit is a fix, not a flake. Skipped runs (the suite ran out of time, or the fixture was
 * parked with `skip:`) say nothing.
 */
import type { History, HistoryOutcome } from '../report/schema.ts';

export interface FlakeRate {
  /** Runs in the history that ran the fixture. */
  runs: number;
  /** Of those, the flaky ones. */
  flakes: number;
  /** flakes / runs, 0 with no runs; rounded to 3 decimals. */
  rate: number;
}

export function flakeRateOf(outcomes: readonly HistoryOutcome[]): FlakeRate {
  const ran = outcomes.filter((outcome) => outcome.status !== 'skipped');
  let flakes = 0;
  ran.forEach((outcome, index) => {
    if (outcome.status === 'flaky') flakes += 1;
    else if (outcome.status === 'failed' && passedAfterOnSameCommit(outcome, ran[index + 1])) flakes += 1;
  });
  return { runs: ran.length, flakes, rate: ran.length === 0 ? 0 : Math.round((flakes / ran.length) * 1000) / 1000 };
}

function passedAfterOnSameCommit(failed: HistoryOutcome, next: HistoryOutcome | undefined): boolean {
  if (!next || (next.status !== 'passed' && next.status !== 'flaky')) return false;
  return failed.sha !== null && failed.sha === next.sha;
}

const STRIP_MARKS: Record<HistoryOutcome['status'], string> = { passed: '✓', failed: '✗', flaky: '~', skipped: '·' };

/** The outcomes on one line, oldest first: ✓ passed, ✗ failed, ~ flaky, · skipped. */
export function stripOf(outcomes: readonly HistoryOutcome[]): string {
  return outcomes.map((outcome) => STRIP_MARKS[outcome.status]).join('');
}

export const STRIP_LEGEND = '✓ passed, ✗ failed, ~ flaky (passed on a retry), · skipped; oldest first';

export interface FlakyFixture extends FlakeRate {
  id: string;
  strip: string;
}

/** The fixtures that have flaked at all, flakiest first (rate, then flakes, then id): what a summary lists. */
export function flakiestOf(history: History | undefined, limit: number): FlakyFixture[] {
  return (history?.fixtures ?? [])
    .map((fixture) => ({ id: fixture.id, strip: stripOf(fixture.outcomes), ...flakeRateOf(fixture.outcomes) }))
    .filter((fixture) => fixture.flakes > 0)
    .sort((a, b) => b.rate - a.rate || b.flakes - a.flakes || a.id.localeCompare(b.id))
    .slice(0, limit);
}
