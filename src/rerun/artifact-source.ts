/**
 * The Action's source of the report to rerun: find the previous run's smoke artifact (artifact-discovery.ts),
 * download its zip (artifact-download.ts), check the digest GitHub recorded at upload, and read report.json out of
 * the zip without unpacking anything else (zip-entry.ts), as untrusted input. Every way this can fail stops the run
 * before the browser starts, with its own code and guidance.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PreflightError } from '../report/stops.ts';
import { clip, REPORT_LIMITS } from '../report/limits.ts';
import { FULL_RUN_HINT, siteArgs } from '../report/commands.ts';
import { parseReportBytes, ReportReadError } from './source-report.ts';
import { PLAN_FILE, REPORT_FILE } from '../report/write.ts';
import { type AcquiredSource, type FallbackContext, readFailureDiagnostic, type RerunFailureCode, rerunFailureDiagnostic } from './diagnostics.ts';
import type { Logger } from '../common/types.ts';
import { type Candidate, discoverCandidates, type LookingRun } from './artifact-discovery.ts';
import { type ArtifactInfo, jobToken, type ShardArtifact } from './artifact-names.ts';
import { DOWNLOAD_LIMITS, DownloadError, type DownloadedZip, type DownloadLimits, downloadArtifactZip } from './artifact-download.ts';
import { createRunsApi, DiscoveryError, discoveryErrorOf, type RunInfo, type RunsApi } from './runs-api.ts';
import { readZipDirectory, readZipEntry, ZipEntryTooLargeError, ZipError } from './zip-entry.ts';
import { mapConcurrently } from '../common/concurrency.ts';
import type { ShardSpec } from '../options/values.ts';
import { mergeShardReports, type ShardInput } from '../shard/merge.ts';
import { mergedReportOf } from '../shard/merged-report.ts';

/** Brings an artifact's zip into `file`; the real one asks GitHub's API where it is and streams it from blob storage. */
export type ZipFetcher = (artifact: ArtifactInfo, file: string) => Promise<DownloadedZip>;

/** A source report, plus the commit its run tested (the PR head for pull requests), for the check run. */
export interface FoundSource extends AcquiredSource {
  headSha: string | null;
}

/** Mirrors @actions/artifact's own test, so we can say so before it throws GHESNotSupportedError. */
export function isEnterpriseServer(env: Record<string, string | undefined>): boolean {
  const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toUpperCase();
  return host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST');
}

function describeOrigin(origin: AcquiredSource['origin']): string {
  const run = origin.runId ? `run ${origin.runId}${origin.runAttempt ? ` (attempt ${origin.runAttempt})` : ''}` : 'an earlier run';
  return origin.artifactName ? `the smoke artifact "${origin.artifactName}" of ${run}` : run;
}

/** The inputs that say where to look: the token, the artifact-name prefix, an explicit run, the site args. */
export interface ArtifactSourceInputs {
  githubToken: string;
  artifactName: string;
  artifactRunId: string | null;
  fixturesDir: string;
  baseUrl: string | null;
  serveDir: string | null;
  /** Set for a shard: it never reads an earlier attempt of its own run (see DiscoveryRequest.earlierAttempts). */
  shard?: ShardSpec | null;
}

export interface FinderDeps {
  /** The runner's environment, as the Action read it (ActionIo.env): never process.env behind its back. */
  env: Record<string, string | undefined>;
  /** Where a downloaded zip stays for a moment (the runner's temp folder). */
  tempDir: string;
  api?: RunsApi;
  fetchZip?: ZipFetcher;
  /** Bounds of the real download; tests tighten the stall time. */
  downloadLimits?: Partial<DownloadLimits>;
  /** How long one REST call may take (GITHUB_CALL_TIMEOUT_MS when left out). */
  githubCallMs?: number;
}

export function createRerunSourceFinder(inputs: ArtifactSourceInputs, context: LookingRun & { apiUrl: string }, logger: Logger, deps: FinderDeps) {
  const fallback: FallbackContext = { commandArgs: siteArgs(inputs), fullRunHint: FULL_RUN_HINT };
  const { env } = deps;
  const fail = (code: RerunFailureCode, message: string): never => {
    throw new PreflightError(rerunFailureDiagnostic(code, message, fallback));
  };
  return {
    describeSource: (source: AcquiredSource) => describeOrigin(source.origin),
    acquireRerunSource: async (): Promise<FoundSource> => {
      if (isEnterpriseServer(env)) fail('ghes-not-supported', `${env.GITHUB_SERVER_URL} is a GitHub Enterprise Server.`);
      if (!inputs.githubToken) fail('token-missing', 'github-token is empty.');
      if (!context.owner || !context.repo) fail('no-earlier-run', 'GITHUB_REPOSITORY is not set, so this is not a GitHub Actions run.');
      const api = deps.api ?? createRunsApi(inputs.githubToken, context.owner!, context.repo!, context.apiUrl, deps.githubCallMs);
      const fetch = fetchContextOf(api, deps, { fallback, logger, fail });
      const skipped: string[] = [];
      try {
        const candidates = discoverCandidates(api, {
          artifactRunId: inputs.artifactRunId,
          prefix: inputs.artifactName,
          job: jobToken(env),
          context,
          note: (message) => logger.info(message),
          earlierAttempts: !inputs.shard,
        });
        for await (const candidate of candidates) {
          const source = candidate.shards ? await combinedShardSource(candidate, candidate.shards, fetch) : await fetchCandidate(candidate, fetch);
          const reason = source ? noResultsReason(source) : 'it is a dry run (plan.json only)';
          if (source && (reason === null || candidate.via === 'artifact-run-id')) return source;
          skipped.push(`"${candidate.artifact.name}" of run ${candidate.run.id}: ${reason}`);
          logger.info(`Not rerunning from "${candidate.artifact.name}" of run ${candidate.run.id}: ${reason}. Looking further back.`);
        }
      } catch (error) {
        if (error instanceof PreflightError) throw error;
        const discovery = error instanceof DiscoveryError ? error : discoveryErrorOf(error, 'find the previous smoke artifact');
        const note = skipped.length > 0 ? ` Skipped because they hold no results: ${skipped.join('; ')}.` : '';
        fail(discovery.code, discovery.message + note);
      }
      return fail('no-artifact', `every smoke artifact found holds no results: ${skipped.join('; ')}.`);
    },
  };
}

/** Why a report cannot serve as a rerun source, or null when it can. */
function noResultsReason(source: AcquiredSource): string | null {
  const { preflight, fixtures } = source.report;
  if (preflight?.severity === 'error' && fixtures.length === 0) return `that run stopped before running any fixture (${preflight.code})`;
  return null;
}

export interface FetchContext {
  tempDir: string;
  fetchZip: ZipFetcher;
  maxZipBytes: number;
  fallback: FallbackContext;
  logger: Logger;
  fail: (code: RerunFailureCode, message: string) => never;
}

/** How artifacts are fetched and bounded: the real download, unless a test gives its own. */
export function fetchContextOf(api: RunsApi, deps: FinderDeps, parts: Pick<FetchContext, 'fallback' | 'logger' | 'fail'>): FetchContext {
  const limits = { ...DOWNLOAD_LIMITS, ...deps.downloadLimits };
  const fetchZip: ZipFetcher =
    deps.fetchZip ?? ((artifact, file) => downloadArtifactZip((id) => api.artifactZipUrl(id), artifact.id, file, limits, (line) => parts.logger.info(line)));
  return { tempDir: deps.tempDir, fetchZip, maxZipBytes: limits.maxBytes, ...parts };
}

/** Downloads and reads one candidate. Null when it holds a dry-run plan rather than a report. */
async function fetchCandidate(candidate: Candidate, fetch: FetchContext): Promise<FoundSource | null> {
  const { artifact } = candidate;
  const label = `the smoke artifact "${artifact.name}" of run ${candidate.run.id}`;
  if (artifact.sizeInBytes > fetch.maxZipBytes) fetch.fail('too-large', `${label} is ${artifact.sizeInBytes} bytes, more than any smoke artifact.`);
  fetch.logger.info(`Reading ${label} (found via ${candidate.via}).`);
  const dir = fs.mkdtempSync(path.join(fetch.tempDir, 'reliability-smoke-source-'));
  try {
    // The file's name is ours; nothing in the artifact ever names a path.
    const zip = path.join(dir, 'artifact.zip');
    const downloaded = await fetch.fetchZip(artifact, zip);
    if (artifact.digest && downloaded.digest !== artifact.digest) {
      fetch.fail('digest-mismatch', `${label} does not match its recorded digest ${artifact.digest}: the bytes downloaded hash to ${downloaded.digest}.`);
    }
    return await readSource(zip, candidate, label, fetch);
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    if (error instanceof DownloadError) return fetch.fail(error.code, `${label} could not be downloaded: ${error.message}`);
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** report.json out of the zip, and nothing else; a zip with only plan.json is a dry run's. */
async function reportBytesOf(zip: string, label: string, fetch: FetchContext): Promise<Uint8Array | null> {
  try {
    const bytes = await readZipEntry(zip, REPORT_FILE, REPORT_LIMITS.maxReportBytes);
    if (bytes !== null) return bytes;
    const names = (await readZipDirectory(zip)).entries.map((entry) => entry.name);
    if (names.includes(PLAN_FILE)) return null;
    const holds = names.length === 0 ? 'nothing' : `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, and ${names.length - 5} more` : ''}`;
    return fetch.fail('report-missing', `${label} holds no ${REPORT_FILE} at its root (it holds ${holds}).`);
  } catch (error) {
    if (error instanceof ZipEntryTooLargeError) {
      const size = error.size === null ? 'inflates to more than' : `is ${error.size} bytes, over`;
      return fetch.fail('too-large', `${REPORT_FILE} in ${label} ${size} the ${REPORT_LIMITS.maxReportBytes}-byte limit for a report, so it was not read.`);
    }
    if (error instanceof ZipError) return fetch.fail('artifact-unreadable', `${label} is not a zip that can be read: ${error.message}.`);
    throw error;
  }
}

async function readSource(zip: string, candidate: Candidate, label: string, fetch: FetchContext): Promise<FoundSource | null> {
  const bytes = await reportBytesOf(zip, label, fetch);
  if (bytes === null) return null;
  try {
    const read = parseReportBytes(bytes, label);
    return {
      report: read.report,
      origin: {
        runId: candidate.run.id,
        runAttempt: candidate.attempt ?? read.report.run.runAttempt,
        artifactId: String(candidate.artifact.id),
        artifactName: candidate.artifact.name,
        url: candidate.run.htmlUrl,
        path: null,
        digest: read.digest,
      },
      headSha: candidate.run.headSha,
    };
  } catch (error) {
    if (error instanceof ReportReadError) throw new PreflightError(readFailureDiagnostic(error, label, fetch.fallback));
    throw error;
  }
}

/** Downloads at a time when a run has many shard artifacts. */
const SHARD_DOWNLOADS_AT_ONCE = 4;

/**
 * Reads each shard's artifact with the same download, limits and digest check as a rerun source. A shard whose
 * artifact cannot be read is that shard's problem (its code and why), not the end of the others.
 */
export async function readShardArtifacts(shards: readonly ShardArtifact[], run: RunInfo, fetch: FetchContext): Promise<ShardInput[]> {
  return mapConcurrently(shards, SHARD_DOWNLOADS_AT_ONCE, async (shard): Promise<ShardInput> => {
    const artifact = { id: String(shard.artifact.id), name: shard.artifact.name, job: shard.job, attempt: shard.attempt };
    const input = { index: shard.index, total: shard.total, label: `the artifact "${shard.artifact.name}"`, artifact };
    try {
      const candidate: Candidate = { run, artifact: shard.artifact, attempt: shard.attempt, via: 'this-run' };
      const found = await fetchCandidate(candidate, fetch);
      if (!found) return { ...input, read: { code: 'report-missing', message: 'it holds a dry run\'s plan.json, not a report.' } };
      return { ...input, read: { report: found.report, digest: found.origin.digest } };
    } catch (error) {
      if (!(error instanceof PreflightError)) throw error;
      return { ...input, read: { code: error.diagnostic.code, message: withoutRerunLead(error.diagnostic.message) } };
    }
  });
}

/** The diagnostics of a rerun source lead with "Cannot rerun …: "; a shard's problem says only what is wrong. */
function withoutRerunLead(message: string): string {
  return message.replace(/^Cannot rerun (?:the failed fixtures|from .*?): /s, '');
}

/**
 * A matrix run that uploaded shard reports but no merged one (its merge job did not run): they are read and
 * merged here, so the rerun sees the whole suite. A shard whose report is missing or unreadable is a merge
 * problem whose fixtures the rerun runs again, never a pass.
 */
async function combinedShardSource(candidate: Candidate, shards: readonly ShardArtifact[], fetch: FetchContext): Promise<FoundSource | null> {
  const label = `the ${shards.length} shard artifacts of run ${candidate.run.id}`;
  fetch.logger.info(`Reading ${label} (found via ${candidate.via}): that run has no merged report.`);
  const inputs = await readShardArtifacts(shards, candidate.run, fetch);
  const merged = mergeShardReports(inputs, {
    describeMissing: (index, total) => `run ${candidate.run.id} has no artifact of shard ${index} of ${total}.`,
  });
  const base = merged.base;
  if (!base) {
    const reasons = inputs.map((input) => ('code' in input.read ? `${input.label}: ${input.read.message}` : '')).filter(Boolean);
    return fetch.fail('report-missing', `none of ${label} could be read (${reasons.slice(0, 5).join('; ')}).`);
  }
  const attempt = Math.max(...shards.map((shard) => shard.attempt ?? 1));
  const report = mergedReportOf(merged, { toolVersion: base.tool.version, run: { ...base.run, runAttempt: attempt }, startedAt: new Date(base.startedAt) });
  const digests = inputs.map((input) => `${input.artifact?.name ?? input.label} ${'digest' in input.read ? input.read.digest : input.read.code}`);
  return {
    report,
    origin: {
      runId: candidate.run.id,
      runAttempt: attempt,
      artifactId: null,
      artifactName: clip(shards.map((shard) => shard.artifact.name).join(', '), REPORT_LIMITS.maxShortTextChars),
      url: candidate.run.htmlUrl,
      path: null,
      // One digest for the set, so the shards of a rerun (and their merge) can tell they all read the same.
      digest: `sha256:${createHash('sha256').update(digests.sort().join('\n')).digest('hex')}`,
    },
    headSha: candidate.run.headSha,
  };
}
