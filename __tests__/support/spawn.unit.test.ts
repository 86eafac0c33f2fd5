/**
 * The tests' child processes (bundled Action, bundled CLI, GitHub clients) cannot outlive their test: a child that
 * hangs is killed at its time limit and the failure carries what it printed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { spawnNode } from './spawn.ts';

const HANG = ['-e', 'console.log("started"); setInterval(() => {}, 1000)'];

describe('a child process that hangs', () => {
  it('is killed at its time limit, and the failure says so with its output', { timeout: 30_000 }, async () => {
    const spawned = spawnNode(HANG, { cwd: import.meta.dirname, timeoutMs: 1_000 });
    const exit = once(spawned.child, 'exit');
    await assert.rejects(spawned.finished, /did not finish within 1000 ms and was killed\.\nstdout:/);
    const [, signal] = await exit;
    assert.equal(signal, 'SIGKILL', 'the child is gone, not left running');
  });
});
