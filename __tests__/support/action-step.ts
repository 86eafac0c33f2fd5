/**
 * What one step of the Action needs, whichever way it runs (the source in-process, ./in-process-action.ts, or the
 * bundled dist/index.js, ./bundled-action.ts): its inputs as the runner gives them, a workspace to fill, and readers
 * for what the step leaves behind (artifacts, files, a browser's launches).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runClients, valueOf } from './github-service/child.ts';
import type { EnvOptions, GitHubService } from './github-service/index.ts';
import { REPO_ROOT, writeFiles } from './temp.ts';

export interface StepOptions {
  /** The run, job and event the step belongs to (see the service's env()). */
  env: EnvOptions;
  /** Inputs by their action.yml names; the rest keep action.yml's defaults. */
  inputs?: Record<string, string>;
  /** Fills the workspace before the step runs (fixture files, a site to serve…). */
  workspace?: (dir: string) => void;
  /** Extra environment, e.g. CHROME_BIN. */
  extraEnv?: Record<string, string>;
}

interface ActionManifest {
  inputs: Record<string, { default?: string }>;
}

/** Every input's value as the runner passes it: action.yml's default (`${{ github.token }}` filled in) unless given. */
export function actionInputs(inputs: Record<string, string>, githubToken: string): Record<string, string> {
  const manifest = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionManifest;
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    values[name] = (spec.default ?? '').replace('${{ github.token }}', githubToken);
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in manifest.inputs)) throw new Error(`action.yml has no input "${name}"`);
    values[name] = value;
  }
  return values;
}

/** Writes fixture files into a workspace: name → YAML text. */
export function writeFixtures(workspace: string, files: Record<string, string>, dir = 'fixtures'): void {
  writeFiles(path.join(workspace, dir), files);
}

/** Every file under a folder, as "/"-separated paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

/**
 * Downloads an artifact of a run with the REAL @actions/artifact client (findBy, REST + blob, digest checked)
 * into `target`, as a later job or a person with `gh run download` would. Returns the folder.
 */
export async function downloadArtifact(
  service: GitHubService,
  runId: number,
  artifact: { id: number; digest?: string },
  target: string,
): Promise<string> {
  const [owner = '', repo = ''] = service.repository.split('/');
  const findBy = { token: service.githubToken, workflowRunId: runId, repositoryOwner: owner, repositoryName: repo };
  const run = await runClients(service.env({ runId, jobId: 'download' }), [
    { op: 'download', artifactId: artifact.id, path: target, findBy, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) },
  ]);
  const downloaded = valueOf<{ downloadPath: string; digestMismatch?: boolean }>(run, 0);
  if (downloaded.digestMismatch) throw new Error(`artifact ${artifact.id} did not match its digest`);
  return target;
}

export interface RecordingBrowser {
  /** An executable to pass as CHROME_BIN or browser-path: it notes each start, then runs the real Chromium. */
  readonly path: string;
  /** How many times it was started. */
  launches(): number;
}

/** A browser that leaves a mark each time it starts, so a test can prove one never did. */
export function recordingBrowser(dir: string, real = process.env.CHROME_BIN || '/usr/bin/chromium'): RecordingBrowser {
  const marker = path.join(dir, 'browser-launches.txt');
  const script = path.join(dir, 'recording-chromium.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho started >> '${marker}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  return {
    path: script,
    launches: () => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0),
  };
}
