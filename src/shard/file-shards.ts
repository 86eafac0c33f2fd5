/**
 * The CLI's side of sharding: shard reports from files (`--merge PATH`, repeatable: a report.json, a folder holding
 * one, or a folder of such folders, as `gh run download` leaves them), and the durations to balance by from a
 * previous report (`--history-from`). Each report is read as untrusted input, like a downloaded artifact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { REPORT_FILE } from '../report/write.ts';
import { readReportFile, ReportReadError } from '../rerun/source-report.ts';
import type { ShardInput } from './merge.ts';
import { type DurationSource, durationsOf } from './partition.ts';

/** The report files the paths name; a path that holds none is a usage error, all of them reported at once. */
export function shardReportFiles(paths: readonly string[], cwd: string, flag: string): string[] {
  const files: string[] = [];
  const empty: string[] = [];
  for (const given of paths) {
    const found = reportFilesAt(path.resolve(cwd, given));
    if (found.length === 0) empty.push(given);
    files.push(...found);
  }
  if (empty.length > 0) {
    throw new PreflightError(
      preflightDiagnostic({
        code: 'usage',
        message: `${empty.length} ${flag} path${empty.length === 1 ? ' holds' : 's hold'} no report; nothing was merged.`,
        problems: empty.map((given) => `${flag} ${given}: no ${REPORT_FILE} there (nor in a folder directly inside it)`),
        guidance: [`Point ${flag} at a shard's ${REPORT_FILE}, at the folder of its unpacked artifact, or at a folder of such folders.`],
        fallbackIds: null,
      }),
    );
  }
  return [...new Set(files)];
}

function reportFilesAt(target: string): string[] {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [target];
  if (!stat.isDirectory()) return [];
  const own = path.join(target, REPORT_FILE);
  if (fs.existsSync(own)) return [own];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(target, entry.name, REPORT_FILE)))
    .map((entry) => path.join(target, entry.name, REPORT_FILE))
    .sort();
}

/** Each file read and validated; one that cannot be is that shard's problem, with its code and why. */
export async function readShardFiles(files: readonly string[], cwd: string): Promise<ShardInput[]> {
  const inputs: ShardInput[] = [];
  for (const file of files) {
    const label = path.relative(cwd, file) || file;
    try {
      const read = await readReportFile(file, label);
      const shard = read.report.shard;
      inputs.push({ index: shard?.index ?? null, total: shard?.total ?? null, label, artifact: null, read: { report: read.report, digest: read.digest } });
    } catch (error) {
      if (!(error instanceof ReportReadError)) throw error;
      inputs.push({ index: null, total: null, label, artifact: null, read: { code: readFailureCode(error), message: error.message } });
    }
  }
  return inputs;
}

function readFailureCode(error: ReportReadError) {
  return error.kind === 'missing' ? 'report-missing' : error.kind === 'unreadable' ? 'report-unreadable' : error.kind;
}

/** The durations in a previous report, to balance shards by. Throws ReportReadError when it cannot be read. */
export async function durationsFromFile(file: string, cwd: string): Promise<DurationSource> {
  const read = await readReportFile(path.resolve(cwd, file), file);
  return { runId: read.report.run.runId, digest: read.digest, durations: durationsOf(read.report.fixtures) };
}
