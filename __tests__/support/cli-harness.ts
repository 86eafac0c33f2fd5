/**
 * What the CLI tests share: a project folder in a real temp directory (fixture files, an optional git repository
 * for a commit sha), the CLI run in-process through runCli with that folder as its cwd, the bundled CLI spawned
 * the way a user runs it (never a stale one), and readers for what a run leaves behind (report.json, plan.json,
 * output lines).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertDistFresh } from '../../scripts/dist-stamp.ts';
import { runCli } from '../../src/cli/main.ts';
import { Plan } from '../../src/report/plan.ts';
import { type Report, Report as ReportSchema } from '../../src/report/schema.ts';
import { spawnNode } from './spawn.ts';
import { REPO_ROOT } from './temp.ts';

export const CLI_BUNDLE = path.join(REPO_ROOT, 'dist', 'cli', 'index.js');

/** A browser and a loopback site per test: generous, since the machine is noisy; failures use 2-3s timeouts. */
export const CLI_BOUND = { timeout: 120_000 };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A project folder: fixtures/ under a fresh temp directory, removed by `remove`. */
export interface Project {
  readonly dir: string;
  /** Writes a fixture file under fixtures/ (or another folder relative to the project). */
  write(relative: string, content: string | Uint8Array): string;
  /** Runs the CLI in-process with the project as cwd. */
  run(argv: string[], options?: { env?: Record<string, string | undefined>; signal?: AbortSignal }): Promise<CliRun>;
  reportPath(reportDir?: string): string;
  report(reportDir?: string): Report;
  plan(reportDir?: string): Plan;
  remove(): void;
}

export function createProject(prefix = 'smoke-cli-'): Project {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const reportPath = (reportDir = 'smoke-report') => path.join(dir, reportDir, 'report.json');
  return {
    dir,
    write(relative, content) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
    run: (argv, options = {}) => runIn(dir, argv, options),
    reportPath,
    report: (reportDir) => ReportSchema.parse(JSON.parse(fs.readFileSync(reportPath(reportDir), 'utf8'))),
    plan: (reportDir = 'smoke-report') => Plan.parse(JSON.parse(fs.readFileSync(path.join(dir, reportDir, 'plan.json'), 'utf8'))),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function runIn(
  cwd: string,
  argv: string[],
  options: { env?: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: options.env ?? process.env,
    cwd,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}

/** The environment without the variables that name a browser, so only --browser-path and installed places count. */
export function envWithoutBrowserVariables(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.CHROME_BIN;
  delete env.PUPPETEER_EXECUTABLE_PATH;
  return env;
}

const git = (cwd: string, args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Smoke Test', '-c', 'user.email=smoke@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

/** Makes the project a git repository with one commit; returns its sha. */
export function gitInit(project: Project): string {
  git(project.dir, ['init', '--quiet', '--initial-branch', 'main']);
  return gitCommit(project, 'first');
}

/** Commits whatever is there (an empty commit if nothing changed); returns the new sha. */
export function gitCommit(project: Project, message: string): string {
  git(project.dir, ['add', '--all']);
  git(project.dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
  return git(project.dir, ['rev-parse', 'HEAD']);
}

/** Non-empty lines, without trailing spaces. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
}

export function lastLine(text: string): string {
  return linesOf(text).at(-1) ?? '';
}

/** The line for one fixture as it finished, e.g. "  ✗ FAILED  checkout  2.0s  assertion: …". */
export function fixtureLine(text: string, id: string): string {
  const line = linesOf(text).find((candidate) => new RegExp(`^ {2}[✓✗~-] \\S+\\s+${id.replace(/[.]/g, '\\.')}(\\s|$)`).test(candidate));
  assert.ok(line, `a line for fixture ${id} in:\n${text}`);
  return line;
}

/** A fixture file with one fixture per entry, in the file's own YAML. */
export function fixturesYaml(entries: Record<string, string>): string {
  const blocks = Object.entries(entries).map(([id, body]) => {
    const indented = body
      .trim()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    return `  - id: ${id}\n${indented}`;
  });
  return `fixtures:\n${blocks.join('\n')}\n`;
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds a line matching the pattern. */
  waitForStdout(pattern: RegExp): Promise<void>;
  /** Resolves with the exit code (or 128 + signal number when killed by a signal). */
  exited: Promise<number>;
}

/** Spawns the bundled CLI with Node 24 (this test's node), as `npx reliability-smoke` would run it. */
export function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): SpawnedCli {
  assertDistFresh();
  const spawned = spawnNode([CLI_BUNDLE, ...args], options);
  const waiters = new Set<() => void>();
  spawned.child.stdout?.on('data', () => {
    for (const check of waiters) check();
  });
  const exited = spawned.finished.then((run) => run.exitCode);
  return {
    child: spawned.child,
    stdout: spawned.stdout,
    stderr: spawned.stderr,
    exited,
    waitForStdout: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!linesOf(spawned.stdout()).some((line) => pattern.test(line))) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        exited.then(() => {
          if (waiters.delete(check)) reject(new Error(`the CLI exited before printing ${pattern}:\n${spawned.stdout()}\n${spawned.stderr()}`));
        }, reject);
        check();
      }),
  };
}

/** Runs the bundled CLI to the end. */
export async function runBundle(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliRun> {
  assertDistFresh();
  const { exitCode, stdout, stderr } = await spawnNode([CLI_BUNDLE, ...args], options).finished;
  return { code: exitCode, stdout, stderr };
}

/** Everything a run printed, for assertion messages. */
export function shown(run: CliRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}
