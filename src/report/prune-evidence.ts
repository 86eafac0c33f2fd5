/**
 * The report folder holds the evidence of the report it holds, and nothing older: once report.json is written,
 * every file under failures/ that none of its results names is removed, and every folder left empty. Without this,
 * the screenshots of a fixture that has since passed (or of a run whose results were only carried over) would sit
 * beside the new report, in the artifact, looking like evidence of this run.
 */
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from './schema.ts';

export const EVIDENCE_DIR = 'failures';

/** Every evidence path the report names, as written (report-relative, with "/"). */
export function evidencePathsOf(report: Pick<Report, 'fixtures'>): Set<string> {
  const paths = report.fixtures.flatMap((fixture) =>
    fixture.attempts.flatMap((attempt) => Object.values(attempt.evidence ?? {}).filter((value): value is string => typeof value === 'string')),
  );
  return new Set(paths);
}

/**
 * Removes what failures/ holds beyond the report's evidence; returns the report-relative paths removed. Best
 * effort: the report is already written, so a file that cannot be removed is left where it is.
 */
export async function pruneEvidence(reportDir: string, report: Pick<Report, 'fixtures'>): Promise<string[]> {
  const kept = evidencePathsOf(report);
  const removed: string[] = [];
  await pruneFolder(reportDir, EVIDENCE_DIR, kept, removed);
  return removed;
}

/** True when the folder was left empty (and removed). */
async function pruneFolder(reportDir: string, relative: string, kept: ReadonlySet<string>, removed: string[]): Promise<boolean> {
  const absolute = path.join(reportDir, ...relative.split('/'));
  let entries: string[];
  try {
    // A symlink named failures is not followed: only what this tool wrote there is ever removed.
    if (!(await lstat(absolute)).isDirectory()) return false;
    entries = await readdir(absolute);
  } catch {
    return false;
  }
  let left = entries.length;
  for (const name of entries) {
    const child = `${relative}/${name}`;
    if (kept.has(child)) continue;
    try {
      const info = await lstat(path.join(absolute, name));
      if (info.isDirectory()) {
        if (await pruneFolder(reportDir, child, kept, removed)) left -= 1;
        continue;
      }
      await rm(path.join(absolute, name), { force: true });
      removed.push(child);
      left -= 1;
    } catch {
      // Left in place; the next run tries again.
    }
  }
  if (left > 0) return false;
  try {
    await rmdir(absolute);
    return true;
  } catch {
    return false;
  }
}
