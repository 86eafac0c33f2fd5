/**
 * A deterministic sample: each id gets a rank from a hash of the seed and the id, and the N lowest ranks win.
 * The same seed over the same suite gives the same sample, and since an id's rank does not depend on the other
 * ids, adding or removing one fixture changes the sample by at most one member (rendezvous hashing).
 */
import { createHash } from 'node:crypto';

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
