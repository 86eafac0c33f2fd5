/**
 * A big failing suite through the Action, run in-process against the loopback GitHub service, which
 * answers 422 like GitHub to more than 50 annotations in one request or a summary over 65,535 characters: 120
 * cheap failures (a `status: 201` expectation on a page that answers 200) with long titles, run once, then read
 * from several angles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { writeFixtures } from '../support/action-step.ts';
import type { CheckRun, GitHubService, LogEntry } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { html, type Site, startSite } from '../support/site.ts';

const FAILURES = 120;
const SHA = Buffer.from('many-failures'.padEnd(20, '.')).toString('hex');
/** The first fixture's `- id:` is on line 2, and each fixture takes 5 lines. */
const lineOf = (index: number) => 2 + 5 * index;
const idOf = (index: number) => `page-${String(index).padStart(3, '0')}`;

/** Long enough that 120 table rows are far over 65,535 characters, far under the job summary's 1 MiB. */
const titleOf = (index: number) => `Checkout keeps the basket after step ${index}: ${'the pay button shows and the total adds up, '.repeat(20)}`.trim();

function suiteYaml(): string {
  const entries = Array.from(
    { length: FAILURES },
    (_, index) => `  - id: ${idOf(index)}
    title: "${titleOf(index)}"
    url: /
    expect:
      status: 201`,
  );
  return `fixtures:\n${entries.join('\n')}\n`;
}

let service: GitHubService;
let site: Site;
let run: ActionStep;
let checkRun: CheckRun;
let requests: LogEntry[];

before(
  async () => {
    service = await startInProcessGitHub();
    site = await startSite({ '/': html('<h1>Home</h1>', 'Home') });
    const from = service.log.length;
    run = await runActionInProcess(service, {
      env: { runId: 6101, jobId: 'smoke', sha: SHA },
      inputs: { 'base-url': site.url, retries: '0', concurrency: '8' },
      workspace: (dir) => writeFixtures(dir, { 'checkout.smoke.yml': suiteYaml() }),
    });
    requests = service.log.slice(from);
    assert.ok(run.failure, logOf(run).slice(-8000));
    assert.equal(run.outputs[Outputs.Failed], String(FAILURES));
    const found = service.checkRuns.filter((candidate) => candidate.headSha === SHA);
    assert.equal(found.length, 1, 'one check run on the commit');
    checkRun = found[0]!;
  },
  { timeout: 240_000 },
);

after(async () => {
  await site?.close();
  await service?.stop();
});

describe('120 failing fixtures', () => {
  it('reach the check run in three annotation batches of 50, 50 and 20, and only the last request completes it', { timeout: 10_000 }, () => {
    assert.deepEqual(
      checkRun.requests.map((request) => [
        request.method,
        request.body.status ?? null,
        request.body.conclusion ?? null,
        (request.body.output as { annotations?: unknown[] } | undefined)?.annotations?.length ?? 0,
      ]),
      [
        ['POST', 'in_progress', null, 0],
        ['PATCH', null, null, 50],
        ['PATCH', null, null, 50],
        ['PATCH', 'completed', 'failure', 20],
      ],
    );
    assert.equal(checkRun.conclusion, 'failure');
    assert.equal(checkRun.output.title, '120 failed, 0 passed');
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
  });

  it('every batch is accepted, and every failure is annotated once at its file and line', { timeout: 10_000 }, () => {
    const checkRunRequests = requests.filter((entry) => entry.path.includes('/check-runs'));
    assert.deepEqual(
      checkRunRequests.map((entry) => entry.status),
      [201, 200, 200, 200],
      'no request was refused (the service answers 422 above 50 annotations or 65,535 characters)',
    );
    const annotated = checkRun.annotations
      .map((annotation) => [annotation.path, annotation.start_line, annotation.annotation_level] as const)
      .sort((a, b) => a[1] - b[1]);
    assert.deepEqual(
      annotated,
      Array.from({ length: FAILURES }, (_, index) => ['fixtures/checkout.smoke.yml', lineOf(index), 'failure'] as const),
    );
  });

  it('the check run shows the job summary cut to 65,535 characters with a note, while the job summary keeps every row', { timeout: 10_000 }, () => {
    const summary = checkRun.output.summary ?? '';
    const rows = (text: string) => text.split('\n').filter((line) => line.startsWith('| `page-'));
    assert.equal(rows(run.summary).length, FAILURES, 'the job summary has every row');
    assert.ok(run.summary.length > 65_535, `the job summary is ${run.summary.length} characters`);
    assert.ok(summary.length <= 65_535, `the check run summary is ${summary.length} characters`);
    const shown = rows(summary);
    assert.ok(shown.length > 0 && shown.length < FAILURES, `${shown.length} rows shown`);
    assert.deepEqual(shown, rows(run.summary).slice(0, shown.length), 'a cut of the same rows, in the same order');
    const note = summary.split('\n').find((line) => line.includes('This summary was cut'));
    // The one later section is the warnings (this first run's history starts afresh): left out, and the note says so.
    assert.match(
      note ?? '(no note)',
      new RegExp(
        `cut to stay within 65,535 characters\\.\\*\\* It shows ${shown.length} of ${FAILURES} fixture rows and leaves out 1 later section\\. ` +
          'Every result is in `report\\.json` in the artifact',
      ),
    );
    const head = run.summary.slice(0, run.summary.indexOf('### Fixtures'));
    assert.ok(summary.startsWith(head), 'the verdict and counts come first, as in the job summary');
    assert.equal(run.summary.includes('This summary was cut'), false, 'the job summary itself was not cut');
  });
});
