/**
 * Why a rerun cannot start, said the same way by the CLI and the Action. Each case has its own code, a message
 * that names what was looked at, guidance, and a ready fallback: run named fixtures, or the whole suite.
 */
import type { SourceOrigin } from './carry-over.ts';
import { KNOWN_SCHEMA_VERSIONS, type ReportReadError } from './source-report.ts';
import type { PreflightDiagnostic, Report } from '../report/schema.ts';
import type { StopCode } from '../report/stop-codes.ts';
import { preflightDiagnostic } from '../report/stops.ts';

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

const READ_FAILURE_CODES: Record<ReportReadError['kind'], StopCode> = {
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
  /** Fixtures new or changed since the source, which rerun-include did not ask for: "id (new)". */
  notCovered: readonly string[] = [],
): PreflightDiagnostic {
  const { summary } = source.report;
  const uncovered =
    notCovered.length === 0
      ? []
      : [
          `${notCovered.length} fixture${notCovered.length === 1 ? ' is' : 's are'} new or changed since then and not covered: ` +
            `${notCovered.slice(0, 20).join(', ')}${notCovered.length > 20 ? ` and ${notCovered.length - 20} more` : ''}. ` +
            'rerun-include: failed,new,changed (--rerun-include failed,new,changed) runs them.',
        ];
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
      ...uncovered,
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

// What to tell the user when the Action cannot find or fetch the report to rerun.

/** The ways looking for the previous run's smoke artifact can fail. */
export const DISCOVERY_CODES = ['no-earlier-run', 'run-not-found', 'no-artifact', 'artifact-expired', 'permission-denied', 'api-error'] as const satisfies readonly StopCode[];
export type DiscoveryCode = (typeof DISCOVERY_CODES)[number];

const PERMISSIONS_BLOCK = ['permissions:', '  contents: read', '  actions: read    # rerun-failed finds and downloads artifacts', '  checks: write     # the check run'].join('\n');

/**
 * The guidance of each way fetching the rerun source can fail, longer than the README's one line where it helps
 * (the permissions: block to paste). Its keys are the codes such a failure may carry.
 */
const GUIDANCE = {
  'no-earlier-run': [
    'rerun-failed needs an earlier completed run of this workflow on this branch that uploaded a smoke artifact.',
    'Run the suite in full first, or set artifact-run-id to the run you want to rerun.',
  ],
  'run-not-found': [
    "Check artifact-run-id: it is the number in the run's URL, .../actions/runs/<id>, and the run must belong to this repository.",
  ],
  'no-artifact': [
    'Check that the earlier run uploaded its smoke artifact with the same artifact-name, and that it was not deleted.',
    'A dry run, or a run that stopped before running any fixture, leaves no results to rerun.',
  ],
  'artifact-expired': [
    'Artifacts are deleted after their retention period. Run the suite in full, and raise retention-days if reruns need older runs.',
  ],
  'permission-denied': [
    'Finding and downloading the previous smoke artifact needs the actions: read permission for github-token. Add to the job (or workflow):',
    PERMISSIONS_BLOCK,
  ],
  'token-missing': ['rerun-failed needs github-token (the default, ${{ github.token }}, works when the job has actions: read).', PERMISSIONS_BLOCK],
  'api-error': ["GitHub's API did not answer as expected; this is usually temporary. Re-run the job."],
  'download-failed': ['The artifact could not be downloaded; this is usually temporary. Re-run the job, or set artifact-run-id to another run.'],
  'artifact-unreadable': [
    'Only report.json is ever read out of a smoke artifact, and this one is not a zip it can be read from. Re-run the job, or set artifact-run-id to another run; if it persists, run the suite in full.',
  ],
  'digest-mismatch': [
    'The downloaded artifact does not match the digest GitHub recorded at upload, so it was not used. Re-run the job; if it persists, run the suite in full.',
  ],
  'ghes-not-supported': [
    'GitHub Enterprise Server is not supported: @actions/artifact refuses it. Use the fixtures input to run particular fixtures.',
  ],
  'too-large': ['The artifact is far larger than any smoke report; check artifact-name, or set artifact-run-id to the right run.'],
  'report-missing': ['The artifact holds no report.json. Check artifact-name, or set artifact-run-id to a run that ran the suite.'],
} as const satisfies Record<DiscoveryCode, readonly string[]> & Partial<Record<StopCode, readonly string[]>>;

export type RerunFailureCode = keyof typeof GUIDANCE;

export function rerunFailureDiagnostic(code: RerunFailureCode, message: string, fallback: FallbackContext): PreflightDiagnostic {
  return preflightDiagnostic({
    code,
    message: `Cannot rerun the failed fixtures: ${message}`,
    guidance: [...GUIDANCE[code], ...fallbackGuidance(fallback)],
    fallbackIds: [],
    commandArgs: fallback.commandArgs,
  });
}
