/**
 * Starting the app under test (`start: npm run preview`) and stopping it again. The command runs through the shell
 * in a process group of its own, so stopping it reaches everything it started: SIGTERM to the whole group, then
 * SIGKILL once the grace period is over, and the stop waits until no process of the group is left. If this process
 * exits without a stop (a second Ctrl-C), the group is killed on the way out.
 *
 * Its stdout and stderr go to a log file through the run's redactor, line by line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Redactor, lineRedactor } from '../secrets/redact.ts';
import { type Clock, systemClock } from '../common/types.ts';

export interface AppExit {
  /** The shell's exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited, on the run's clock (ms). */
  atMs: number;
}

export interface StopOutcome {
  /** The group outlived SIGTERM by the grace period and was killed. */
  killed: boolean;
  /** Processes of the group were still there after SIGKILL (only zombies can be: they are already dead). */
  survivors: number;
}

export interface StartedApp {
  readonly command: string;
  /** The shell's pid, which is also the process group's id. */
  readonly pgid: number;
  readonly logPath: string;
  /** Settles when the command's shell exits. */
  readonly exited: Promise<AppExit>;
  /** How the shell exited; null while it runs. */
  exit(): AppExit | null;
  /** Whether any process of the group is still running (the shell may have left a server behind on purpose). */
  running(): boolean;
  /** The last lines the app wrote, redacted. */
  lastLines(count: number): Promise<string[]>;
  /** Stops the whole group; the same promise on every call, and it never rejects. */
  stop(): Promise<StopOutcome>;
}

export interface StartOptions {
  command: string;
  cwd: string;
  env: Record<string, string | undefined>;
  logPath: string;
  redactor: Redactor;
  clock?: Clock;
  /** Time between SIGTERM and SIGKILL (ms). */
  killAfterMs?: number;
}

export class StartError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'StartError';
  }
}

const POLL_MS = 50;
/** How long a stop waits for the group to go once SIGKILL was sent. */
const AFTER_KILL_MS = 2000;

/** The processes of a group that are not zombies (a zombie is dead, only not yet reaped by its parent). */
export function livingMembers(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so read after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    if (livingMembers(pgid).length === 0) return true;
    if (Date.now() >= until) return false;
    await delay(POLL_MS);
  }
}

export async function startApp(options: StartOptions): Promise<StartedApp> {
  const clock = options.clock ?? systemClock;
  const log = fs.createWriteStream(options.logPath, { flags: 'w' });
  await new Promise<void>((resolve, reject) => {
    log.once('open', () => resolve());
    log.once('error', (error) => reject(new StartError(`start.log cannot be written at ${options.logPath}: ${error.message}`, { cause: error })));
  });
  const child = spawn(options.command, {
    shell: true,
    detached: true,
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (error) => reject(new StartError(`The start command could not be run: ${error.message}`, { cause: error })));
  }).catch((error: unknown) => {
    log.end();
    throw error;
  });
  // However this process ends, the app must not outlive it.
  const killOnExit = () => signalGroup(pgid, 'SIGKILL');
  process.on('exit', killOnExit);

  // One writer per stream, so a line of stdout and a line of stderr never run into each other.
  const writers = [child.stdout, child.stderr].map(() => lineRedactor((text) => log.write(text), options.redactor));
  const flushWriters = () => writers.forEach((writer) => writer.end());
  let openPipes = 2;
  const pipeClosed = new Promise<void>((resolve) => {
    for (const [index, stream] of [child.stdout, child.stderr].entries()) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => writers[index]!.write(chunk));
      stream.once('close', () => {
        openPipes -= 1;
        if (openPipes === 0) resolve();
      });
    }
  });
  let exit: AppExit | null = null;
  const exited = new Promise<AppExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, atMs: clock.now() };
      resolve(exit);
    });
  });

  let stopping: Promise<StopOutcome> | null = null;
  const stop = async (): Promise<StopOutcome> => {
    let killed = false;
    if (livingMembers(pgid).length > 0) {
      signalGroup(pgid, 'SIGTERM');
      if (!(await gone(pgid, options.killAfterMs ?? 5000))) {
        killed = true;
        signalGroup(pgid, 'SIGKILL');
        await gone(pgid, AFTER_KILL_MS);
      }
    }
    const survivors = livingMembers(pgid).length;
    process.off('exit', killOnExit);
    // The pipes close when the last process holding them is gone; a bound covers one passed on to another group.
    await Promise.race([pipeClosed, delay(1000)]);
    flushWriters();
    await new Promise<void>((resolve) => log.end(resolve));
    return { killed, survivors };
  };

  return {
    command: options.command,
    pgid,
    logPath: options.logPath,
    exited,
    exit: () => exit,
    running: () => livingMembers(pgid).length > 0,
    async lastLines(count) {
      // What it wrote just before it exited may still be in the pipes, or a line without its newline yet.
      if (exit) await Promise.race([pipeClosed, delay(500)]);
      if (!log.writableEnded) {
        flushWriters();
        await new Promise<void>((resolve) => log.write('', () => resolve()));
      }
      return lastLinesOf(options.logPath, count);
    },
    stop: () => (stopping ??= stop()),
  };
}

/** The file's last lines, reading at most its last 256 KiB. */
async function lastLinesOf(file: string, count: number): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const tail = (text.length > 256 * 1024 ? text.slice(-256 * 1024) : text).replace(/\r?\n$/, '');
  return tail === '' ? [] : tail.split(/\r?\n/).slice(-count);
}
