import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadFixtures } from '../../src/fixtures/load.ts';
import type { LoadedFixture } from '../../src/fixtures/schema.ts';
import { compilePattern, parseList, selectFixtures } from '../../src/selection/select.ts';
import type { SelectionRequest } from '../../src/selection/select.ts';
import { selectForRerun } from '../../src/rerun/failed-set.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NO_NARROWING: SelectionRequest = { patterns: [], tags: [], excludeTags: [], sample: null, sampleSeed: null };

let suite: LoadedFixture[] = [];

before(async () => {
  const result = await loadFixtures('__tests__/data/fixtures-good', { cwd: ROOT });
  assert.deepEqual(result.problems, []);
  suite = result.fixtures;
});

function ids(fixtures: readonly LoadedFixture[]): string[] {
  return fixtures.map((fixture) => fixture.id);
}

function select(request: Partial<SelectionRequest>) {
  return selectFixtures(suite, { ...NO_NARROWING, ...request });
}

/** A large suite of made-up fixtures, for properties of the sample. */
function bigSuite(count: number, extra: string[] = []): LoadedFixture[] {
  const names = [...Array.from({ length: count }, (_, index) => `page-${String(index).padStart(3, '0')}`), ...extra];
  return names.map((id, index) => ({
    id,
    tags: [index % 2 === 0 ? 'even' : 'odd'],
    url: `/${id}.html`,
    steps: [],
    expect: { noConsoleErrors: true, noPageErrors: true, noFailedRequests: false },
    file: 'fixtures/pages.smoke.yml',
    line: index * 3 + 2,
  }));
}

describe('selecting fixtures', () => {
  it('runs the whole suite, in suite order, when nothing narrows it', () => {
    const selection = select({});
    assert.deepEqual(ids(selection.selected), ['api-health', 'api-docs', 'checkout-cart', 'checkout-pay', 'checkout-empty', 'home', 'search']);
    assert.equal(selection.mode, 'full');
    assert.deepEqual([selection.warnings, selection.unmatchedPatterns], [[], []]);
  });

  it('selects by id, keeping suite order rather than the order asked for', () => {
    const selection = select({ patterns: ['search', 'api-health'] });
    assert.deepEqual(ids(selection.selected), ['api-health', 'search']);
    assert.equal(selection.mode, 'selected');
  });

  it('selects by glob: `*` for any run of characters, `?` for one', () => {
    assert.deepEqual(ids(select({ patterns: ['checkout-*'] }).selected), ['checkout-cart', 'checkout-pay', 'checkout-empty']);
    assert.deepEqual(ids(select({ patterns: ['?ome'] }).selected), ['home']);
    assert.deepEqual(ids(select({ patterns: ['*-docs', 'sea*'] }).selected), ['api-docs', 'search']);
    assert.deepEqual(ids(select({ patterns: ['*'] }).selected), ids(suite));
  });

  it('treats everything but `*` and `?` in a pattern literally', () => {
    assert.equal(compilePattern('a.b')('a.b'), true);
    assert.equal(compilePattern('a.b')('axb'), false);
    assert.equal(compilePattern('a.*')('axb'), false);
    assert.equal(compilePattern('(x)+*')('(x)+y'), true);
  });

  it('matches globs in linear time: patterns that make a backtracking regex explode finish at once', () => {
    // As a regex, `^.*.*.*…b$` against 60 "a"s backtracks for longer than the age of the universe.
    assert.equal(compilePattern('**********b')('a'.repeat(60)), false);
    assert.equal(compilePattern('*a*a*a*a*a*a*a*a*a*a*b')('a'.repeat(5000)), false);
    assert.equal(compilePattern('*a*a*a*a*a*a*a*a*a*a*b')(`${'a'.repeat(5000)}b`), true);
    assert.equal(compilePattern('?'.repeat(200))('x'.repeat(200)), true);
  });

  it('matches exactly what the equivalent regular expression matches', () => {
    const asRegex = (glob: string) =>
      new RegExp(`^${Array.from(glob, (c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`, 's');
    const alphabet = ['a', 'b', '*', '?', '.'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (chars: string[], max: number) => Array.from({ length: random(max + 1) }, () => chars[random(chars.length)]!).join('');
    for (let round = 0; round < 3000; round += 1) {
      const glob = word(alphabet, 6);
      const id = word(['a', 'b', '.'], 7);
      assert.equal(compilePattern(glob)(id), asRegex(glob).test(id), `"${glob}" against "${id}"`);
    }
  });

  it('selects by tag: a fixture with any of the tags is kept', () => {
    assert.deepEqual(ids(select({ tags: ['api'] }).selected), ['api-health', 'api-docs']);
    assert.deepEqual(ids(select({ tags: ['critical', 'search'] }).selected), ['checkout-cart', 'home', 'search']);
  });

  it('with both patterns and tags, keeps fixtures that match a pattern and have a tag', () => {
    const selection = select({ patterns: ['checkout-*', 'home'], tags: ['critical'] });
    assert.deepEqual(ids(selection.selected), ['checkout-cart', 'home']);
    assert.deepEqual(selection.warnings, []);
  });

  it('warns about each pattern that matches no fixture, and suggests a near id', () => {
    const selection = select({ patterns: ['checkot-cart', 'home', 'billing-*', 'Search'] });
    assert.deepEqual(ids(selection.selected), ['home']);
    assert.deepEqual(selection.unmatchedPatterns, ['checkot-cart', 'billing-*', 'Search']);
    assert.deepEqual(selection.warnings, [
      'fixture pattern "checkot-cart" matches no fixture id; did you mean "checkout-cart"?',
      'fixture pattern "billing-*" matches no fixture id; check it against the fixture ids',
      'fixture pattern "Search" matches no fixture id; ids are lowercase, try "search"',
    ]);
  });

  it('warns about unknown tags and about a selection that ends up empty', () => {
    const selection = select({ patterns: ['api-*'], tags: ['critcal'] });
    assert.deepEqual(selection.selected, []);
    assert.deepEqual(selection.warnings, [
      'tag "critcal" is on no fixture; did you mean "critical"?',
      'nothing is selected: no fixture matches fixtures "api-*" together with tags "critcal"',
    ]);
  });

  it('excludes with `!pattern`: alone it narrows the whole suite, and it wins over the patterns that include', () => {
    const alone = select({ patterns: ['!checkout-*'] });
    assert.deepEqual(ids(alone.selected), ['api-health', 'api-docs', 'home', 'search']);
    assert.deepEqual(alone.excluded, ['checkout-cart', 'checkout-pay', 'checkout-empty']);
    assert.equal(alone.mode, 'selected');
    const both = select({ patterns: ['checkout-*', '!checkout-pay', 'home'] });
    assert.deepEqual(ids(both.selected), ['checkout-cart', 'checkout-empty', 'home']);
    assert.deepEqual(both.excluded, ['checkout-pay']);
    assert.deepEqual(both.warnings, []);
  });

  it('excludes by tag whatever else selects the fixture, and reports only what it took away', () => {
    const selection = select({ tags: ['checkout', 'api'], excludeTags: ['edge', 'docs'] });
    assert.deepEqual(ids(selection.selected), ['api-health', 'checkout-cart', 'checkout-pay']);
    assert.deepEqual(selection.excluded, ['api-docs', 'checkout-empty']);
    // A fixture no pattern or tag picked is not "excluded": it was never in.
    assert.deepEqual(select({ patterns: ['home'], excludeTags: ['api'] }).excluded, []);
  });

  it('samples after the exclusions, so an excluded fixture never takes a place in the sample', () => {
    const big = bigSuite(40);
    const selection = selectFixtures(big, { ...NO_NARROWING, patterns: ['!page-00*'], excludeTags: ['odd'], sample: 8, sampleSeed: 's' });
    assert.equal(selection.selected.length, 8);
    for (const fixture of selection.selected) {
      assert.deepEqual(fixture.tags, ['even']);
      assert.doesNotMatch(fixture.id, /^page-00/);
    }
  });

  it('warns about an exclusion that excludes nothing, with the same hints as for other patterns and tags', () => {
    const selection = select({ patterns: ['!chekout-pay', '!legacy-*', '!Home', '!'], excludeTags: ['slwo', 'nightly'] });
    assert.equal(selection.selected.length, suite.length);
    assert.deepEqual(selection.unmatchedPatterns, ['!chekout-pay', '!legacy-*', '!Home', '!']);
    assert.deepEqual(selection.warnings, [
      'fixture pattern "!chekout-pay" excludes nothing: no fixture id matches "chekout-pay"; did you mean "!checkout-pay"?',
      'fixture pattern "!legacy-*" excludes nothing: no fixture id matches "legacy-*"; check it against the fixture ids',
      'fixture pattern "!Home" excludes nothing: no fixture id matches "Home"; ids are lowercase, try "!home"',
      'fixture pattern "!" excludes nothing: write the id or glob to exclude after the "!", such as "!checkout-*"',
      'exclude tag "slwo" is on no fixture, so it excludes nothing',
      'exclude tag "nightly" is on no fixture, so it excludes nothing',
    ]);
    assert.deepEqual(select({ excludeTags: ['critcal'] }).warnings, ['exclude tag "critcal" is on no fixture, so it excludes nothing; did you mean "critical"?']);
  });

  it('says which exclusion emptied the selection', () => {
    const selection = select({ tags: ['api'], excludeTags: ['api'] });
    assert.deepEqual(selection.selected, []);
    assert.deepEqual(selection.warnings, ['nothing is selected: no fixture matches tags "api" together with exclude tags "api"']);
  });

  it('rejects a sample size that is not a whole number of at least 1', () => {
    assert.throws(() => select({ sample: 0 }), RangeError);
    assert.throws(() => select({ sample: 1.5 }), RangeError);
  });
});

describe('sampling', () => {
  it('picks N fixtures, the same ones for the same seed, in suite order', () => {
    const big = bigSuite(100);
    const first = selectFixtures(big, { ...NO_NARROWING, sample: 10, sampleSeed: 'run-4821' });
    const again = selectFixtures(big, { ...NO_NARROWING, sample: 10, sampleSeed: 'run-4821' });
    assert.equal(first.selected.length, 10);
    assert.deepEqual(ids(again.selected), ids(first.selected));
    assert.deepEqual(ids(first.selected), [...ids(first.selected)].sort(), 'suite order (ids are zero-padded)');
    assert.equal(first.mode, 'selected');
  });

  it('keeps the same sample across releases: the ranking is part of the contract', () => {
    // A scheduled run and its manual repeat (same run id) must pick the same fixtures, whatever version runs them.
    const selection = select({ sample: 3, sampleSeed: '1234567890' });
    assert.deepEqual(ids(selection.selected), ['api-health', 'checkout-cart', 'home']);
  });

  it('picks a different sample for a different seed', () => {
    const big = bigSuite(100);
    const a = ids(selectFixtures(big, { ...NO_NARROWING, sample: 10, sampleSeed: 'run-1' }).selected);
    const b = ids(selectFixtures(big, { ...NO_NARROWING, sample: 10, sampleSeed: 'run-2' }).selected);
    assert.notDeepEqual(a, b);
  });

  it('does not depend on the order of the suite', () => {
    const big = bigSuite(60);
    const forward = ids(selectFixtures(big, { ...NO_NARROWING, sample: 7, sampleSeed: 's' }).selected);
    const backward = ids(selectFixtures([...big].reverse(), { ...NO_NARROWING, sample: 7, sampleSeed: 's' }).selected);
    assert.deepEqual([...backward].reverse(), forward);
  });

  it('changes by at most one fixture when one fixture is added to the suite', () => {
    for (const seed of ['a', 'b', 'c', 'run-77', 'run-78']) {
      const before = new Set(ids(selectFixtures(bigSuite(100), { ...NO_NARROWING, sample: 20, sampleSeed: seed }).selected));
      const after = ids(selectFixtures(bigSuite(100, ['zz-new']), { ...NO_NARROWING, sample: 20, sampleSeed: seed }).selected);
      const kept = after.filter((id) => before.has(id));
      assert.ok(kept.length >= 19, `seed ${seed}: only ${kept.length} of 20 kept`);
    }
  });

  it('samples after patterns and tags have narrowed the suite', () => {
    const big = bigSuite(50);
    const selection = selectFixtures(big, { patterns: ['page-0*'], tags: ['even'], excludeTags: [], sample: 5, sampleSeed: 'x' });
    assert.equal(selection.selected.length, 5);
    for (const fixture of selection.selected) {
      assert.match(fixture.id, /^page-0/);
      assert.deepEqual(fixture.tags, ['even']);
    }
  });

  it('keeps everything when the sample is at least the suite size, and a null seed is still deterministic', () => {
    const all = select({ sample: 50 });
    assert.deepEqual(ids(all.selected), ids(suite));
    assert.equal(all.mode, 'full');
    assert.deepEqual(ids(select({ sample: 3 }).selected), ids(select({ sample: 3 }).selected));
  });
});

describe('selecting a rerun', () => {
  it('selects exactly the failed fixtures, in suite order, and warns about ids that are gone', () => {
    const rerun = selectForRerun(suite, ['search', 'checkout-old', 'checkout-cart', 'search']);
    assert.deepEqual(ids(rerun.selected), ['checkout-cart', 'search']);
    assert.deepEqual(rerun.missing, ['checkout-old']);
    assert.deepEqual(rerun.warnings, [
      'fixture "checkout-old" failed (or never ran) in the source run but is no longer in the fixture files (renamed or removed?); skipping it',
    ]);
  });

  it('selects nothing when nothing failed', () => {
    assert.deepEqual(selectForRerun(suite, []), { selected: [], missing: [], warnings: [] });
  });
});

describe('list inputs', () => {
  it('splits on commas and newlines, trims, and drops empties and repeats', () => {
    assert.deepEqual(parseList('checkout-*, home\nsearch,,\r\n  home \n'), ['checkout-*', 'home', 'search']);
    assert.deepEqual(parseList(''), []);
    assert.deepEqual(parseList(' , \n '), []);
  });
});
