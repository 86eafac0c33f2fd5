/**
 * What extra headers and basic-auth credentials cost. With either set, requests are paused in the browser (CDP Fetch)
 * so the headers go to the site's origin only: with headers, only the site's own requests are paused; with
 * credentials, every request is (a foreign basic-auth challenge must be cancelled). Each page here loads 10
 * subresources from its own origin and 5 from another, so the pauses show; the CLI bundle runs the suite three ways,
 * interleaved round by round with the order rotating:
 *
 *   none         no headers, no credentials: nothing is paused (the default)
 *   header       --header "X-Bench: 1"
 *   credentials  --http-credentials bench:secret-pw
 *
 *   node bench/interception.ts [--fixtures 40] [--concurrency 2] [--rounds 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { html, startSite, type Site } from '../__tests__/support/site.ts';
import { measureProcess, type ProcessRun } from './run.ts';
import { type BenchSite } from './site.ts';
import { median, ms } from './stats.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(REPO, 'dist/cli/index.js');
const OWN_ASSETS = 10;
const FOREIGN_ASSETS = 5;
const VARIANTS = {
  none: [],
  header: ['--header', 'X-Bench: 1'],
  credentials: ['--http-credentials', 'bench:secret-pw'],
} as const;
type Variant = keyof typeof VARIANTS;

function options() {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '5' },
    },
  });
  return { pages: Number(values.fixtures), concurrency: Number(values.concurrency), rounds: Number(values.rounds) };
}

/** A site whose pages each load OWN_ASSETS scripts of their own origin and FOREIGN_ASSETS images of `foreign`. */
async function startAssetSite(pages: number, foreign: Site): Promise<BenchSite> {
  let firstPageAt: number | null = null;
  const routes: Parameters<typeof startSite>[0] = {};
  for (let asset = 0; asset < OWN_ASSETS; asset += 1) {
    routes[`/asset/${asset}.js`] = { headers: { 'content-type': 'text/javascript' }, body: `window.asset${asset} = true;` };
  }
  for (let index = 0; index < pages; index += 1) {
    const own = Array.from({ length: OWN_ASSETS }, (_, asset) => `<script src="/asset/${asset}.js?page=${index}"></script>`).join('');
    const images = Array.from({ length: FOREIGN_ASSETS }, (_, image) => `<img src="${foreign.url}/image/${image}.svg?page=${index}">`).join('');
    const page = html(`<h1 id="ready">Page ${index}</h1>${own}${images}`, `Page ${index}`);
    routes[`/page/${index}`] = (_request, response) => {
      firstPageAt ??= performance.timeOrigin + performance.now();
      response.writeHead(200, page.headers);
      response.end(page.body);
    };
  }
  const site = await startSite(routes);
  return { ...site, firstPageAt: () => firstPageAt, resetFirstPage: () => void (firstPageAt = null) };
}

function writeFixtures(dir: string, pages: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const fixtures = Array.from({ length: pages }, (_, index) => ({
    id: `page-${String(index).padStart(3, '0')}`,
    url: `/page/${index}`,
    expect: { status: 200, visible: ['#ready'], title: `Page ${index}` },
  }));
  fs.writeFileSync(path.join(dir, 'bench.smoke.json'), JSON.stringify({ fixtures }, null, 2));
}

async function main(): Promise<void> {
  const { pages, concurrency, rounds } = options();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-bench-interception-'));
  writeFixtures(path.join(workDir, 'fixtures'), pages);
  const foreign = await startSite();
  for (let image = 0; image < FOREIGN_ASSETS; image += 1) {
    foreign.route(`/image/${image}.svg`, { headers: { 'content-type': 'image/svg+xml' }, body: '<svg xmlns="http://www.w3.org/2000/svg"/>' });
  }
  const site = await startAssetSite(pages, foreign);
  const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`${pages} fixtures of ${1 + OWN_ASSETS + FOREIGN_ASSETS} requests each, concurrency ${concurrency}, ${rounds} rounds, load average ${load()}`);
  const variants = Object.keys(VARIANTS) as Variant[];
  const results = new Map<Variant, ProcessRun[]>(variants.map((variant) => [variant, []]));
  const run = (variant: Variant) => {
    const reportDir = path.join(workDir, 'smoke-report');
    fs.rmSync(reportDir, { recursive: true, force: true });
    const args = [CLI, '--fixtures-dir', 'fixtures', '--base-url', site.url, '--concurrency', String(concurrency), '--report-dir', reportDir, ...VARIANTS[variant]];
    return measureProcess(site, args, {
      cwd: workDir,
      inner: () => (JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as { durationMs: number }).durationMs,
    });
  };
  try {
    for (const variant of variants) await run(variant);
    for (let round = 0; round < rounds; round += 1) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      const line: string[] = [];
      for (const variant of order) {
        const measured = await run(variant);
        results.get(variant)!.push(measured);
        line.push(`${variant} ${ms(measured.wallMs)}`);
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
    const none = results.get('none')!;
    const base = median(none.map((r) => r.wallMs));
    const baseCpu = median(none.map((r) => r.cpuMs));
    for (const variant of variants) {
      const runs = results.get(variant)!;
      const wall = median(runs.map((r) => r.wallMs));
      const cpu = median(runs.map((r) => r.cpuMs));
      const perRound = runs.map((r, i) => r.wallMs / (none[i]?.wallMs ?? Number.NaN));
      console.log(
        `${variant.padEnd(12)} whole process ${ms(wall).padStart(7)} (${ms(wall / pages)} per fixture), CPU ${ms(cpu / pages)} per fixture; ` +
          `against none ${(wall / base).toFixed(2)}x (rounds ${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}x), ` +
          `CPU ${(cpu / baseCpu).toFixed(2)}x, ${ms((wall - base) / pages)} more per fixture`,
      );
    }
    console.log(`load average after: ${load()}`);
  } finally {
    await site.close();
    await foreign.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
