/**
 * Smoke artifact names: `<prefix>-<job>-attempt-<n>` (or `<prefix>-attempt-<n>` outside a job). Unique per
 * attempt, so a job re-run never collides with an earlier attempt's artifact; found again by the prefix.
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

export function smokeArtifactName(prefix: string, env: Record<string, string | undefined>): string {
  const job = jobToken(env);
  const attempt = env.GITHUB_RUN_ATTEMPT || '1';
  return job ? `${prefix}-${job}-attempt-${attempt}` : `${prefix}-attempt-${attempt}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads job and attempt out of a name with this prefix; null when the name is not a smoke artifact of ours. */
export function parseSmokeArtifactName(name: string, prefix: string): { job: string | null; attempt: number | null } | null {
  if (name === prefix) return { job: null, attempt: null };
  const match = new RegExp(`^${escapeRegExp(prefix)}-(?:(.+)-)?attempt-(\\d+)$`).exec(name);
  if (!match) return null;
  return { job: match[1] ?? null, attempt: Number(match[2]) };
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
