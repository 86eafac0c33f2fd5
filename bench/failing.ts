/**
 * What a red suite costs: the CLI bundle on 10 passing fixtures and 4 whose assertion never holds (an element that
 * never appears), concurrency 2, fixture timeout 30 s. Two variants, interleaved round by round:
 *
 * - **expect-5s**: the defaults, so page assertions give up after the expect timeout (5 s);
 * - **expect-30s**: `--expect-timeout 30s`, as before the expect timeout existed, when a failing assertion waited
 *   out the whole fixture timeout.
 *
 * And the same 10 passing fixtures alone (**green**), the floor of the run.
 *
 *   node bench/failing.ts [--rounds 2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureProcess } from './run.ts';
import { benchPage, startBenchSite, writeBenchFixtures } from './site.ts';
import { median, ms } from './stats.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const PASSING = 10;
const FAILING = 4;

type Variant = 'green' | 'expect-5s' | 'expect-30s';

function writeFailingFixtures(dir: string): void {
  const fixtures = Array.from({ length: FAILING }, (_, index) => ({
    id: `never-${index}`,
    url: benchPage(index).path,
    expect: { visible: ['#never-rendered'] },
  }));
  fs.writeFileSync(path.join(dir, 'failing.smoke.json'), JSON.stringify({ fixtures }, null, 2));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
  const rounds = Number(values.rounds);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-failing-'));
  const site = await startBenchSite(PASSING);
  try {
    const green = path.join(work, 'green');
    const red = path.join(work, 'red');
    writeBenchFixtures(green, PASSING);
    writeBenchFixtures(red, PASSING);
    writeFailingFixtures(red);
    const bundle = path.join(REPO, 'dist', 'cli', 'index.js');
    const args: Record<Variant, string[]> = {
      green: [bundle, '--fixtures-dir', green, '--base-url', site.url],
      'expect-5s': [bundle, '--fixtures-dir', red, '--base-url', site.url],
      'expect-30s': [bundle, '--fixtures-dir', red, '--base-url', site.url, '--expect-timeout', '30s'],
    };
    const variants = Object.keys(args) as Variant[];
    const walls: Record<Variant, number[]> = { green: [], 'expect-5s': [], 'expect-30s': [] };
    console.log(`load average before: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
    for (let round = 0; round < rounds; round += 1) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const variant of order) {
        fs.rmSync(path.join(work, 'smoke-report'), { recursive: true, force: true });
        const run = await measureProcess(site, args[variant], { cwd: work, inner: () => Number.NaN, okCodes: variant === 'green' ? [0] : [1] });
        walls[variant].push(run.wallMs);
        console.log(`round ${round + 1} ${variant}: ${ms(run.wallMs)}`);
      }
    }
    console.log(`load average after: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
    console.log(`\n${PASSING} passing fixtures${' '.repeat(2)}+ ${FAILING} failing, concurrency 2, fixture timeout 30s, median of ${rounds}:`);
    for (const variant of variants) console.log(`  ${variant.padEnd(11)} ${ms(median(walls[variant]))}`);
  } finally {
    await site.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
