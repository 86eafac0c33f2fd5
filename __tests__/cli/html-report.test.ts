/**
 * The CLI writes report.html beside report.json and prints its path after its summary; a dry run writes none and
 * names none.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, linesOf } from '../support/cli-harness.ts';
import { html, siteFor } from '../support/site.ts';

describe('the CLI', () => {
  it('prints the path of report.html after its summary; a dry run writes none and names none', CLI_BOUND, async (t) => {
    const site = await siteFor(t, { '/': html('<h1>Shop</h1>', 'Shop') });
    const project = createProject();
    t.after(() => project.remove());
    project.write('fixtures/site.smoke.yml', fixturesYaml({ home: 'url: /\nexpect:\n  title: Shop', wrong: 'url: /\nexpect:\n  timeout: 3s\n  title: Elsewhere' }));
    const htmlPath = path.join(project.dir, 'smoke-report', 'report.html');

    const dry = await project.run(['--base-url', site.url, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(fs.existsSync(htmlPath), false, 'a dry run writes plan.json only');
    assert.doesNotMatch(dry.stdout, /HTML report/);

    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const lines = linesOf(run.stdout);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    assert.equal(lines.at(-2), `HTML report: ${htmlPath}`);
    const page = fs.readFileSync(htmlPath, 'utf8');
    assert.match(page, /<details class="fx failed" id="wrong"/);
    assert.match(page, /<img src="failures\/wrong\/attempt-1\.png" loading="lazy"/);
  });
});
