/**
 * The CLI's rerun source: a report file on disk (--artifact, by default the report the last run wrote). It is read
 * as untrusted input, like a downloaded artifact; one it cannot read stops the run in preflight with its own code.
 */
import path from 'node:path';
import { PreflightError } from '../report/stops.ts';
import { type AcquiredSource, type FallbackContext, readFailureDiagnostic } from './diagnostics.ts';
import { ReportReadError, readReportFile } from './source-report.ts';

export function acquireFromFile(file: string, cwd: string, fallback: FallbackContext): () => Promise<AcquiredSource> {
  return async () => {
    try {
      const read = await readReportFile(path.resolve(cwd, file));
      const { run } = read.report;
      return {
        report: read.report,
        origin: { runId: run.runId, runAttempt: run.runAttempt, artifactId: null, artifactName: null, url: null, path: file, digest: read.digest },
      };
    } catch (error) {
      if (error instanceof ReportReadError) throw new PreflightError(readFailureDiagnostic(error, file, fallback));
      throw error;
    }
  };
}

