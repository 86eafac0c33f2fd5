/**
 * Uploads the report folder as the smoke artifact with the real @actions/artifact client. Names carry the job
 * and the run attempt, so a job re-run never clashes with the artifact of an earlier attempt (names are unique
 * per run across attempts), and reruns still find them by the artifact-name prefix.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SmokeOutcome } from '../engine/run-smoke.ts';
import type { ActionContext } from './context.ts';
import type { PublishedArtifact } from './outputs.ts';

/** The subset of @actions/artifact's client the upload uses; tests may pass a recording stand-in. */
export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number; digest?: string }>;
}

/** What the artifact holds: the folder it is rooted at, and the files in it. */
export interface ArtifactFiles {
  rootDirectory: string;
  files: string[];
}

/**
 * The files this run wrote, and only those: report-dir may also hold an earlier step's report or evidence, which
 * must not be published (or later read by a rerun) as this run's. Carried-over results keep their evidence in the
 * source run's artifact. Null when the run wrote nothing (a dry run that stopped before planning).
 */
export function artifactFilesOf(outcome: SmokeOutcome): ArtifactFiles | null {
  const own = [outcome.reportPath, outcome.junitPath, outcome.htmlPath, outcome.planPath].filter((file): file is string => file !== null);
  // The started app's output: the first thing to read when it would not come up. Only when this run started it.
  if (outcome.startLogPath && own.length > 0 && fs.existsSync(outcome.startLogPath)) own.push(outcome.startLogPath);
  const first = own[0];
  if (first === undefined) return null;
  const rootDirectory = path.dirname(first);
  const evidence = (outcome.report?.fixtures ?? [])
    .filter((fixture) => fixture.carriedOver === null)
    .flatMap((fixture) => fixture.attempts)
    .flatMap((attempt) => (attempt.evidence ? [attempt.evidence.screenshot, attempt.evidence.html, attempt.evidence.log] : []))
    .filter((relative): relative is string => relative !== null)
    .map((relative) => path.join(rootDirectory, relative))
    // A capture that failed after its path was recorded leaves no file; the upload would refuse the whole list.
    .filter((file) => fs.existsSync(file));
  return { rootDirectory, files: [...own, ...evidence] };
}

function artifactUrl(context: ActionContext, id: number): string | null {
  return context.runUrl ? `${context.runUrl}/artifacts/${id}` : null;
}

function explainUploadError(error: unknown, name: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/409|already exists|Conflict/i.test(message)) {
    return (
      `an artifact named "${name}" already exists in this run (${message}). Two steps or matrix legs with the ` +
      'same artifact-name upload to the same name: give each its own artifact-name.'
    );
  }
  return message;
}

export type UploadResult = { artifact: PublishedArtifact; error: null } | { artifact: PublishedArtifact; error: string };

export async function uploadReportArtifact(params: {
  uploader: ArtifactUploader;
  name: string;
  files: ArtifactFiles;
  retentionDays: number | null;
  context: ActionContext;
  /** The upload is given up after this long: the artifact client waits on a stalled service forever. */
  timeoutMs: number;
}): Promise<UploadResult> {
  const { uploader, name, files } = params;
  let timer: NodeJS.Timeout | undefined;
  try {
    const upload = uploader.uploadArtifact(name, files.files, files.rootDirectory, params.retentionDays === null ? {} : { retentionDays: params.retentionDays });
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the artifact service did not finish the upload within ${params.timeoutMs / 1000}s (it accepted the connection but stopped answering)`)),
        params.timeoutMs,
      );
    });
    // The abandoned upload cannot be cancelled (the client takes no signal); the entry point exits once published.
    upload.catch(() => {});
    const response = await Promise.race([upload, givenUp]);
    if (response.id === undefined) return { artifact: { name, id: null, url: null }, error: 'the artifact service returned no artifact id' };
    return { artifact: { name, id: String(response.id), url: artifactUrl(params.context, response.id) }, error: null };
  } catch (error) {
    return { artifact: { name, id: null, url: null }, error: explainUploadError(error, name) };
  } finally {
    clearTimeout(timer);
  }
}
