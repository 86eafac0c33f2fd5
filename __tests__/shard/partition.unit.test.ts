/**
 * The partition every job of a matrix computes on its own: each selected fixture in exactly one part, the same
 * partition from the same inputs whatever their order, balanced by the previous run's durations when there are
 * some and by count otherwise, and a fingerprint that changes exactly when the partition does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DurationSource, durationsOf, longestPart, partitionFingerprint, partitionFixtures } from '../../src/shard/partition.ts';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `page-${String(index).padStart(3, '0')}`);
const source = (durations: Record<string, number>, runId = '41'): DurationSource => ({
  runId,
  digest: `sha256:${'a'.repeat(64)}`,
  durations: new Map(Object.entries(durations)),
});

describe('partitionFixtures', () => {
  it('puts every selected fixture in exactly one part, each part in suite order', () => {
    const suite = ids(23);
    for (const total of [1, 2, 3, 4, 7, 23, 30]) {
      const partition = partitionFixtures(suite, total, null);
      assert.equal(partition.parts.length, total);
      const all = partition.parts.flat();
      assert.deepEqual([...all].sort(), [...suite].sort(), `${total} parts hold every fixture once`);
      for (const part of partition.parts) assert.deepEqual(part, suite.filter((id) => part.includes(id)), 'suite order within a part');
    }
  });

  it('without durations, balances by count: the parts differ by at most one fixture', () => {
    const partition = partitionFixtures(ids(10), 4, null);
    assert.deepEqual(partition.parts.map((part) => part.length).sort(), [2, 2, 3, 3]);
    assert.equal(partition.balancedBy, 'count');
    assert.equal(partition.durationSource, null);
  });

  it('is the same partition from the same inputs, whatever the order of the durations', () => {
    const suite = ids(40);
    const durations = Object.fromEntries(suite.map((id, index) => [id, ((index * 37) % 11) * 100 + 50]));
    const reversed = Object.fromEntries(Object.entries(durations).reverse());
    const first = partitionFixtures(suite, 4, source(durations));
    const second = partitionFixtures(suite, 4, source(reversed));
    assert.deepEqual(second.parts, first.parts);
    assert.equal(second.fingerprint, first.fingerprint);
  });

  it('with durations, gives a slow page a part of its own, and balances the rest', () => {
    const suite = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const partition = partitionFixtures(suite, 2, source({ alpha: 1000, bravo: 1000, charlie: 1000, delta: 9000, echo: 1000, foxtrot: 1000 }));
    assert.equal(partition.balancedBy, 'duration');
    assert.deepEqual(partition.durationSource, { runId: '41', digest: `sha256:${'a'.repeat(64)}` });
    assert.deepEqual(partition.parts, [['delta'], ['alpha', 'bravo', 'charlie', 'echo', 'foxtrot']]);
  });

  it('counts a fixture the previous run did not time as the median of those it did', () => {
    const suite = ['new-page', 'a', 'b', 'c'];
    // Known: 100, 300, 500 (median 300). As 300, new-page joins the lighter part; as 0 or 1000 it would not.
    const partition = partitionFixtures(suite, 2, source({ a: 500, b: 100, c: 300 }));
    const load = partition.parts.map((part) => part.reduce((sum, id) => sum + ({ a: 500, b: 100, c: 300, 'new-page': 300 } as Record<string, number>)[id]!, 0));
    assert.deepEqual(load, [600, 600]);
  });

  it('balances by count when the durations know none of the selected fixtures', () => {
    const partition = partitionFixtures(ids(6), 3, source({ 'other-page': 5000 }));
    assert.equal(partition.balancedBy, 'count');
    assert.equal(partition.durationSource, null, 'a source that says nothing about the selection is not recorded as one');
  });

  it('gives a shard no fixture when there are fewer fixtures than shards', () => {
    const partition = partitionFixtures(['only', 'two'], 4, null);
    assert.deepEqual(partition.parts.map((part) => part.length), [1, 1, 0, 0]);
  });

  it('records what was partitioned', () => {
    const partition = partitionFixtures(['b', 'a', 'c'], 2, null);
    assert.deepEqual(partition.fixtureIds, ['b', 'a', 'c']);
  });
});

describe('the partition fingerprint', () => {
  it('is the same for the same parts in any order within them, and differs for another partition', () => {
    const one = partitionFingerprint(2, [['a', 'b'], ['c']]);
    assert.equal(partitionFingerprint(2, [['b', 'a'], ['c']]), one);
    assert.notEqual(partitionFingerprint(2, [['a'], ['b', 'c']]), one);
    assert.notEqual(partitionFingerprint(3, [['a', 'b'], ['c'], []]), one);
    assert.match(one, /^sha256:[0-9a-f]{64}$/);
  });

  it('differs between a partition by durations and one by count when they split differently', () => {
    const suite = ['a', 'b', 'c', 'd'];
    const byCount = partitionFixtures(suite, 2, null);
    const byDuration = partitionFixtures(suite, 2, source({ a: 9000, b: 10, c: 10, d: 10 }));
    assert.notDeepEqual(byDuration.parts, byCount.parts);
    assert.notEqual(byDuration.fingerprint, byCount.fingerprint);
  });
});

describe('durationsOf and longestPart', () => {
  it('takes what each fixture that ran took, and leaves out those that never ran', () => {
    const durations = durationsOf([
      { id: 'ran', attempts: [{} as never], durationMs: 1200 },
      { id: 'skipped', attempts: [], durationMs: 0 },
    ]);
    assert.deepEqual([...durations], [['ran', 1200]]);
  });

  it('is what the slowest part takes', () => {
    assert.equal(longestPart({ parts: [['a', 'b'], ['c']] }, (id) => ({ a: 1, b: 2, c: 5 })[id] ?? 0), 5);
  });
});
