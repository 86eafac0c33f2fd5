/**
 * report.json, schemaVersion 1. This zod schema is the source of truth: it validates reports read back for a
 * rerun (untrusted input) and generates schema/report.schema.json. Derived fields (status, summary, result) are
 * checked against what they derive from, so a report that contradicts itself is rejected, not believed.
 */
import { z } from 'zod';
import { FIXTURE_ID_PATTERN } from '../fixtures/schema.ts';
import { FINGERPRINT_PATTERN } from '../fixtures/fingerprint.ts';
import { REPORT_LIMITS as L } from './limits.ts';
import { deriveResult, deriveStatus, deriveSummary } from './outcome.ts';
import { STOP_CODE_LIST } from './stop-codes.ts';
import { MAX_SHARDS } from '../options/values.ts';

export const SCHEMA_VERSION = 1;
export const TOOL_NAME = 'reliability-smoke';

export const FAILURE_KINDS = ['assertion', 'timeout', 'navigation', 'script-error', 'browser', 'config'] as const;
export const FIXTURE_STATUSES = ['passed', 'failed', 'flaky', 'skipped'] as const;
export const MODES = ['full', 'selected', 'rerun-failed'] as const;
/** Why a rerun ran a fixture: it failed in the source, never ran there, or is new or changed since (rerun-include). */
export const RERUN_REASONS = ['failed', 'not-run', 'new', 'changed'] as const;
/** Why a rerun left a fixture out of its verdict: new or changed since the source, and not asked for by rerun-include. */
export const NOT_COVERED_REASONS = ['new', 'changed'] as const;

const Text = z.string().max(L.maxShortTextChars);
const Message = z.string().max(L.maxMessageChars);
const NullableText = Text.nullable();
const IsoTime = z.iso.datetime({ offset: true });
const Millis = z.number().nonnegative().max(7 * 24 * 3600 * 1000);
const Count = z.number().int().nonnegative();
const FixtureId = z.string().regex(FIXTURE_ID_PATTERN).max(200);

/** Evidence paths are relative to the report folder and may not climb out of it. */
export const EVIDENCE_PATH_PATTERN = /^failures\/[a-z0-9][a-z0-9._-]*\/attempt-\d+\.(png|html|log)$/;

const EvidencePath = z
  .string()
  .max(500)
  .regex(EVIDENCE_PATH_PATTERN, {
    message: 'must be failures/<fixture-id>/attempt-<n>.png|html|log',
  })
  .nullable();

export const FailureKind = z.enum(FAILURE_KINDS);

export const AttemptError = z.object({
  kind: FailureKind,
  message: Message,
});

const PageLogText = z.string().max(L.maxPageLogTextChars);
/** Why an entry does not count against the fixture (a request the browser made by itself…), or null when it counts. */
const NotCounted = Text.nullable();

/**
 * What the page logged during a failed attempt, in the order it happened: enough to see at a glance why the page
 * broke (HTML report, carried-over and merged results) without the attempt's .log file, which keeps everything.
 */
export const PageLog = z.object({
  /** console.* messages, and uncaught page errors with type "uncaught". Errors are kept before other messages. */
  console: z
    .array(
      z.object({
        atMs: Millis,
        type: z.string().max(32),
        text: PageLogText,
        /** "url:line:column" of the code that logged it, when known. */
        location: PageLogText.nullable(),
        ignored: NotCounted,
      }),
    )
    .max(L.maxPageLogEntries),
  /** Requests that failed at the network level or answered with an HTTP error (the main document's aside). */
  failedRequests: z
    .array(
      z.object({
        atMs: Millis,
        method: z.string().max(32),
        url: PageLogText,
        resourceType: z.string().max(32),
        /** "net::ERR_CONNECTION_REFUSED" or "HTTP 404 Not Found". */
        failure: PageLogText,
        ignored: NotCounted,
      }),
    )
    .max(L.maxPageLogEntries),
  /** Entries left out for the limits; the attempt's .log keeps up to 500 of each kind. */
  omitted: Count,
});

export const Attempt = z.object({
  attempt: z.number().int().min(1),
  status: z.enum(['passed', 'failed']),
  startedAt: IsoTime,
  durationMs: Millis,
  error: AttemptError.nullable(),
  evidence: z
    .object({
      screenshot: EvidencePath,
      html: EvidencePath,
      log: EvidencePath,
      /** Only when the screenshot does not show the whole page (taller than the cap): where it was cut. */
      screenshotNote: Message.optional(),
    })
    .nullable(),
  /** Failed attempts only; absent in reports written before it was recorded, and when the attempt was cut off (browser gone). */
  pageLog: PageLog.optional(),
});

export const CarriedOverFrom = z.object({
  runId: NullableText,
  runAttempt: z.number().int().min(1).nullable(),
  artifactName: NullableText,
  sha: NullableText,
});

export const FixtureResult = z
  .object({
    id: FixtureId,
    title: NullableText,
    file: Text,
    line: z.number().int().min(1),
    tags: z.array(Text).max(L.maxListItems),
    url: z.string().max(L.maxShortTextChars).nullable(),
    status: z.enum(FIXTURE_STATUSES),
    attempts: z.array(Attempt).max(L.maxAttemptsPerFixture),
    durationMs: Millis,
    skipReason: NullableText,
    /**
     * Why a skipped fixture did not run: "fixture", its file parks it (`skip: "reason"`); "run", the run ended before
     * it (suite timeout, cancellation, no browser), so a rerun runs it. Absent when not skipped, and in reports
     * written before fixtures could be parked, where every skip is "run".
     */
    skippedBy: z.enum(['fixture', 'run']).optional(),
    carriedOver: CarriedOverFrom.nullable(),
    recovered: z.boolean(),
    /** Short sha256 of the fixture's definition when it ran. Absent in reports written before fingerprints. */
    fingerprint: z.string().regex(FINGERPRINT_PATTERN).optional(),
    /** Why a rerun ran this fixture. Absent when it was not run by a rerun (and in older reports). */
    rerunReason: z.enum(RERUN_REASONS).optional(),
  })
  .superRefine((fixture, ctx) => {
    if (fixture.skippedBy !== undefined && fixture.status !== 'skipped') {
      ctx.addIssue({ code: 'custom', path: ['skippedBy'], message: `is set, but the fixture is "${fixture.status}", not skipped` });
    }
    const derived = deriveStatus(fixture.attempts);
    if (derived !== fixture.status) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `says "${fixture.status}" but its attempts make it "${derived}"`,
      });
    }
  });

export const RerunSource = z.object({
  runId: NullableText,
  runAttempt: z.number().int().min(1).nullable(),
  artifactId: NullableText,
  artifactName: NullableText,
  /** Link to the source run, when it is known. */
  url: NullableText,
  /** The report file, for a local rerun. */
  path: NullableText,
  sha: NullableText,
  /** sha256 of the source report.json bytes, as "sha256:<hex>". */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  carryOver: z.boolean(),
  carryOverNote: Text,
});

export const PreflightDiagnostic = z.object({
  /** What stopped the run: one of the stop codes (stop-codes.ts), each documented in the README. */
  code: z.enum(STOP_CODE_LIST),
  /** "error" stops the run and fails it; "notice" stops the run without failing it (if-nothing-to-rerun: pass). */
  severity: z.enum(['error', 'notice']),
  message: Message,
  problems: z.array(Message).max(L.maxListItems),
  guidance: z.array(Message).max(50),
  fallback: z
    .object({
      fixtureIds: z.array(FixtureId).max(L.maxFixtures),
      cliCommand: Message,
      actionInput: Message,
      fullRun: Message,
    })
    .nullable(),
});

export const RunContext = z.object({
  repository: NullableText,
  workflow: NullableText,
  runId: NullableText,
  runAttempt: z.number().int().min(1).nullable(),
  sha: NullableText,
  /** The commit under test as a check run sees it: a pull request's head, where `sha` is its merge commit. */
  headSha: NullableText.optional(),
  ref: NullableText,
  event: NullableText,
  serverUrl: NullableText,
});

export const Summary = z.object({
  total: Count,
  passed: Count,
  failed: Count,
  flaky: Count,
  skipped: Count,
  carriedOver: Count,
  recovered: Count,
});

// Sharding: a shard's own report records which part it ran and how the partition was made; a merged report
// lists the shards it merged and every problem that keeps it from vouching for the whole suite.

const ShardNumber = z.number().int().min(1).max(MAX_SHARDS);
const Sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const Partition = z.object({
  /** Everything that was partitioned (the selection), in suite order. */
  fixtureIds: z.array(FixtureId).max(L.maxFixtures),
  balancedBy: z.enum(['duration', 'count']),
  /** The report the durations came from (the previous run's), or null when balanced by count. */
  durationSource: z.object({ runId: NullableText, digest: Sha256 }).nullable(),
  /** sha256 of the whole partition: the number of parts and the ids of each. Every shard of one run has the same. */
  fingerprint: Sha256,
});

export const ShardOfReport = z
  .object({
    index: ShardNumber,
    total: ShardNumber,
    /** The part this shard ran, in suite order. */
    fixtureIds: z.array(FixtureId).max(L.maxFixtures),
    /** Null when the run stopped before its selection was known. */
    partition: Partition.nullable(),
  })
  .refine((shard) => shard.index <= shard.total, { path: ['index'], message: 'is greater than total' });

export const MergedShard = z.object({
  index: ShardNumber,
  total: ShardNumber,
  /** merged: its report is in; missing: no artifact (or file) for it; invalid: its report could not be read; stopped: it ran no fixture. */
  status: z.enum(['merged', 'missing', 'invalid', 'stopped']),
  job: NullableText,
  attempt: z.number().int().min(1).nullable(),
  artifactId: z.string().regex(/^\d{1,20}$/).nullable(),
  artifactName: NullableText,
  fingerprint: Sha256.nullable(),
  counts: z.object({ total: Count, passed: Count, failed: Count, flaky: Count, skipped: Count }).nullable(),
  result: z.enum(['pass', 'fail']).nullable(),
  /** Its failed fixtures, so a reader knows whose artifact holds their evidence. */
  failedFixtureIds: z.array(FixtureId).max(L.maxFixtures),
});

export const MergeProblem = z.object({
  /** One of the stop codes: shard-missing, shard-fingerprint-mismatch… or the code a shard itself stopped with. */
  code: z.enum(STOP_CODE_LIST),
  message: Message,
  shard: ShardNumber.nullable(),
  /** The fixtures it concerns: a later rerun runs them again. */
  fixtureIds: z.array(FixtureId).max(L.maxFixtures),
});

// History and quarantine: each fixture's last outcomes, carried from report to report, and the fixtures whose
// failures do not fail this run.

const HistoryId = z.string().max(L.maxHistoryIdChars).nullable();

export const HistoryOutcome = z.object({
  /** The run (and attempt) that gave this outcome; null for a local run. */
  runId: HistoryId,
  attempt: z.number().int().min(1).nullable(),
  sha: HistoryId,
  status: z.enum(FIXTURE_STATUSES),
  /** When that run started. */
  at: IsoTime,
});

export const History = z
  .object({
    /** The report the earlier outcomes came from; null when the history starts with this run. */
    source: z.object({ runId: NullableText, runAttempt: z.number().int().min(1).nullable(), digest: Sha256 }).nullable(),
    /** Fixtures of the current suite, each with its last outcomes, oldest first. */
    fixtures: z
      .array(z.object({ id: FixtureId, outcomes: z.array(HistoryOutcome).max(L.maxHistoryPerFixture) }))
      .max(L.maxFixtures),
  })
  .superRefine((history, ctx) => {
    const entries = history.fixtures.reduce((total, fixture) => total + fixture.outcomes.length, 0);
    if (entries > L.maxHistoryEntries) {
      ctx.addIssue({ code: 'custom', path: ['fixtures'], message: `holds ${entries} outcomes, more than ${L.maxHistoryEntries}` });
    }
    const ids = new Set<string>();
    history.fixtures.forEach((fixture, index) => {
      if (ids.has(fixture.id)) ctx.addIssue({ code: 'custom', path: ['fixtures', index, 'id'], message: `"${fixture.id}" appears twice` });
      ids.add(fixture.id);
    });
  });

export const QuarantinedFixture = z.object({
  id: FixtureId,
  /** manual: the fixture says `quarantine: true`; auto: its flake rate reached the threshold. */
  reason: z.enum(['manual', 'auto']),
  /** Its flake rate over `runs` runs of its history before this run (null with no history). */
  rate: z.number().min(0).max(1).nullable(),
  runs: Count,
});

export const Quarantine = z.object({
  /** The quarantine input: off quarantines only fixtures that say so, auto also the flaky ones. */
  mode: z.enum(['off', 'auto']),
  threshold: z.number().gt(0).max(1),
  fixtures: z.array(QuarantinedFixture).max(L.maxFixtures),
});

export const NotCoveredFixture = z.object({
  id: FixtureId,
  reason: z.enum(NOT_COVERED_REASONS),
  file: Text,
  line: z.number().int().min(1),
});

export const Report = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.object({ name: z.literal(TOOL_NAME), version: Text }),
    mode: z.enum(MODES),
    run: RunContext,
    startedAt: IsoTime,
    durationMs: Millis,
    baseUrl: NullableText,
    options: z.object({
      retries: Count,
      concurrency: z.number().int().min(1),
      timeoutMs: Millis,
      suiteTimeoutMs: Millis.nullable(),
      failOnFlaky: z.boolean(),
    }),
    selection: z.object({
      fixturesDir: Text,
      patterns: z.array(Text).max(L.maxListItems),
      tags: z.array(Text).max(L.maxListItems),
      /** Fixtures with any of these tags were left out (exclude-tags). Absent in reports written before it existed. */
      excludeTags: z.array(Text).max(L.maxListItems).optional(),
      /** What `!pattern` and exclude-tags left out of what the patterns and tags picked; they are not in `fixtures`. */
      excluded: z.array(FixtureId).max(L.maxFixtures).optional(),
      sample: Count.nullable(),
      sampleSeed: NullableText,
      selected: z.array(FixtureId).max(L.maxFixtures),
      missing: z.array(Text).max(L.maxFixtures),
      source: RerunSource.nullable(),
    }),
    fixtures: z.array(FixtureResult).max(L.maxFixtures),
    summary: Summary,
    result: z.enum(['pass', 'fail']),
    interrupted: z
      .object({ reason: z.enum(['suite-timeout', 'browser-unavailable', 'cancelled']), message: Message })
      .nullable(),
    preflight: PreflightDiagnostic.nullable(),
    warnings: z.array(Message).max(L.maxListItems),
    /** A shard's report (shard: i/n). Absent in every other report. */
    shard: ShardOfReport.optional(),
    /** A merged report: every shard it expected, merged or not. Absent in every other report. */
    shards: z.array(MergedShard).max(MAX_SHARDS).optional(),
    /** A merged report: what keeps it from vouching for the whole suite; any makes the result fail. */
    mergeProblems: z.array(MergeProblem).max(L.maxListItems).optional(),
    /** Each fixture's last outcomes. Absent in reports written before the history was kept. */
    history: History.optional(),
    /** The fixtures whose failure does not fail this run, and why. Absent in reports written before quarantine. */
    quarantine: Quarantine.optional(),
    /**
     * A rerun: the fixtures new or changed since its source that it neither ran nor carried over, so its verdict
     * does not cover them. Absent when there are none (and in older reports).
     */
    notCovered: z.array(NotCoveredFixture).max(L.maxFixtures).optional(),
  })
  .superRefine((report, ctx) => {
    const summary = deriveSummary(report.fixtures);
    for (const key of Object.keys(summary) as (keyof typeof summary)[]) {
      if (summary[key] !== report.summary[key]) {
        ctx.addIssue({
          code: 'custom',
          path: ['summary', key],
          message: `is ${report.summary[key]} but the fixtures give ${summary[key]}`,
        });
      }
    }
    const result = deriveResult(report);
    if (result !== report.result) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: `says "${report.result}" but the run gives "${result}"` });
    }
    const ids = new Set<string>();
    report.fixtures.forEach((fixture, index) => {
      if (ids.has(fixture.id)) {
        ctx.addIssue({ code: 'custom', path: ['fixtures', index, 'id'], message: `"${fixture.id}" appears twice` });
      }
      ids.add(fixture.id);
    });
  })
  .meta({ title: 'reliability-smoke report', description: 'report.json written by reliability-smoke (schemaVersion 1).' });

export type FailureKind = z.infer<typeof FailureKind>;
export type AttemptError = z.infer<typeof AttemptError>;
export type Attempt = z.infer<typeof Attempt>;
export type PageLog = z.infer<typeof PageLog>;
export type FixtureResult = z.infer<typeof FixtureResult>;
export type FixtureStatus = FixtureResult['status'];
export type RerunSource = z.infer<typeof RerunSource>;
export type PreflightDiagnostic = z.infer<typeof PreflightDiagnostic>;
export type RunContext = z.infer<typeof RunContext>;
export type Summary = z.infer<typeof Summary>;
export type Report = z.infer<typeof Report>;
export type Mode = Report['mode'];
export type Partition = z.infer<typeof Partition>;
export type ShardOfReport = z.infer<typeof ShardOfReport>;
export type MergedShard = z.infer<typeof MergedShard>;
export type MergeProblem = z.infer<typeof MergeProblem>;
export type HistoryOutcome = z.infer<typeof HistoryOutcome>;
export type History = z.infer<typeof History>;
export type QuarantinedFixture = z.infer<typeof QuarantinedFixture>;
export type Quarantine = z.infer<typeof Quarantine>;
export type NotCoveredFixture = z.infer<typeof NotCoveredFixture>;
export type RerunReason = (typeof RERUN_REASONS)[number];

/**
 * A report this tool made, checked against its schema. One that fails is a bug in this tool: say where (the first
 * issues), rather than write or use something a rerun could not read back.
 */
export function checkedOwnReport(value: unknown, failure: string): Report {
  const parsed = Report.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
  throw new Error(`Internal error: ${failure}:\n${issues.join('\n')}`);
}

/** `$.fixtures[3].attempts[0].status`, the way people read JSON paths. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${text}.${name}` : `${text}[${JSON.stringify(name)}]`;
  }, '$');
}
