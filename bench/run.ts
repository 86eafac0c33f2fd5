/**
 * What isolation costs, as a user times it: the CLI (the bundle, `node dist/cli/index.js`, every fixture in a
 * clean session) against the floor (bench/floor.ts: raw Puppeteer, Chrome's default process model, one reused
 * page per worker, no isolation, the same page work). Each runs as a process of its own against the same
 * loopback site (bench/site.ts), timed from spawn to exit, interleaved round by round with the order rotating,
 * so noise on the machine hits all of them.
 *
 *   node bench/run.ts [--fixtures 40] [--concurrency 2] [--rounds 5] [--variants floor,floor-limit,cli]
 *                     [--cli-alt other/cli/index.js]
 *
 * floor-limit is the floor with --renderer-process-limit=1, for comparison; playwright (not run by default) is
 * the same suite in Playwright Test (bench/playwright.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMsIncludingReapedChildren, samplePeakRss } from './proc.ts';
import { benchPage, startBenchSite, writeBenchFixtures, type BenchSite } from './site.ts';
import { median, ms } from './stats.ts';
import { PLAYWRIGHT_CLI, writePlaywrightProject } from './playwright.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const VARIANTS = ['floor', 'floor-limit', 'cli', 'cli-alt', 'playwright'] as const;
const DEFAULT_VARIANTS = ['floor', 'floor-limit', 'cli'] as const;
type Variant = (typeof VARIANTS)[number];

export interface ProcessRun {
  /** Spawn to exit. */
  wallMs: number;
  /** What the process measured itself: the floor from launch to close, the CLI the run in report.json. */
  innerMs: number;
  /** Spawn to the first request for a fixture page: when the first fixture started. */
  firstFixtureMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

function options() {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '5' },
      variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
      'cli-alt': { type: 'string' },
    },
  });
  const count = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1, got "${text}"`);
    return value;
  };
  const variants = values.variants.split(',').map((name) => name.trim());
  for (const name of variants) {
    if (!(VARIANTS as readonly string[]).includes(name)) throw new Error(`--variants: "${name}" is not one of ${VARIANTS.join(', ')}`);
  }
  if (variants.includes('cli-alt') && !values['cli-alt']) throw new Error('the cli-alt variant needs --cli-alt PATH (another build of the CLI bundle)');
  cliAlt = values['cli-alt'] ? path.resolve(values['cli-alt']) : null;
  return {
    fixtures: count('fixtures', values.fixtures),
    concurrency: count('concurrency', values.concurrency),
    rounds: count('rounds', values.rounds),
    variants: variants as Variant[],
  };
}

/** Runs `node args` to its end and measures it; `inner` reads what the process said of itself. */
export async function measureProcess(
  site: BenchSite,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; inner: (stdout: string) => number; okCodes?: number[] },
): Promise<ProcessRun> {
  site.resetFirstPage();
  const cpuBefore = cpuMsIncludingReapedChildren();
  const spawnedAt = performance.timeOrigin + performance.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const rss = samplePeakRss(25, child.pid ?? process.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const wallMs = performance.timeOrigin + performance.now() - spawnedAt;
  const peakRssBytes = rss.stop();
  if (!(options.okCodes ?? [0]).includes(code ?? -1)) {
    throw new Error(`node ${args.join(' ')} exited ${code}\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`);
  }
  const first = site.firstPageAt();
  return {
    wallMs,
    innerMs: options.inner(stdout),
    firstFixtureMs: first === null ? Number.NaN : first - spawnedAt,
    cpuMs: cpuMsIncludingReapedChildren() - cpuBefore,
    peakRssBytes,
  };
}

let playwrightDir: string | null = null;
/** Another build of the CLI bundle to compare with dist/ (--cli-alt), e.g. one built from another branch. */
let cliAlt: string | null = null;

/** The dot reporter ends with "40 passed (5.2s)"; the unit may also be ms or m. */
function playwrightDurationMs(stdout: string): number {
  const match = /passed \(([\d.]+)(ms|s|m)\)/.exec(stdout);
  if (!match) return Number.NaN;
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

/** `pages` below the suite's size (a warm-up) runs the first ones only. */
function runVariant(variant: Variant, site: BenchSite, workDir: string, pages: number, concurrency: number, suite: number): Promise<ProcessRun> {
  if (variant === 'cli' || variant === 'cli-alt') {
    const reportDir = path.join(workDir, 'smoke-report');
    fs.rmSync(reportDir, { recursive: true, force: true });
    const bundle = variant === 'cli' ? path.join(REPO, 'dist/cli/index.js') : cliAlt!;
    const args = [bundle, '--fixtures-dir', 'fixtures', '--base-url', site.url];
    const some = pages < suite ? ['--fixture', Array.from({ length: pages }, (_, i) => benchPage(i).id).join(',')] : [];
    return measureProcess(site, [...args, ...some, '--concurrency', String(concurrency), '--report-dir', reportDir], {
      cwd: workDir,
      inner: () => {
        const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as { durationMs: number; summary?: unknown };
        return report.durationMs;
      },
    });
  }
  if (variant === 'playwright') {
    const some = pages < suite ? ['--grep', Array.from({ length: pages }, (_, i) => `\\b${benchPage(i).id}$`).join('|')] : [];
    return measureProcess(site, [PLAYWRIGHT_CLI, 'test', '-c', path.join(playwrightDir!, 'playwright.config.mjs'), ...some], {
      cwd: playwrightDir!,
      env: { ...process.env, BENCH_BASE_URL: site.url },
      inner: playwrightDurationMs,
    });
  }
  const args = [path.join(REPO, 'bench/floor.ts'), '--base-url', site.url, '--pages', String(pages), '--concurrency', String(concurrency)];
  return measureProcess(site, variant === 'floor-limit' ? [...args, '--renderer-limit'] : args, {
    cwd: REPO,
    inner: (stdout) => (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { innerMs: number }).innerMs,
  });
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function summary(runs: ProcessRun[]) {
  return {
    wall: median(runs.map((run) => run.wallMs)),
    inner: median(runs.map((run) => run.innerMs)),
    first: median(runs.map((run) => run.firstFixtureMs)),
    cpu: median(runs.map((run) => run.cpuMs)),
    rss: Math.max(...runs.map((run) => run.peakRssBytes)),
  };
}

function report(results: Map<Variant, ProcessRun[]>, pages: number): void {
  const rows = [...results].map(([variant, runs]) => [variant, summary(runs)] as const);
  for (const [variant, s] of rows) {
    console.log(
      `${variant.padEnd(12)} whole process ${ms(s.wall).padStart(7)} (${ms(s.wall / pages)} per fixture)  in-process ${ms(s.inner).padStart(7)}  ` +
        `first fixture at ${ms(s.first).padStart(5)}  CPU ${ms(s.cpu / pages)} per fixture  peak RSS ${mib(s.rss)}`,
    );
  }
  const cli = results.get('cli');
  for (const floorName of ['floor', 'floor-limit', 'cli-alt', 'playwright'] as const) {
    const floor = results.get(floorName);
    if (!cli || !floor) continue;
    const perRound = cli.map((run, i) => run.wallMs / (floor[i]?.wallMs ?? Number.NaN));
    const c = summary(cli);
    const f = summary(floor);
    console.log(
      `cli/${floorName.padEnd(11)} whole process ${(c.wall / f.wall).toFixed(2)}x (rounds ${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}x), ` +
        `in-process ${(c.inner / f.inner).toFixed(2)}x, CPU ${(c.cpu / f.cpu).toFixed(2)}x; ` +
        `${ms((c.wall - f.wall) / pages)} more per fixture`,
    );
  }
}

async function main(): Promise<void> {
  const { fixtures: pages, concurrency, rounds, variants } = options();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-bench-'));
  writeBenchFixtures(path.join(workDir, 'fixtures'), pages);
  const site = await startBenchSite(pages);
  if (variants.includes('playwright')) playwrightDir = writePlaywrightProject(pages, concurrency);
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`${pages} fixtures, concurrency ${concurrency}, ${rounds} rounds, ${os.cpus().length} CPUs, load average ${load}`);
  const results = new Map<Variant, ProcessRun[]>(variants.map((variant) => [variant, []]));
  try {
    // A warm-up of each, unmeasured: the first start pays for disk caches.
    for (const variant of variants) await runVariant(variant, site, workDir, Math.min(pages, 4), concurrency, pages);
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order, so no variant always runs on a machine another just warmed up.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      const line: string[] = [];
      for (const variant of order) {
        const run = await runVariant(variant, site, workDir, pages, concurrency, pages);
        results.get(variant)!.push(run);
        line.push(`${variant} ${ms(run.wallMs)}`);
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
    report(results, pages);
    console.log(`load average after: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  } finally {
    await site.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
