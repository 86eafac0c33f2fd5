/**
 * The check run publisher (src/action/check-run.ts) through its ChecksApi seam: a small in-memory checks API
 * that validates requests with the loopback GitHub service's rules (at most 50 annotations, text at most 65,535
 * characters, a conclusion when completed…) and can refuse or fail chosen requests. No module is patched.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CheckAnnotation,
  type CheckRunOutput,
  type ChecksApi,
  createCheckRunPublisherWith,
} from '../../src/action/check-run.ts';
import { CHECK_RUN_TEXT_MAX_CHARS, renderJobSummary } from '../../src/render/job-summary.ts';
import type { SmokeOutcome } from '../../src/engine/run-smoke.ts';
import { buildReport } from '../../src/report/build.ts';
import type { Report } from '../../src/report/schema.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import type { Logger } from '../../src/common/types.ts';
import { attempt, baseInput, dataReport, loaded, run, suite } from '../support/report-helpers.ts';
import { validateCheckRunBody } from '../support/github-service/checks.ts';
import { GitHubError } from '../support/github-service/rest-common.ts';

const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const RUN_URL = 'https://github.com/acme/shop-web/actions/runs/13579246801';

interface Sent {
  method: 'create' | 'update';
  id: number | null;
  body: Record<string, unknown> & { output?: CheckRunOutput };
}

/** Fails the nth request (0-based, counting creates and updates together) with an HTTP status. */
interface Failure {
  at: number;
  status: number;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

/** An in-memory checks API: keeps every accepted request, refuses what GitHub would refuse with a 422. */
function memoryChecks(failures: Failure[] = []): ChecksApi & { sent: Sent[]; attempts: number } {
  const sent: Sent[] = [];
  const state = { attempts: 0 };
  const accept = (method: Sent['method'], id: number | null, body: Sent['body']) => {
    const at = state.attempts++;
    const failure = failures.find((candidate) => candidate.at === at);
    if (failure) throw new HttpError(failure.status);
    try {
      validateCheckRunBody(body, method);
    } catch (error) {
      throw error instanceof GitHubError ? new HttpError(error.status) : error;
    }
    sent.push({ method, id, body: structuredClone(body) });
  };
  return {
    sent,
    get attempts() {
      return state.attempts;
    },
    async create(params) {
      accept('create', null, params);
      return { id: 4242 };
    },
    async update(id, params) {
      accept('update', id, params);
    },
  };
}

function memoryLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, debug: () => {}, warn: (message) => warnings.push(message) };
}

function failingReport(failed: number, options: { passed?: number; title?: (index: number) => string } = {}): Report {
  const runs = [
    ...Array.from({ length: failed }, (_, i) =>
      run(loaded(`fail-${i}`, { file: 'fixtures/shop.smoke.yml', line: 10 + i, title: options.title?.(i) ?? `Failure ${i}` }), [
        attempt(`fail-${i}`, 1, { kind: 'assertion', message: `expected status 201, got 200 (${i})` }),
      ]),
    ),
    ...Array.from({ length: options.passed ?? 1 }, (_, i) => run(loaded(`pass-${i}`, { line: 500 + i }), [attempt(`pass-${i}`, 1)])),
  ];
  return buildReport(baseInput(suite(runs)));
}

function outcomeOf(report: Report): SmokeOutcome {
  const exitCode = report.preflight ? 2 : report.result === 'pass' ? 0 : 1;
  return { report, reportPath: '/tmp/r/report.json', junitPath: null, htmlPath: null, planPath: null, plan: null, selectedCount: report.fixtures.length, mode: report.mode, exitCode };
}

const viewOf = (report: Report) => summaryViewOf(report, { reportPath: '/tmp/r/report.json' });

function publisher(api: ChecksApi | null, logger: Logger = memoryLogger()) {
  return createCheckRunPublisherWith(api, 'reliability-smoke', HEAD_SHA, logger, RUN_URL);
}

/** Publishes a report the way the Action does: start when fixtures start, finish with the result. */
async function publishRun(api: ChecksApi, report: Report, logger: Logger = memoryLogger()): Promise<string | null> {
  const checks = publisher(api, logger);
  await checks.start(report.fixtures.length);
  return checks.finish(outcomeOf(report), viewOf(report));
}

const annotationsIn = (sent: Sent[]): CheckAnnotation[] => sent.flatMap((request) => request.body.output?.annotations ?? []);
const completing = (sent: Sent[]) => sent.filter((request) => request.body.status === 'completed');

describe('the check run of a run that starts fixtures', () => {
  test('is created in progress on the head commit, then completed as success with the job summary', async () => {
    const api = memoryChecks();
    const report = buildReport(baseInput(suite([run(loaded('home'), [attempt('home', 1)]), run(loaded('about'), [attempt('about', 1)])])));
    const checks = publisher(api);
    await checks.start(2);
    assert.equal(api.sent.length, 1, 'created as soon as fixtures start');
    const { started_at: startedAt, ...created } = api.sent[0]?.body ?? {};
    assert.match(String(startedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'started_at is an ISO timestamp');
    assert.deepEqual(created, {
      name: 'reliability-smoke',
      head_sha: HEAD_SHA,
      status: 'in_progress',
      details_url: RUN_URL,
      output: { title: 'Running 2 fixtures', summary: 'reliability-smoke is running.' },
    });
    const id = await checks.finish(outcomeOf(report), viewOf(report));
    assert.equal(id, '4242');
    assert.equal(api.sent.length, 2);
    const done = api.sent[1];
    assert.equal(done?.method, 'update');
    assert.equal(done?.id, 4242);
    assert.equal(done?.body.conclusion, 'success');
    assert.equal(done?.body.output?.title, '2 passed');
    assert.equal(done?.body.output?.summary, renderJobSummary(viewOf(report)), 'the same text as the job summary');
    assert.deepEqual(done?.body.output?.annotations, []);
  });

  test('a failure completes it as failure with an annotation at the fixture file and line', async () => {
    const api = memoryChecks();
    const id = await publishRun(api, failingReport(1, { passed: 2 }));
    assert.equal(id, '4242');
    const done = completing(api.sent);
    assert.equal(done.length, 1);
    assert.equal(done[0]?.body.conclusion, 'failure');
    assert.equal(done[0]?.body.output?.title, '1 failed, 2 passed');
    assert.deepEqual(annotationsIn(api.sent), [
      {
        path: 'fixtures/shop.smoke.yml',
        start_line: 10,
        end_line: 10,
        annotation_level: 'failure',
        title: 'Smoke fixture fail-0 failed (assertion)',
        message: annotationsIn(api.sent)[0]?.message ?? '',
      },
    ]);
    assert.match(annotationsIn(api.sent)[0]?.message ?? '', /expected status 201, got 200/);
  });

  test('120 failures go in three batches of 50, 50 and 20, and only the last request completes it', async () => {
    const api = memoryChecks();
    await publishRun(api, failingReport(120));
    assert.deepEqual(
      api.sent.map((request) => [request.method, request.body.status ?? null, request.body.output?.annotations?.length ?? 0]),
      [
        ['create', 'in_progress', 0],
        ['update', null, 50],
        ['update', null, 50],
        ['update', 'completed', 20],
      ],
    );
    assert.equal(api.sent.at(-1)?.body.conclusion, 'failure');
    assert.ok(api.sent.slice(0, -1).every((request) => request.body.conclusion === undefined), 'nothing completes it early');
    const lines = annotationsIn(api.sent).map((annotation) => annotation.start_line);
    assert.deepEqual(lines, Array.from({ length: 120 }, (_, i) => 10 + i), 'every failure once, in order');
    assert.equal(api.sent.at(-1)?.body.output?.title, '120 failed, 1 passed');
  });

  test('1,234 failures send at most 500 annotations in 10 requests, and the summary says how many more are in the artifact', async () => {
    const api = memoryChecks();
    await publishRun(api, failingReport(1234));
    assert.deepEqual(
      api.sent.map((request) => request.body.output?.annotations?.length ?? 0),
      [0, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50],
      'one create, then ten batches of 50: 11 requests, not 26',
    );
    assert.equal(api.sent.at(-1)?.body.status, 'completed');
    assert.deepEqual(
      annotationsIn(api.sent).map((annotation) => annotation.start_line),
      Array.from({ length: 500 }, (_, i) => 10 + i),
      'the first 500 failures, in order',
    );
    const summary = api.sent.at(-1)?.body.output?.summary ?? '';
    assert.ok(summary.length <= CHECK_RUN_TEXT_MAX_CHARS, `${summary.length} characters`);
    assert.match(summary, /734 more annotations are not on this check run\*\*: it carries the first 500/);
    assert.match(summary, /Every result is in `report\.json`/);
  });

  test('exactly 500 failures are all annotated, with no note', async () => {
    const api = memoryChecks();
    await publishRun(api, failingReport(500));
    assert.equal(annotationsIn(api.sent).length, 500);
    assert.doesNotMatch(api.sent.at(-1)?.body.output?.summary ?? '', /not on this check run/);
  });

  test('exactly 50 failures fit in the completing request', async () => {
    const api = memoryChecks();
    await publishRun(api, failingReport(50));
    assert.deepEqual(
      api.sent.map((request) => [request.method, request.body.status ?? null, request.body.output?.annotations?.length ?? 0]),
      [
        ['create', 'in_progress', 0],
        ['update', 'completed', 50],
      ],
    );
  });

  test('a flaky fixture is a warning annotation and counts in the title', async () => {
    const api = memoryChecks();
    const report = dataReport('report-failing-flaky.json');
    await publishRun(api, report);
    const levels = annotationsIn(api.sent).map((annotation) => [annotation.path, annotation.start_line, annotation.annotation_level]);
    assert.deepEqual(levels, [
      ['fixtures/home.smoke.yml', 26, 'failure'],
      ['fixtures/pages.smoke.yaml', 14, 'failure'],
      ['fixtures/login.smoke.yml', 3, 'warning'],
    ]);
    assert.equal(completing(api.sent)[0]?.body.output?.title, '2 failed, 1 flaky, 4 passed');
  });

  test('a rerun shows its merged verdict with the recovered count', async () => {
    const api = memoryChecks();
    await publishRun(api, dataReport('report-rerun-same-sha.json'));
    const done = completing(api.sent)[0];
    assert.equal(done?.body.output?.title, '1 failed, 1 flaky, 5 passed, 1 recovered');
    assert.match(done?.body.output?.summary ?? '', /🔁 Recovered \(1\): `home-help-menu`/);
  });

  test('a summary over 65,535 characters is cut for the check run with a note, and GitHub accepts it', async () => {
    const api = memoryChecks();
    const report = failingReport(120, { title: (i) => `Checkout step ${i} `.repeat(60) });
    const jobSummary = renderJobSummary(viewOf(report));
    assert.ok(jobSummary.length > CHECK_RUN_TEXT_MAX_CHARS, `the job summary is ${jobSummary.length} characters`);
    await publishRun(api, report);
    const summary = completing(api.sent)[0]?.body.output?.summary ?? '';
    assert.ok(summary.length <= CHECK_RUN_TEXT_MAX_CHARS, `${summary.length} characters`);
    const note = summary.split('\n').find((line) => line.includes('This summary was cut'));
    assert.match(note ?? '(no cut note)', /cut to stay within 65,535 characters\.\*\* It shows \d+ of 121 fixture rows\. Every result is in/);
    const head = jobSummary.slice(0, jobSummary.indexOf('### Fixtures'));
    assert.ok(summary.startsWith(head), 'the verdict and counts come first, as in the job summary');
    assert.equal(annotationsIn(api.sent).length, 120, 'the cut never drops annotations');
  });
});

describe('the check run of a run that never started fixtures', () => {
  test('report-only with 120 failures: created in progress with the first batch, the last batch completes it', async () => {
    const api = memoryChecks();
    const report = failingReport(120);
    const id = await publisher(api).finish(outcomeOf(report), viewOf(report));
    assert.equal(id, '4242');
    assert.deepEqual(
      api.sent.map((request) => [request.method, request.body.status ?? null, request.body.output?.annotations?.length ?? 0]),
      [
        ['create', 'in_progress', 50],
        ['update', null, 50],
        ['update', 'completed', 20],
      ],
    );
    assert.equal(api.sent[0]?.body.head_sha, HEAD_SHA);
    assert.equal(api.sent.at(-1)?.body.conclusion, 'failure');
  });

  test('with at most 50 annotations it is created completed in one request', async () => {
    const api = memoryChecks();
    const report = failingReport(3);
    await publisher(api).finish(outcomeOf(report), viewOf(report));
    assert.equal(api.sent.length, 1);
    assert.equal(api.sent[0]?.body.status, 'completed');
    assert.equal(api.sent[0]?.body.conclusion, 'failure');
    assert.equal(api.sent[0]?.body.output?.annotations?.length, 3);
  });

  test('a dry run completes it as neutral', async () => {
    const api = memoryChecks();
    const outcome: SmokeOutcome = { report: null, reportPath: null, junitPath: null, htmlPath: null, planPath: '/tmp/r/plan.json', plan: null, selectedCount: 4, mode: 'full', exitCode: 0 };
    await publisher(api).finish(outcome, null);
    assert.equal(api.sent.length, 1);
    assert.equal(api.sent[0]?.body.conclusion, 'neutral');
    assert.equal(api.sent[0]?.body.output?.title, 'Dry run: 4 fixtures would run');
  });

  test('a run stopped in preflight completes it as failure and says why', async () => {
    const api = memoryChecks();
    const report = dataReport('report-preflight-no-artifact.json');
    await publisher(api).finish(outcomeOf(report), viewOf(report));
    assert.equal(api.sent[0]?.body.conclusion, 'failure');
    assert.equal(api.sent[0]?.body.output?.title, 'Stopped before running fixtures: no-artifact');
  });
});

describe('when GitHub refuses or fails', () => {
  for (const status of [403, 404]) {
    test(`a ${status} on creation is one warning naming checks: write, and nothing more is sent`, async () => {
      const api = memoryChecks([{ at: 0, status }]);
      const logger = memoryLogger();
      const id = await publishRun(api, failingReport(120), logger);
      assert.equal(id, null);
      assert.equal(api.attempts, 1, 'no request after the refusal');
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0] ?? '', new RegExp(`\\(${status}\\).*checks: write`));
    });
  }

  test('a 403 on an annotation batch is still one warning, and no further batch is sent', async () => {
    const api = memoryChecks([{ at: 1, status: 403 }]);
    const logger = memoryLogger();
    const id = await publishRun(api, failingReport(120), logger);
    assert.equal(id, null);
    assert.equal(api.attempts, 2);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', /checks: write/);
  });

  test('a refusal when the run never started is one warning too', async () => {
    const api = memoryChecks([{ at: 0, status: 403 }]);
    const logger = memoryLogger();
    const report = failingReport(120);
    assert.equal(await publisher(api, logger).finish(outcomeOf(report), viewOf(report)), null);
    assert.equal(api.attempts, 1);
    assert.equal(logger.warnings.length, 1);
  });

  test('a server error when fixtures start is retried with the result', async () => {
    const api = memoryChecks([{ at: 0, status: 502 }]);
    const logger = memoryLogger();
    const id = await publishRun(api, failingReport(2), logger);
    assert.equal(id, '4242');
    assert.equal(api.sent.length, 1);
    assert.equal(api.sent[0]?.body.status, 'completed');
    assert.equal(api.sent[0]?.body.conclusion, 'failure');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', /could not be created when fixtures started \(HTTP 502\)/);
  });

  test('a failed annotation batch still completes the check run, and says how many annotations are missing', async () => {
    const api = memoryChecks([{ at: 2, status: 500 }]);
    const logger = memoryLogger();
    const id = await publishRun(api, failingReport(120), logger);
    assert.equal(id, '4242');
    assert.deepEqual(
      api.sent.map((request) => [request.method, request.body.status ?? null, request.body.output?.annotations?.length ?? 0]),
      [
        ['create', 'in_progress', 0],
        ['update', null, 50],
        ['update', 'completed', 0],
      ],
    );
    assert.equal(api.sent.at(-1)?.body.conclusion, 'failure');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', /^70 annotations were not added to the check run \(HTTP 500\)/);
  });

  test('a failure to complete it is thrown, for the Action to report', async () => {
    const api = memoryChecks([{ at: 1, status: 500 }]);
    await assert.rejects(publishRun(api, failingReport(2)), /HTTP 500/);
  });
});

describe('when the check run is off', () => {
  test('no name, token or commit: nothing is sent and there is no id', async () => {
    const report = failingReport(2);
    for (const [api, name, sha] of [
      [null, 'reliability-smoke', HEAD_SHA],
      [memoryChecks(), null, HEAD_SHA],
      [memoryChecks(), 'reliability-smoke', null],
    ] as const) {
      const checks = createCheckRunPublisherWith(api, name, sha, memoryLogger(), null);
      await checks.start(2);
      assert.equal(await checks.finish(outcomeOf(report), viewOf(report)), null);
      assert.equal(api?.attempts ?? 0, 0);
    }
  });
});
