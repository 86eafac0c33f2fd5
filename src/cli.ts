#!/usr/bin/env node
/** The reliability-smoke command. Ctrl-C stops the suite but still writes the report; a second Ctrl-C quits. */
import { runCli } from './cli/main.ts';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
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
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`reliability-smoke: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('RESULT: fail\n');
    process.exitCode = 2;
  },
);
