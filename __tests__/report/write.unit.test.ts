import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildPlan } from '../../src/report/plan.ts';
import { readReportFile } from '../../src/rerun/source-report.ts';
import { finishWith } from '../../src/engine/outcome.ts';
import { writePlan } from '../../src/report/write.ts';
import { context, dataReport, loaded } from '../support/report-helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'report-write-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  test('creates the folder and writes report.json (pretty), junit.xml and report.html, leaving no temp files', async () => {
    const reportDir = path.join(dir, 'nested', 'smoke-report');
    const report = dataReport('report-failing-flaky.json');
    const written = await finishWith(report, reportDir, 0, { context: null });
    assert.equal(written.reportPath, path.join(reportDir, 'report.json'));
    const text = await readFile(written.reportPath!, 'utf8');
    assert.match(text, /^\{\n {2}"schemaVersion": 1,\n/);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual((await readReportFile(written.reportPath!)).report, report);
    assert.match(await readFile(written.junitPath!, 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.deepEqual((await readdir(reportDir)).sort(), ['junit.xml', 'report.html', 'report.json']);
  });

  test('an invalid report is refused and nothing is replaced', async () => {
    const reportDir = path.join(dir, 'refused');
    const good = dataReport('report-all-passed.json');
    await finishWith(good, reportDir, 0, { context: null });
    const before = await readFile(path.join(reportDir, 'report.json'), 'utf8');
    const contradicting = { ...good, result: 'fail' as const };
    await assert.rejects(finishWith(contradicting, reportDir, 0, { context: null }), /refusing to write a report that does not match its schema:\n\$\.result: says "fail"/);
    assert.equal(await readFile(path.join(reportDir, 'report.json'), 'utf8'), before);
    assert.deepEqual((await readdir(reportDir)).sort(), ['junit.xml', 'report.html', 'report.json']);
  });
});

describe('plan.json for a dry run', () => {
  const fixtures = [
    loaded('home', { url: '/', retries: 2 }),
    loaded('docs', { url: 'https://docs.example.com/start', timeout: 5_000 }),
    loaded('relative', { url: 'account/settings' }),
  ];
  const planInput = (baseUrl: string | null) => ({
    toolVersion: '0.1.0',
    mode: 'selected' as const,
    run: context(),
    createdAt: '2026-03-02T06:00:00.000Z',
    baseUrl,
    selection: { ...dataReport('report-all-passed.json').selection, patterns: ['home', 'docs', 'relative'] },
    fixtures,
    defaultRetries: 0,
    defaultTimeoutMs: 30_000,
    defaultExpectTimeoutMs: 5_000,
  });

  test('lists each fixture with its resolved URL, retries and timeout', () => {
    const plan = buildPlan(planInput('https://staging.example.com/app/'));
    assert.deepEqual(
      plan.fixtures.map((f) => [f.id, f.url, f.retries, f.timeoutMs]),
      [
        ['home', 'https://staging.example.com/', 2, 30_000],
        ['docs', 'https://docs.example.com/start', 0, 5_000],
        ['relative', 'https://staging.example.com/app/account/settings', 0, 30_000],
      ],
    );
    assert.equal(buildPlan(planInput(null)).fixtures[2]?.url, null, 'a relative URL without a base URL cannot be resolved');
  });

  test('is written as plan.json and never touches report.json', async () => {
    const reportDir = path.join(dir, 'dry');
    await finishWith(dataReport('report-failing-flaky.json'), reportDir, 0, { context: null });
    const before = await readFile(path.join(reportDir, 'report.json'));
    const planPath = await writePlan(reportDir, buildPlan(planInput('http://127.0.0.1:4173')));
    assert.equal(planPath, path.join(reportDir, 'plan.json'));
    assert.deepEqual(await readFile(path.join(reportDir, 'report.json')), before);
    const plan = JSON.parse(await readFile(planPath, 'utf8'));
    assert.equal(plan.dryRun, true);
    assert.equal(plan.fixtures.length, 3);
  });

  test('a dry run into an empty folder writes only plan.json', async () => {
    const reportDir = path.join(dir, 'dry-only');
    await writePlan(reportDir, buildPlan(planInput(null)));
    assert.deepEqual(await readdir(reportDir), ['plan.json']);
  });
});
