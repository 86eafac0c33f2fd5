/**
 * Why a rerun cannot start, said the same way by the CLI and the Action. Each case has its own code, a message
 * that names what was looked at, guidance, and a ready fallback: run named fixtures, or the whole suite.
 */
import { preflightDiagnostic, type SourceOrigin } from '../report/build.ts';
import { KNOWN_SCHEMA_VERSIONS, type ReportReadError } from '../report/read.ts';
import type { PreflightDiagnostic, Report } from '../report/schema.ts';

/** A validated source report and where it came from. */
export interface AcquiredSource {
  report: Report;
  origin: SourceOrigin;
}

export interface FallbackContext {
  /** CLI arguments to repeat in the fallback commands (fixtures dir, base URL…). */
  commandArgs: readonly string[];
  /** Extra guidance lines for the front door, e.g. how to run the workflow without a rerun. */
  fullRunHint: string;
}

const READ_FAILURE_CODES: Record<ReportReadError['kind'], string> = {
  missing: 'report-missing',
  unreadable: 'report-unreadable',
  'too-large': 'too-large',
  'not-json': 'not-json',
  'unknown-schema-version': 'unknown-schema-version',
  'schema-invalid': 'schema-invalid',
};

function readFailureGuidance(kind: ReportReadError['kind'], what: string): string[] {
  switch (kind) {
    case 'missing':
      return [`Run the suite once to create ${what}, or point to the report of the run you want to rerun.`];
    case 'unreadable':
      return [`Check that ${what} is a readable file.`];
    case 'too-large':
      return [`${what} is larger than any report this tool writes; it is probably not a smoke report.`];
    case 'not-json':
      return [`${what} is not JSON: it may be truncated, or not a report at all. Point to the report.json of a smoke run.`];
    case 'unknown-schema-version':
      return [
        `This release reads report schemaVersion ${KNOWN_SCHEMA_VERSIONS.join(', ')}. ` +
          'Rerun with the release that wrote the report, or run the fixtures again with this one.',
      ];
    case 'schema-invalid':
      return [`${what} does not match the report schema (schema/report.schema.json): it was edited, or not written by reliability-smoke.`];
  }
}

/** A source report that could not be used. The ids it would have given are unknown, so the fallback uses a placeholder. */
export function readFailureDiagnostic(error: ReportReadError, what: string, fallback: FallbackContext): PreflightDiagnostic {
  // The message of a schema failure lists its problems too; they are shown once, as the diagnostic's problems.
  const message = error.problems.length > 0 ? (error.message.split('\n')[0] ?? error.message) : error.message;
  return preflightDiagnostic({
    code: READ_FAILURE_CODES[error.kind],
    message: `Cannot rerun from ${what}: ${message}`,
    problems: error.problems,
    guidance: [...readFailureGuidance(error.kind, what), ...fallbackGuidance(fallback)],
    fallbackIds: [],
    commandArgs: fallback.commandArgs,
  });
}

/** The source report has no failed fixture: governed by if-nothing-to-rerun. */
export function nothingToRerunDiagnostic(
  source: AcquiredSource,
  what: string,
  severity: 'error' | 'notice',
  fallback: FallbackContext,
): PreflightDiagnostic {
  const { summary } = source.report;
  return preflightDiagnostic({
    code: 'nothing-to-rerun',
    severity,
    message:
      // Skipped fixtures are rerun too, so none are left to count here.
      `Nothing to rerun: no fixture failed in ${what} (${summary.passed} passed, ${summary.flaky} flaky, ` +
      `result ${source.report.result}).`,
    guidance: [
      severity === 'error'
        ? 'Set if-nothing-to-rerun: pass (--if-nothing-to-rerun pass) to let a rerun with nothing to do pass.'
        : 'if-nothing-to-rerun is pass, so this run passes without running anything.',
      ...fallbackGuidance(fallback),
    ],
    fallbackIds: [],
    commandArgs: fallback.commandArgs,
  });
}

/** Every failed fixture of the source is gone from the fixture files (renamed or removed). */
export function failedFixturesGoneDiagnostic(
  missing: readonly string[],
  what: string,
  severity: 'error' | 'notice',
  fallback: FallbackContext,
): PreflightDiagnostic {
  return preflightDiagnostic({
    code: 'failed-fixtures-gone',
    severity,
    message: `Nothing to rerun: the fixtures that failed in ${what} no longer exist: ${missing.join(', ')}.`,
    guidance: ['They were renamed or removed since that run; run the suite in full to check the current fixtures.', ...fallbackGuidance(fallback)],
    // Their ids are gone, so the fallback names a placeholder (the new id) beside the full run.
    fallbackIds: [],
    commandArgs: fallback.commandArgs,
  });
}

export function fallbackGuidance(fallback: FallbackContext): string[] {
  return [
    'To run particular fixtures instead, name them: the fixtures input, or --fixture <id> on the command line.',
    fallback.fullRunHint,
  ];
}
