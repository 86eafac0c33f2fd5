/**
 * Runs the bundled Action (dist/index.js) the way a GitHub runner does: Node 24 on the entry point, with cwd at
 * GITHUB_WORKSPACE, every input as INPUT_<NAME> (defaults from action.yml, `${{ github.token }}` filled in), and
 * the runner's files for outputs and the job summary. Returns what a workflow would see.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { childEnv, runClients, valueOf } from './github-service/child.ts';
import type { EnvOptions, GitHubService } from './github-service/index.ts';
import { spawnNode } from './spawn.ts';
import { REPO_ROOT, writeFiles } from './temp.ts';

export { REPO_ROOT };
export const BUNDLE = path.join(REPO_ROOT, 'dist', 'index.js');

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  /** The exit code, or 128 + the signal number when a signal ended the step. */
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: WorkflowCommand[];
  /** The workspace the step ran in (GITHUB_WORKSPACE). */
  workspace: string;
  env: Record<string, string>;
}

interface ActionManifest {
  inputs: Record<string, { default?: string }>;
}

/** INPUT_ variables as the runner sets them: upper case, spaces to underscores, hyphens kept. */
export function inputEnv(inputs: Record<string, string>, githubToken: string): Record<string, string> {
  const manifest = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionManifest;
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    values[name] = (spec.default ?? '').replace('${{ github.token }}', githubToken);
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in manifest.inputs)) throw new Error(`action.yml has no input "${name}"`);
    values[name] = value;
  }
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
}

/** Reads GITHUB_OUTPUT, written by @actions/core as `name<<delimiter\nvalue\ndelimiter`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index] ?? '');
    if (!match) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (index += 1; index < lines.length && lines[index] !== delimiter; index++) value.push(lines[index] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}

const unescapeData = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (text: string) => unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Workflow commands as the runner reads them: only lines that start with `::`. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
    }
    commands.push({ command: match[1] ?? '', properties, message: unescapeData(match[3] ?? '') });
  }
  return commands;
}

export interface RunActionOptions {
  env: EnvOptions;
  inputs?: Record<string, string>;
  /** Fills the workspace before the step runs (fixture files, a site to serve…). */
  workspace?: (dir: string) => void;
  /** Extra environment, e.g. CHROME_BIN. */
  extraEnv?: Record<string, string>;
  timeoutMs?: number;
  /** Called once the step's process has started, e.g. to cancel it as the runner does (SIGINT, then SIGTERM). */
  whileRunning?: (child: ChildProcess) => void;
}

export async function runBundledAction(service: GitHubService, options: RunActionOptions): Promise<ActionRun> {
  const env = service.env(options.env);
  const workspace = env.GITHUB_WORKSPACE ?? '';
  options.workspace?.(workspace);
  const childEnvironment = childEnv({ ...env, ...inputEnv(options.inputs ?? {}, service.githubToken), ...(options.extraEnv ?? {}) });
  const spawned = spawnNode([BUNDLE], { cwd: workspace, env: childEnvironment, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  options.whileRunning?.(spawned.child);
  const { exitCode, stdout, stderr } = await spawned.finished;
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(fs.readFileSync(env.GITHUB_OUTPUT ?? '', 'utf8')),
    summary: fs.readFileSync(env.GITHUB_STEP_SUMMARY ?? '', 'utf8'),
    commands: parseCommands(stdout),
    workspace,
    env,
  };
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

/**
 * Where a secret shows up in what a person can read: stdout (except the `::add-mask::` command, which the runner
 * consumes and never shows), stderr, the job summary, the outputs, and any other named texts (report files…).
 */
export function tokenLeaks(run: ActionRun, secret: string, texts: Record<string, string> = {}): string[] {
  const stdout = run.stdout
    .split(/\r?\n/)
    .filter((line) => line !== `::add-mask::${secret}`)
    .join('\n');
  const places: Record<string, string> = {
    stdout,
    stderr: run.stderr,
    summary: run.summary,
    ...Object.fromEntries(Object.entries(run.outputs).map(([name, value]) => [`output ${name}`, value])),
    ...texts,
  };
  return Object.entries(places)
    .filter(([, text]) => text.includes(secret))
    .map(([place]) => place);
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
