/**
 * A run that must stop before any fixture runs (bad fixtures, no browser, no rerun source…). It carries the
 * diagnostic that the report, the terminal and the job summary show; the engine turns it into a report.
 */
import { fixturesCommand, fixturesInputValue, fullRunCommand } from './commands.ts';
import { boundedList, clip, REPORT_LIMITS as L } from './limits.ts';
import type { FixtureResult, PreflightDiagnostic } from './schema.ts';
import type { StopCode } from './stop-codes.ts';

export class PreflightError extends Error {
  readonly diagnostic: PreflightDiagnostic;
  /** Results the stopped run still reports: the parked fixtures of a run where every one is parked. */
  readonly results: readonly FixtureResult[];
  constructor(diagnostic: PreflightDiagnostic, results: readonly FixtureResult[] = []) {
    super(diagnostic.message);
    this.name = 'PreflightError';
    this.diagnostic = diagnostic;
    this.results = results;
  }
}

export interface PreflightDiagnosticInput {
  /** What stopped the run; the stop-code table says what it means and what to do. */
  code: StopCode;
  severity?: PreflightDiagnostic['severity'];
  message: string;
  problems?: readonly string[];
  guidance?: readonly string[];
  /**
   * Ids for the manual fallback: `--fixture` / `fixtures:` commands and the full run. Null when there is no
   * fallback to offer; an empty list offers the commands with a placeholder id.
   */
  fallbackIds?: readonly string[] | null;
  /** CLI arguments to repeat in the fallback commands (fixtures dir, base URL…), without any selection. */
  commandArgs?: readonly string[];
}

/** A PreflightDiagnostic with its texts cut to the schema's limits and ready-made fallback commands. */
export function preflightDiagnostic(input: PreflightDiagnosticInput): PreflightDiagnostic {
  const ids = input.fallbackIds === undefined ? [] : input.fallbackIds;
  const args = input.commandArgs ?? [];
  return {
    code: input.code,
    severity: input.severity ?? 'error',
    message: clip(input.message, L.maxMessageChars),
    problems: boundedList(input.problems ?? [], L.maxMessageChars),
    guidance: boundedList(input.guidance ?? [], L.maxMessageChars, 50),
    fallback:
      ids === null
        ? null
        : {
            fixtureIds: ids.slice(0, L.maxFixtures),
            cliCommand: clip(fixturesCommand(ids, args), L.maxMessageChars),
            actionInput: clip(fixturesInputValue(ids), L.maxMessageChars),
            fullRun: clip(fullRunCommand(args), L.maxMessageChars),
          },
  };
}
