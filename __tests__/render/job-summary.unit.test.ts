import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHECK_RUN_TEXT_MAX_CHARS,
  JOB_SUMMARY_MAX_BYTES,
  renderJobSummary,
  renderJobSummaryWithin,
} from '../../src/render/job-summary.ts';
import { carryOver } from '../../src/rerun/carry-over.ts';
import { buildReport } from '../../src/report/build.ts';
import type { Report } from '../../src/report/schema.ts';
import { summaryViewOf, type SummaryViewOptions } from '../../src/render/view.ts';
import { attempt, baseInput, context, dataReport, loaded, run, suite } from '../support/report-helpers.ts';

const ARTIFACT = { name: 'reliability-smoke-13579246801-1', url: 'https://github.com/acme/shop-web/actions/runs/13579246801/artifacts/42' };
/** Rendered by the run that wrote the report, as the Action renders its own: links come from that run's context. */
const render = (report: Report, options: SummaryViewOptions = { artifact: ARTIFACT }) => renderJobSummary(summaryViewOf(report, { context: report.run, ...options }));

/** The rows of the first Markdown table, each split into cells the way GFM splits them (on unescaped pipes). */
function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| Fixture |'));
  assert.ok(start >= 0, 'has the fixture table');
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows;
}

/** What a browser shows for escaped text: numeric and the basic named references decoded. */
function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const HOSTILE_TITLE = '<img src=x onerror=alert(1)> | a | b | `tick` [x](javascript:alert(1)) **b** @team #12 $x$';
const HOSTILE_MESSAGE = '<script>alert(1)</script> | pipe | `code` ![i](https://evil.example/i.png) & &lt; www.evil.example';

function hostileReport(): Report {
  return buildReport(
    baseInput(
      suite([
        run(loaded('hostile-title', { title: HOSTILE_TITLE }), [attempt('hostile-title', 1, { kind: 'assertion', message: `${HOSTILE_MESSAGE}\nsecond line` })]),
        run(loaded('pipes', { title: '| a | b |\n| --- | --- |' }), [attempt('pipes', 1, { kind: 'timeout', message: '- list?\n# heading?' }), attempt('pipes', 2)]),
        run(loaded('list-like', { title: '1. ordered' }), [attempt('list-like', 1, { kind: 'script-error', message: '=== setext' })]),
        run(loaded('fine'), [attempt('fine', 1)]),
      ]),
    ),
  );
}

describe('renderJobSummary: page text', () => {
  test('hostile titles and messages add no HTML: the only tag is our <br>', () => {
    const markdown = render(hostileReport());
    const tags = [...markdown.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => match[1]);
    assert.deepEqual([...new Set(tags)], ['br']);
    assert.doesNotMatch(markdown, /onerror=alert\(1\)>/);
  });

  test('hostile titles and messages do not break the table: every row has six cells', () => {
    const report = hostileReport();
    const rows = tableRows(render(report));
    assert.equal(rows.length, report.fixtures.length);
    for (const row of rows) assert.equal(row.length, 6, row.join(' ¦ '));
    const hostile = rows.find((row) => row[0]?.startsWith('`hostile-title`'));
    assert.ok(hostile);
    assert.equal(decode(hostile[0]?.replace('`hostile-title`<br>', '') ?? ''), HOSTILE_TITLE, 'the title reads as written');
    assert.equal(decode(hostile[5] ?? ''), HOSTILE_MESSAGE);
  });

  test('no links, images, mentions or math come from page text', () => {
    const markdown = render(hostileReport());
    const links = [...markdown.matchAll(/\]\(([^)]*)\)/g)].map((match) => match[1]);
    assert.ok(links.every((url) => url?.startsWith('https://github.com/acme/shop-web/')), links.join('\n'));
    assert.doesNotMatch(markdown, /@team|\$x\$|www\.evil/);
  });

  test('text that would start a list, heading or rule where it begins a line is defused', () => {
    const markdown = render(hostileReport());
    const flakyLine = markdown.split('\n').find((line) => line.startsWith('- `pipes`'));
    assert.ok(flakyLine);
    assert.match(flakyLine, /: &#45; list\?$/);
    assert.match(markdown, /`list-like`<br>1&#46; ordered/);
    assert.match(markdown, /\| &#61;== setext \|/);
  });
});

describe('renderJobSummary: content', () => {
  test('verdict, counts, failures first, flaky, and the rerun commands', () => {
    const markdown = render(dataReport('report-failing-flaky.json'));
    assert.match(markdown, /^## ❌ reliability-smoke: fail$/m);
    assert.match(markdown, /\*\*7 fixtures\*\*: ✅ 4 passed · ❌ 2 failed · ⚠️ 1 flaky · ⏭️ 0 skipped/);
    const rows = tableRows(markdown);
    assert.deepEqual(rows.map((row) => row[1]), ['❌ failed', '❌ failed', '⚠️ flaky', '✅ passed', '✅ passed', '✅ passed', '✅ passed']);
    assert.deepEqual(rows[1]?.slice(1, 5), ['❌ failed', 'timeout', '2', '1m 00s']);
    assert.match(markdown, /^### ⚠️ Flaky \(1\)$/m);
    assert.match(markdown, /^- `login-flow` at fixtures\/login\.smoke\.yml&#58;3: attempt 1 \(navigation\) failed, passed on attempt 2/m);
    assert.match(markdown, /```sh\ngh workflow run Smoke -R acme\/shop-web --ref main -f rerun-failed=true\n```/);
    assert.match(markdown, /```yaml\nfixtures: home-help-menu,account-from-home\n```/);
    assert.match(markdown, /```sh\nnpx reliability-smoke --fixture home-help-menu --fixture account-from-home\n```/);
  });

  test('a rerun: the source run as a link, recovered, still failing and carried over', () => {
    const markdown = render(dataReport('report-rerun-same-sha.json'));
    assert.match(markdown, /^### 🔁 Rerun of \[run 13579246801 &#40;attempt 1&#41;\]\(https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/13579246801\/attempts\/1\)$/m);
    assert.match(markdown, /^Same commit as the source report &#40;3f9c2a7&#41;&#58; 5 results carried over/m);
    assert.match(markdown, /^- 🔁 Recovered \(1\): `home-help-menu`$/m);
    assert.match(markdown, /^- ❌ Still failing \(1\): `account-from-home`$/m);
    assert.match(markdown, /^- ↩️ Carried over \(5\): `home-loads` \(passed\), `home-deals-render` \(passed\), `login-flow` \(flaky\)/m);
    assert.match(markdown, /\| ✅ passed \(recovered\) \|/);
    assert.match(markdown, /\| ⚠️ flaky \(carried over\) \|/);
  });

  test('a rerun on another commit says nothing was carried over', () => {
    const source = dataReport('report-failing-flaky.json');
    const help = loaded('home-help-menu', { file: 'fixtures/home.smoke.yml', line: 26 });
    const report = buildReport(
      baseInput(suite([run(help, [attempt(help.id, 1)])]), {
        mode: 'rerun-failed',
        run: context('0'.repeat(40)),
        rerun: carryOver({
          source,
          origin: { runId: '1', runAttempt: 1, artifactId: null, artifactName: 'a', url: null, path: null, digest: `sha256:${'0'.repeat(64)}` },
          carryOverWhenShaUnknown: false,
          suite: [help],
        }),
      }),
    );
    const markdown = render(report);
    assert.match(markdown, /^Nothing carried over&#58; the source report is for commit 3f9c2a7, this run is for 0000000/m);
    assert.match(markdown, /^### Warnings$/m);
  });

  test('preflight: the diagnostic, its guidance, and the fallback commands', () => {
    const markdown = render(dataReport('report-preflight-no-artifact.json'));
    assert.match(markdown, /^\*\*No fixture ran\.\*\*$/m);
    assert.match(markdown, /^### ⛔ Stopped before any fixture ran: `no-artifact`$/m);
    assert.match(markdown, /^> Run the full suite once; its report becomes the source of the next rerun\.$/m);
    assert.match(markdown, /```yaml\nfixtures: <fixture-id>\n```/);
    assert.match(markdown, /```sh\nnpx reliability-smoke --fixture <fixture-id>\n```/);
    assert.match(markdown, /\*\*Or run the full suite:\*\*\n\n```sh\nnpx reliability-smoke\n```/);
    assert.doesNotMatch(markdown, /\| Fixture \|/, 'no empty table');
  });

  test('a workflow name with backticks cannot close the code fence', () => {
    const report = { ...dataReport('report-failing-flaky.json') };
    report.run = { ...report.run, workflow: 'Smoke ``` <b>x</b>' };
    const markdown = render(report);
    assert.match(markdown, /````sh\ngh workflow run 'Smoke ``` <b>x<\/b>' -R acme\/shop-web --ref main -f rerun-failed=true\n````/);
  });
});

describe('renderJobSummary: size', () => {
  const many = () => {
    const runs = Array.from({ length: 6000 }, (_, i) => {
      const id = `page-${String(i).padStart(5, '0')}`;
      const failure = { kind: 'assertion' as const, message: `expect.text: "#content" should contain "Welcome" but was "${'x'.repeat(180)}"` };
      // Some flaky ones too, so that a section after the table is left out by the cut.
      const attempts =
        i % 3 === 0 ? [attempt(id, 1, failure)] : i % 7 === 1 ? [attempt(id, 1, { kind: 'timeout', message: 'slow' }), attempt(id, 2)] : [attempt(id, 1)];
      return run(loaded(id, { title: `Page ${i} renders its content and navigation for every visitor`, line: i + 1 }), attempts);
    });
    return buildReport(baseInput(suite(runs)));
  };

  test('stays within 1 MiB, cut at a row boundary, with a note pointing to the artifact', () => {
    const report = many();
    const markdown = render(report);
    assert.ok(Buffer.byteLength(markdown) <= JOB_SUMMARY_MAX_BYTES, `${Buffer.byteLength(markdown)} bytes`);
    assert.ok(Buffer.byteLength(markdown) > JOB_SUMMARY_MAX_BYTES - 4096, 'uses the room it has');
    const rows = tableRows(markdown);
    assert.ok(rows.length > 100 && rows.length < report.fixtures.length);
    for (const row of rows) assert.equal(row.length, 6);
    const lines = markdown.split('\n');
    const noteAt = lines.findIndex((line) => line.startsWith('> ✂️'));
    assert.ok(noteAt > 0);
    assert.match(lines[noteAt - 2] ?? '', /^\| `page-\d{5}`<br>.* \|$/, 'a whole row right before the note');
    assert.match(lines[noteAt] ?? '', new RegExp(`It shows ${rows.length} of 6000 fixture rows and leaves out 1 later section`));
    assert.match(lines[noteAt] ?? '', /`report\.json` in the artifact \[reliability-smoke-13579246801-1\]\(https:\/\/github\.com\/acme\/shop-web\/actions\/runs\/13579246801\/artifacts\/42\)/);
    assert.match(markdown, /^### Rerun the failures$/m, 'the rerun command survives the cut');
  });

  test('the check-run variant stays within 65,535 characters', () => {
    const markdown = renderJobSummaryWithin(summaryViewOf(many()), { max: CHECK_RUN_TEXT_MAX_CHARS, unit: 'chars' });
    assert.ok(markdown.length <= CHECK_RUN_TEXT_MAX_CHARS, `${markdown.length} characters`);
    assert.match(markdown, /This summary was cut to stay within 65,535 characters/);
    assert.match(markdown, /`report\.json` in the report folder/);
  });

  test('even a limit smaller than the essentials is respected', () => {
    const markdown = renderJobSummaryWithin(summaryViewOf(dataReport('report-failing-flaky.json')), { max: 600, unit: 'chars' });
    assert.ok(markdown.length <= 600, `${markdown.length} characters`);
    assert.match(markdown, /This summary was cut/);
  });

  test('a summary that fits is not cut', () => {
    assert.doesNotMatch(render(dataReport('report-failing-flaky.json')), /✂️/);
  });
});
