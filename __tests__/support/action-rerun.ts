/**
 * Shared set-up for the Action's rerun-failed tests (__tests__/rerun/action*.test.ts): a small suite whose
 * fixtures each load their own path on the loopback site (so site.hits(path) says exactly which fixtures ran),
 * runs on the loopback GitHub with explicit shas and creation times, and the Action run in-process as a step of one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Fixture, type FixtureInput } from '../../src/fixtures/schema.ts';
import { buildReport } from '../../src/report/build.ts';
import { Report } from '../../src/report/schema.ts';
import type { Attempt } from '../../src/report/schema.ts';
import type { FixtureRun } from '../../src/report/build.ts';
import { downloadArtifact, type StepOptions, writeFixtures } from './action-step.ts';
import type { Artifact, GitHubService, Run, RunOptions } from './github-service/index.ts';
import { type ActionStep, type InProcessStepOptions, logOf, runActionInProcess } from './in-process-action.ts';
import type { Site } from './site.ts';

/** Every test is bounded; one Action step with a browser takes a few seconds, the bound is for a noisy machine. */
export const STEP_BOUND = { timeout: 180_000 } as const;

export const OWNER_REPO = 'octo-org/smoke-demo';
export const JOB = 'smoke';
export const PREFIX = 'reliability-smoke';
export const artifactNameFor = (attempt: number, job = JOB) => `${PREFIX}-${job}-attempt-${attempt}`;

/** A 40-hex commit id that reads as what it is in a failure message. */
export const shaOf = (label: string) => Buffer.from(label.padEnd(20, '.')).toString('hex').slice(0, 40);

/**
 * One fixture per id, each loading `/<id>` and expecting a 200 and its heading. A failing page answers 500, which
 * fails at once, so the timeout can be generous: a busy machine never turns a pass into a timeout.
 */
export function suiteYaml(ids: readonly string[]): string {
  const entries = ids.map(
    (id) => `  - id: ${id}
    title: The ${id} page works
    url: /${id}
    timeout: 30s
    expect:
      status: 200
      visible: ["#${id}"]`,
  );
  return `fixtures:\n${entries.join('\n')}\n`;
}

/** Run ids that differ per test, so tests in one file can share a service without seeing each other's runs. */
let nextBase = 1000;
export function runIds(count: number): number[] {
  nextBase += 100;
  return Array.from({ length: count }, (_, index) => nextBase + index);
}

/**
 * Adds a completed run of the smoke workflow. Runs are spaced a minute apart by their index, so "newest" is
 * never decided by a clock tick. Each test uses its own branch, so tests sharing a service never see each
 * other's runs.
 */
export function addRun(service: GitHubService, options: RunOptions & { minute: number }): Run {
  const { minute, ...rest } = options;
  return service.addRun({
    status: 'completed',
    conclusion: 'failure',
    createdAt: new Date(Date.parse('2026-01-05T08:00:00Z') + minute * 60_000),
    ...rest,
  });
}

/** Marks a run completed once its step is done, as GitHub does when the workflow ends. */
export function complete(service: GitHubService, runId: number, conclusion: 'success' | 'failure'): void {
  const run = service.runs.find((candidate) => candidate.id === runId);
  assert.ok(run, `run ${runId} exists`);
  Object.assign(run, { status: 'completed', conclusion });
}

export interface RerunStepOptions {
  runId: number;
  attempt?: number;
  site: Site | null;
  ids: readonly string[];
  inputs?: Record<string, string>;
  env?: Partial<StepOptions['env']>;
  extraEnv?: Record<string, string>;
  deadlines?: InProcessStepOptions['deadlines'];
}

/** One step of the Action in run `runId`, with the suite written into its workspace. */
export function step(service: GitHubService, options: RerunStepOptions): Promise<ActionStep> {
  return runActionInProcess(service, {
    env: { runId: options.runId, jobId: JOB, ...(options.attempt ? { runAttempt: options.attempt } : {}), ...options.env },
    inputs: { 'base-url': options.site?.url ?? 'http://127.0.0.1:9', timeout: '30s', retries: '0', 'check-name': '', ...options.inputs },
    workspace: (dir) => writeFixtures(dir, { 'suite.smoke.yml': suiteYaml(options.ids) }),
    ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
    ...(options.deadlines ? { deadlines: options.deadlines } : {}),
  });
}

/** The report the step wrote (report-path output), validated against the report schema. */
export function reportOf(run: ActionStep): Report {
  const file = run.outputs['report-path'];
  assert.ok(file, `the step set report-path${logOf(run)}`);
  return Report.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export function artifactOf(service: GitHubService, runId: number, name: string): Artifact {
  const artifact = service.artifacts.find((candidate) => candidate.runId === runId && candidate.name === name);
  assert.ok(artifact, `run ${runId} has the artifact ${name}; it has: ${service.artifacts.filter((a) => a.runId === runId).map((a) => a.name).join(', ')}`);
  assert.ok(artifact.finalized, `${name} was finalized`);
  return artifact;
}

/** Downloads an uploaded smoke artifact with the real client (findBy, digest checked) and reads its report. */
export async function uploadedReport(service: GitHubService, artifact: Artifact): Promise<Report> {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'rerun-download-'));
  try {
    await downloadArtifact(service, artifact.runId, artifact, target);
    return Report.parse(JSON.parse(fs.readFileSync(path.join(target, 'report.json'), 'utf8')));
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

export { logOf };

/**
 * A source report made by the report builder itself (so it is exactly what a real run writes), for preflight
 * cases that need a particular report rather than a browser run: every fixture with the given status (a skipped
 * one has no attempt).
 */
export function builtReport(options: {
  ids: Record<string, 'passed' | 'failed' | 'skipped'>;
  runId: number;
  sha: string;
  /** The run stopped early (a suite timeout): its skipped fixtures never ran. */
  interrupted?: boolean;
}): string {
  const startedAt = '2026-01-05T08:00:00.000Z';
  const fixtures: FixtureRun[] = Object.entries(options.ids).map(([id, status], index) => {
    const attempts: Attempt[] =
      status === 'skipped'
        ? []
        : [
            {
              attempt: 1,
              status,
              startedAt,
              durationMs: 120,
              error: status === 'failed' ? { kind: 'assertion', message: 'expected status 200, got 500' } : null,
              evidence: null,
            },
          ];
    // Exactly the fixture suiteYaml writes, so its fingerprint matches the suite a rerun loads.
    const input: FixtureInput = { id, title: `The ${id} page works`, url: `/${id}`, timeout: '30s', expect: { status: 200, visible: [`#${id}`] } };
    return {
      fixture: { ...Fixture.parse(input), file: 'fixtures/suite.smoke.yml', line: 2 + index * 7 },
      url: `http://127.0.0.1:9/${id}`,
      attempts,
      skipReason: status === 'skipped' ? 'the suite timeout (2s) ran out before it started' : null,
    };
  });
  const report = buildReport({
    toolVersion: '0.1.0',
    mode: 'full',
    run: {
      repository: OWNER_REPO,
      workflow: 'Smoke',
      runId: String(options.runId),
      runAttempt: 1,
      sha: options.sha,
      ref: 'refs/heads/main',
      event: 'push',
      serverUrl: null,
    },
    startedAt,
    durationMs: 500,
    baseUrl: 'http://127.0.0.1:9',
    options: { retries: 0, concurrency: 2, timeoutMs: 3000, suiteTimeoutMs: null, failOnFlaky: false },
    selection: { fixturesDir: 'fixtures', patterns: [], tags: [], sample: null, sampleSeed: null, selected: Object.keys(options.ids), missing: [] },
    suiteRun: {
      fixtures,
      interrupted: options.interrupted ? { reason: 'suite-timeout', message: 'The suite timeout (2s) ran out.' } : null,
      warnings: [],
    },
  });
  return JSON.stringify(report, null, 2);
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/** The job summary as a reader sees it rendered: character references decoded, Markdown left as is. */
export function readable(summary: string): string {
  return summary.replace(/&(#\d+|[a-z]+);/g, (entity, name: string) =>
    name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (NAMED_ENTITIES[name] ?? entity),
  );
}
