/**
 * Runs the REAL @actions/artifact and @actions/github clients in a child Node process (they read GITHUB_API_URL
 * and the runtime token at import time, and @actions/artifact is ESM-only), with a runner-like environment.
 * The child executes a list of operations and reports each one's value or error; it never stops at the first error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnNode } from '../spawn.ts';

export interface FindBy {
  token: string;
  workflowRunId: number;
  repositoryOwner: string;
  repositoryName: string;
}

export type ClientOp =
  | { op: 'upload'; name: string; files: string[]; rootDir: string; retentionDays?: number }
  | { op: 'list'; latest?: boolean; findBy?: FindBy }
  | { op: 'get'; name: string; findBy?: FindBy }
  | { op: 'download'; artifactId: number; path: string; expectedHash?: string; findBy?: FindBy }
  | { op: 'delete'; name: string; findBy?: FindBy }
  /** `getOctokit(token).request(route, params)` → `{status, headers, data}`. */
  | { op: 'request'; token: string; route: string; params?: Record<string, unknown> }
  /** `getOctokit(token).paginate(route, params)` → every item. */
  | { op: 'paginate'; token: string; route: string; params?: Record<string, unknown> };

export interface ClientError {
  name: string;
  message: string;
  /** The HTTP status of an Octokit RequestError. */
  status?: number;
}

export type OpResult = { ok: true; value: unknown } | { ok: false; error: ClientError };

export interface ChildRun {
  results: OpResult[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const SCRIPT = fileURLToPath(new URL('../real-github-clients.ts', import.meta.url));

const INHERITED_PREFIXES = ['GITHUB_', 'ACTIONS_', 'RUNNER_', 'INPUT_', 'STATE_'];
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];

/**
 * The parent's environment without anything a real runner (or a proxy) would have put there, plus `env`. Use it
 * for any child that talks to the service, including the bundled Action.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const upper = key.toUpperCase();
    if (INHERITED_PREFIXES.some((prefix) => upper.startsWith(prefix))) continue;
    if (PROXY_VARIABLES.includes(key.toLowerCase()) || upper === 'CI') continue;
    clean[key] = value;
  }
  return { ...clean, ...env };
}

export async function runClients(
  env: Record<string, string>,
  ops: ClientOp[],
  options: { timeoutMs?: number } = {},
): Promise<ChildRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'github-clients-'));
  const opsFile = path.join(dir, 'ops.json');
  const resultFile = path.join(dir, 'results.json');
  fs.writeFileSync(opsFile, JSON.stringify(ops));
  const started = Date.now();
  try {
    const { exitCode, stdout, stderr } = await spawnNode([SCRIPT, opsFile, resultFile], {
      env: childEnv(env),
      cwd: env.GITHUB_WORKSPACE ?? dir,
      // Below the 60 s bound of the tests that call this, so a hung client fails with its output.
      timeoutMs: options.timeoutMs ?? 50_000,
    }).finished;
    const durationMs = Date.now() - started;
    if (!fs.existsSync(resultFile)) {
      throw new Error(`client child wrote no results (exit ${exitCode}, ${durationMs} ms):\n${stderr || stdout}`);
    }
    const results = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as OpResult[];
    return { results, exitCode, stdout, stderr, durationMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The value of a successful op, or a thrown Error carrying the op's error and the child's output. */
export function valueOf<T>(run: ChildRun, index: number): T {
  const result = run.results[index];
  if (!result) throw new Error(`no result for op ${index}`);
  if (!result.ok) {
    throw new Error(`op ${index} failed: ${result.error.name}: ${result.error.message}\n--- stdout\n${run.stdout}`);
  }
  return result.value as T;
}

export function errorOf(run: ChildRun, index: number): ClientError {
  const result = run.results[index];
  if (!result) throw new Error(`no result for op ${index}`);
  if (result.ok) throw new Error(`op ${index} succeeded but an error was expected: ${JSON.stringify(result.value)}`);
  return result.error;
}
