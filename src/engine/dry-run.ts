/** A dry run: plan.json says what would run; report.json, which a later rerun reads, is never touched. */
import type { LoadedFixture } from '../fixtures/schema.ts';
import { buildPlan } from '../report/plan.ts';
import { redactPlan } from '../report/redaction.ts';
import { writePlan } from '../report/write.ts';
import type { Clock } from '../common/types.ts';
import { isRelative } from '../fixtures/urls.ts';
import type { Planned, SmokeOutcome, SmokeRequest } from './request.ts';

/**
 * Writes plan.json, with the run's secrets hidden (`redact`) like every other file. `warnings` are the ones the run
 * would have given before starting (the selection's, and values too short to hide), so a dry run shows them all.
 */
export async function writeDryRun(
  request: SmokeRequest,
  planned: Planned,
  reportDir: string,
  clock: Clock,
  redact: (text: string) => string,
  warnings: readonly string[],
): Promise<SmokeOutcome> {
  const { options } = request;
  const built = buildPlan({
    toolVersion: request.toolVersion,
    mode: planned.mode,
    run: request.context,
    createdAt: new Date(clock.now()),
    baseUrl: options.baseUrl ?? (options.serveDir ? `(served from ${options.serveDir})` : null),
    selection: {
      ...planned.selection,
      patterns: [...planned.selection.patterns],
      tags: [...planned.selection.tags],
      excludeTags: planned.selection.excludeTags ? [...planned.selection.excludeTags] : undefined,
      excluded: planned.selection.excluded ? [...planned.selection.excluded] : undefined,
      selected: [...planned.selection.selected],
      missing: [...planned.selection.missing],
      source: null,
    },
    fixtures: planned.selected,
    defaultRetries: options.retries,
    defaultTimeoutMs: options.timeoutMs,
    defaultExpectTimeoutMs: options.expectTimeoutMs,
    reasons: planned.reasons,
    warnings,
    ...(options.serveDir ? { resolveUrl: servedLocation } : {}),
  });
  const plan = redactPlan(built, redact);
  const planPath = await writePlan(reportDir, plan);
  return { report: null, reportPath: null, junitPath: null, htmlPath: null, planPath, plan, selectedCount: planned.selected.length, mode: planned.mode, exitCode: 0 };
}

/** A served site's port is only known once it runs, so a dry run names each page by its path on that site. */
function servedLocation(fixture: LoadedFixture): string {
  if (!isRelative(fixture.url)) return new URL(fixture.url).href;
  const url = new URL(fixture.url, 'http://127.0.0.1/');
  return `${url.pathname}${url.search}${url.hash}`;
}

