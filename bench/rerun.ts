/**
 * What a rerun costs: a rerun of k failed fixtures out of N should cost in proportion to k, not N. In one process,
 * against one loopback site, it runs the full suite of N generated fixtures (k of whose pages answer 500), then
 * reruns the failures from the report that run wrote (`--rerun-failed --artifact <report.json>`), through the
 * engine with the options the CLI parses, and prints both wall times, the time per fixture, the ratio, how many
 * fixtures each actually ran (requests the site saw), and the fixed cost paid before the first fixture starts.
 * For scale it also runs the same k fixtures named with --fixture: what running k fixtures costs with no rerun
 * machinery at all.
 *
 *   node bench/rerun.ts [--fixtures 200] [--failing 5] [--concurrency 2] [--rounds 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { html, startSite, type Site } from '../__tests__/support/site.ts';
import { parseCliArgs } from '../src/cli/args.ts';
import { localRunContext } from '../src/cli/main.ts';
import { runSmoke, type SmokeOutcome } from '../src/engine/run-smoke.ts';
import { createLauncher } from '../src/run/browser.ts';
import type { Logger } from '../src/common/types.ts';
import { TOOL_VERSION } from '../src/version.ts';
import { median, ms } from './stats.ts';
import { acquireFromFile } from '../src/rerun/file-source.ts';

interface Phase {
  wallMs: number;
  /** From the start of runSmoke until the fixtures are about to run: the source, loading, selection. */
  beforeFixturesMs: number;
  /** Of which reading and validating the source report (reruns only). */
  sourceMs: number;
  browserLaunchMs: number;
  /** From the last fixture's end to the end of runSmoke: closing Chrome, writing report.json and junit.xml. */
  afterFixturesMs: number;
  /** Summed fixture time (attempt durations) of the fixtures that fail, as the report records it. */
  failingFixtureMs: number;
  /** Distinct fixture pages the site was asked for, and every request it saw. */
  pagesHit: number;
  requests: number;
  outcome: SmokeOutcome;
}

const silent: Logger = { info: () => {}, warn: () => {}, debug: () => {} };

function options() {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: '200' },
      failing: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${text}"`);
    return value;
  };
  const fixtures = count('fixtures', values.fixtures, 2);
  const failing = count('failing', values.failing, 1);
  if (failing >= fixtures) throw new Error('--failing must be less than --fixtures');
  return { fixtures, failing, concurrency: count('concurrency', values.concurrency, 1), rounds: count('rounds', values.rounds, 1) };
}

const idOf = (index: number) => `page-${String(index).padStart(3, '0')}`;
const pathOf = (index: number) => `/page/${index}`;

/** k indices spread over the suite, so the failures are not all at its start or end. */
function failingIndices(total: number, failing: number): Set<number> {
  return new Set(Array.from({ length: failing }, (_, i) => Math.floor(((i + 0.5) * total) / failing)));
}

function startBenchSite(total: number, failing: Set<number>): Promise<Site> {
  const routes = Object.fromEntries(
    Array.from({ length: total }, (_, index) => [
      pathOf(index),
      failing.has(index) ? { status: 500, body: '<!doctype html><title>Broken</title><h1>Down</h1>' } : html(`<h1>Page ${index}</h1>`, `Page ${index}`),
    ]),
  );
  return startSite(routes);
}

/** Ten fixture files of N/10 fixtures, as a real suite would be split. */
function writeSuite(dir: string, total: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const perFile = Math.ceil(total / 10);
  for (let start = 0; start < total; start += perFile) {
    const entries = Array.from({ length: Math.min(perFile, total - start) }, (_, offset) => {
      const index = start + offset;
      return `  - id: ${idOf(index)}\n    url: ${pathOf(index)}\n    timeout: 5s\n    expect:\n      status: 200\n      visible: [h1]\n      title: Page ${index}`;
    });
    fs.writeFileSync(path.join(dir, `part-${start / perFile}.smoke.yml`), `fixtures:\n${entries.join('\n')}\n`);
  }
}

async function runPhase(site: Site, workspace: string, argv: string[], total: number): Promise<Phase> {
  const command = parseCliArgs(argv);
  if (command.kind !== 'run') throw new Error('bench: expected run flags');
  const { options: runOptions, artifactPath } = command;
  const hitsBefore = Array.from({ length: total }, (_, index) => site.hits(pathOf(index)));
  const requestsBefore = site.hits();
  let sourceMs = 0;
  let fixturesAt = 0;
  let browserLaunchMs = 0;
  let lastDoneAt = 0;
  const started = performance.now();
  const outcome = await runSmoke(
    {
      options: runOptions,
      context: localRunContext(workspace),
      toolVersion: TOOL_VERSION,
      commandArgs: [],
      fullRunHint: 'drop --rerun-failed',
      carryOverWhenShaUnknown: true,
      ...(runOptions.rerunFailed
        ? {
            acquireRerunSource: async () => {
              const source = await acquireFromFile(artifactPath, workspace, { commandArgs: [], fullRunHint: 'drop --rerun-failed' })();
              sourceMs = performance.now() - started;
              return source;
            },
          }
        : {}),
    },
    {
      logger: silent,
      env: process.env,
      cwd: workspace,
      onFixturesStart: () => void (fixturesAt = performance.now()),
      onFixtureDone: () => void (lastDoneAt = performance.now()),
      createLauncher: (found, logger) => {
        const real = createLauncher(found, logger);
        return {
          description: real.description,
          launch: async () => {
            const launchStarted = performance.now();
            const browser = await real.launch();
            browserLaunchMs += performance.now() - launchStarted;
            return browser;
          },
        };
      },
    },
  );
  const wallMs = performance.now() - started;
  const pagesHit = hitsBefore.filter((before, index) => site.hits(pathOf(index)) > before).length;
  const failingFixtureMs = (outcome.report?.fixtures ?? [])
    .filter((fixture) => fixture.status === 'failed' && fixture.carriedOver === null)
    .reduce((sum, fixture) => sum + fixture.durationMs, 0);
  return {
    wallMs,
    beforeFixturesMs: fixturesAt - started,
    sourceMs,
    browserLaunchMs,
    afterFixturesMs: wallMs - (lastDoneAt - started),
    failingFixtureMs,
    pagesHit,
    requests: site.hits() - requestsBefore,
    outcome,
  };
}

function check(phase: Phase, name: string, expect: { selected: number; total: number; failed: number }): void {
  const report = phase.outcome.report;
  if (!report) throw new Error(`${name}: no report`);
  if (report.preflight) throw new Error(`${name}: stopped in preflight: ${report.preflight.message}`);
  const got = { selected: phase.outcome.selectedCount, total: report.summary.total, failed: report.summary.failed };
  if (JSON.stringify(got) !== JSON.stringify(expect)) throw new Error(`${name}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(got)}`);
}

const kib = (workspace: string) => (fs.statSync(path.join(workspace, 'smoke-report', 'report.json')).size / 1024).toFixed(0);

function summarize(name: string, phases: Phase[]) {
  const of = (pick: (phase: Phase) => number) => median(phases.map(pick));
  const figures = {
    wall: of((phase) => phase.wallMs),
    before: of((phase) => phase.beforeFixturesMs),
    launch: of((phase) => phase.browserLaunchMs),
    after: of((phase) => phase.afterFixturesMs),
    failing: of((phase) => phase.failingFixtureMs),
    ran: phases[0]?.pagesHit ?? 0,
  };
  console.log(
    `${name.padEnd(7)} wall ${ms(figures.wall).padStart(8)}  ran ${String(figures.ran).padStart(3)} fixtures ` +
      `(${phases[0]?.requests} requests)  per fixture ${ms(figures.wall / figures.ran).padStart(6)}  ` +
      `before the first fixture ${ms(figures.before).padStart(5)}  browser launch ${ms(figures.launch).padStart(5)}  ` +
      `after the last ${ms(figures.after).padStart(5)}`,
  );
  return figures;
}

async function main(): Promise<void> {
  const { fixtures: total, failing, concurrency, rounds } = options();
  const broken = failingIndices(total, failing);
  const site = await startBenchSite(total, broken);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-bench-rerun-'));
  writeSuite(path.join(workspace, 'fixtures'), total);
  const base = ['--base-url', site.url, '--concurrency', String(concurrency), '--report-dir', 'smoke-report'];
  console.log(`${total} fixtures, ${failing} failing (${[...broken].map(idOf).join(', ')}), concurrency ${concurrency}, ${rounds} rounds, ${os.cpus().length} CPUs`);
  const full: Phase[] = [];
  const rerun: Phase[] = [];
  const byName: Phase[] = [];
  try {
    // Warm-up, unmeasured: the first Chrome start of a process pays for disk caches.
    await runPhase(site, workspace, [...base, '--report-dir', 'warm-up', '--fixture', idOf(0)], total);
    for (let round = 1; round <= rounds; round += 1) {
      const f = await runPhase(site, workspace, base, total);
      check(f, 'full run', { selected: total, total, failed: failing });
      const r = await runPhase(site, workspace, [...base, '--rerun-failed', '--artifact', 'smoke-report/report.json'], total);
      check(r, 'rerun', { selected: failing, total, failed: failing });
      if (r.pagesHit !== failing) throw new Error(`rerun: the site saw ${r.pagesHit} fixture pages, expected ${failing}`);
      const named = [...broken].flatMap((index) => ['--fixture', idOf(index)]);
      const n = await runPhase(site, workspace, [...base, '--report-dir', 'named-report', ...named], total);
      check(n, 'named', { selected: failing, total: failing, failed: failing });
      full.push(f);
      rerun.push(r);
      byName.push(n);
      console.log(
        `round ${round}: full ${ms(f.wallMs)}, rerun ${ms(r.wallMs)} (${((r.wallMs / f.wallMs) * 100).toFixed(1)}%), ` +
          `rerun before its first fixture ${ms(r.beforeFixturesMs)} (source report read in ${ms(r.sourceMs)}), ` +
          `the same ${failing} named with --fixture ${ms(n.wallMs)}`,
      );
    }
    const f = summarize('full', full);
    const r = summarize('rerun', rerun);
    const n = summarize('named', byName);
    console.log(`ratio   rerun/full wall ${(r.wall / f.wall).toFixed(3)} (k/N = ${(failing / total).toFixed(3)}); rerun/named ${(r.wall / n.wall).toFixed(2)}`);
    const fixed = r.before + r.launch + r.after;
    console.log(
      `fixed   the rerun spends ${ms(r.before)} before its first fixture (reading the ${kib(workspace)} KiB source ` +
        `report, loading ${total} fixtures, selecting ${failing}), ${ms(r.launch)} launching Chrome and ${ms(r.after)} ` +
        `closing it and writing the report: ${ms(fixed)} in all`,
    );
    console.log(
      `per k   the rest, ${ms(r.wall - fixed)}, runs the ${failing} failing fixtures; they took ${ms(r.failing)} of fixture ` +
        `time in the rerun and ${ms(f.failing)} in the full run (a failing fixture saves evidence and gets a fresh session)`,
    );
  } finally {
    await site.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
