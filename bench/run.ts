/**
 * What isolation costs: the engine (runSuite, every fixture in a clean session) against the floor (raw
 * Puppeteer, one reused page per worker, no isolation, the same page work). Both run in this process, against
 * the same loopback site, with the same Chrome flags, interleaved round by round so machine noise hits both.
 *
 *   node bench/run.ts [--fixtures 40] [--concurrency 2] [--rounds 3] [--floor-context shared|per-worker]
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser } from 'puppeteer-core';
import { html, startSite, type Site } from '../__tests__/support/site.ts';
import { fixture } from '../__tests__/support/suite-kit.ts';
import type { LoadedFixture } from '../src/fixtures/schema.ts';
import { createLauncher, findBrowser } from '../src/run/browser.ts';
import { runSuite } from '../src/run/suite.ts';
import type { BrowserLauncher, SuiteStats } from '../src/run/types.ts';
import { cpuMsIncludingReapedChildren, samplePeakRss } from './proc.ts';
import { median, ms } from './stats.ts';
import type { Logger } from '../src/common/types.ts';

interface Measurement {
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  stats: SuiteStats | null;
}

const silent: Logger = { info: () => {}, warn: (message) => console.error(`warn: ${message}`), debug: () => {} };

function options() {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      'floor-context': { type: 'string', default: 'shared' },
    },
  });
  const count = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1, got "${text}"`);
    return value;
  };
  const floorContext = values['floor-context'];
  if (floorContext !== 'per-worker' && floorContext !== 'shared') {
    throw new Error(`--floor-context must be "per-worker" or "shared", got "${floorContext}"`);
  }
  return {
    sharedFloorContext: floorContext === 'shared',
    fixtures: count('fixtures', values.fixtures),
    concurrency: count('concurrency', values.concurrency),
    rounds: count('rounds', values.rounds),
  };
}

const pagePath = (index: number) => `/page/${index}`;
const pageTitle = (index: number) => `Page ${index}`;

function startBenchSite(pages: number): Promise<Site> {
  const routes = Object.fromEntries(
    Array.from({ length: pages }, (_, index) => [pagePath(index), html(`<h1>${pageTitle(index)}</h1><p>Some text.</p>`, pageTitle(index))]),
  );
  return startSite(routes);
}

/** The same expectations the floor checks by hand. */
function benchFixtures(pages: number): LoadedFixture[] {
  return Array.from({ length: pages }, (_, index) =>
    fixture({ id: `page-${index}`, url: pagePath(index), expect: { status: 200, visible: ['h1'], title: pageTitle(index) } }, index + 1),
  );
}

/**
 * Raw Puppeteer: each worker keeps one page and takes the next URL, with nothing reset in between. By default
 * the pages share the default context, the plainest script one could write. With --renderer-process-limit=1
 * they then share one renderer process too, which measured cheaper than the engine's renderer per context, so
 * it is the stricter floor. --floor-context per-worker gives each page a context of its own, as the engine
 * does, which isolates the cost of the reset and the attempt's bookkeeping from the process layout.
 */
async function runFloor(launcher: BrowserLauncher, site: Site, pages: number, concurrency: number, shared: boolean): Promise<void> {
  const browser: Browser = await launcher.launch();
  try {
    let next = 0;
    const worker = async () => {
      const page = shared ? await browser.newPage() : await (await browser.createBrowserContext()).newPage();
      for (let index = next++; index < pages; index = next++) {
        const response = await page.goto(site.url + pagePath(index), { waitUntil: 'load' });
        if (response?.status() !== 200) throw new Error(`floor: ${pagePath(index)} answered ${response?.status()}`);
        await page.waitForSelector('h1', { visible: true });
        if ((await page.title()) !== pageTitle(index)) throw new Error(`floor: wrong title on ${pagePath(index)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await browser.close();
  }
}

async function runEngine(launcher: BrowserLauncher, site: Site, pages: number, concurrency: number): Promise<SuiteStats> {
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-bench-'));
  try {
    const run = await runSuite(benchFixtures(pages), {
      baseUrl: site.url,
      concurrency,
      defaultRetries: 0,
      defaultTimeoutMs: 30_000,
      suiteTimeoutMs: null,
      reportDir,
      launcher,
      logger: silent,
    });
    const failed = run.fixtures.filter((fixture) => fixture.attempts.at(-1)?.status !== 'passed');
    if (failed.length > 0) {
      const first = failed[0]?.attempts.at(-1)?.error?.message ?? 'no attempt';
      throw new Error(`engine: ${failed.length} fixture(s) did not pass; first: ${first}`);
    }
    return run.stats;
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

async function measure(work: () => Promise<SuiteStats | void>): Promise<Measurement> {
  const rss = samplePeakRss(25);
  const cpuBefore = cpuMsIncludingReapedChildren();
  const started = performance.now();
  const stats = await work();
  const wallMs = performance.now() - started;
  return { wallMs, cpuMs: cpuMsIncludingReapedChildren() - cpuBefore, peakRssBytes: rss.stop(), stats: stats ?? null };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function report(floor: Measurement[], engine: Measurement[], pages: number): void {
  const summary = (runs: Measurement[]) => ({
    wall: median(runs.map((run) => run.wallMs)),
    cpu: median(runs.map((run) => run.cpuMs)),
    rss: Math.max(...runs.map((run) => run.peakRssBytes)),
  });
  const f = summary(floor);
  const e = summary(engine);
  const row = (name: string, s: typeof f) =>
    `${name.padEnd(8)} wall ${ms(s.wall).padStart(8)}  per fixture ${ms(s.wall / pages).padStart(6)}  ` +
    `CPU per fixture ${ms(s.cpu / pages).padStart(6)}  peak RSS ${mib(s.rss)}`;
  console.log(row('floor', f));
  console.log(row('engine', e));
  console.log(`ratio    engine/floor wall ${(e.wall / f.wall).toFixed(2)}x, CPU ${(e.cpu / f.cpu).toFixed(2)}x`);
  console.log(`overhead ${ms((e.wall - f.wall) / pages)} wall and ${ms((e.cpu - f.cpu) / pages)} CPU per fixture`);
  const stats = engine.map((run) => run.stats).filter((stats) => stats !== null);
  const last = stats.at(-1);
  if (last) {
    console.log(
      `stats    per engine run: ${last.browserLaunches} browser launch(es), ${last.sessionsCreated} sessions created, ` +
        `${last.sessionsReset} reset in place`,
    );
  }
}

async function main(): Promise<void> {
  const { fixtures: pages, concurrency, rounds, sharedFloorContext: shared } = options();
  const launcher = createLauncher(findBrowser({ env: process.env }), silent);
  const site = await startBenchSite(pages);
  console.log(`${pages} fixtures, concurrency ${concurrency}, ${rounds} rounds, ${os.cpus().length} CPUs; browser ${launcher.description}`);
  console.log(`floor pages: ${shared ? 'all in the default context (one renderer)' : 'one context per worker'}`);
  const floor: Measurement[] = [];
  const engine: Measurement[] = [];
  try {
    // A warm-up of each, unmeasured: the first Chrome start of a process pays for disk caches.
    await runFloor(launcher, site, Math.min(pages, 4), concurrency, shared);
    await runEngine(launcher, site, Math.min(pages, 4), concurrency);
    for (let round = 1; round <= rounds; round += 1) {
      // Alternate which goes first, so neither always runs on a machine the other just warmed up.
      const order = round % 2 === 1 ? (['floor', 'engine'] as const) : (['engine', 'floor'] as const);
      for (const variant of order) {
        if (variant === 'floor') floor.push(await measure(() => runFloor(launcher, site, pages, concurrency, shared)));
        else engine.push(await measure(() => runEngine(launcher, site, pages, concurrency)));
      }
      const f = floor.at(-1);
      const e = engine.at(-1);
      if (f && e) console.log(`round ${round}: floor ${ms(f.wallMs)}, engine ${ms(e.wallMs)} (${(e.wallMs / f.wallMs).toFixed(2)}x)`);
    }
    report(floor, engine, pages);
  } finally {
    await site.close();
  }
}

await main();
