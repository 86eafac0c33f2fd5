import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../../src/render/junit.ts';
import type { Report } from '../../src/report/schema.ts';
import { dataReport } from '../support/report-helpers.ts';

type Attrs = Record<string, string>;
type ParsedCase = Attrs & {
  properties?: { property: Attrs[] };
  failure?: Attrs & { '#text'?: string };
  skipped?: Attrs;
  error?: Attrs & { '#text'?: string };
  'system-out'?: string;
};
type ParsedSuite = Attrs & { testcase: ParsedCase[] };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Decode numeric character references (&#10;) the way every XML parser must.
  htmlEntities: true,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

/** Renders, checks well-formedness, and parses. */
function junitOf(report: Report): { xml: string; root: Attrs & { testsuite: ParsedSuite[] } } {
  const xml = renderJunit(report);
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  return { xml, root: parser.parse(xml).testsuites };
}

const cases = (root: { testsuite: ParsedSuite[] }) => root.testsuite.flatMap((suite) => suite.testcase);
const caseNamed = (root: { testsuite: ParsedSuite[] }, name: string) => {
  const found = cases(root).find((testcase) => testcase.name === name);
  assert.ok(found, `testcase ${name}`);
  return found;
};
const property = (testcase: ParsedCase, name: string) => testcase.properties?.property.find((p) => p.name === name)?.value;

describe('renderJunit', () => {
  test('counts, one testsuite per fixture file and one testcase per fixture', () => {
    const report = dataReport('report-failing-flaky.json');
    const { root } = junitOf(report);
    assert.deepEqual(
      { tests: root.tests, failures: root.failures, errors: root.errors, skipped: root.skipped, time: root.time },
      { tests: '7', failures: '2', errors: '0', skipped: '0', time: '63.900' },
    );
    assert.deepEqual(root.testsuite.map((suite) => [suite.name, suite.tests, suite.failures]), [
      ['fixtures/home.smoke.yml', '3', '1'],
      ['fixtures/login.smoke.yml', '1', '0'],
      ['fixtures/pages.smoke.yaml', '2', '1'],
      ['fixtures/products.smoke.json', '1', '0'],
    ]);
    assert.deepEqual(cases(root).map((testcase) => testcase.name).sort(), report.fixtures.map((fixture) => fixture.id).sort());
    const help = caseNamed(root, 'home-help-menu');
    assert.deepEqual([help.classname, help.file, help.line, help.time], ['fixtures/home.smoke.yml', 'fixtures/home.smoke.yml', '26', '60.180']);
  });

  test('a failure carries its kind, first line, every attempt and the evidence paths', () => {
    const { root } = junitOf(dataReport('report-failing-flaky.json'));
    const failure = caseNamed(root, 'home-help-menu').failure;
    assert.ok(failure);
    assert.equal(failure.type, 'assertion');
    assert.match(failure.message ?? '', /^expect\.visible\[0\]: .* is not visible/);
    assert.doesNotMatch(failure.message ?? '', /\n/);
    const text = failure['#text'] ?? '';
    assert.match(text, /Attempt 1 of 2: assertion/);
    assert.match(text, /Attempt 2 of 2: assertion/);
    assert.match(text, /Evidence: failures\/home-help-menu\/attempt-2\.png, failures\/home-help-menu\/attempt-2\.html/);
  });

  test('a failure message that starts with blank lines is summed up by its first line of text', () => {
    const report = dataReport('report-failing-flaky.json');
    const fixtures = report.fixtures.map((fixture) =>
      fixture.id !== 'home-help-menu'
        ? fixture
        : {
            ...fixture,
            attempts: fixture.attempts.map((attempt) =>
              attempt.error ? { ...attempt, error: { ...attempt.error, message: '\n\n  Timed out waiting for #help\nmore detail' } } : attempt,
            ),
          },
    );
    const { root } = junitOf({ ...report, fixtures });
    assert.equal(caseNamed(root, 'home-help-menu').failure?.message, 'Timed out waiting for #help');
  });

  test('a flaky fixture passes, with a note listing its failed attempts', () => {
    const { root } = junitOf(dataReport('report-failing-flaky.json'));
    const login = caseNamed(root, 'login-flow');
    assert.equal(login.failure, undefined);
    assert.equal(property(login, 'flaky'), 'true');
    assert.match(login['system-out'] ?? '', /Flaky: passed on attempt 2 after failing\.\nAttempt 1 of 2: navigation\nnet::ERR_CONNECTION_RESET/);
  });

  test('carried-over and recovered fixtures say so', () => {
    const { root } = junitOf(dataReport('report-rerun-same-sha.json'));
    const carried = caseNamed(root, 'login-flow');
    assert.equal(property(carried, 'carriedOver'), 'run 13579246801, attempt 1, artifact reliability-smoke-13579246801-1, commit 3f9c2a7d1e8b4c6f0a5d9e2b7c1f4a8d6e3b9c0f');
    assert.match(carried['system-out'] ?? '', /Carried over, not run here: the result comes from run 13579246801/);
    assert.equal(property(caseNamed(root, 'home-help-menu'), 'recovered'), 'true');
    assert.equal(caseNamed(root, 'account-from-home').failure?.type, 'script-error');
  });

  test('skipped fixtures are <skipped> with their reason', () => {
    const report = dataReport('report-failing-flaky.json');
    const [first] = report.fixtures;
    assert.ok(first);
    const skipped: Report = {
      ...report,
      fixtures: [{ ...first, status: 'skipped', attempts: [], durationMs: 0, skipReason: 'Suite timeout reached\nbefore it started' }],
      summary: { total: 1, passed: 0, failed: 0, flaky: 0, skipped: 1, carriedOver: 0, recovered: 0 },
    };
    const { root } = junitOf(skipped);
    assert.equal(root.skipped, '1');
    assert.equal(cases(root)[0]?.skipped?.message, 'Suite timeout reached');
  });

  test('a preflight stop is one errored testcase, so an empty run still shows as broken', () => {
    const { root } = junitOf(dataReport('report-preflight-no-artifact.json'));
    assert.deepEqual([root.tests, root.errors, root.failures], ['1', '1', '0']);
    const preflight = caseNamed(root, 'no-artifact');
    assert.equal(preflight.error?.type, 'no-artifact');
    assert.match(preflight.error?.['#text'] ?? '', /Run these fixtures: npx reliability-smoke --fixture <fixture-id>/);
  });

  test('hostile page text is escaped: it round-trips as text and adds no elements', () => {
    const report = dataReport('report-hostile-text.json');
    const { xml, root } = junitOf(report);
    assert.equal(cases(root).length, 3, 'no testcase injected');
    const hostile = caseNamed(root, 'hostile-title');
    assert.equal(property(hostile, 'title'), report.fixtures[0]?.title);
    assert.equal(hostile.classname, 'fixtures/we|ird `name`.smoke.yml');
    assert.equal(property(caseNamed(root, 'hostile-flaky'), 'title'), '</testcase>]]><!-- x -->');
    assert.match(hostile.failure?.['#text'] ?? '', /<script>alert\(1\)<\/script>/, 'decoded back to the original text');
    assert.doesNotMatch(xml, /<script>|<img|<\/testcase>\]\]>/);
  });

  test('characters XML 1.0 forbids are removed, and everything else survives', () => {
    const { xml, root } = junitOf(dataReport('report-hostile-text.json'));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    assert.doesNotMatch(xml, /[\ud800-\udfff]/, 'no lone surrogates');
    const text = caseNamed(root, 'hostile-title').failure?.['#text'] ?? '';
    assert.match(text, /\[31mred {2}end$/m);
    assert.match(caseNamed(root, 'hostile-flaky')['system-out'] ?? '', /"quoted" & 'single' <tag> back/);
  });

  test('newlines and tabs inside attributes survive as character references', () => {
    const report = dataReport('report-failing-flaky.json');
    const [first] = report.fixtures;
    assert.ok(first);
    const { root } = junitOf({ ...report, fixtures: [{ ...first, title: 'two\nlines\tand tab' }], summary: { ...report.summary, total: 1, passed: 1, failed: 0, flaky: 0 } });
    assert.equal(property(cases(root)[0] ?? {}, 'title'), 'two\nlines\tand tab');
  });
});
