import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPORT_LIMITS } from '../../src/report/limits.ts';
import { MAX_LISTED_ISSUES, parseReportBytes, readReportFile, ReportReadError, type ReportReadFailure } from '../../src/rerun/source-report.ts';
import { dataPath } from '../support/report-helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'report-read-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, content);
  return target;
}

/** Runs `read` and returns the ReportReadError it must throw. */
async function failure(read: () => unknown, kind: ReportReadFailure): Promise<ReportReadError> {
  try {
    await read();
  } catch (error) {
    assert.ok(error instanceof ReportReadError, `expected a ReportReadError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a ${kind} failure, but the report was accepted`);
}

const failingText = () => readFile(dataPath('report-failing-flaky.json'), 'utf8');

describe('readReportFile', () => {
  test('returns the report, the sha256 of the exact bytes, and their size', async () => {
    const bytes = await readFile(dataPath('report-failing-flaky.json'));
    const read = await readReportFile(dataPath('report-failing-flaky.json'));
    assert.equal(read.digest, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.equal(read.bytes, bytes.byteLength);
    assert.equal(read.report.summary.failed, 2);
  });

  test('the same report written differently has another digest', async () => {
    const compact = await file('compact.json', JSON.stringify(JSON.parse(await failingText())));
    const pretty = await readReportFile(dataPath('report-failing-flaky.json'));
    const other = await readReportFile(compact);
    assert.deepEqual(other.report, pretty.report);
    assert.notEqual(other.digest, pretty.digest);
  });

  test('missing: a file that does not exist', async () => {
    const missing = path.join(dir, 'nope', 'report.json');
    const error = await failure(() => readReportFile(missing), 'missing');
    assert.match(error.message, /No report at .*nope\/report\.json: the file does not exist/);
    assert.equal(error.source, missing);
  });

  test('unreadable: a folder where the file should be', async () => {
    const error = await failure(() => readReportFile(dir), 'unreadable');
    assert.match(error.message, /is not a file/);
  });

  test('too-large: refused by its size before anything is parsed', async () => {
    // A sparse file of zeros: parsing it would say "not JSON", so "too-large" proves the size came first.
    const big = await file('big.json', '');
    await truncate(big, REPORT_LIMITS.maxReportBytes + 1);
    const error = await failure(() => readReportFile(big), 'too-large');
    assert.match(error.message, new RegExp(`is ${REPORT_LIMITS.maxReportBytes + 1} bytes, over the ${REPORT_LIMITS.maxReportBytes}-byte limit`));
    await failure(() => parseReportBytes(new Uint8Array(REPORT_LIMITS.maxReportBytes + 1), 'artifact report.json'), 'too-large');
  });

  test('not-json: says what is wrong and where', async () => {
    const broken = await file('broken.json', '{\n  "schemaVersion": 1,\n  "tool": tru\n}');
    const error = await failure(() => readReportFile(broken), 'not-json');
    assert.equal(error.message, `${broken} is not valid JSON: Unexpected token '\\n' (line 3, column 14, character 37).`);
  });

  test('not-json: an empty file, a cut-off file and bytes that are not UTF-8', async () => {
    const empty = await file('empty.json', '');
    assert.match((await failure(() => readReportFile(empty), 'not-json')).message, /the file is empty/);
    const cut = (await failingText()).slice(0, 500);
    assert.match((await failure(() => parseReportBytes(Buffer.from(cut), 'cut.json'), 'not-json')).message, /it ends too early/);
    const latin1 = new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d]);
    assert.match((await failure(() => parseReportBytes(latin1, 'latin1.json'), 'not-json')).message, /not valid UTF-8/);
  });

  test('unknown-schema-version: checked before the schema, naming the versions this release reads', async () => {
    const newer = await file('v2.json', JSON.stringify({ schemaVersion: 2, everything: 'different' }));
    const error = await failure(() => readReportFile(newer), 'unknown-schema-version');
    assert.match(error.message, /has schemaVersion 2, which this release of reliability-smoke does not know \(it reads schemaVersion 1\)/);
    assert.deepEqual(error.problems, [], 'no field errors for a version we do not know');
    await failure(() => parseReportBytes(Buffer.from('{"schemaVersion":"1"}')), 'unknown-schema-version');
  });

  test('schema-invalid: no schemaVersion, or not an object at all', async () => {
    assert.match((await failure(() => parseReportBytes(Buffer.from('{"fixtures":[]}'), 'x.json'), 'schema-invalid')).message, /has no schemaVersion/);
    assert.match((await failure(() => parseReportBytes(Buffer.from('[1,2]'), 'x.json'), 'schema-invalid')).message, /holds an array, not an object/);
  });

  test('schema-invalid: a report that contradicts itself lists each contradiction with its JSON path', async () => {
    const report = JSON.parse(await failingText());
    report.summary.failed = 0;
    report.result = 'pass';
    const error = await failure(() => parseReportBytes(Buffer.from(JSON.stringify(report)), 'edited.json'), 'schema-invalid');
    assert.deepEqual(error.problems, [
      '$.summary.failed: is 0 but the fixtures give 2',
      '$.result: says "pass" but the run gives "fail"',
    ]);
    assert.match(error.message, /edited\.json does not match the reliability-smoke report schema \(version 1\), 2 problems:/);
    assert.match(error.message, /\n {2}- \$\.summary\.failed: is 0 but the fixtures give 2/);
  });

  test('schema-invalid: a status its attempts do not give is not believed', async () => {
    const report = JSON.parse(await failingText());
    report.fixtures[2].status = 'passed';
    const error = await failure(() => parseReportBytes(Buffer.from(JSON.stringify(report))), 'schema-invalid');
    assert.ok(error.problems.includes('$.fixtures[2].status: says "passed" but its attempts make it "failed"'), error.problems.join('\n'));
  });

  test('schema-invalid: lists the first issues and says how many more there are', async () => {
    const report = JSON.parse(await failingText());
    for (const fixture of report.fixtures) {
      for (const attempt of fixture.attempts) Object.assign(attempt, { startedAt: 'yesterday', durationMs: -1, attempt: 0 });
    }
    const error = await failure(() => parseReportBytes(Buffer.from(JSON.stringify(report))), 'schema-invalid');
    assert.equal(error.problems.length, MAX_LISTED_ISSUES + 1);
    assert.match(error.problems.at(-1) ?? '', /^… and \d+ more$/);
    assert.match(error.problems[0] ?? '', /^\$\.fixtures\[0\]\.attempts\[0\]\.attempt: Too small/);
  });

  test('evidence paths that climb out of the report folder are rejected', async () => {
    const report = JSON.parse(await failingText());
    report.fixtures[2].attempts[0].evidence.log = '../../../etc/passwd';
    const error = await failure(() => parseReportBytes(Buffer.from(JSON.stringify(report))), 'schema-invalid');
    assert.ok(error.problems.some((p) => p.startsWith('$.fixtures[2].attempts[0].evidence.log: must be failures/')), error.problems.join('\n'));
  });

  test('JSON nested a million levels deep is a named failure, never a crash', async () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    const read = (text: string) => () => parseReportBytes(Buffer.from(text), 'deep.json');
    const array = await failure(read(deep), 'schema-invalid');
    assert.equal(array.message, 'deep.json is not a reliability-smoke report: it holds an array, not an object.');
    const version = await failure(read(`{"schemaVersion": ${deep}}`), 'unknown-schema-version');
    assert.match(version.message, /^deep\.json has schemaVersion \(an array\), which this release of reliability-smoke does not know/);
    const inside = await failure(read(`{"schemaVersion": 1, "fixtures": ${deep}}`), 'schema-invalid');
    assert.deepEqual(inside.problems, ['$: nested deeper than 64 levels (from line 1, column 97, character 96)']);
    const unclosed = await failure(read(`{"schemaVersion": 1, "fixtures": ${'['.repeat(1_000_000)}`), 'not-json');
    assert.match(unclosed.message, /is not valid JSON: .* \(it ends too early\)\.$/);
    const typo = await failure(read(`{"schemaVersion": 1, "tool": nul, "fixtures": ${deep}}`), 'not-json');
    assert.equal(typo.message, "deep.json is not valid JSON: Unexpected token ',' (line 1, column 33, character 32).");
    const deepTypo = await failure(read(`{"schemaVersion": 1, "fixtures": ${'['.repeat(1_000_000)}nul${']'.repeat(1_000_000)}}`), 'not-json');
    assert.equal(deepTypo.message, "deep.json is not valid JSON: Unexpected token ']' (position unknown).");
  });

  test('a byte-order mark is accepted, and counted in the digest', async () => {
    const text = await failingText();
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const read = parseReportBytes(withBom);
    assert.equal(read.bytes, Buffer.byteLength(text) + 3);
    assert.equal(read.digest, `sha256:${createHash('sha256').update(withBom).digest('hex')}`);
  });
});
