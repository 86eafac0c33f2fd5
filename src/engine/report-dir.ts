/** The report folder must be writable before anything runs, or a whole suite's results would be lost at the end. */
import { access, constants, mkdir } from 'node:fs/promises';

export class ReportDirError extends Error {
  readonly reportDir: string;
  constructor(reportDir: string, reason: string) {
    super(`The report folder ${reportDir} cannot be written (${reason}); nothing was run. Choose a folder this job can write to.`);
    this.name = 'ReportDirError';
    this.reportDir = reportDir;
  }
}

export async function ensureWritableReportDir(reportDir: string): Promise<void> {
  try {
    await mkdir(reportDir, { recursive: true });
    await access(reportDir, constants.W_OK);
  } catch (error) {
    throw new ReportDirError(reportDir, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}
