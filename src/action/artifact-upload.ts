/**
 * Uploads the report folder as the smoke artifact with the real @actions/artifact client. Names carry the job
 * and the run attempt, so a job re-run never clashes with the artifact of an earlier attempt (names are unique
 * per run across attempts), and reruns still find them by the artifact-name prefix.
 */
import fs from 'node:fs';
import path from 'node:path';
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

/** Our files only: whatever else sits in report-dir is not ours to publish. */
export function reportFiles(reportDir: string): string[] {
  const own = ['report.json', 'junit.xml', 'plan.json'].map((name) => path.join(reportDir, name)).filter((file) => fs.existsSync(file));
  const failures = path.join(reportDir, 'failures');
  const evidence = fs.existsSync(failures)
    ? fs
        .readdirSync(failures, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && /^attempt-\d+\.(png|html|log)$/.test(entry.name))
        .map((entry) => path.join(entry.parentPath, entry.name))
    : [];
  return [...own, ...evidence.sort()];
}

export function artifactUrl(context: ActionContext, id: number): string | null {
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
  reportDir: string;
  retentionDays: number | null;
  context: ActionContext;
}): Promise<UploadResult> {
  const { uploader, name, reportDir } = params;
  const files = reportFiles(reportDir);
  if (files.length === 0) return { artifact: { name, id: null, url: null }, error: `no report files in ${reportDir} to upload` };
  try {
    const response = await uploader.uploadArtifact(
      name,
      files,
      reportDir,
      params.retentionDays === null ? {} : { retentionDays: params.retentionDays },
    );
    if (response.id === undefined) return { artifact: { name, id: null, url: null }, error: 'the artifact service returned no artifact id' };
    return { artifact: { name, id: String(response.id), url: artifactUrl(params.context, response.id) }, error: null };
  } catch (error) {
    return { artifact: { name, id: null, url: null }, error: explainUploadError(error, name) };
  }
}
