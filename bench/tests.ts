/**
 * What the test commands cost: `npm run test:unit` (the tests that need no browser and no Azurite) and the dist/
 * freshness check that `npm test` runs first. Each is run as npm runs it, in a child process, round after round.
 *
 *   npm run bench:tests                 3 rounds
 *   node bench/tests.ts --rounds 5
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sourcesDigest } from '../scripts/dist-stamp.ts';
import { cpuMsIncludingReapedChildren } from './proc.ts';
import { median, ms } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);

interface Timed {
  wallMs: number;
  cpuMs: number;
  output: string;
}

/** Runs node with these arguments in the repository, as an npm script would; CPU counts the child's whole tree. */
function timeNode(args: string[]): Timed {
  const cpuBefore = cpuMsIncludingReapedChildren();
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return { wallMs, cpuMs: cpuMsIncludingReapedChildren() - cpuBefore, output: result.stdout };
}

const load = () => os.loadavg()[0]?.toFixed(1) ?? '?';

const digestMs: number[] = [];
for (let round = 0; round < 20; round++) {
  const started = performance.now();
  sourcesDigest(ROOT);
  digestMs.push(performance.now() - started);
}
const check = Array.from({ length: 5 }, () => timeNode(['scripts/dist-stamp.ts', 'check']));
console.log(`dist/ freshness check: the digest of the sources ${ms(median(digestMs))}, the whole command ${ms(median(check.map((run) => run.wallMs)))} (median of 5; most of it is starting Node)`);

const unit: Timed[] = [];
for (let round = 1; round <= rounds; round++) {
  const loadBefore = load();
  const run = timeNode(['--test', '--test-concurrency=2', '--test-timeout=60000', '__tests__/**/*.unit.test.ts']);
  const tests = /^ℹ tests (\d+)/m.exec(run.output)?.[1] ?? '?';
  console.log(`test:unit round ${round}: ${tests} tests, ${(run.wallMs / 1000).toFixed(1)} s wall, ${(run.cpuMs / 1000).toFixed(1)} s CPU (load average ${loadBefore} before, ${load()} after)`);
  unit.push(run);
}
console.log(`test:unit median: ${(median(unit.map((run) => run.wallMs)) / 1000).toFixed(1)} s wall, ${(median(unit.map((run) => run.cpuMs)) / 1000).toFixed(1)} s CPU on ${os.availableParallelism()} cores`);
