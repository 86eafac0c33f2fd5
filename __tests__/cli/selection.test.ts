/**
 * Selection through the CLI's flags: --fixture with ids and globs (repeatable, or comma-separated), --tag,
 * and a --sample that --sample-seed makes the same run after run. The site's request counts show what ran.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CLI_BOUND, createProject, fixturesYaml, lastLine, type Project, shown } from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

const FIXTURES = {
  'checkout-cart': '[checkout]',
  'checkout-pay': '[checkout, critical]',
  home: '[critical]',
  search: '[]',
  account: '[mobile]',
  about: '[]',
} as const;
const IDS = Object.keys(FIXTURES);

let site: Site;
let project: Project;

before(async () => {
  site = await startSite(Object.fromEntries(IDS.map((id) => [`/${id}`, html(`<h1 id="page">${id}</h1>`)])));
});
after(() => site.close());
beforeEach(() => {
  project = createProject();
  project.write(
    'fixtures/shop.smoke.yml',
    fixturesYaml(Object.fromEntries(Object.entries(FIXTURES).map(([id, tags]) => [id, `tags: ${tags}\nurl: /${id}`]))),
  );
});
afterEach(() => project.remove());

/** Runs the CLI and returns the ids whose pages the browser opened during that run. */
async function ranWith(args: string[], expectedCode = 0): Promise<{ ran: string[]; stdout: string; stderr: string }> {
  const before = Object.fromEntries(IDS.map((id) => [id, site.hits(`/${id}`)]));
  const run = await project.run(['--base-url', site.url, ...args]);
  assert.equal(run.code, expectedCode, shown(run));
  assert.equal(lastLine(run.stdout), expectedCode === 0 ? 'RESULT: pass' : 'RESULT: fail');
  const ran = IDS.filter((id) => site.hits(`/${id}`) > (before[id] ?? 0));
  assert.deepEqual(project.report().selection.selected, ran, 'the report names exactly what ran');
  return { ran, stdout: run.stdout, stderr: run.stderr };
}

describe('selection flags', () => {
  it('--fixture takes ids and globs, repeated or comma-separated, and keeps suite order', CLI_BOUND, async () => {
    const { ran } = await ranWith(['--fixture', 'about, checkout-*', '--fixture', 'home']);
    assert.deepEqual(ran, ['checkout-cart', 'checkout-pay', 'home', 'about']);
    const report = project.report();
    assert.equal(report.mode, 'selected');
    assert.deepEqual(report.selection.patterns, ['about', 'checkout-*', 'home']);
    assert.equal(report.summary.total, 4);
  });

  it('--tag keeps the fixtures with any of the tags, and narrows --fixture further', CLI_BOUND, async () => {
    assert.deepEqual((await ranWith(['--tag', 'critical', '--tag', 'mobile'])).ran, ['checkout-pay', 'home', 'account']);
    assert.deepEqual((await ranWith(['--tag', 'critical', '--fixture', 'checkout-*'])).ran, ['checkout-pay']);
  });

  it('--sample with --sample-seed picks the same fixtures every run', CLI_BOUND, async () => {
    const first = await ranWith(['--sample', '3', '--sample-seed', 'monday']);
    const second = await ranWith(['--sample', '3', '--sample-seed', 'monday']);
    assert.equal(first.ran.length, 3);
    assert.deepEqual(second.ran, first.ran);
    const report = project.report();
    assert.equal(report.selection.sample, 3);
    assert.equal(report.selection.sampleSeed, 'monday');
  });

  it('a pattern that matches nothing is warned about, with a suggestion, and the rest still runs', CLI_BOUND, async () => {
    const { ran, stdout } = await ranWith(['--fixture', 'home,chekout-pay']);
    assert.deepEqual(ran, ['home']);
    assert.match(stdout, /^Warnings:$/m);
    assert.match(stdout, /^ {2}! fixture pattern "chekout-pay" matches no fixture id; did you mean "checkout-pay"\?$/m);
    const report = project.report();
    assert.deepEqual(report.selection.missing, ['chekout-pay']);
    assert.ok(report.warnings.some((warning) => warning.includes('"chekout-pay" matches no fixture id')));
  });
});
