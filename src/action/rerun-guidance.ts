/** What to tell the user when the Action cannot find or fetch the report to rerun. */
import { preflightDiagnostic } from '../report/build.ts';
import type { PreflightDiagnostic } from '../report/schema.ts';
import { type FallbackContext, fallbackGuidance } from '../rerun/diagnostics.ts';
import type { DiscoveryCode } from './runs-api.ts';

const PERMISSIONS_BLOCK = ['permissions:', '  contents: read', '  actions: read    # rerun-failed finds and downloads artifacts', '  checks: write     # the check run'].join('\n');

const GUIDANCE: Record<DiscoveryCode | 'download-failed' | 'digest-mismatch' | 'token-missing' | 'ghes-not-supported' | 'too-large' | 'report-missing', string[]> = {
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
  'digest-mismatch': [
    'The downloaded artifact does not match the digest GitHub recorded at upload, so it was not used. Re-run the job; if it persists, run the suite in full.',
  ],
  'ghes-not-supported': [
    'GitHub Enterprise Server is not supported: @actions/artifact refuses it. Use the fixtures input to run particular fixtures.',
  ],
  'too-large': ['The artifact is far larger than any smoke report; check artifact-name, or set artifact-run-id to the right run.'],
  'report-missing': ['The artifact holds no report.json. Check artifact-name, or set artifact-run-id to a run that ran the suite.'],
};

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
