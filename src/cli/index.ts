#!/usr/bin/env node
/**
 * The reliability-smoke command. Ctrl-C stops the suite but still writes the report; a second Ctrl-C quits.
 * A run stopped by a signal exits 128 + the signal's number (130 for Ctrl-C), as shells and other test runners do,
 * so a script can tell "stopped" from "fixtures failed".
 */
import { constants } from 'node:os';
import { runCli } from './main.ts';

const controller = new AbortController();
let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null;
const signalExitCode = (signal: 'SIGINT' | 'SIGTERM') => 128 + constants.signals[signal];

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(signalExitCode(signal));
    stoppedBy = signal;
    process.stderr.write(`\n${signal}: stopping; the report will still be written (again to quit now).\n`);
    controller.abort();
  });
}

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = stoppedBy ? signalExitCode(stoppedBy) : code;
  },
  (error: unknown) => {
    process.stderr.write(`reliability-smoke: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('RESULT: fail\n');
    process.exitCode = 2;
  },
);
