/**
 * Where the report to rerun comes from, in this order: the artifact-run-id input; earlier attempts of this
 * run (tried, not relied on: their artifacts are not reliably reachable); then earlier completed runs of the
 * same workflow on the same branch, newest first, from the same head repository (so a fork's branch that happens
 * to be called "main" is never taken for ours). Candidates are yielded lazily: the caller downloads one and asks
 * for the next only when it holds no results (a dry run, a run that stopped early).
 */
import { DiscoveryError, type RunsApi, type RunInfo } from './runs-api.ts';
import { type ArtifactInfo, type PickedReport, pickReportArtifacts, pickSmokeArtifact, type ShardArtifact } from './artifact-names.ts';

export interface Candidate {
  run: RunInfo;
  artifact: ArtifactInfo;
  /** Attempt that uploaded it, when its name says. */
  attempt: number | null;
  /** How it was found, for the log. */
  via: 'artifact-run-id' | 'earlier-attempt' | 'earlier-run' | 'this-run';
  /** A matrix run with no merged report: every shard's artifact, read together as one report. */
  shards?: ShardArtifact[];
}

/** The run that is looking for an earlier one, as the runner describes it (the Action's context has these). */
export interface LookingRun {
  owner: string | null;
  repo: string | null;
  workflow: string | null;
  runId: string | null;
  runAttempt: number | null;
  ref: string | null;
  /** The branch runs are compared on: a pull request's head branch, else the pushed branch. */
  branch: string | null;
  /** owner/name of the repository the head commit lives in (a fork for fork pull requests). */
  headRepository: string | null;
}

export interface DiscoveryRequest {
  artifactRunId: string | null;
  prefix: string;
  job: string | null;
  context: LookingRun;
  /** How many earlier runs to look at before giving up. */
  maxRuns?: number;
  /** Where to say what was tried and passed over (the step log). */
  note?: (message: string) => void;
  /**
   * Whether earlier attempts of this run are looked at (the default). A shard never does: every attempt of a
   * sharded run must read the same source, or a re-run shard would split the suite differently from the others.
   */
  earlierAttempts?: boolean;
}

const DEFAULT_MAX_RUNS = 50;

export async function* discoverCandidates(api: RunsApi, request: DiscoveryRequest): AsyncGenerator<Candidate> {
  if (request.artifactRunId) {
    yield await explicitRun(api, request, request.artifactRunId);
    return;
  }
  const current = request.context.runId;
  if (!current) throw new DiscoveryError('no-earlier-run', 'This is not a GitHub Actions run (GITHUB_RUN_ID is not set), so there is no earlier run to look at.');
  const currentAttempt = request.context.runAttempt ?? 1;
  const thisRun = await api.getRun(current);
  if (currentAttempt > 1 && request.earlierAttempts !== false) {
    const earlier = await earlierAttempt(api, request, thisRun, currentAttempt);
    if (earlier) yield earlier;
  }
  yield* earlierRuns(api, request, thisRun);
}

/**
 * The artifact an earlier attempt of this run uploaded. Tried, not relied on: when GitHub does not list it (or
 * the listing fails), the earlier runs are next. Only a refusal stops here, since every other listing would
 * be refused too.
 */
async function earlierAttempt(api: RunsApi, request: DiscoveryRequest, thisRun: RunInfo, currentAttempt: number): Promise<Candidate | null> {
  try {
    const earlier = pickSmokeArtifact(await api.listArtifacts(thisRun.id), request.prefix, request.job, currentAttempt - 1);
    if (earlier.usable) return { run: thisRun, artifact: earlier.usable.artifact, attempt: earlier.usable.attempt, via: 'earlier-attempt' };
    request.note?.(`No smoke artifact of an earlier attempt of run ${thisRun.id} is listed; looking at earlier runs.`);
  } catch (error) {
    if (error instanceof DiscoveryError && error.code === 'permission-denied') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    request.note?.(`The artifacts of earlier attempts of run ${thisRun.id} could not be listed (${reason}); looking at earlier runs.`);
  }
  return null;
}

/** A run's merged report, or its one job's, is one artifact; a matrix run without a merged one is all its shards'. */
function candidateOf(run: RunInfo, picked: PickedReport, via: Candidate['via']): Candidate {
  const candidate: Candidate = { run, artifact: picked.usable.artifact, attempt: picked.usable.attempt, via };
  return picked.kind === 'shards' ? { ...candidate, shards: picked.shards } : candidate;
}

function sameRepository(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

async function explicitRun(api: RunsApi, request: DiscoveryRequest, runId: string): Promise<Candidate> {
  const run = await api.getRun(runId);
  const picked = pickReportArtifacts(await api.listArtifacts(runId), request.prefix, request.job, null);
  if (picked.usable) return candidateOf(run, picked.usable, 'artifact-run-id');
  if (picked.expired) {
    throw new DiscoveryError(
      'artifact-expired',
      `The smoke artifact "${picked.expired.name}" of run ${runId} expired on ${picked.expired.expiresAt ?? 'an earlier date'}.`,
    );
  }
  throw new DiscoveryError(
    'no-artifact',
    `Run ${runId} has no artifact named "${request.prefix}" or starting with "${request.prefix}-"` +
      (picked.seen.length > 0 ? ` (it has: ${picked.seen.slice(0, 10).join(', ')}).` : ' (it has no artifacts at all).'),
  );
}

async function* earlierRuns(api: RunsApi, request: DiscoveryRequest, thisRun: RunInfo): AsyncGenerator<Candidate> {
  const { context } = request;
  const branch = context.branch;
  if (!branch) throw new DiscoveryError('no-earlier-run', `The branch of this run is unknown (GITHUB_REF is ${context.ref ?? 'not set'}), so earlier runs cannot be matched.`);
  const headRepository = context.headRepository ?? thisRun.headRepository;
  let looked = 0;
  const otherRepositories = new Set<string>();
  let expired: ArtifactInfo | null = null;
  for await (const run of api.completedRuns(thisRun.workflowId, branch)) {
    if (run.id === thisRun.id || Date.parse(run.createdAt) >= Date.parse(thisRun.createdAt)) continue;
    // A fork's branch may share our branch's name; its results are about other code.
    if (!sameRepository(run.headRepository, headRepository)) {
      otherRepositories.add(run.headRepository ?? 'an unknown repository');
      continue;
    }
    if (looked >= (request.maxRuns ?? DEFAULT_MAX_RUNS)) break;
    looked += 1;
    const picked = pickReportArtifacts(await api.listArtifacts(run.id), request.prefix, request.job, null);
    if (picked.usable) yield candidateOf(run, picked.usable, 'earlier-run');
    else expired ??= picked.expired;
  }
  const where = `workflow "${context.workflow ?? thisRun.workflowId}" on branch "${branch}"`;
  if (looked === 0) {
    const others = [...otherRepositories];
    const skipped =
      others.length > 0
        ? ` Runs on a branch of that name from ${others.slice(0, 5).join(', ')} were passed over: they test another ` +
          `repository's code, not ${headRepository ?? 'this one'}.`
        : '';
    throw new DiscoveryError('no-earlier-run', `There is no earlier completed run of ${where} to rerun from.${skipped}`);
  }
  if (expired) {
    throw new DiscoveryError(
      'artifact-expired',
      `The newest smoke artifact of ${where} ("${expired.name}") expired on ${expired.expiresAt ?? 'an earlier date'}; ` +
        `no earlier run among the ${looked} looked at has one that has not.`,
    );
  }
  throw new DiscoveryError(
    'no-artifact',
    `None of the ${looked} earlier completed run${looked === 1 ? '' : 's'} of ${where} has a usable smoke artifact ` +
      `named "${request.prefix}" or starting with "${request.prefix}-".`,
  );
}
