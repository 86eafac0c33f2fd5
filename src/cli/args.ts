/**
 * Command-line flags. They mirror the Action's inputs; every problem (unknown flag, missing value, bad value)
 * is reported at once.
 */
import { parseArgs } from 'node:util';
import { closestMatch } from '../fixtures/suggest.ts';
import { parseList } from '../selection/select.ts';
import { type OptionKey, parseRunOptions, type RunOptions, UsageError } from '../options.ts';

export const DEFAULT_CLI_REPORT_DIR = 'smoke-report';
/** The report a rerun reads unless --artifact says otherwise: the one the previous run wrote to --report-dir. */
export const artifactPathFor = (reportDir: string): string => `${reportDir.replace(/[/\\]+$/, '')}/report.json`;
export const DEFAULT_ARTIFACT_PATH = artifactPathFor(DEFAULT_CLI_REPORT_DIR);

const FLAGS = {
  'fixtures-dir': { type: 'string' },
  'base-url': { type: 'string' },
  serve: { type: 'string' },
  fixture: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  sample: { type: 'string' },
  'sample-seed': { type: 'string' },
  'rerun-failed': { type: 'boolean' },
  artifact: { type: 'string' },
  'if-nothing-to-rerun': { type: 'string' },
  retries: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'suite-timeout': { type: 'string' },
  'browser-path': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'fail-on-flaky': { type: 'boolean' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type FlagName = keyof typeof FLAGS;

export const FLAG_NAMES: Record<OptionKey, string> = {
  fixturesDir: '--fixtures-dir',
  baseUrl: '--base-url',
  serve: '--serve',
  fixtures: '--fixture',
  tags: '--tag',
  sample: '--sample',
  sampleSeed: '--sample-seed',
  rerunFailed: '--rerun-failed',
  ifNothingToRerun: '--if-nothing-to-rerun',
  retries: '--retries',
  concurrency: '--concurrency',
  timeout: '--timeout',
  suiteTimeout: '--suite-timeout',
  browserPath: '--browser-path',
  dryRun: '--dry-run',
  failOnFlaky: '--fail-on-flaky',
  reportDir: '--report-dir',
};

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: RunOptions; artifactPath: string; json: boolean };

export const USAGE = `Usage: reliability-smoke [options]

Runs browser smoke fixtures (*.smoke.yml|yaml|json) in headless Chrome or Chromium and writes
report.json, junit.xml and report.html. With --rerun-failed, reruns only the fixtures that failed in a
previous report.

Where to test
  --base-url URL            base for relative fixture URLs (a deployed site)
  --serve DIR               serve DIR on 127.0.0.1 and use it as the base URL (not with --base-url)

What to run
  --fixtures-dir DIR        where fixture files are found, recursively (default: fixtures)
  --fixture ID              a fixture id or glob such as "checkout-*"; repeatable, or comma-separated
  --tag TAG                 only fixtures with this tag; repeatable
  --sample N                a deterministic sample of N fixtures
  --sample-seed SEED        seed for --sample (default: "local")
  --rerun-failed            rerun only the fixtures that failed (or were never run, after an
                            interruption) in --artifact; not with --fixture
  --artifact PATH           report to rerun from (default: report.json in --report-dir,
                            so ${DEFAULT_ARTIFACT_PATH})
  --if-nothing-to-rerun X   "error" (default) or "pass" when the report has no failed fixture
  --dry-run                 write plan.json with what would run; run nothing

How to run
  --retries N               retries for fixtures that set none (default: 0)
  --concurrency N           fixtures at once (default: 2)
  --timeout DURATION        time limit per attempt for fixtures that set none (default: 30s)
  --suite-timeout DURATION  time limit for the whole suite (default: none)
  --browser-path PATH       Chrome or Chromium to use
  --fail-on-flaky           fail the run when a fixture only passed on a retry

Output
  --report-dir DIR          where report.json, junit.xml, report.html and evidence go (default: ${DEFAULT_CLI_REPORT_DIR})
  --json                    print report.json to stdout; progress and RESULT go to stderr
  -h, --help                show this help
  -v, --version             show the version

Exit codes: 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error,
130 stopped by Ctrl-C (the report is still written).
`;

function flagProblems(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>): string[] {
  const problems: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.push(`unexpected argument "${token.value}": every option is a flag (see --help)`);
    } else if (token.kind === 'option') {
      const spec = FLAGS[token.name as FlagName] as { type: string } | undefined;
      if (!spec) {
        const hint = closestMatch(token.name, Object.keys(FLAGS));
        problems.push(`unknown flag ${token.rawName}${hint ? ` (did you mean --${hint}?)` : ''}`);
      } else if (spec.type === 'string' && token.value === undefined) {
        problems.push(`${token.rawName} needs a value`);
      } else if (spec.type === 'boolean' && token.value !== undefined && token.inlineValue) {
        problems.push(`${token.rawName} takes no value`);
      }
    }
  }
  return problems;
}

export function parseCliArgs(argv: string[]): CliCommand {
  const { values, tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const problems = flagProblems(tokens ?? []);
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const text = (name: FlagName): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const texts = (name: FlagName): string[] => {
    const value = values[name];
    const items = Array.isArray(value) ? value : [];
    return items.filter((item): item is string => typeof item === 'string').flatMap(parseList);
  };
  let options: RunOptions | undefined;
  try {
    options = parseRunOptions(
      {
        fixturesDir: text('fixtures-dir'),
        baseUrl: text('base-url'),
        serve: text('serve'),
        fixtures: texts('fixture'),
        tags: texts('tag'),
        sample: text('sample'),
        sampleSeed: text('sample-seed'),
        rerunFailed: values['rerun-failed'] === true,
        ifNothingToRerun: text('if-nothing-to-rerun'),
        retries: text('retries'),
        concurrency: text('concurrency'),
        timeout: text('timeout'),
        suiteTimeout: text('suite-timeout'),
        browserPath: text('browser-path'),
        dryRun: values['dry-run'] === true,
        failOnFlaky: values['fail-on-flaky'] === true,
        reportDir: text('report-dir'),
      },
      FLAG_NAMES,
      DEFAULT_CLI_REPORT_DIR,
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.problems);
  }
  if (text('artifact') && values['rerun-failed'] !== true) {
    problems.push('--artifact only matters with --rerun-failed: add --rerun-failed to rerun the failures it lists.');
  }
  if (problems.length > 0 || !options) throw new UsageError(problems);
  const artifactPath = text('artifact') ?? artifactPathFor(options.reportDir);
  return { kind: 'run', options, artifactPath, json: values.json === true };
}
