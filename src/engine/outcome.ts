/**
 * How a run ends: its report and JUnit file written, its exit code and verdict derived from the report. Every path
 * of the engine, stopped or finished, ends here.
 */
import path from 'node:path';
import { renderHtmlReport } from '../render/html.ts';
import { renderJunit } from '../render/junit.ts';
import { summaryViewOf, type SummaryViewOptions, type ViewContext } from '../render/view.ts';
import { HTML_FILE, JUNIT_FILE, writeAtomically, writeReport } from '../report/write.ts';
import type { Mode, PreflightDiagnostic, Report } from '../report/schema.ts';
import type { RunOptions } from '../options/parse.ts';
import { redactReport } from '../report/redaction.ts';
import { pruneEvidence } from '../report/prune-evidence.ts';
import type { SmokeOutcome } from './request.ts';

/** The mode a run has before selection decides it (and when it never gets that far). */
export function modeOf(options: Pick<RunOptions, 'rerunFailed' | 'patterns' | 'tags' | 'excludeTags' | 'sample'>): Mode {
  if (options.rerunFailed) return 'rerun-failed';
  const narrowed = options.patterns.length > 0 || options.tags.length > 0 || options.excludeTags.length > 0;
  return narrowed || options.sample !== null ? 'selected' : 'full';
}

export function diagnosticExitCode(diagnostic: PreflightDiagnostic): 0 | 2 {
  return diagnostic.severity === 'error' ? 2 : 0;
}

/** 0 pass, 1 fixtures failed, 2 stopped on an error before running fixtures (a notice, such as nothing to rerun, passes). */
export function exitCodeOf(report: Report): 0 | 1 | 2 {
  if (report.preflight) return diagnosticExitCode(report.preflight);
  return report.result === 'pass' ? 0 : 1;
}

/** The verdict of any outcome: the report's, or for a dry run (no report) whether it could be planned. */
export function resultOf(outcome: SmokeOutcome): 'pass' | 'fail' | 'planned' {
  if (outcome.report) return outcome.report.result;
  // A dry run ran nothing, so it neither passed nor failed; one that could not be planned did fail.
  return outcome.exitCode === 0 ? 'planned' : 'fail';
}

/**
 * What report.html's links and copy-paste commands are built from: this run's own context (the report's `run` is
 * that too, but a view never takes links from a report), and the arguments its commands repeat.
 */
export type HtmlCommandOptions = Pick<SummaryViewOptions, 'commandArgs' | 'dispatchRef'> & { context: ViewContext | null };

/** What else the outcome carries: the run's secrets, hidden in every file, and the started app's log. */
export interface FinishExtras {
  redact?: (text: string) => string;
  startLogPath?: string | null;
}

/**
 * Writes report.json, removes the evidence no result of it names (an earlier run's), then writes the files
 * rendered from it (junit.xml, report.html), and returns the outcome. The report
 * is redacted first, so every file and every channel that renders the outcome shows `***` for a secret.
 */
export async function finishWith(
  built: Report,
  reportDir: string,
  selectedCount: number,
  commands: HtmlCommandOptions,
  extras: FinishExtras = {},
): Promise<SmokeOutcome> {
  const report = extras.redact ? redactReport(built, extras.redact) : built;
  const reportPath = await writeReport(reportDir, report);
  await pruneEvidence(reportDir, report);
  const junitPath = path.join(reportDir, JUNIT_FILE);
  await writeAtomically(junitPath, renderJunit(report));
  const htmlPath = path.join(reportDir, HTML_FILE);
  // Evidence links in the page are relative to the report folder, which is also the artifact's root.
  await writeAtomically(htmlPath, renderHtmlReport(report, summaryViewOf(report, { ...commands, reportDir: null, cliArtifactPath: null })));
  const exitCode = exitCodeOf(report);
  return { report, reportPath, junitPath, htmlPath, planPath: null, plan: null, selectedCount, mode: report.mode, exitCode, startLogPath: extras.startLogPath ?? null };
}

