/**
 * Which fixtures run: the whole suite, narrowed by patterns, tags and a sample (a rerun selects in
 * rerun/failed-set.ts). Pure functions over the loaded suite; the selected fixtures keep suite order.
 */
import { createHash } from 'node:crypto';
import type { LoadedFixture } from '../fixtures/schema.ts';
import { closestMatch } from '../fixtures/suggest.ts';

export interface SelectionRequest {
  /**
   * Ids or globs (`checkout-*`); a fixture is kept if it matches any. `!pattern` excludes what it matches, whatever
   * else picked it. No pattern but exclusions (or none at all): no narrowing by id.
   */
  patterns: string[];
  /** A fixture is kept if it has any of them. Empty: no narrowing. */
  tags: string[];
  /** A fixture that has any of them is left out, whatever else picked it. */
  excludeTags: string[];
  /** Keep this many of what patterns and tags leave, chosen deterministically; null: keep all. */
  sample: number | null;
  /** Seeds the sample (the Action passes the run id); null uses a fixed seed. */
  sampleSeed: string | null;
}

export interface Selection {
  selected: LoadedFixture[];
  /** Patterns (`!pattern` ones too) that match no fixture id at all. */
  unmatchedPatterns: string[];
  /** Fixtures the patterns and tags picked that `!pattern` or an exclude tag left out, in suite order. */
  excluded: string[];
  warnings: string[];
  /** Why each selected fixture was selected, by id: see selectionReason. */
  reasons: Record<string, string>;
  /** "full" when every fixture of the suite is selected. */
  mode: 'full' | 'selected';
}

/** The pattern a `!pattern` excludes, or null for a pattern that includes. */
export function exclusionOf(pattern: string): string | null {
  return pattern.startsWith('!') ? pattern.slice(1) : null;
}

export function selectFixtures(all: readonly LoadedFixture[], request: SelectionRequest): Selection {
  if (request.sample !== null && !(Number.isInteger(request.sample) && request.sample >= 1)) {
    throw new RangeError(`sample must be a whole number of at least 1, got ${request.sample}`);
  }
  const ids = all.map((fixture) => fixture.id);
  const including = request.patterns.filter((pattern) => exclusionOf(pattern) === null);
  const excluding = request.patterns.filter((pattern) => exclusionOf(pattern) !== null);
  const includes = including.map(compilePattern);
  const excludes = excluding.map((pattern) => compilePattern(exclusionOf(pattern) ?? ''));
  const unmatchedPatterns = [
    ...including.filter((_, index) => !ids.some((id) => includes[index]?.(id))),
    ...excluding.filter((_, index) => !ids.some((id) => excludes[index]?.(id))),
  ];
  const byPattern = includes.length === 0 ? [...all] : all.filter((f) => includes.some((match) => match(f.id)));
  const wanted = new Set(request.tags);
  const byTag = wanted.size === 0 ? byPattern : byPattern.filter((f) => f.tags.some((tag) => wanted.has(tag)));
  const unwanted = new Set(request.excludeTags);
  const isExcluded = (f: LoadedFixture) => excludes.some((match) => match(f.id)) || f.tags.some((tag) => unwanted.has(tag));
  const kept = byTag.filter((f) => !isExcluded(f));
  const selected = sampled(kept, request);
  const reasons = Object.fromEntries(
    selected.map((fixture) => [fixture.id, selectionReason(fixture, request, including, includes, { kept: selected.length, of: kept.length })]),
  );
  const warnings = [
    ...request.patterns.filter((pattern) => unmatchedPatterns.includes(pattern)).map((pattern) => unmatchedPatternWarning(pattern, ids)),
    ...unusedTagWarnings(all, request.tags, 'tag'),
    ...unusedTagWarnings(all, request.excludeTags, 'exclude tag'),
  ];
  if (selected.length === 0 && all.length > 0) warnings.push(emptySelectionWarning(request));
  return {
    selected,
    unmatchedPatterns,
    excluded: byTag.filter(isExcluded).map((f) => f.id),
    warnings,
    reasons,
    mode: selected.length === all.length ? 'full' : 'selected',
  };
}

/**
 * Why a fixture was selected, as a dry run shows it: "all fixtures", `id "home"`, `id matches "checkout-*"`,
 * `tag "smoke"`, joined by ", ", with "sampled 5 of 12" when a sample narrowed it. A short phrase, so that other
 * ways of choosing (a rerun's failed set, a shard) can add theirs.
 */
function selectionReason(
  fixture: LoadedFixture,
  request: SelectionRequest,
  patterns: readonly string[],
  matchers: readonly ((id: string) => boolean)[],
  sample: { kept: number; of: number },
): string {
  const parts: string[] = [];
  const pattern = patterns.find((_, index) => matchers[index]?.(fixture.id));
  if (pattern !== undefined) parts.push(isGlob(pattern) ? `id matches "${pattern}"` : `id "${pattern}"`);
  const tags = fixture.tags.filter((tag) => request.tags.includes(tag));
  if (tags.length > 0) parts.push(`${tags.length === 1 ? 'tag' : 'tags'} ${tags.map((tag) => `"${tag}"`).join(', ')}`);
  if (parts.length === 0) parts.push('all fixtures');
  if (request.sample !== null) parts.push(`sampled ${sample.kept} of ${sample.of}`);
  return parts.join(', ');
}

function sampled(candidates: LoadedFixture[], request: SelectionRequest): LoadedFixture[] {
  if (request.sample === null) return candidates;
  const chosen = sampleIds(
    candidates.map((fixture) => fixture.id),
    request.sample,
    request.sampleSeed ?? DEFAULT_SAMPLE_SEED,
  );
  return candidates.filter((fixture) => chosen.has(fixture.id));
}

function unmatchedPatternWarning(pattern: string, ids: string[]): string {
  const excluded = exclusionOf(pattern);
  if (excluded === '') return 'fixture pattern "!" excludes nothing: write the id or glob to exclude after the "!", such as "!checkout-*"';
  // A "!pattern" that matches nothing excludes nothing: the same hints, written with the "!".
  const text = excluded ?? pattern;
  const bang = excluded === null ? '' : '!';
  const base = excluded === null ? `fixture pattern "${pattern}" matches no fixture id` : `fixture pattern "${pattern}" excludes nothing: no fixture id matches "${text}"`;
  if (text !== text.toLowerCase()) return `${base}; ids are lowercase, try "${bang}${text.toLowerCase()}"`;
  if (isGlob(text)) return `${base}; check it against the fixture ids`;
  const guess = closestMatch(text, ids);
  return guess ? `${base}; did you mean "${bang}${guess}"?` : `${base}; check the spelling, or use a glob such as "${bang}${text}*"`;
}

function unusedTagWarnings(all: readonly LoadedFixture[], tags: readonly string[], what: 'tag' | 'exclude tag'): string[] {
  const present = new Set(all.flatMap((fixture) => fixture.tags));
  const effect = what === 'tag' ? '' : ', so it excludes nothing';
  return tags
    .filter((tag) => !present.has(tag))
    .map((tag) => {
      const guess = closestMatch(tag, present);
      return `${what} "${tag}" is on no fixture${effect}${guess ? `; did you mean "${guess}"?` : ''}`;
    });
}

function emptySelectionWarning(request: SelectionRequest): string {
  const parts = [
    request.patterns.length > 0 ? `fixtures ${request.patterns.map((p) => `"${p}"`).join(', ')}` : '',
    request.tags.length > 0 ? `tags ${request.tags.map((t) => `"${t}"`).join(', ')}` : '',
    request.excludeTags.length > 0 ? `exclude tags ${request.excludeTags.map((t) => `"${t}"`).join(', ')}` : '',
  ].filter((part) => part !== '');
  return `nothing is selected: no fixture matches ${parts.join(' together with ')}`;
}

// Fixture patterns: an id, or a glob where `*` matches any run of characters and `?` exactly one. Ids have no
// "/", so there is no need for `**` or path rules.

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** A whole-string matcher for one pattern; everything but `*` and `?` is literal. */
export function compilePattern(pattern: string): (id: string) => boolean {
  if (!isGlob(pattern)) return (id) => id === pattern;
  const glob = Array.from(pattern);
  return (id) => globMatches(glob, Array.from(id));
}

/**
 * Wildcard matching in linear time for any pattern (O(pattern × id) at worst, no backtracking explosion): on a
 * mismatch, only the most recent `*` takes one more character. A regex built from the glob would backtrack
 * exponentially on patterns such as `**********b`, and a blocked event loop ignores signals and timeouts.
 */
function globMatches(glob: readonly string[], id: readonly string[]): boolean {
  let g = 0;
  let i = 0;
  let star = -1;
  let starAt = 0;
  while (i < id.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === id[i]))) {
      g += 1;
      i += 1;
    } else if (g < glob.length && glob[g] === '*') {
      star = g;
      starAt = i;
      g += 1;
    } else if (star >= 0) {
      g = star + 1;
      starAt += 1;
      i = starAt;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === '*') g += 1;
  return g === glob.length;
}

// List inputs ("fixtures", "tags", --fixture, --tag) share one reading: commas or newlines separate items, so
// both `a, b` and a YAML block scalar with one id per line work in a workflow file.

/** Items in order of first appearance: trimmed, without empties or repeats. */
export function parseList(text: string): string[] {
  const items = text
    .split(/[,\r\n]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...new Set(items)];
}

// A deterministic sample: each id gets a rank from a hash of the seed and the id, and the N lowest ranks win.
// The same seed over the same suite gives the same sample, and since an id's rank does not depend on the other
// ids, adding or removing one fixture changes the sample by at most one member (rendezvous hashing).

/** Used when no seed is given, so that local runs without one still repeat the same sample. */
export const DEFAULT_SAMPLE_SEED = 'local';

export function sampleRank(seed: string, id: string): string {
  // The NUL keeps ("ab", "c") and ("a", "bc") apart.
  return createHash('sha256').update(`${seed}\u0000${id}`).digest('hex');
}

/** The ids of the sample, as a set; callers keep their own order. */
export function sampleIds(ids: readonly string[], size: number, seed: string): Set<string> {
  if (size >= ids.length) return new Set(ids);
  const ranked = ids
    .map((id) => ({ id, rank: sampleRank(seed, id) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : 1));
  return new Set(ranked.slice(0, size).map(({ id }) => id));
}
