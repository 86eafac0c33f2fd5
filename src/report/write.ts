/**
 * Puts report.json (and a dry run's plan.json) on disk. report.json is validated before it is written and replaced atomically (temp file,
 * then rename), so a crash or a full disk mid-write never leaves a half report for the next rerun to choke on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from './plan.ts';
import { checkedOwnReport } from './schema.ts';
import type { Report } from './schema.ts';

export const REPORT_FILE = 'report.json';
export const JUNIT_FILE = 'junit.xml';
export const HTML_FILE = 'report.html';
export const PLAN_FILE = 'plan.json';

/** Writes report.json into `reportDir` (created if needed), refusing one that does not match its own schema. */
export async function writeReport(reportDir: string, report: Report): Promise<string> {
  const checked = checkedOwnReport(report, 'refusing to write a report that does not match its schema');
  await mkdir(reportDir, { recursive: true });
  const reportPath = path.join(reportDir, REPORT_FILE);
  await writeAtomically(reportPath, `${JSON.stringify(checked, null, 2)}\n`);
  return reportPath;
}

/** Writes plan.json for a dry run (buildPlan has validated it). It never touches report.json. */
export async function writePlan(reportDir: string, plan: Plan): Promise<string> {
  await mkdir(reportDir, { recursive: true });
  const planPath = path.join(reportDir, PLAN_FILE);
  await writeAtomically(planPath, `${JSON.stringify(plan, null, 2)}\n`);
  return planPath;
}

/** Temp file in the same folder (so rename stays on one filesystem and is atomic), then rename over the target. */
export async function writeAtomically(target: string, content: string): Promise<void> {
  const unique = `${process.pid}.${randomBytes(6).toString('hex')}`;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${unique}.tmp`);
  try {
    await writeFile(temp, content, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
