/**
 * plan.json: what a dry run would run. It is written instead of report.json, so a dry run never replaces the
 * report that a later rerun reads. Deliberately small; it is for people and scripts checking a selection.
 */
import { z } from 'zod';
import type { LoadedFixture } from '../fixtures/schema.ts';
import { resolveFixtureUrl } from '../fixtures/urls.ts';
import { MODES, Report, RunContext, TOOL_NAME } from './schema.ts';

export const PLAN_VERSION = 1;

export const PlannedFixture = z.object({
  id: z.string(),
  title: z.string().nullable(),
  file: z.string(),
  line: z.number().int().min(1),
  tags: z.array(z.string()),
  /** The URL the fixture would open, or null when it cannot be resolved (a relative URL without a base URL). */
  url: z.string().nullable(),
  retries: z.number().int().nonnegative(),
  timeoutMs: z.number().nonnegative(),
  /** How long its page assertions would wait: its expect.timeout, or the expect-timeout option. */
  expectTimeoutMs: z.number().nonnegative(),
  /** Why it was selected, in a short phrase: "all fixtures", `id matches "checkout-*"`, `tag "smoke"`, "failed in the previous run". */
  reason: z.string(),
  /** Why the fixture is parked (`skip:`): it is listed, but would not run. Null for one that would run. */
  skip: z.string().nullable().optional(),
});

export const Plan = z
  .object({
    planVersion: z.literal(PLAN_VERSION),
    dryRun: z.literal(true),
    tool: z.object({ name: z.literal(TOOL_NAME), version: z.string() }),
    mode: z.enum(MODES),
    run: RunContext,
    createdAt: z.iso.datetime({ offset: true }),
    baseUrl: z.string().nullable(),
    selection: Report.shape.selection,
    fixtures: z.array(PlannedFixture),
    /** Every warning the run would give before it starts (a tag on no fixture, a pattern that matches nothing, ...). */
    warnings: z.array(z.string()),
  })
  .meta({ title: 'reliability-smoke dry-run plan' });

export type PlannedFixture = z.infer<typeof PlannedFixture>;
export type Plan = z.infer<typeof Plan>;

export interface PlanInput {
  toolVersion: string;
  mode: Plan['mode'];
  run: Plan['run'];
  createdAt: Date | string;
  baseUrl: string | null;
  selection: Plan['selection'];
  fixtures: readonly LoadedFixture[];
  defaultRetries: number;
  defaultTimeoutMs: number;
  defaultExpectTimeoutMs: number;
  /** Why each fixture was selected, by id. */
  reasons?: Readonly<Record<string, string>>;
  warnings?: readonly string[];
  /** How the runner resolves a fixture URL; defaults to WHATWG resolution against the base URL. */
  resolveUrl?: (fixture: LoadedFixture, baseUrl: string | null) => string | null;
}

export function buildPlan(input: PlanInput): Plan {
  const resolve = input.resolveUrl ?? resolveAgainstBase;
  return Plan.parse({
    planVersion: PLAN_VERSION,
    dryRun: true,
    tool: { name: TOOL_NAME, version: input.toolVersion },
    mode: input.mode,
    run: input.run,
    createdAt: typeof input.createdAt === 'string' ? input.createdAt : input.createdAt.toISOString(),
    baseUrl: input.baseUrl,
    selection: input.selection,
    fixtures: input.fixtures.map((fixture) => ({
      id: fixture.id,
      title: fixture.title ?? null,
      file: fixture.file,
      line: fixture.line,
      tags: fixture.tags,
      url: resolve(fixture, input.baseUrl),
      retries: fixture.retries ?? input.defaultRetries,
      timeoutMs: fixture.timeout ?? input.defaultTimeoutMs,
      expectTimeoutMs: fixture.expect.timeout ?? input.defaultExpectTimeoutMs,
      reason: input.reasons?.[fixture.id] ?? 'selected',
      skip: fixture.skip ?? null,
    })),
    warnings: [...(input.warnings ?? [])],
  });
}

function resolveAgainstBase(fixture: LoadedFixture, baseUrl: string | null): string | null {
  const resolved = resolveFixtureUrl(fixture.url, baseUrl);
  return 'url' in resolved ? resolved.url : null;
}

/** How many of the planned fixtures would run: parked ones (`skip:`) are listed, but never run. */
export function runnableCount(plan: Plan): { run: number; skipped: number } {
  const skipped = plan.fixtures.filter((fixture) => fixture.skip).length;
  return { run: plan.fixtures.length - skipped, skipped };
}
