/**
 * The limiter starts queued functions only when a slot is free, in order, and frees the slot whatever the
 * task does. Tasks here are deferreds the test resolves by hand: no timers, no sleeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimiter } from '../../src/run/limiter.ts';

function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the limiter', () => {
  it('starts at most N tasks at once and the next one only when a slot frees, in queue order', async () => {
    const limiter = createLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const results = gates.map((gate, index) =>
      limiter.run(async () => {
        started.push(index);
        await gate.promise;
        return index * 10;
      }),
    );
    await settle();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.active, 2);
    assert.equal(limiter.waiting, 3);
    gates[1]?.resolve();
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    for (const gate of gates) gate.resolve();
    assert.deepEqual(await Promise.all(results), [0, 10, 20, 30, 40]);
    assert.equal(limiter.active, 0);
  });

  it('frees the slot of a task that rejects or throws synchronously, and passes the error on', async () => {
    const limiter = createLimiter(1);
    const failing = limiter.run(() => Promise.reject(new Error('async failure')));
    const throwing = limiter.run(() => {
      throw new Error('sync failure');
    });
    const after = limiter.run(async () => 'still runs');
    await assert.rejects(failing, /async failure/);
    await assert.rejects(throwing, /sync failure/);
    assert.equal(await after, 'still runs');
  });

  it('refuses a concurrency below 1', () => {
    assert.throws(() => createLimiter(0), /at least 1/);
    assert.throws(() => createLimiter(1.5), /at least 1/);
  });
});
