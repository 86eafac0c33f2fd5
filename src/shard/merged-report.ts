/**
 * report.json of a merge: what the shards share (mode, options, selection) from their reports, this run's own
 * context, every shard's results and what became of each shard. The same builder serves the merge job and a rerun
 * whose source is a run that has shard reports but no merged one.
 */
import { RUN_OPTION_DEFAULTS as DEFAULTS } from '../options/parse.ts';
import { buildMergedReport, type RerunMerger } from '../report/build.ts';
import type { PreflightDiagnostic, Report, RunContext } from '../report/schema.ts';
import type { MergedShards } from './merge.ts';

export interface MergedReportContext {
  toolVersion: string;
  /** The run that merges (the merge job's), or for a rerun source the run the shards belong to. */
  run: RunContext;
  /** When no shard said when it started. */
  startedAt: Date;
  /** For the shards of a rerun: carries the source's other results over, once, for the whole suite. */
  rerun?: RerunMerger | null;
  /** When there was nothing at all to merge. */
  preflight?: PreflightDiagnostic | null;
}

export function mergedReportOf(merged: MergedShards, context: MergedReportContext): Report {
  const base = merged.base;
  const options = base?.options ?? {
    retries: DEFAULTS.retries,
    concurrency: DEFAULTS.concurrency,
    timeoutMs: DEFAULTS.timeoutMs,
    suiteTimeoutMs: DEFAULTS.suiteTimeoutMs,
    failOnFlaky: DEFAULTS.failOnFlaky,
  };
  const history = merged.history;
  const selection = base?.selection ?? { fixturesDir: DEFAULTS.fixturesDir, patterns: [], tags: [], sample: null, sampleSeed: null };
  return buildMergedReport({
    toolVersion: context.toolVersion,
    mode: merged.mode ?? base?.mode ?? 'full',
    run: context.run,
    startedAt: merged.startedAt ?? context.startedAt,
    durationMs: merged.durationMs,
    baseUrl: base?.baseUrl ?? null,
    options: { ...options, failOnFlaky: merged.failOnFlaky || options.failOnFlaky },
    selection: {
      fixturesDir: selection.fixturesDir,
      patterns: selection.patterns,
      tags: selection.tags,
      ...('excludeTags' in selection && selection.excludeTags ? { excludeTags: selection.excludeTags } : {}),
      ...('excluded' in selection && selection.excluded ? { excluded: selection.excluded } : {}),
      sample: selection.sample,
      sampleSeed: selection.sampleSeed,
      selected: merged.selected,
      missing: merged.missing,
    },
    warnings: merged.warnings,
    fixtures: merged.fixtures,
    interrupted: merged.interrupted,
    shards: merged.shards,
    mergeProblems: merged.problems,
    rerun: context.rerun ?? null,
    preflight: context.preflight ?? null,
    // The shards appended their own outcomes; the merge only joins their histories.
    ...(history ? { history: () => history } : {}),
    quarantine: merged.quarantine,
    notCovered: merged.notCovered,
  });
}
