/** The Action's seam to the outside world, so tests can drive it with real or recorded parts. */
import type { Logger } from '../common/types.ts';
import type { Annotation, AnnotationLevel } from '../render/annotations.ts';
import type { ArtifactUploader } from './artifact-upload.ts';
import type { Redactor } from '../secrets/redact.ts';
import { type InputReader, runnerTemp } from './inputs.ts';
import { DOWNLOAD_LIMITS } from '../rerun/artifact-download.ts';
import { GITHUB_CALL_TIMEOUT_MS } from '../rerun/runs-api.ts';

/**
 * How long the Action waits on GitHub's services before it gives up on one: a service that accepts the connection
 * and then never answers must not hold the step, and its check run, until the job's timeout.
 */
export interface ServiceDeadlines {
  /** The whole artifact upload, retries included. */
  uploadMs: number;
  /** One call to the REST API (rerun discovery, the check run). */
  githubCallMs: number;
  /** A download that receives nothing for this long is given up (and tried again). */
  downloadStallMs: number;
}

export const SERVICE_DEADLINES: ServiceDeadlines = {
  uploadMs: 5 * 60_000,
  githubCallMs: GITHUB_CALL_TIMEOUT_MS,
  downloadStallMs: DOWNLOAD_LIMITS.stallMs,
};

/**
 * Once the job is cancelled the runner kills the step 10 s after its first signal (SIGINT, SIGTERM 7.5 s later,
 * a kill 2.5 s after that). A stalled upload must not use that time up: the check run is completed after it.
 */
export const CANCELLED_UPLOAD_MS = 4_000;

export function deadlinesOf(io: ActionIo): ServiceDeadlines {
  const deadlines = { ...SERVICE_DEADLINES, ...io.deadlines };
  return io.signal?.aborted ? { ...deadlines, uploadMs: Math.min(deadlines.uploadMs, CANCELLED_UPLOAD_MS) } : deadlines;
}

/** What the rerun source finder needs from the Action: the runner's variables, its temp folder, the deadlines. */
export function finderDeps(io: ActionIo) {
  const deadlines = deadlinesOf(io);
  return { env: io.env, tempDir: runnerTemp(io.env), githubCallMs: deadlines.githubCallMs, downloadLimits: { stallMs: deadlines.downloadStallMs } };
}

/** Everything the Action does to the outside world, so tests can drive it with real or recorded parts. */
export interface ActionIo {
  env: Record<string, string | undefined>;
  /** What relative inputs (fixtures-dir, report-dir, serve) are resolved against: the runner starts the step in GITHUB_WORKSPACE. */
  cwd: string;
  readInput: InputReader;
  logger: Logger;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  writeSummary(markdown: string): Promise<void>;
  annotate(annotation: Annotation): void;
  uploader: ArtifactUploader;
  /** Aborted when the job is cancelled: running fixtures stop, and the report is still written and published. */
  signal?: AbortSignal;
  /** Shorter waits on GitHub's services than SERVICE_DEADLINES (tests of a service that hangs). */
  deadlines?: Partial<ServiceDeadlines>;
}

export interface ActionResult {
  failed: boolean;
  message: string;
}

/** The Action's io, counting the annotations sent so far: GitHub shows only so many per step. */
export interface CountingIo extends ActionIo {
  readonly annotated: Readonly<Record<AnnotationLevel, number>>;
}

export function countingAnnotations(io: ActionIo): CountingIo {
  const annotated: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  return {
    ...io,
    annotated,
    annotate: (annotation) => {
      annotated[annotation.level] += 1;
      io.annotate(annotation);
    },
  };
}

/**
 * The check run's logger: its warnings (no checks: write on a fork's pull request) are annotations, so they show
 * on the run's page and not only deep in the log.
 */
export function checkRunLogger(io: ActionIo): Logger {
  return {
    ...io.logger,
    warn: (message) => io.annotate({ level: 'warning', message, title: 'reliability-smoke check run', file: null, startLine: null }),
  };
}

/**
 * The io with the run's secrets hidden in everything the step writes: log lines, the job summary, annotations and
 * outputs. The values are also masked by the runner (setSecret, as the redactor learns them), so even a line
 * written past this wrapper shows `***`.
 */
export function redactingIo(io: ActionIo, redactor: Redactor): ActionIo {
  const redact = (text: string) => redactor.redact(text);
  return {
    ...io,
    logger: {
      info: (message) => io.logger.info(redact(message)),
      warn: (message) => io.logger.warn(redact(message)),
      debug: (message) => io.logger.debug(redact(message)),
    },
    setOutput: (name, value) => io.setOutput(name, redact(value)),
    writeSummary: (markdown) => io.writeSummary(redact(markdown)),
    annotate: (annotation) => io.annotate({ ...annotation, message: redact(annotation.message), title: redact(annotation.title) }),
  };
}
