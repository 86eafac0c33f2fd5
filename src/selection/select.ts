/**
 * Which fixtures run: the whole suite, narrowed by patterns, tags and a sample; or, for a rerun, exactly the
 * fixtures that failed before. Pure functions over the loaded suite; the selected fixtures keep suite order.
 */
import type { LoadedFixture } from '../fixtures/loaded.ts';
import { closestMatch } from '../fixtures/suggest.ts';
import { compilePattern, isGlob } from './glob.ts';
import { DEFAULT_SAMPLE_SEED, sampleIds } from './sample.ts';

export interface SelectionRequest {
  /** Ids or globs (`checkout-*`); a fixture is kept if it matches any. Empty: no narrowing. */
  patterns: string[];
  /** A fixture is kept if it has any of them. Empty: no narrowing. */
  tags: string[];
  /** Keep this many of what patterns and tags leave, chosen deterministically; null: keep all. */
  sample: number | null;
  /** Seeds the sample (the Action passes the run id); null uses a fixed seed. */
  sampleSeed: string | null;
}

export interface Selection {
  selected: LoadedFixture[];
  /** Patterns that match no fixture id at all. */
  unmatchedPatterns: string[];
  warnings: string[];
  /** "full" when every fixture of the suite is selected. */
  mode: 'full' | 'selected';
}

export interface RerunSelection {
  selected: LoadedFixture[];
  /** Failed ids that no longer exist in the fixture files, in the order given. */
  missing: string[];
  warnings: string[];
}

export function selectFixtures(all: readonly LoadedFixture[], request: SelectionRequest): Selection {
  if (request.sample !== null && !(Number.isInteger(request.sample) && request.sample >= 1)) {
    throw new RangeError(`sample must be a whole number of at least 1, got ${request.sample}`);
  }
  const ids = all.map((fixture) => fixture.id);
  const matchers = request.patterns.map(compilePattern);
  const unmatchedPatterns = request.patterns.filter((_, index) => !ids.some((id) => matchers[index]?.(id)));
  const byPattern = matchers.length === 0 ? [...all] : all.filter((f) => matchers.some((match) => match(f.id)));
  const wanted = new Set(request.tags);
  const byTag = wanted.size === 0 ? byPattern : byPattern.filter((f) => f.tags.some((tag) => wanted.has(tag)));
  const selected = sampled(byTag, request);
  const warnings = [
    ...unmatchedPatterns.map((pattern) => unmatchedPatternWarning(pattern, ids)),
    ...unusedTagWarnings(all, request.tags),
  ];
  if (selected.length === 0 && all.length > 0) warnings.push(emptySelectionWarning(request));
  return { selected, unmatchedPatterns, warnings, mode: selected.length === all.length ? 'full' : 'selected' };
}

/** Exactly the failed fixtures, in suite order. Never sampled: a rerun that skipped a failure would hide it. */
export function selectForRerun(all: readonly LoadedFixture[], failedIds: readonly string[]): RerunSelection {
  const failed = new Set(failedIds);
  const known = new Set(all.map((fixture) => fixture.id));
  const missing = [...failed].filter((id) => !known.has(id));
  return {
    selected: all.filter((fixture) => failed.has(fixture.id)),
    missing,
    warnings: missing.map(
      (id) => `fixture "${id}" failed (or never ran) in the source run but is no longer in the fixture files (renamed or removed?); skipping it`,
    ),
  };
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
  const base = `fixture pattern "${pattern}" matches no fixture id`;
  if (pattern !== pattern.toLowerCase()) return `${base}; ids are lowercase, try "${pattern.toLowerCase()}"`;
  if (isGlob(pattern)) return `${base}; check it against the fixture ids`;
  const guess = closestMatch(pattern, ids);
  return guess ? `${base}; did you mean "${guess}"?` : `${base}; check the spelling, or use a glob such as "${pattern}*"`;
}

function unusedTagWarnings(all: readonly LoadedFixture[], tags: readonly string[]): string[] {
  const present = new Set(all.flatMap((fixture) => fixture.tags));
  return tags
    .filter((tag) => !present.has(tag))
    .map((tag) => {
      const guess = closestMatch(tag, present);
      return `tag "${tag}" is on no fixture${guess ? `; did you mean "${guess}"?` : ''}`;
    });
}

function emptySelectionWarning(request: SelectionRequest): string {
  const parts = [
    request.patterns.length > 0 ? `fixtures ${request.patterns.map((p) => `"${p}"`).join(', ')}` : '',
    request.tags.length > 0 ? `tags ${request.tags.map((t) => `"${t}"`).join(', ')}` : '',
  ].filter((part) => part !== '');
  return `nothing is selected: no fixture matches ${parts.join(' together with ')}`;
}
