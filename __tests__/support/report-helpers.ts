/**
 * Builders for report tests: loaded fixtures, attempts and suite runs shaped like the runner's, with fixed times,
 * and the report files in __tests__/data. Shared by the report, JUnit, summary and annotation tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedFixture } from '../../src/fixtures/schema.ts';
import type { BuildReportInput, FixtureRun } from '../../src/report/build.ts';
import { Report, type Attempt, type FailureKind, type RunContext } from '../../src/report/schema.ts';
import type { SuiteRun } from '../../src/run/types.ts';

export const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');

export const SHA_A = '3f9c2a7d1e8b4c6f0a5d9e2b7c1f4a8d6e3b9c0f';
export const SHA_B = '8b1e4d7a2c9f3e6b0d5a8c1f7e4b2d9a6c3f0e1b';
export const START = '2026-03-02T06:00:00.000Z';

export function dataPath(name: string): string {
  return path.join(DATA_DIR, name);
}

/** A report from __tests__/data, validated: these files must always pass the schema. */
export function dataReport(name: string): Report {
  return Report.parse(JSON.parse(readFileSync(dataPath(name), 'utf8')));
}

export function loaded(id: string, extra: Partial<LoadedFixture> = {}): LoadedFixture {
  return {
    id,
    title: `Fixture ${id}`,
    tags: [],
    url: `/${id}.html`,
    steps: [],
    expect: { noConsoleErrors: true, noPageErrors: true, noFailedRequests: false },
    file: 'fixtures/site.smoke.yml',
    line: 1,
    ...extra,
  };
}

let clock = Date.parse(START);

/** Attempts made after this call start at `iso` (plus a second per attempt). */
export function setClock(iso: string): void {
  clock = Date.parse(iso);
}

/** A passed attempt, or a failed one with a kind, message and evidence as the runner writes them. */
export function attempt(fixtureId: string, n: number, failure?: { kind: FailureKind; message: string }, durationMs = 1200): Attempt {
  clock += 1000;
  const startedAt = new Date(clock).toISOString();
  if (!failure) return { attempt: n, status: 'passed', startedAt, durationMs, error: null, evidence: null };
  const base = `failures/${fixtureId}/attempt-${n}`;
  return {
    attempt: n,
    status: 'failed',
    startedAt,
    durationMs,
    error: failure,
    evidence: { screenshot: `${base}.png`, html: `${base}.html`, log: `${base}.log` },
  };
}

export function run(fixture: LoadedFixture, attempts: Attempt[], skipReason: string | null = null): FixtureRun {
  return { fixture, url: `http://127.0.0.1:4173${fixture.url}`, attempts, skipReason };
}

export function suite(fixtures: FixtureRun[], extra: Partial<SuiteRun> = {}): SuiteRun {
  return {
    fixtures,
    interrupted: null,
    warnings: [],
    stats: { browserLaunches: 1, sessionsCreated: fixtures.length, sessionsReset: 0 },
    ...extra,
  };
}

export function context(sha: string | null = SHA_A, extra: Partial<RunContext> = {}): RunContext {
  return {
    repository: 'acme/shop-web',
    workflow: 'Smoke',
    runId: '13579246801',
    runAttempt: 1,
    sha,
    ref: 'refs/heads/main',
    event: 'schedule',
    serverUrl: 'https://github.com',
    ...extra,
  };
}

/** Everything buildReport needs besides the suite run, for a full run. */
export function baseInput(suiteRun: SuiteRun, extra: Partial<BuildReportInput> = {}): BuildReportInput {
  return {
    toolVersion: '0.1.0',
    mode: 'full',
    run: context(),
    startedAt: START,
    durationMs: 15_400,
    baseUrl: 'http://127.0.0.1:4173/',
    options: { retries: 1, concurrency: 2, timeoutMs: 30_000, suiteTimeoutMs: null, failOnFlaky: false },
    selection: {
      fixturesDir: 'fixtures',
      patterns: [],
      tags: [],
      sample: null,
      sampleSeed: null,
      selected: suiteRun.fixtures.map((fixture) => fixture.fixture.id),
      missing: [],
    },
    suiteRun,
    ...extra,
  };
}
