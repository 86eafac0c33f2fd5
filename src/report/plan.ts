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
      skip: fixture.skip ?? null,
    })),
  });
}

function resolveAgainstBase(fixture: LoadedFixture, baseUrl: string | null): string | null {
  const resolved = resolveFixtureUrl(fixture.url, baseUrl);
  return 'url' in resolved ? resolved.url : null;
}
