/**
 * Annotations: failures as errors, flaky fixtures as warnings and parked (skipped) ones as notices, each pointing at the
 * fixture's file and line.
 * GitHub shows only 10 error and 10 warning annotations per step, so the most important come first and one
 * notice says how many were left out and where to find them. Pure: the Action sends them (workflow commands, or
 * the check run), and the same list serves both.
 */
import type { FixtureRow, SummaryView } from './view.ts';
import { evidencePath } from './terminal.ts';
import { INVISIBLE_CHARS } from '../common/text.ts';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title: string;
  /** Relative to the workspace, "/" separated; null for run-level annotations. */
  file: string | null;
  startLine: number | null;
}

/** How many annotations of each level GitHub shows for one step. */
export const ANNOTATIONS_PER_STEP = { error: 10, warning: 10 } as const;

export interface AnnotationLimits {
  error: number;
  warning: number;
}

/** Page text for an annotation: line breaks and tabs stay (annotations are multi-line), other controls become visible. */
function plain(text: string): string {
  return text.replace(INVISIBLE_CHARS, (c) => (c === '\n' || c === '\r' || c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * Run-level errors first (they explain everything else), then failed fixtures (this run's before carried-over
 * ones, as the view orders them), then flaky fixtures; each level cut to its limit, plus one notice for the rest.
 */
export function annotationsFor(view: SummaryView, limits: AnnotationLimits = ANNOTATIONS_PER_STEP): Annotation[] {
  const failing = view.failures.filter((row) => !row.quarantined);
  const errors = [...runLevel(view).filter((a) => a.level === 'error'), ...failing.map((row) => failure(view, row))];
  // A quarantined failure does not fail the run: it is a warning, still pointing at the fixture.
  const quarantined = view.failures.filter((row) => row.quarantined).map((row) => failure(view, row));
  const warnings = [...quarantined, ...view.flaky.map((row) => flaky(view, row))];
  const notices = [...runLevel(view).filter((a) => a.level === 'notice'), ...parkedNotices(view)];
  const shownErrors = errors.slice(0, Math.max(0, limits.error));
  const shownWarnings = warnings.slice(0, Math.max(0, limits.warning));
  const overflow = overflowNotice(view, errors.length - shownErrors.length, warnings.length - shownWarnings.length, limits);
  return [...shownErrors, ...shownWarnings, ...notices, ...(overflow ? [overflow] : [])];
}

function runLevel(view: SummaryView): Annotation[] {
  const out: Annotation[] = [];
  const p = view.preflight;
  if (p) {
    const lines = [p.message, ...p.problems.slice(0, 20)];
    if (p.fallback) {
      lines.push(`Run only these fixtures: ${p.fallback.cliCommand}`, `Or run the full suite: ${p.fallback.fullRun}`);
    }
    out.push({
      level: p.severity === 'error' ? 'error' : 'notice',
      title: `${view.tool.name} stopped before running any fixture (${p.code})`,
      message: plain(lines.join('\n')),
      file: null,
      startLine: null,
    });
  }
  for (const problem of view.merge?.problems ?? []) {
    out.push({
      level: 'error',
      title: `${view.tool.name} merge: ${problem.code}${problem.shard ? ` (shard ${problem.shard})` : ''}`,
      message: plain(problem.message),
      file: null,
      startLine: null,
    });
  }
  if (view.interrupted) {
    out.push({
      level: 'error',
      title: `${view.tool.name} was interrupted (${view.interrupted.reason})`,
      message: plain(view.interrupted.message),
      file: null,
      startLine: null,
    });
  }
  return out;
}

function failure(view: SummaryView, row: FixtureRow): Annotation {
  const lines = [row.message ?? 'failed'];
  lines.push(`Attempts: ${row.attempts}${kinds(row)}`);
  if (row.title) lines.push(`Fixture: ${row.title}`);
  if (row.evidence.length > 0) lines.push(`Evidence: ${row.evidence.map((path) => evidencePath(view, path)).join(', ')}`);
  if (row.screenshotNote) lines.push(`Note: ${row.screenshotNote}`);
  if (row.carriedOver) lines.push('Carried over from the source report: this fixture was not rerun.');
  if (row.quarantined) lines.push('Quarantined: this failure does not fail the run (see the job summary).');
  return {
    level: row.quarantined ? 'warning' : 'error',
    title: `Smoke fixture ${row.id} failed${row.kind ? ` (${row.kind})` : ''}${row.carriedOver ? ' [carried over]' : ''}${row.quarantined ? ' [quarantined]' : ''}`,
    message: plain(lines.join('\n')),
    file: row.file,
    startLine: row.line,
  };
}

function flaky(view: SummaryView, row: FixtureRow): Annotation {
  const failed = row.failedAttempts.map((a) => `attempt ${a.attempt} (${a.kind}): ${a.message}`);
  const lines = [`Passed on attempt ${row.attempts} after failing:`, ...failed];
  if (row.evidence.length > 0) lines.push(`Evidence: ${row.evidence.map((path) => evidencePath(view, path)).join(', ')}`);
  return {
    level: 'warning',
    title: `Smoke fixture ${row.id} is flaky`,
    message: plain(lines.join('\n')),
    file: row.file,
    startLine: row.line,
  };
}

/** How many parked fixtures get a notice of their own; the rest are counted in the last one. */
const MAX_PARKED_NOTICES = 5;

/** A parked fixture is a notice at its line, so it is seen where it is written, and not forgotten. */
function parkedNotices(view: SummaryView): Annotation[] {
  const shown = view.parked.slice(0, MAX_PARKED_NOTICES);
  const more = view.parked.length - shown.length;
  return shown.map((row, index) => ({
    level: 'notice' as const,
    title: `Smoke fixture ${row.id} skipped`,
    message: plain(
      [`Skipped: ${row.message ?? 'no reason given'}`, 'It is parked with skip: in its file; remove that line to run it again.']
        .concat(index === shown.length - 1 && more > 0 ? [`${more} more skipped ${more === 1 ? 'fixture is' : 'fixtures are'} listed in the job summary.`] : [])
        .join('\n'),
    ),
    file: row.file,
    startLine: row.line,
  }));
}

function kinds(row: FixtureRow): string {
  return row.failedAttempts.length > 0 ? ` (${row.failedAttempts.map((a) => a.kind).join(', ')})` : '';
}

function overflowNotice(
  view: SummaryView,
  moreErrors: number,
  moreWarnings: number,
  limits: AnnotationLimits,
): Annotation | null {
  if (moreErrors <= 0 && moreWarnings <= 0) return null;
  const parts = [moreErrors > 0 ? `${moreErrors} more ${moreErrors === 1 ? 'failure' : 'failures'}` : '']
    .concat(moreWarnings > 0 ? `${moreWarnings} more ${moreWarnings === 1 ? 'warning' : 'warnings'} (flaky or quarantined fixtures)` : '')
    .filter((part) => part !== '');
  const artifact = view.report.artifact ? ` (artifact ${view.report.artifact.name})` : '';
  const where = view.report.path ?? 'report.json';
  return {
    level: 'notice',
    title: `${parts.join(' and ')} not annotated`,
    message:
      `GitHub shows ${limits.error} error and ${limits.warning} warning annotations per step; these are the most ` +
      `important. ${parts.join(' and ')} ${moreErrors + moreWarnings === 1 ? 'is' : 'are'} listed in the job summary and in ${where}${artifact}.`,
    file: null,
    startLine: null,
  };
}
