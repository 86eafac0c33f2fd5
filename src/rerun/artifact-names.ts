/**
 * Smoke artifact names: `<prefix>-<job>-attempt-<n>` (or `<prefix>-attempt-<n>` outside a job). Unique per
 * attempt, so a job re-run never collides with an earlier attempt's artifact; found again by the prefix. A shard of
 * a matrix adds its part, `<prefix>-shard-<i>-of-<n>-<job>-attempt-<n>`, so the shards never collide with each
 * other; a merge job's is `<prefix>-merged-<job>-attempt-<n>`, so a rerun can prefer it without downloading.
 */

/** An artifact as the REST API lists it. The artifact client drops `expired`, so we keep it ourselves. */
export interface ArtifactInfo {
  id: number;
  name: string;
  sizeInBytes: number;
  expired: boolean;
  expiresAt: string | null;
  createdAt: string | null;
  digest: string | null;
}

export interface SmokeArtifact {
  artifact: ArtifactInfo;
  job: string | null;
  attempt: number | null;
}

/** GITHUB_JOB as it appears in artifact names. */
export function jobToken(env: Record<string, string | undefined>): string | null {
  const job = (env.GITHUB_JOB ?? '').replace(/[^A-Za-z0-9_.-]/g, '-');
  return job || null;
}

/** What an artifact holds: one job's report, one shard's, or a merge of the shards. */
export type ArtifactVariant = { kind: 'shard'; index: number; total: number } | { kind: 'merged' } | null;

export function smokeArtifactName(prefix: string, env: Record<string, string | undefined>, variant: ArtifactVariant = null): string {
  const job = jobToken(env);
  const attempt = env.GITHUB_RUN_ATTEMPT || '1';
  const kind = variant === null ? '' : variant.kind === 'merged' ? 'merged-' : `shard-${variant.index}-of-${variant.total}-`;
  return job ? `${prefix}-${kind}${job}-attempt-${attempt}` : `${prefix}-${kind}attempt-${attempt}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface ParsedArtifactName {
  variant: ArtifactVariant;
  job: string | null;
  attempt: number | null;
}

/** Reads what a name with this prefix says; null when the name is not a smoke artifact of ours. */
export function parseArtifactName(name: string, prefix: string): ParsedArtifactName | null {
  if (name === prefix) return { variant: null, job: null, attempt: null };
  const start = `^${escapeRegExp(prefix)}-`;
  const end = '(?:(.+)-)?attempt-(\\d+)$';
  const shard = new RegExp(`${start}shard-(\\d{1,4})-of-(\\d{1,4})-${end}`).exec(name);
  if (shard) {
    const variant = { kind: 'shard' as const, index: Number(shard[1]), total: Number(shard[2]) };
    return { variant, job: shard[3] ?? null, attempt: Number(shard[4]) };
  }
  const merged = new RegExp(`${start}merged-${end}`).exec(name);
  if (merged) return { variant: { kind: 'merged' }, job: merged[1] ?? null, attempt: Number(merged[2]) };
  const single = new RegExp(`${start}${end}`).exec(name);
  return single ? { variant: null, job: single[1] ?? null, attempt: Number(single[2]) } : null;
}

/** Reads job and attempt out of a name with this prefix; null when the name is not one job's smoke artifact of ours. */
export function parseSmokeArtifactName(name: string, prefix: string): { job: string | null; attempt: number | null } | null {
  const parsed = parseArtifactName(name, prefix);
  return parsed && parsed.variant === null ? { job: parsed.job, attempt: parsed.attempt } : null;
}

export interface Picked {
  usable: SmokeArtifact | null;
  /** The best match that has expired, when nothing usable is left. */
  expired: ArtifactInfo | null;
  /** Every artifact name seen, for messages. */
  seen: string[];
}

/**
 * GitHub sets `expired` some time after `expires_at` has passed; in between, a download answers 410. Either one
 * makes an artifact unusable.
 */
export function isExpired(artifact: ArtifactInfo, now: number = Date.now()): boolean {
  return artifact.expired || (artifact.expiresAt !== null && Date.parse(artifact.expiresAt) <= now);
}

/**
 * The artifact to rerun from: ours by prefix, the same job when there are several jobs, the highest attempt up to
 * `maxAttempt`, and never an expired one.
 */
export function pickSmokeArtifact(
  artifacts: readonly ArtifactInfo[],
  prefix: string,
  job: string | null,
  maxAttempt: number | null,
  now: number = Date.now(),
): Picked {
  const ours = artifacts
    .map((artifact) => ({ artifact, parsed: parseSmokeArtifactName(artifact.name, prefix) }))
    .filter((entry): entry is { artifact: ArtifactInfo; parsed: { job: string | null; attempt: number | null } } => entry.parsed !== null)
    .filter((entry) => maxAttempt === null || (entry.parsed.attempt ?? 0) <= maxAttempt)
    .map((entry) => ({ artifact: entry.artifact, job: entry.parsed.job, attempt: entry.parsed.attempt }));
  const sameJob = ours.filter((entry) => entry.job === job || entry.job === null);
  // Another job's artifact is only a stand-in when there is no doubt which one: a single other job. A name
  // like `<prefix>-mobile-<job>-attempt-1` is this job's artifact under another artifact-name (a second suite
  // with the prefix `<prefix>-mobile`), never a stand-in for ours.
  const standIns = ours.filter((entry) => job === null || entry.job === null || !entry.job.endsWith(`-${job}`));
  const otherJobs = new Set(standIns.map((entry) => entry.job));
  const pool = sameJob.length > 0 ? sameJob : otherJobs.size === 1 ? standIns : [];
  const newestFirst = [...pool].sort((a, b) => (b.attempt ?? 0) - (a.attempt ?? 0) || (b.artifact.createdAt ?? '').localeCompare(a.artifact.createdAt ?? ''));
  return {
    usable: newestFirst.find((entry) => !isExpired(entry.artifact, now)) ?? null,
    expired: newestFirst.find((entry) => isExpired(entry.artifact, now))?.artifact ?? null,
    seen: artifacts.map((artifact) => artifact.name),
  };
}

/** A shard's smoke artifact, as its name describes it. */
export interface ShardArtifact extends SmokeArtifact {
  index: number;
  total: number;
}

/** Every shard artifact with this prefix up to `maxAttempt`, newest attempt first. */
export function shardArtifacts(artifacts: readonly ArtifactInfo[], prefix: string, maxAttempt: number | null): ShardArtifact[] {
  return artifacts
    .flatMap((artifact) => {
      const parsed = parseArtifactName(artifact.name, prefix);
      if (parsed?.variant?.kind !== 'shard') return [];
      if (maxAttempt !== null && (parsed.attempt ?? 0) > maxAttempt) return [];
      return [{ artifact, job: parsed.job, attempt: parsed.attempt, index: parsed.variant.index, total: parsed.variant.total }];
    })
    .sort((a, b) => (b.attempt ?? 0) - (a.attempt ?? 0) || (b.artifact.createdAt ?? '').localeCompare(a.artifact.createdAt ?? ''));
}

/**
 * Each shard's latest attempt that has a usable artifact: what a merge (or a rerun of a matrix with no merged
 * report) reads. Expired ones are passed over; shards with none left are simply absent.
 */
export function latestPerShard(shards: readonly ShardArtifact[], now: number = Date.now()): ShardArtifact[] {
  const latest = new Map<string, ShardArtifact>();
  for (const shard of shards) {
    const key = `${shard.job ?? ''}/${shard.index}/${shard.total}`;
    if (!latest.has(key) && !isExpired(shard.artifact, now)) latest.set(key, shard);
  }
  return [...latest.values()].sort((a, b) => a.index - b.index || a.total - b.total);
}

/** The report source a run's artifacts give a rerun: its merged report, else all its shard reports, else one job's. */
export type PickedReport =
  | { kind: 'single'; usable: SmokeArtifact }
  | { kind: 'merged'; usable: SmokeArtifact }
  | { kind: 'shards'; usable: SmokeArtifact; shards: ShardArtifact[] };

export interface PickedSource {
  usable: PickedReport | null;
  expired: ArtifactInfo | null;
  seen: string[];
}

export function pickReportArtifacts(
  artifacts: readonly ArtifactInfo[],
  prefix: string,
  job: string | null,
  maxAttempt: number | null,
  now: number = Date.now(),
): PickedSource {
  const merged = artifacts
    .flatMap((artifact) => {
      const parsed = parseArtifactName(artifact.name, prefix);
      return parsed?.variant?.kind === 'merged' && (maxAttempt === null || (parsed.attempt ?? 0) <= maxAttempt) ? [{ artifact, job: parsed.job, attempt: parsed.attempt }] : [];
    })
    .sort((a, b) => (b.attempt ?? 0) - (a.attempt ?? 0));
  const seen = artifacts.map((artifact) => artifact.name);
  const usableMerged = merged.find((entry) => !isExpired(entry.artifact, now));
  if (usableMerged) return { usable: { kind: 'merged', usable: usableMerged }, expired: null, seen };
  const allShards = shardArtifacts(artifacts, prefix, maxAttempt);
  const shards = oneMatrix(latestPerShard(allShards, now), job);
  if (shards.length > 0) return { usable: { kind: 'shards', usable: shards[0]!, shards }, expired: null, seen };
  const single = pickSmokeArtifact(artifacts, prefix, job, maxAttempt, now);
  if (single.usable) return { usable: { kind: 'single', usable: single.usable }, expired: null, seen };
  return { usable: null, expired: merged[0]?.artifact ?? allShards[0]?.artifact ?? single.expired, seen };
}

/** The shards of one matrix: this job's when it has some, else those of the newest matrix (job and shard count). */
function oneMatrix(shards: readonly ShardArtifact[], job: string | null): ShardArtifact[] {
  const mine = shards.filter((shard) => shard.job === job);
  const pool = mine.length > 0 ? mine : shards;
  const newest = [...pool].sort((a, b) => (b.artifact.createdAt ?? '').localeCompare(a.artifact.createdAt ?? ''))[0];
  return newest ? pool.filter((shard) => shard.job === newest.job && shard.total === newest.total) : [];
}
