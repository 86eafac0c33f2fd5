/**
 * Runs the isolation tests again and again while two busy processes keep both cores of a 2-core machine at 100%:
 * a reuse decision that rested on timing (an event arriving before a check) fails here first.
 *
 *   npm run test:isolation-stress                # 20 runs of __tests__/run/isolation.test.ts
 *   node scripts/isolation-stress.ts --runs 50 --busy 4 [--file __tests__/run/other.test.ts]
 *
 * Prints each run's pass and fail counts, the load average, and a summary; exits 1 if any run had a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    busy: { type: 'string', default: '2' },
    file: { type: 'string', default: '__tests__/run/isolation.test.ts' },
  },
});
const runs = Number(values.runs);
const busyCount = Number(values.busy);

/** A process that does nothing but spin, until it is killed. */
function busyLoop(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

function runTests(file: string): Promise<{ pass: number; fail: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-timeout=300000', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', () => {
      const count = (name: string) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? Number.NaN);
      resolve({ pass: count('pass'), fail: count('fail'), output });
    });
  });
}

const busy = Array.from({ length: busyCount }, busyLoop);
const stopBusy = () => {
  for (const child of busy) child.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopBusy();
    process.exit(130);
  });
}

console.log(`${runs} runs of ${values.file}, with ${busyCount} busy processes on ${os.cpus().length} CPUs`);
const failures: string[] = [];
let clean = 0;
for (let run = 1; run <= runs; run += 1) {
  const result = await runTests(values.file);
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`run ${String(run).padStart(2)}: ${result.pass} passed, ${result.fail} failed (load average ${load})`);
  if (result.fail === 0 && Number.isFinite(result.pass)) clean += 1;
  else failures.push(result.output.split('\n').filter((line) => /✖|AssertionError|Error/.test(line)).slice(0, 20).join('\n'));
}
stopBusy();
console.log(`\n${clean}/${runs} runs with no failure`);
for (const failure of failures) console.log(`\n${failure}`);
process.exit(clean === runs ? 0 : 1);
