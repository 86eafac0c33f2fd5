/**
 * The CLI: exit codes 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error, each with the
 * output a user reads (a line per fixture, a summary, the last line RESULT) and the files left behind. Runs the
 * real engine in-process against real Chromium and a loopback site, with a temp folder as the working directory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  CLI_BOUND,
  createProject,
  envWithoutBrowserVariables,
  fixtureLine,
  fixturesYaml,
  lastLine,
  linesOf,
  type Project,
  shown,
} from '../support/cli-harness.ts';
import { html, type Site, startSite } from '../support/site.ts';

let site: Site;
let project: Project;

before(async () => {
  site = await startSite({
    '/': html('<h1 id="hello">Hello</h1>', 'Home'),
    '/about': html('<h1 id="about">About</h1>', 'About'),
  });
});
after(() => site.close());
beforeEach(() => {
  project = createProject();
});
afterEach(() => project.remove());

const PASSING = fixturesYaml({
  home: 'url: /\nexpect:\n  visible: ["#hello"]\n  title: Home',
  about: 'url: /about\nexpect:\n  visible: ["#about"]',
});

describe('exit code 0 and 1: the fixtures decide', () => {
  it('a passing suite exits 0 with a line per fixture, a summary, and RESULT: pass last', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 0, shown(run));
    assert.match(fixtureLine(run.stdout, 'home'), /✓ passed/);
    assert.match(fixtureLine(run.stdout, 'about'), /✓ passed/);
    assert.match(run.stdout, /^Summary: 2 fixtures: 2 passed, 0 failed, 0 flaky, 0 skipped in .*, mode full$/m);
    assert.equal(lastLine(run.stdout), 'RESULT: pass');
    const report = project.report();
    assert.equal(report.result, 'pass');
    assert.deepEqual(report.fixtures.map((fixture) => [fixture.id, fixture.status]), [['home', 'passed'], ['about', 'passed']]);
    assert.equal(report.baseUrl, `${site.url}/`);
    assert.ok(fs.existsSync(`${project.dir}/smoke-report/junit.xml`), 'junit.xml beside report.json');
  });

  it('--serve DIR serves a folder of the working directory on 127.0.0.1 as the base URL', CLI_BOUND, async () => {
    project.write('build/index.html', '<!doctype html><title>Home</title><h1 id="hello">Built</h1>');
    // A relative link in a folder's index.html works only once /about is redirected to /about/.
    project.write('build/about/index.html', '<!doctype html><title>About</title><h1 id="about">About</h1><img src="logo.svg">');
    project.write('build/about/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({
        home: 'url: /\nexpect:\n  visible: ["#hello"]\n  title: Home',
        about: 'url: /about\nexpect:\n  visible: ["#about"]\n  noFailedRequests: true',
      }),
    );
    const run = await project.run(['--serve', 'build']);
    assert.equal(run.code, 0, shown(run));
    assert.equal(lastLine(run.stdout), 'RESULT: pass');
    const report = project.report();
    assert.match(report.baseUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(report.fixtures.map((fixture) => fixture.status), ['passed', 'passed'], 'no failed request for about/logo.svg');
  });

  it('a failing fixture exits 1, names the failure with its file and line, and keeps its evidence', CLI_BOUND, async () => {
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({
        home: 'url: /',
        broken: 'url: /\nexpect:\n  timeout: 2s\n  visible: ["#missing"]',
      }),
    );
    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 1, shown(run));
    assert.match(fixtureLine(run.stdout, 'broken'), /✗ FAILED .*assertion: expect\.visible "#missing"/);
    assert.match(run.stdout, /^ {2}✗ broken {2}fixtures\/site\.smoke\.yml:4 {2}\(assertion, 1 attempt\)$/m);
    assert.match(run.stdout, /^Next attempt:$/m);
    assert.match(run.stdout, /\$ npx reliability-smoke --base-url http:\/\/127\.0\.0\.1:\d+\/ --fixture broken$/m);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    const report = project.report();
    assert.equal(report.result, 'fail');
    const broken = report.fixtures.find((fixture) => fixture.id === 'broken');
    assert.equal(broken?.status, 'failed');
    const evidence = broken?.attempts[0]?.evidence;
    assert.ok(evidence?.screenshot && fs.existsSync(`${project.dir}/smoke-report/${evidence.screenshot}`), 'a screenshot of the failure');
  });
});

describe('exit code 2: usage', () => {
  it('reports every problem on the command line at once and writes nothing, so the last report survives', CLI_BOUND, async () => {
    const previous = project.write('smoke-report/report.json', '{"a report a rerun still needs": true}\n');
    const before = fs.readFileSync(previous);
    const run = await project.run(['--retires', '2', '--concurrency', '0', '--timeout', 'soon', '--sample', 'x', '--fixture']);
    assert.equal(run.code, 2, shown(run));
    assert.equal(run.stdout, '', 'nothing on stdout');
    const errors = linesOf(run.stderr).filter((line) => line.startsWith('error: '));
    assert.deepEqual(errors, [
      'error: unknown flag --retires (did you mean --retries?)',
      'error: unexpected argument "2": every option is a flag (see --help)',
      'error: --fixture needs a value',
      'error: --sample: must be a whole number from 1 to 100000, not "x"',
      'error: --concurrency: must be a whole number from 1 to 32, not "0"',
      'error: --timeout: must be milliseconds or a duration such as "30s" or "2m", not "soon"',
    ]);
    assert.match(run.stderr, /Nothing was run and no report was written\./);
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
    assert.deepEqual(fs.readFileSync(previous), before, 'report.json is untouched');
    assert.deepEqual(fs.readdirSync(`${project.dir}/smoke-report`), ['report.json'], 'no junit.xml or plan.json either');
  });

  it('--base-url together with --serve is a usage error that names both flags', CLI_BOUND, async () => {
    const run = await project.run(['--base-url', site.url, '--serve', '.']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /^error: --base-url and --serve cannot be combined/m);
    assert.equal(fs.existsSync(`${project.dir}/smoke-report`), false);
  });
});

describe('exit code 2: configuration, with a report that says why', () => {
  it('invalid fixture files: every problem with file:line, and report.json with fixtures-invalid', CLI_BOUND, async () => {
    project.write(
      'fixtures/typos.smoke.yml',
      'fixtures:\n  - id: login\n    url: /login\n    waitUntill: load\n    expect:\n      visable: ["#x"]\n',
    );
    project.write('fixtures/ids.smoke.yml', 'id: Bad Id\nurl: /\n');
    const hits = site.hits();
    const run = await project.run(['--base-url', site.url]);
    assert.equal(run.code, 2, shown(run));
    assert.equal(site.hits(), hits, 'no browser went to the site');
    assert.match(run.stdout, /^Stopped before any fixture ran \(fixtures-invalid\):$/m);
    assert.match(run.stdout, /^ {2}- fixtures\/typos\.smoke\.yml:4 login waitUntill: unknown key `waitUntill`; did you mean `waitUntil`\?$/m);
    assert.match(run.stdout, /^ {2}- fixtures\/typos\.smoke\.yml:6 login expect\.visable: unknown key `visable`; did you mean `visible`\?$/m);
    assert.match(run.stdout, /^ {2}- fixtures\/ids\.smoke\.yml:1 .*id: must be lowercase/m);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
    const report = project.report();
    assert.equal(report.result, 'fail');
    assert.equal(report.preflight?.code, 'fixtures-invalid');
    assert.equal(report.preflight?.problems.length, 3);
    assert.deepEqual(report.fixtures, []);
  });

  it('relative fixture URLs without --base-url or --serve stop with base-url-missing, naming each fixture', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const run = await project.run([]);
    assert.equal(run.code, 2, shown(run));
    const report = project.report();
    assert.equal(report.preflight?.code, 'base-url-missing');
    assert.deepEqual(report.preflight?.problems, [
      'fixtures/site.smoke.yml:2 home: url "/"',
      'fixtures/site.smoke.yml:7 about: url "/about"',
    ]);
    assert.match(run.stdout, /Give a base URL \(the base-url input, or --base-url\)/);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
  });

  it('a relative goto or expect.url without a base URL stops with base-url-missing, naming the field', CLI_BOUND, async () => {
    project.write(
      'fixtures/site.smoke.yml',
      fixturesYaml({ checkout: `url: ${site.url}/\nsteps:\n  - click: "#hello"\n  - goto: /about\nexpect:\n  url: /done` }),
    );
    const hits = site.hits();
    const run = await project.run([]);
    assert.equal(run.code, 2, shown(run));
    assert.equal(project.report().preflight?.code, 'base-url-missing');
    assert.deepEqual(project.report().preflight?.problems, [
      'fixtures/site.smoke.yml:2 checkout: steps[1].goto "/about"',
      'fixtures/site.smoke.yml:2 checkout: expect.url "/done"',
    ]);
    assert.equal(site.hits(), hits, 'no browser went to the site');
  });

  it('a selection that matches nothing stops with nothing-selected and says what did not match', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const run = await project.run(['--base-url', site.url, '--fixture', 'hom', '--tag', 'critical']);
    assert.equal(run.code, 2, shown(run));
    assert.equal(project.report().preflight?.code, 'nothing-selected');
    assert.match(run.stdout, /fixture pattern "hom" matches no fixture id; did you mean "home"\?/);
    assert.match(run.stdout, /tag "critical" is on no fixture/);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
  });

  it('--serve of a folder that does not exist stops with serve-failed', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const run = await project.run(['--serve', 'build']);
    assert.equal(run.code, 2, shown(run));
    const report = project.report();
    assert.equal(report.preflight?.code, 'serve-failed');
    assert.match(report.preflight?.message ?? '', /is not a directory/);
    assert.match(report.preflight?.message ?? '', new RegExp(`${project.dir}/build`), 'the folder is looked for in the working directory');
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
  });

  it('no browser at --browser-path stops with browser-not-found, naming all four places to look', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const hits = site.hits();
    const run = await project.run(['--base-url', site.url, '--browser-path', `${project.dir}/no-chrome`], {
      env: envWithoutBrowserVariables(),
    });
    assert.equal(run.code, 2, shown(run));
    assert.equal(site.hits(), hits, 'no browser went to the site');
    const report = project.report();
    assert.equal(report.preflight?.code, 'browser-not-found');
    assert.match(report.preflight?.message ?? '', /browser-path is set to ".*\/no-chrome", but no executable browser is there/);
    const said = [report.preflight?.message, ...(report.preflight?.guidance ?? [])].join('\n');
    for (const place of ['--browser-path', 'PUPPETEER_EXECUTABLE_PATH', 'CHROME_BIN', 'installed locations']) {
      assert.ok(said.includes(place), `names ${place}:\n${said}`);
    }
    assert.match(run.stdout, /^Stopped before any fixture ran \(browser-not-found\):$/m);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
  });

  it('a --browser-path that is not a browser stops with browser-launch-failed', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    const notABrowser = project.write('fake-chrome', '#!/bin/sh\necho "I am not Chrome" >&2\nexit 3\n');
    fs.chmodSync(notABrowser, 0o755);
    const run = await project.run(['--base-url', site.url, '--browser-path', notABrowser]);
    assert.equal(run.code, 2, shown(run));
    assert.equal(project.report().preflight?.code, 'browser-launch-failed');
    assert.match(run.stdout, /point browser-path \(--browser-path\) at another/);
    assert.equal(lastLine(run.stdout), 'RESULT: fail');
  });

  it('a --report-dir that cannot be written stops before anything runs, rather than losing the results at the end', CLI_BOUND, async () => {
    project.write('fixtures/site.smoke.yml', PASSING);
    project.write('taken', 'a file where the report folder would go');
    const before = site.hits();
    const run = await project.run(['--base-url', site.url, '--report-dir', 'taken/reports']);
    assert.equal(run.code, 2, shown(run));
    assert.match(run.stderr, /The report folder taken\/reports cannot be written; nothing was run/);
    assert.equal(lastLine(run.stderr), 'RESULT: fail');
    assert.equal(site.hits(), before, 'no fixture ran');
  });
});
