/**
 * The suite timeout's own timer: the browser tests fire it on cue (suite.test.ts), so this checks the real one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSuiteControl } from '../../src/run/suite-control.ts';

describe('the suite timeout', () => {
  it('stops the suite with reason suite-timeout when its real timer runs out', { timeout: 20_000 }, async () => {
    const control = createSuiteControl({ suiteTimeoutMs: 5, signal: undefined });
    const interruption = await control.whenStopped;
    control.dispose();
    assert.equal(interruption.reason, 'suite-timeout');
    assert.match(interruption.message, /The suite timeout of 5ms was reached/);
    assert.deepEqual(control.stopped, interruption);
  });

  it('hands its delay to the timer it is given, and cancels it when disposed', () => {
    const calls: string[] = [];
    const control = createSuiteControl({
      suiteTimeoutMs: 8000,
      timer: (delayMs) => (calls.push(`start ${delayMs}`), () => calls.push('cancel')),
      signal: undefined,
    });
    control.dispose();
    assert.deepEqual(calls, ['start 8000', 'cancel']);
    assert.equal(control.stopped, null);
  });
});
