/**
 * Runs the bundled Action (dist/index.js) the way a GitHub runner does: Node 24 on the entry point, with cwd at
 * GITHUB_WORKSPACE, every input as INPUT_<NAME> (defaults from action.yml, `${{ github.token }}` filled in), and
 * the runner's files for outputs and the job summary. Returns what a workflow would see. Refuses a stale dist/.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertDistFresh } from '../../scripts/dist-stamp.ts';
import { actionInputs, type StepOptions } from './action-step.ts';
import { childEnv } from './github-service/child.ts';
import type { GitHubService } from './github-service/index.ts';
import { spawnNode } from './spawn.ts';
import { REPO_ROOT } from './temp.ts';

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

/** INPUT_ variables as the runner sets them: upper case, spaces to underscores, hyphens kept. */
export function inputEnv(inputs: Record<string, string>, githubToken: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(actionInputs(inputs, githubToken)).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
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

export interface RunActionOptions extends StepOptions {
  timeoutMs?: number;
  /** Called once the step's process has started, e.g. to cancel it as the runner does (SIGINT, then SIGTERM). */
  whileRunning?: (child: ChildProcess) => void;
}

export async function runBundledAction(service: GitHubService, options: RunActionOptions): Promise<ActionRun> {
  assertDistFresh();
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
