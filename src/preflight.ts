/**
 * A run that must stop before any fixture runs (bad fixtures, no browser, no rerun source…). It carries the
 * diagnostic that the report, the terminal and the job summary show; the engine turns it into a report.
 */
import type { PreflightDiagnostic } from './report/schema.ts';

export class PreflightError extends Error {
  readonly diagnostic: PreflightDiagnostic;
  constructor(diagnostic: PreflightDiagnostic) {
    super(diagnostic.message);
    this.name = 'PreflightError';
    this.diagnostic = diagnostic;
  }
}
