/**
 * Soak: does a long suite hold on to memory, processes or files? Runs the CLI bundle (dist/cli/index.js) on 50 and
 * then 500 trivial fixtures (bench/site.ts), concurrency 2, each in a process of its own, and samples from /proc
 * the peak resident memory of the Node process and, apart, of all of Chrome's processes under it. Prints both for
 * each size and the slope between them (memory per extra fixture): flat means a suite ten times longer needs no
 * more memory. After each run it checks that no Chrome process and no temporary Chrome profile is left behind.
 *
 *   node bench/soak.ts [--sizes 50,500] [--concurrency 2]
 *
 * The figures depend on the machine and its load; the test in __tests__/faults/leaks.test.ts asserts only what
 * cannot (nothing left behind).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { descendantsOf, rssBytes } from './proc.ts';
import { startBenchSite, writeBenchFixtures } from './site.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SAMPLE_MS = 100;
const MiB = 1024 * 1024;

interface SoakRun {
  fixtures: number;
  wallMs: number;
  exitCode: number | null;
  peakNodeBytes: number;
  peakChromeBytes: number;
  chromePids: number[];
  profiles: string[];
}

const PROFILE_PREFIX = 'puppeteer_dev_chrome_profile-';
const profilesNow = () => new Set(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(PROFILE_PREFIX)));

/** The --user-data-dir a Chrome process was started with, if it is still running. */
function userDataDirOf(pid: number): string | null {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.find((arg) => arg.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function soak(fixtures: number, concurrency: number): Promise<SoakRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-soak-'));
  const site = await startBenchSite(fixtures);
  try {
    writeBenchFixtures(path.join(work, 'fixtures'), fixtures);
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'dist/cli/index.js'), '--fixtures-dir', 'fixtures', '--base-url', site.url, '--concurrency', String(concurrency), '--report-dir', 'report', '--json'],
      { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const run: SoakRun = { fixtures, wallMs: 0, exitCode: null, peakNodeBytes: 0, peakChromeBytes: 0, chromePids: [], profiles: [] };
    const chrome = new Set<number>();
    const profiles = new Set<string>();
    const sample = () => {
      const pid = child.pid;
      if (pid === undefined) return;
      run.peakNodeBytes = Math.max(run.peakNodeBytes, rssBytes(pid));
      const browsers = descendantsOf(pid).filter((candidate) => candidate !== pid);
      run.peakChromeBytes = Math.max(run.peakChromeBytes, browsers.reduce((sum, candidate) => sum + rssBytes(candidate), 0));
      for (const candidate of browsers) {
        chrome.add(candidate);
        const profile = userDataDirOf(candidate);
        if (profile) profiles.add(profile);
      }
    };
    const timer = setInterval(sample, SAMPLE_MS);
    run.exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    clearInterval(timer);
    run.wallMs = performance.now() - started;
    if (run.exitCode !== 0) throw new Error(`the CLI exited with ${run.exitCode} on ${fixtures} fixtures:\n${stderr}`);
    run.chromePids = [...chrome].filter(alive);
    run.profiles = [...profiles].filter((profile) => fs.existsSync(profile));
    return run;
  } finally {
    await site.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '50,500' }, concurrency: { type: 'string', default: '2' } } });
const sizes = (values.sizes ?? '50,500').split(',').map(Number);
const concurrency = Number(values.concurrency);
if (sizes.length !== 2 || sizes.some((size) => !Number.isInteger(size) || size < 1) || sizes[0]! >= sizes[1]!) {
  throw new Error('--sizes takes two fixture counts, the smaller first (e.g. 50,500)');
}
const profilesBefore = profilesNow();
console.log(`soak: the CLI bundle, concurrency ${concurrency}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(2)}`);
const runs: SoakRun[] = [];
for (const size of sizes) {
  const run = await soak(size, concurrency);
  runs.push(run);
  console.log(
    `${String(size).padStart(4)} fixtures: ${(run.wallMs / 1000).toFixed(1)}s, peak RSS node ${(run.peakNodeBytes / MiB).toFixed(1)} MiB, ` +
      `chrome ${(run.peakChromeBytes / MiB).toFixed(1)} MiB; left behind: ${run.chromePids.length} Chrome processes, ${run.profiles.length} profiles`,
  );
}
const [small, large] = runs as [SoakRun, SoakRun];
const slope = (key: 'peakNodeBytes' | 'peakChromeBytes') => (large[key] - small[key]) / (large.fixtures - small.fixtures) / 1024;
console.log(`slope from ${small.fixtures} to ${large.fixtures} fixtures: node ${slope('peakNodeBytes').toFixed(1)} KiB/fixture, chrome ${slope('peakChromeBytes').toFixed(1)} KiB/fixture`);
// Profiles that appeared in the temp folder during the soak and are still there (other processes on the machine may add their own).
const strays = [...profilesNow()].filter((name) => !profilesBefore.has(name));
console.log(`temp profiles new in ${os.tmpdir()} since the start: ${strays.length}${strays.length ? ` (${strays.join(', ')}; other Chrome users on this machine may own some)` : ''}`);
console.log(`load average at the end ${os.loadavg()[0]?.toFixed(2)}`);
