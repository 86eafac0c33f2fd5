/**
 * A failure in an `expect` or `waitForResponse` step names the step, its number and what it checked, in report.json
 * and in every rendering of it: the terminal, junit.xml, report.html, the job summary and the annotations.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { annotationsFor } from '../../src/render/annotations.ts';
import { renderJobSummary } from '../../src/render/job-summary.ts';
import { summaryViewOf } from '../../src/render/view.ts';
import { CLI_BOUND, createProject, fixtureLine, fixturesYaml, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

/** Text as the reader sees it: the entities of XML, HTML and the job summary's Markdown decoded. */
function unescaped(text: string): string {
  const named: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
  return text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return named[name] ?? entity;
  });
}

let site: Site;
let project: Project;

const PAGE = `<p id="count">0 items</p><button id="add" type="button">Add</button>
  <script>document.getElementById('add').addEventListener('click', () => fetch('/api/add'));</script>`;

before(async () => {
  site = await startSite({
    '/': html(PAGE, 'Cart'),
    '/api/add': { status: 503, headers: { 'content-type': 'application/json' }, body: '{}' },
  });
  project = createProject();
});
after(async () => {
  project?.remove();
  await site?.close();
});

describe('a failed step check in every output', () => {
  it('names the step and what it checked in the report, the terminal, junit.xml, report.html, the job summary and annotations', CLI_BOUND, async () => {
    project.write(
      'fixtures/cart.smoke.yml',
      fixturesYaml({
        'cart-count': 'url: /\nsteps:\n  - click: "#add"\n  - expect: { text: { selector: "#count", equals: "1 item" }, timeout: 500ms }',
        'cart-api': 'url: /\nsteps:\n  - click: "#add"\n  - waitForResponse: { url: { contains: /api/add }, timeout: 1s }',
      }),
    );
    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 1, shown(run));
    const report = project.report();
    const headlines = Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, fixture.attempts.at(-1)?.error?.message.split('\n')[0] ?? '']));
    const wanted = {
      'cart-count': 'step 2 (expect text "#count"): expect.text "#count" to equal "1 item", found "0 items"',
      'cart-api': 'step 2 (waitForResponse containing "/api/add"): no response with any status below 400',
    };
    for (const [id, start] of Object.entries(wanted)) {
      assert.ok(headlines[id]?.startsWith(start), `${id}: ${headlines[id]}`);
      assert.ok(fixtureLine(run.stdout, id).includes(start), `terminal: ${fixtureLine(run.stdout, id)}`);
    }
    const junit = fs.readFileSync(path.join(project.dir, 'smoke-report', 'junit.xml'), 'utf8');
    const page = fs.readFileSync(path.join(project.dir, 'smoke-report', 'report.html'), 'utf8');
    const view = summaryViewOf(report);
    const summary = renderJobSummary(view);
    const annotations = annotationsFor(view).map((annotation) => `${annotation.title}\n${annotation.message}`).join('\n');
    for (const [name, text] of Object.entries({ junit, page, summary, annotations })) {
      const plain = unescaped(text);
      assert.ok(plain.includes('step 2 (expect text "#count")'), `${name} names the expect step:\n${plain}`);
      assert.ok(plain.includes('step 2 (waitForResponse containing "/api/add")'), `${name} names the waitForResponse step:\n${plain}`);
    }
  });
});
