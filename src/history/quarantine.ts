/**
 * Which fixtures are quarantined in this run: they run and are reported, but their failure does not fail the run.
 * A fixture that says `quarantine: true` always is. With `quarantine: auto`, so is one whose flake rate over at
 * least 5 runs of its history reached the threshold, until it passes 5 runs in a row. The decision reads only the
 * history before this run, so a new failure can never quarantine itself.
 */
import type { History, HistoryOutcome, Quarantine, QuarantinedFixture } from '../report/schema.ts';
import { flakeRateOf } from './flake-rate.ts';

export const QUARANTINE_MODES = ['off', 'auto'] as const;
export type QuarantineMode = (typeof QUARANTINE_MODES)[number];

export const AUTO_QUARANTINE = {
  /** Runs of history a fixture needs before its rate can quarantine it. */
  minRuns: 5,
  /** Consecutive passes that end an automatic quarantine. */
  releaseAfterPasses: 5,
} as const;

export interface QuarantineInput {
  suite: readonly { id: string; quarantine?: boolean | undefined }[];
  /** The history before this run. */
  history: History | null;
  mode: QuarantineMode;
  threshold: number;
}

export function quarantineOf(input: QuarantineInput): Quarantine {
  const outcomes = new Map((input.history?.fixtures ?? []).map((fixture) => [fixture.id, fixture.outcomes]));
  const fixtures = input.suite.flatMap((fixture): QuarantinedFixture[] => {
    const history = outcomes.get(fixture.id) ?? [];
    const { rate, runs } = flakeRateOf(history);
    if (fixture.quarantine === true) return [{ id: fixture.id, reason: 'manual', rate: runs > 0 ? rate : null, runs }];
    if (input.mode === 'auto' && autoQuarantined(history, input.threshold)) return [{ id: fixture.id, reason: 'auto', rate, runs }];
    return [];
  });
  return { mode: input.mode, threshold: input.threshold, fixtures };
}

/** Flaky enough over enough runs, and not yet released by a run of passes. */
export function autoQuarantined(outcomes: readonly HistoryOutcome[], threshold: number): boolean {
  const { rate, runs } = flakeRateOf(outcomes);
  if (runs < AUTO_QUARANTINE.minRuns || rate < threshold) return false;
  const latest = outcomes.filter((outcome) => outcome.status !== 'skipped').slice(-AUTO_QUARANTINE.releaseAfterPasses);
  return !(latest.length === AUTO_QUARANTINE.releaseAfterPasses && latest.every((outcome) => outcome.status === 'passed'));
}

/** "auto: flake rate 0.4 over 10 runs" or "manual (quarantine: true)": why a fixture is quarantined, in one phrase. */
export function quarantineReason(fixture: QuarantinedFixture): string {
  const rate = fixture.rate === null ? 'no history yet' : `flake rate ${formatRate(fixture.rate)} over ${fixture.runs} run${fixture.runs === 1 ? '' : 's'}`;
  return fixture.reason === 'manual' ? `quarantine: true in its fixture (${rate})` : `automatic: ${rate}`;
}

/** 0.25 → "25%". */
export function formatRate(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}
