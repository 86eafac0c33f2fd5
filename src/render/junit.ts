/**
 * junit.xml in the Jenkins/Surefire dialect that CI test-report tools accept: one <testsuite> per fixture file,
 * one <testcase> per fixture. Flaky fixtures pass (they did pass) with a note, so trend tools do not count them
 * as failures; a preflight stop is an <error>, so a report with no fixtures still shows up as broken.
 * All text may come from pages; it is escaped, and characters XML 1.0 forbids are removed.
 */
import { deriveSummary } from '../report/outcome.ts';
import type { FixtureResult, Report } from '../report/schema.ts';
import { evidencePaths, firstTextLine } from './view.ts';

/** Everything outside XML 1.0's Char production, including lone surrogates (the `u` flag sees them as such). */
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: the forbidden characters go, markup characters become entities. */
export function xmlText(value: string): string {
  return value.replace(XML_FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and whitespace as character references so parsers do not normalise it away. */
export function xmlAttribute(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Surefire's timestamp form: ISO 8601 without fraction or zone (the time is UTC). */
const timestamp = (iso: string) => new Date(iso).toISOString().slice(0, 19);

export function renderJunit(report: Report): string {
  const suites = [...groupByFile(report.fixtures)].map(([file, fixtures]) => testsuite(file, fixtures, report.startedAt));
  if (report.preflight) suites.push(preflightSuite(report));
  const mergeProblems = report.mergeProblems ?? [];
  if (mergeProblems.length > 0) suites.push(mergeSuite(report));
  const errors = (report.preflight?.severity === 'error' ? 1 : 0) + mergeProblems.length;
  const preflightSkipped = report.preflight?.severity === 'notice' ? 1 : 0;
  const totals = attributes({
    name: report.tool.name,
    tests: report.summary.total + (report.preflight ? 1 : 0) + mergeProblems.length,
    failures: report.summary.failed,
    errors,
    skipped: report.summary.skipped + preflightSkipped,
    time: seconds(report.durationMs),
    timestamp: timestamp(report.startedAt),
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${totals}>`, ...suites, '</testsuites>', ''].join('\n');
}

function groupByFile(fixtures: readonly FixtureResult[]): Map<string, FixtureResult[]> {
  const groups = new Map<string, FixtureResult[]>();
  for (const fixture of fixtures) {
    const group = groups.get(fixture.file);
    if (group) group.push(fixture);
    else groups.set(fixture.file, [fixture]);
  }
  return groups;
}

function testsuite(file: string, fixtures: readonly FixtureResult[], startedAt: string): string {
  const summary = deriveSummary(fixtures);
  const head = attributes({
    name: file,
    tests: summary.total,
    failures: summary.failed,
    errors: 0,
    skipped: summary.skipped,
    time: seconds(fixtures.reduce((total, fixture) => total + fixture.durationMs, 0)),
    timestamp: timestamp(startedAt),
  });
  return [`  <testsuite${head}>`, ...fixtures.map(testcase), '  </testsuite>'].join('\n');
}

function testcase(fixture: FixtureResult): string {
  const head = attributes({
    classname: fixture.file,
    name: fixture.id,
    file: fixture.file,
    line: fixture.line,
    time: seconds(fixture.durationMs),
  });
  const body = [properties(fixture), outcome(fixture), systemOut(fixture)].filter((part) => part !== '');
  if (body.length === 0) return `    <testcase${head}/>`;
  return [`    <testcase${head}>`, ...body, '    </testcase>'].join('\n');
}

function properties(fixture: FixtureResult): string {
  const values: [string, string][] = [];
  if (fixture.title !== null) values.push(['title', fixture.title]);
  if (fixture.url !== null) values.push(['url', fixture.url]);
  if (fixture.tags.length > 0) values.push(['tags', fixture.tags.join(',')]);
  values.push(['status', fixture.status], ['attempts', String(fixture.attempts.length)]);
  if (fixture.status === 'flaky') values.push(['flaky', 'true']);
  if (fixture.recovered) values.push(['recovered', 'true']);
  if (fixture.carriedOver) values.push(['carriedOver', carriedOverText(fixture.carriedOver)]);
  const lines = values.map(([name, value]) => `        <property${attributes({ name, value })}/>`);
  return ['      <properties>', ...lines, '      </properties>'].join('\n');
}

function outcome(fixture: FixtureResult): string {
  if (fixture.status === 'skipped') {
    const message = fixture.skipReason ?? 'not run';
    return `      <skipped${attributes({ message: firstTextLine(message) })}/>`;
  }
  if (fixture.status !== 'failed') return '';
  const last = fixture.attempts.at(-1)?.error;
  const head = attributes({ message: firstTextLine(last?.message ?? 'failed'), type: last?.kind ?? 'failure' });
  return `      <failure${head}>${xmlText(attemptDetails(fixture))}</failure>`;
}

/** Every failed attempt: kind, full message and where its evidence is. */
function attemptDetails(fixture: FixtureResult): string {
  const failed = fixture.attempts.filter((attempt) => attempt.status === 'failed');
  const blocks = failed.map((attempt) => {
    const evidence = evidencePaths(attempt.evidence);
    const lines = [`Attempt ${attempt.attempt} of ${fixture.attempts.length}: ${attempt.error?.kind ?? 'failed'}`];
    if (attempt.error) lines.push(attempt.error.message);
    if (evidence.length > 0) lines.push(`Evidence: ${evidence.join(', ')}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

function systemOut(fixture: FixtureResult): string {
  const notes: string[] = [];
  if (fixture.status === 'flaky') {
    notes.push(`Flaky: passed on attempt ${fixture.attempts.length} after failing.\n${attemptDetails(fixture)}`);
  }
  if (fixture.recovered) notes.push('Recovered: this fixture failed in the source report and passes in this rerun.');
  if (fixture.carriedOver) {
    notes.push(`Carried over, not run here: the result comes from ${carriedOverText(fixture.carriedOver)}.`);
  }
  if (notes.length === 0) return '';
  return `      <system-out>${xmlText(notes.join('\n\n'))}</system-out>`;
}

function carriedOverText(from: NonNullable<FixtureResult['carriedOver']>): string {
  const parts = [from.runId ? `run ${from.runId}` : 'an earlier run'];
  if (from.runAttempt) parts.push(`attempt ${from.runAttempt}`);
  if (from.artifactName) parts.push(`artifact ${from.artifactName}`);
  if (from.sha) parts.push(`commit ${from.sha}`);
  return parts.join(', ');
}

function preflightSuite(report: Report): string {
  const preflight = report.preflight;
  if (!preflight) return '';
  const head = attributes({ classname: 'preflight', name: preflight.code, time: '0.000' });
  const details = [preflight.message, ...preflight.problems, ...preflight.guidance];
  if (preflight.fallback) {
    details.push(`Run these fixtures: ${preflight.fallback.cliCommand}`, `Full run: ${preflight.fallback.fullRun}`);
  }
  const errorHead = attributes({ message: firstTextLine(preflight.message), type: preflight.code });
  const body =
    preflight.severity === 'error'
      ? `      <error${errorHead}>${xmlText(details.join('\n'))}</error>`
      : `      <skipped${attributes({ message: firstTextLine(preflight.message) })}/>`;
  const suite = attributes({
    name: 'preflight',
    tests: 1,
    failures: 0,
    errors: preflight.severity === 'error' ? 1 : 0,
    skipped: preflight.severity === 'notice' ? 1 : 0,
    time: '0.000',
    timestamp: timestamp(report.startedAt),
  });
  return [`  <testsuite${suite}>`, `    <testcase${head}>`, body, '    </testcase>', '  </testsuite>'].join('\n');
}

/**
 * A merge that cannot vouch for the whole suite (a missing shard…): one <error> per problem, so a tool that reads
 * only junit.xml sees the merge fail even when every fixture it lists passed.
 */
function mergeSuite(report: Report): string {
  const problems = report.mergeProblems ?? [];
  const cases = problems.map((problem) => {
    const head = attributes({ classname: 'merge', name: problem.shard ? `${problem.code} (shard ${problem.shard})` : problem.code, time: '0.000' });
    const error = attributes({ message: firstTextLine(problem.message), type: problem.code });
    const details = [problem.message, ...(problem.fixtureIds.length > 0 ? [`Fixtures: ${problem.fixtureIds.join(', ')}`] : [])];
    return [`    <testcase${head}>`, `      <error${error}>${xmlText(details.join('\n'))}</error>`, '    </testcase>'].join('\n');
  });
  const suite = attributes({ name: 'merge', tests: problems.length, failures: 0, errors: problems.length, skipped: 0, time: '0.000', timestamp: timestamp(report.startedAt) });
  return [`  <testsuite${suite}>`, ...cases, '  </testsuite>'].join('\n');
}
