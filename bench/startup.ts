/**
 * What a run pays before its first fixture starts: from process start (spawn) to the first request for a fixture
 * page, for the CLI bundle (`node dist/cli/index.js`) and the Action bundle (`node dist/index.js`, as the runner
 * starts it, with its inputs in INPUT_* variables). Both run the same 2 fixtures of bench/site.ts against the same
 * loopback site, interleaved round by round; the whole-process time is printed too. `node -e 0` is the floor of
 * any Node process on the machine, measured in the same rounds.
 *
 *   node bench/startup.ts [--rounds 7] [--action-alt other/index.js] [--cli-alt other/cli/index.js]
 *
 * The -alt options add another build of either bundle to the rounds (say, a minified one) to compare with dist/.
 *
 * The Action runs with no GitHub token and no artifact service, so its upload is skipped with a warning: that
 * comes after the fixtures, and only the whole-process figure includes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { measureProcess, type ProcessRun } from './run.ts';
import { startBenchSite, writeBenchFixtures, type BenchSite } from './site.ts';
import { median, ms } from './stats.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const FIXTURES = 2;

/** INPUT_ variables as the runner sets them: every input of action.yml with its default, then ours. */
function actionEnv(workDir: string, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const manifest = parse(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const env: NodeJS.ProcessEnv = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    env[`INPUT_${name.toUpperCase()}`] = (spec.default ?? '').replace('${{ github.token }}', '');
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const runnerFile = (name: string) => {
    const file = path.join(workDir, name);
    fs.writeFileSync(file, '');
    return file;
  };
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
    GITHUB_WORKSPACE: workDir,
    GITHUB_OUTPUT: runnerFile('output.txt'),
    GITHUB_STEP_SUMMARY: runnerFile('summary.md'),
    GITHUB_STATE: runnerFile('state.txt'),
    RUNNER_TEMP: workDir,
    GITHUB_REPOSITORY: 'bench/bench',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
  };
}

type Kind = 'node' | 'cli' | 'action' | 'cli-alt' | 'action-alt';

function runBundle(kind: Kind, bundle: string, site: BenchSite, workDir: string): Promise<ProcessRun> {
  const none = () => Number.NaN;
  if (kind === 'node') return measureProcess(site, ['-e', '0'], { cwd: workDir, inner: none });
  fs.rmSync(path.join(workDir, 'smoke-report'), { recursive: true, force: true });
  if (kind.startsWith('cli')) {
    return measureProcess(site, [bundle, '--fixtures-dir', 'fixtures', '--base-url', site.url], { cwd: workDir, inner: none });
  }
  const env = actionEnv(workDir, { 'fixtures-dir': 'fixtures', 'base-url': site.url });
  return measureProcess(site, [bundle], { cwd: workDir, env, inner: none });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '7' },
      'action-alt': { type: 'string' },
      'cli-alt': { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  const bundles: Partial<Record<Kind, string>> = {
    node: '',
    cli: path.join(REPO, 'dist/cli/index.js'),
    action: path.join(REPO, 'dist/index.js'),
    ...(values['cli-alt'] ? { 'cli-alt': path.resolve(values['cli-alt']) } : {}),
    ...(values['action-alt'] ? { 'action-alt': path.resolve(values['action-alt']) } : {}),
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-startup-'));
  writeBenchFixtures(path.join(workDir, 'fixtures'), FIXTURES);
  const site = await startBenchSite(FIXTURES);
  const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`${FIXTURES} fixtures, ${rounds} rounds, ${os.cpus().length} CPUs, load average ${load()}`);
  const kinds = Object.keys(bundles) as Kind[];
  for (const kind of kinds.filter((name) => name !== 'node')) {
    console.log(`${kind.padEnd(10)} ${bundles[kind]} (${(fs.statSync(bundles[kind]!).size / 1024).toFixed(0)} KiB)`);
  }
  const results = new Map<string, ProcessRun[]>(kinds.map((kind) => [kind, []]));
  try {
    for (const kind of kinds) await runBundle(kind, bundles[kind]!, site, workDir);
    for (let round = 0; round < rounds; round += 1) {
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const kind of order) results.get(kind)!.push(await runBundle(kind, bundles[kind]!, site, workDir));
    }
    for (const [kind, runs] of results) {
      const first = runs.map((run) => run.firstFixtureMs).filter((value) => !Number.isNaN(value));
      const firstText = first.length > 0 ? `first fixture at ${ms(median(first))} (${ms(Math.min(...first))}-${ms(Math.max(...first))})  ` : '';
      console.log(`${kind.padEnd(10)} ${firstText}whole process ${ms(median(runs.map((run) => run.wallMs)))}`);
    }
    console.log(`load average after: ${load()}`);
  } finally {
    await site.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
