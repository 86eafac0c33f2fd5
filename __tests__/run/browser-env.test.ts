/**
 * Chrome starts with only the environment it needs. A runner's environment holds the Action's inputs
 * (INPUT_GITHUB-TOKEN), the runtime's tokens and whatever secrets a workflow put in `env:`; none of it reaches the
 * browser or the renderers that run the pages. Read from /proc, as the processes themselves see it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { browserEnvironment, createLauncher, findBrowser } from '../../src/run/browser.ts';
import { quietLogger } from '../support/suite-kit.ts';

/** The variables of a running process, from /proc/<pid>/environ. */
function environOf(pid: number): Map<string, string> {
  const entries = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** A process and all its descendants, from /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  return tree;
}

const SECRETS = {
  'INPUT_GITHUB-TOKEN': 'ghs_inputtoken0000000000000000000000',
  GITHUB_TOKEN: 'ghs_githubtoken000000000000000000000',
  ACTIONS_RUNTIME_TOKEN: 'runtime.token.value',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request',
  ACTIONS_RESULTS_URL: 'https://results.example.com/',
  SMOKE_PASSWORD: 'correct-horse-battery-staple',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
};

describe("Chrome's environment", { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('keeps what Chrome needs and nothing of the runner: no inputs, tokens or workflow secrets, in any of its processes', { timeout: 60_000 }, async (t) => {
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-runner-temp-'));
    t.after(() => fs.rmSync(runnerTemp, { recursive: true, force: true }));
    const env = { ...process.env, ...SECRETS, RUNNER_TEMP: runnerTemp, LC_ALL: 'C.UTF-8', XDG_CONFIG_HOME: runnerTemp };
    const launcher = createLauncher(findBrowser({ env: process.env }), quietLogger(), undefined, env);
    const browser = await launcher.launch();
    t.after(() => browser.close());
    const page = await browser.newPage();
    await page.goto('data:text/html,<p>a renderer</p>');
    const pids = processTree(browser.process()!.pid!);
    assert.ok(pids.length >= 3, `the browser and its helpers and renderer: ${pids.length} processes`);
    for (const pid of pids) {
      const seen = environOf(pid);
      for (const [name, value] of Object.entries(SECRETS)) {
        assert.equal(seen.has(name), false, `process ${pid} has ${name}`);
        assert.ok(![...seen.values()].some((text) => text.includes(value)), `process ${pid} has the value of ${name}`);
      }
      assert.deepEqual([...seen.keys()].filter((name) => /^(INPUT_|ACTIONS_|GITHUB_)/.test(name)), [], `process ${pid}`);
    }
    const main = environOf(pids[0]!);
    assert.equal(main.get('PATH'), process.env.PATH);
    assert.equal(main.get('TMPDIR'), runnerTemp, "temp files go to the runner's temp folder");
    assert.equal(main.get('LC_ALL'), 'C.UTF-8', 'locale variables are kept');
    assert.equal(main.get('XDG_CONFIG_HOME'), runnerTemp);
  });
});

describe('browserEnvironment', () => {
  it('keeps the allowed names whatever their case, and every LC_ and XDG_ variable', () => {
    const kept = browserEnvironment({ PATH: '/bin', http_proxy: 'http://proxy:3128', LC_TIME: 'C', XDG_RUNTIME_DIR: '/run/u', ...SECRETS, TMPDIR: '/t' });
    assert.deepEqual(kept, { PATH: '/bin', http_proxy: 'http://proxy:3128', LC_TIME: 'C', XDG_RUNTIME_DIR: '/run/u', TMPDIR: '/t' });
  });
});
