/**
 * Installing reliability-smoke in another project, as its README says: `npm pack` in this checkout, `npm install`
 * of the tarball in a scratch project (offline: the package has no dependencies to fetch), then `npx
 * reliability-smoke` under Node 24, and under an older Node, which must get a clear message and exit 2 rather than
 * a crash inside the bundle or a run. The older Node is the system's, when there is one on PATH.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TOOL_VERSION } from '../../src/version.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';
import { Report } from '../../src/report/schema.ts';

const BOUND = { timeout: 300_000 };
/** Each npm or npx call; a busy machine makes npm slow, and a hung one fails with its output. */
const COMMAND_TIMEOUT_MS = 120_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** PATH with `nodeDir` first, so npm, npx and the installed command's `#!/usr/bin/env node` all find that Node. */
function pathWith(nodeDir: string): string {
  return [nodeDir, process.env.PATH ?? ''].join(path.delimiter);
}

function run(command: string, args: string[], cwd: string, nodeDir: string): Ran {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    env: { ...process.env, PATH: pathWith(nodeDir), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const shown = (ran: Ran) => `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;

/** Whether a command answers at all on this machine. */
function available(command: string): boolean {
  return spawnSync(command, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: pathWith(path.dirname(process.execPath)) } }).status === 0;
}

/** A Node older than 24 on PATH (the system's, on these machines), or null. */
function olderNode(): { dir: string; version: string } | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const candidate = path.join(dir, 'node');
    if (!fs.existsSync(candidate)) continue;
    const answer = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    const major = Number(/^v(\d+)\./.exec(answer.stdout ?? '')?.[1]);
    if (answer.status === 0 && major < 24) return { dir, version: answer.stdout.trim().slice(1) };
  }
  return null;
}

const NODE_24_DIR = path.dirname(process.execPath);
const npmMissing = available('npm') && available('npx') ? false : 'npm and npx are not on PATH, so nothing can be packed or installed';

describe('installed from a tarball in another project', { skip: npmMissing }, () => {
  let packDir: string;
  let tarball: string;

  before(() => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-pack-'));
    const packed = run('npm', ['pack', '--json', '--pack-destination', packDir], REPO_ROOT, NODE_24_DIR);
    assert.equal(packed.code, 0, shown(packed));
    const [manifest] = JSON.parse(packed.stdout) as { filename: string }[];
    tarball = path.join(packDir, manifest!.filename);
  });
  after(() => fs.rmSync(packDir, { recursive: true, force: true }));

  it('carries the launcher, the CLI bundle, the schemas and the docs, and none of the sources or tests', BOUND, () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/reliability-smoke.cjs',
      'dist/cli/index.js',
      'dist/cli/package.json',
      'schema/fixture.schema.json',
      'schema/report.schema.json',
      'docs/cli.md',
    ]) {
      assert.ok(files.includes(file), `${file} is in the tarball:\n${files.join('\n')}`);
    }
    const stray = files.filter((file) => /^(src|__tests__|scripts|bench|fixtures|node_modules|\.github)\//.test(file) || file === 'dist/index.js');
    assert.deepEqual(stray, [], 'sources, tests and the Action bundle stay out');
  });

  it('installs offline, with nothing to build or fetch, and npx reliability-smoke runs a fixture under Node 24', BOUND, (t) => {
    const project = tempDir(t, 'smoke-install-');
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "a-project", "private": true }\n');
    const installed = run('npm', ['install', '--offline', '--save-dev', tarball], project, NODE_24_DIR);
    assert.equal(installed.code, 0, shown(installed));
    assert.deepEqual(fs.readdirSync(path.join(project, 'node_modules')).filter((name) => !name.startsWith('.')), ['reliability-smoke'], 'no dependencies');

    const help = run('npx', ['--no-install', 'reliability-smoke', '--help'], project, NODE_24_DIR);
    assert.equal(help.code, 0, shown(help));
    assert.match(help.stdout, /^Usage: reliability-smoke \[options\]$/m);
    const version = run('npx', ['--no-install', 'reliability-smoke', '--version'], project, NODE_24_DIR);
    assert.equal(version.stdout, `${TOOL_VERSION}\n`, shown(version));

    // A fixture written as the README says, with the installed schema in its modeline, run against a site the CLI
    // serves on loopback (spawnSync holds this process, so the site cannot be served from here).
    const schema = path.join(project, 'node_modules', 'reliability-smoke', 'schema', 'fixture.schema.json');
    assert.equal((JSON.parse(fs.readFileSync(schema, 'utf8')) as { $id: string }).$id, 'urn:reliability-smoke:schema:v1:fixture');
    fs.mkdirSync(path.join(project, 'smoke'));
    fs.writeFileSync(
      path.join(project, 'smoke', 'home.smoke.yml'),
      '# yaml-language-server: $schema=../node_modules/reliability-smoke/schema/fixture.schema.json\nid: home\nurl: /\nexpect:\n  visible: ["#hello"]\n',
    );
    fs.mkdirSync(path.join(project, 'site'));
    fs.writeFileSync(path.join(project, 'site', 'index.html'), '<!doctype html><title>Home</title><h1 id="hello">Hello</h1>');
    const smoke = run('npx', ['--no-install', 'reliability-smoke', '--fixtures-dir', 'smoke', '--serve', 'site'], project, NODE_24_DIR);
    assert.equal(smoke.code, 0, shown(smoke));
    assert.equal(smoke.stdout.trimEnd().split('\n').at(-1), 'RESULT: pass');
    assert.equal(Report.parse(JSON.parse(fs.readFileSync(path.join(project, 'smoke-report', 'report.json'), 'utf8'))).summary.passed, 1);
  });
});

describe('the installed command under an older Node', () => {
  const older = olderNode();
  const skip = older === null ? 'no Node older than 24 on PATH (or in /usr/bin, /usr/local/bin) to try it with' : npmMissing;

  it('says which Node it found and which it needs, and exits 2 before loading the bundle', { ...BOUND, skip }, (t) => {
    const project = tempDir(t, 'smoke-old-node-');
    // The package as npm lays it out, linked to this checkout: the launcher is what runs, as it is under npx.
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "a-project", "private": true }\n');
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(REPO_ROOT, path.join(project, 'node_modules', 'reliability-smoke'));
    fs.symlinkSync('../reliability-smoke/bin/reliability-smoke.cjs', path.join(project, 'node_modules', '.bin', 'reliability-smoke'));
    fs.writeFileSync(path.join(project, 'home.smoke.yml'), 'id: home\nurl: http://127.0.0.1:9/\n');

    for (const args of [['--help'], ['--fixtures-dir', '.', '--dry-run']]) {
      const ran = run('npx', ['--no-install', 'reliability-smoke', ...args], project, older!.dir);
      assert.equal(ran.code, 2, shown(ran));
      assert.equal(ran.stdout, '', 'nothing ran');
      assert.match(ran.stderr, new RegExp(`^reliability-smoke needs Node\\.js 24 or newer, but this is Node\\.js ${older!.version.replaceAll('.', '\\.')} \\(`, 'm'));
      assert.match(ran.stderr, /^Install Node\.js 24 /m);
      assert.doesNotMatch(ran.stderr, /SyntaxError|at .*index\.js/, 'no stack from inside the bundle');
      assert.equal(fs.existsSync(path.join(project, 'smoke-report')), false, 'no report folder: the CLI never started');
    }
  });
});
