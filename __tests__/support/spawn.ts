/**
 * Every child Node process the tests start (the bundled Action, the bundled CLI, the real GitHub clients) goes
 * through spawnNode, so none of them can outlive its test: each has a kill timer set below the tests' own bounds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';

/** Below every test bound that spawns a child (120 s and up), so a hung child fails with its output, not a test timeout. */
export const SPAWN_TIMEOUT_MS = 90_000;

export interface SpawnOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Killed with SIGKILL after this long; `finished` then rejects with what the child printed. */
  timeoutMs?: number;
}

export interface NodeRun {
  /** The exit code, or 128 + the signal number when a signal ended it, as shells report it. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SpawnedNode {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the child has exited; rejects when it could not start or ran past its timeout. */
  finished: Promise<NodeRun>;
}

/** Runs `node <args>` with this test's Node (24), output collected as text. */
export function spawnNode(args: string[], options: SpawnOptions): SpawnedNode {
  const limit = options.timeoutMs ?? SPAWN_TIMEOUT_MS;
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const finished = new Promise<NodeRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${limit} ms and was killed.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, limit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, finished };
}
