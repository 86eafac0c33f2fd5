/**
 * Starting the app (`start`) and stopping it: the whole process group goes, including a grandchild that ignores
 * SIGTERM; an app that exits says how and with what output; its log is redacted; and a process that exits without
 * stopping it (a second Ctrl-C) still takes the group with it. The group is checked with `ps`, not with the code
 * under test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startApp, type StartedApp } from '../../src/deploy/start.ts';
import { createRedactor } from '../../src/secrets/redact.ts';
import { groupMembersLeft, killGroup, livingGroupMembers } from '../support/process-group.ts';
import { spawnNode } from '../support/spawn.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';

async function start(t: TestContext, command: string, options: { killAfterMs?: number; secret?: string } = {}): Promise<StartedApp> {
  const dir = tempDir(t, 'smoke-start-');
  const redactor = createRedactor();
  if (options.secret) redactor.add(options.secret);
  const app = await startApp({ command, cwd: dir, env: process.env, logPath: path.join(dir, 'start.log'), redactor, ...options });
  t.after(() => killGroup(app.pgid));
  return app;
}

/** Resolves once the app's log has a line matching the pattern. */
async function logged(app: StartedApp, pattern: RegExp): Promise<void> {
  while (!pattern.test(fs.readFileSync(app.logPath, 'utf8'))) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('start', () => {
  it('stops the whole group, killing what ignores SIGTERM once the grace period is over', { timeout: 30_000 }, async (t) => {
    const app = await start(t, `sh -c 'trap "" TERM; echo stubborn; while :; do sleep 1; done' & node -e "setInterval(() => {}, 1000)" & wait`, {
      killAfterMs: 500,
    });
    await logged(app, /stubborn/);
    assert.ok(livingGroupMembers(app.pgid).length >= 3, livingGroupMembers(app.pgid).join('\n'));
    const stopped = await app.stop();
    assert.equal(stopped.killed, true, 'the grandchild that ignores SIGTERM was killed');
    assert.deepEqual(await groupMembersLeft(app.pgid), []);
    assert.equal(await app.stop(), stopped, 'a second stop is the same stop');
  });

  it('stops a well-behaved app with SIGTERM alone', { timeout: 30_000 }, async (t) => {
    const app = await start(t, `node -e "console.log('up'); setInterval(() => {}, 1000)"`);
    await logged(app, /up/);
    assert.deepEqual(await app.stop(), { killed: false, survivors: 0 });
    assert.deepEqual(await groupMembersLeft(app.pgid), []);
  });

  it('reports how it exited and its last lines, with secrets hidden', { timeout: 30_000 }, async (t) => {
    const app = await start(t, 'for i in $(seq 1 30); do echo "line $i"; done; echo "token s3cret-token-42" >&2; printf "no newline"; exit 3', {
      secret: 's3cret-token-42',
    });
    const exit = await app.exited;
    assert.equal(exit.code, 3);
    const lines = await app.lastLines(20);
    assert.equal(lines.length, 20);
    assert.equal(lines.at(-1), 'no newline');
    assert.ok(lines.includes('token ***'), lines.join('\n'));
    assert.equal(lines[0], 'line 13', '30 lines, the token line and the unfinished one: the last 20 start at line 13');
    await app.stop();
    assert.ok(!fs.readFileSync(app.logPath, 'utf8').includes('s3cret-token-42'));
  });

  it('takes the group with it when the process exits without stopping it', { timeout: 60_000 }, async (t) => {
    const dir = tempDir(t, 'smoke-start-exit-');
    const script = path.join(dir, 'exit-early.ts');
    fs.writeFileSync(
      script,
      [
        `import { startApp } from ${JSON.stringify(path.join(REPO_ROOT, 'src/deploy/start.ts'))};`,
        `import { createRedactor } from ${JSON.stringify(path.join(REPO_ROOT, 'src/secrets/redact.ts'))};`,
        `const app = await startApp({ command: 'sh -c "trap \\\\"\\\\" TERM; while :; do sleep 1; done" & wait', cwd: ${JSON.stringify(dir)}, env: process.env, logPath: ${JSON.stringify(path.join(dir, 'start.log'))}, redactor: createRedactor() });`,
        'console.log(app.pgid);',
        'process.exit(130);',
      ].join('\n'),
    );
    const run = await spawnNode([script], { cwd: dir }).finished;
    const pgid = Number(run.stdout.trim());
    assert.ok(pgid > 0, `${run.stdout}\n${run.stderr}`);
    t.after(() => killGroup(pgid));
    assert.deepEqual(await groupMembersLeft(pgid), []);
  });
});
