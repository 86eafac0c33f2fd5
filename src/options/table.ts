/**
 * Every option of the Action and the CLI, defined once: its Action input and CLI flag (or only one of them), its
 * default, how its text is parsed, and the words that describe it. The input and flag names, the run options'
 * types, the CLI's parser and --help, and the Inputs constants are derived from here; a test keeps action.yml
 * and the README's inputs and flags tables in step with it.
 *
 * Adding an option is one entry here, plus its action.yml entry and README rows (`node scripts/doc-tables.ts`
 * prints them). Entries are in the order problems are reported.
 */
import { z } from 'zod';
import { DEFAULT_SAMPLE_SEED } from '../selection/select.ts';
import {
  artifactName,
  boolean,
  credentials,
  duration,
  fraction,
  headerList,
  httpUrl,
  integer,
  list,
  orNull,
  rerunInclude,
  retentionDays,
  shardSpec,
  text,
  urlOrPath,
  workflowRunId,
} from './values.ts';

/**
 * How the value arrives: `text`; a `list` (an input separated by commas or new lines, or a repeatable flag); `lines`
 * (a list whose items may hold commas: an input separated by new lines only, or a repeatable flag); a `switch` (a
 * flag without a value, or an input holding true or false).
 */
export type OptionKind = 'text' | 'list' | 'lines' | 'switch';

/** The sections of --help. */
export const HELP_GROUPS = {
  where: 'Where to test',
  what: 'What to run',
  how: 'How to run',
  output: 'Output',
} as const;

export interface OptionDefinition {
  readonly kind: OptionKind;
  /** The value when none is given, or when it is blank (action.yml declares the same). '' for none. */
  readonly default: string;
  /** A blank value keeps its own meaning instead of the default (an empty check-name turns the check run off). */
  readonly keepsEmpty?: true;
  /** Turns the given text into the value a run uses. */
  readonly parse: z.ZodType;
  /** The Action input; null for a CLI-only flag. `description` is Markdown (the README's; action.yml's without backticks). */
  readonly action: { readonly input: string; readonly description: string } | null;
  /**
   * The CLI flag (without "--"); null for an Action-only input. `value` names its argument in --help, `help` is
   * Markdown (the README's; --help's without backticks), and `default` says what the CLI does when it is not
   * given, where that is not the option's default.
   */
  readonly cli: {
    readonly flag: string;
    readonly short?: string;
    readonly value?: string;
    readonly group: keyof typeof HELP_GROUPS;
    readonly help: string;
    readonly default?: string;
  } | null;
}

/** Where the CLI writes its report unless --report-dir says otherwise. */
export const CLI_REPORT_DIR = 'smoke-report';

export const OPTIONS = {
  fixturesDir: {
    kind: 'text',
    default: 'fixtures',
    parse: text,
    action: {
      input: 'fixtures-dir',
      description: 'Folder searched recursively for fixture files (`*.smoke.yml`, `*.smoke.yaml`, `*.smoke.json`).',
    },
    cli: { flag: 'fixtures-dir', value: 'DIR', group: 'what', help: 'where fixture files are found, recursively' },
  },
  baseUrl: {
    kind: 'text',
    default: '',
    parse: orNull(httpUrl),
    action: {
      input: 'base-url',
      description: 'Base URL for relative fixture URLs, such as your preview or staging deployment. Cannot be combined with `serve`.',
    },
    cli: { flag: 'base-url', value: 'URL', group: 'where', help: 'base for relative fixture URLs (a deployed site)' },
  },
  serveDir: {
    kind: 'text',
    default: '',
    parse: orNull(text),
    action: {
      input: 'serve',
      description:
        'A folder (for example your build output) to serve on 127.0.0.1; its address becomes the base URL. Cannot be combined with `base-url`.',
    },
    cli: { flag: 'serve', value: 'DIR', group: 'where', help: 'serve DIR on 127.0.0.1 and use it as the base URL (not with `--base-url`)' },
  },
  start: {
    kind: 'text',
    default: '',
    parse: orNull(text),
    action: {
      input: 'start',
      description:
        'A shell command that starts the app before any fixture (for example `npm run preview`), in its own process group; needs ' +
        '`wait-for`. Its output goes to `start.log` in the report folder, and it is stopped however the run ends.',
    },
    cli: {
      flag: 'start',
      value: 'COMMAND',
      group: 'where',
      help: 'start the app with COMMAND (in its own process group) before any fixture, and stop it after; needs `--wait-for`',
    },
  },
  waitFor: {
    kind: 'text',
    default: '',
    parse: orNull(urlOrPath),
    action: {
      input: 'wait-for',
      description:
        'Before any fixture, poll this URL (or a path under the base URL) until it answers with a status below 400, redirects ' +
        'followed. When `wait-timeout` runs out, the run stops with `site-not-ready`. With `start` and no `base-url`, its origin is the base URL.',
    },
    cli: {
      flag: 'wait-for',
      value: 'URL',
      group: 'where',
      help: 'poll URL (or a path under the base URL) until it answers below 400 before any fixture; with `--start` and no `--base-url`, its origin is the base URL',
    },
  },
  waitTimeoutMs: {
    kind: 'text',
    default: '2m',
    parse: duration,
    action: { input: 'wait-timeout', description: 'How long `wait-for` polls before the run stops with `site-not-ready`.' },
    cli: { flag: 'wait-timeout', value: 'DURATION', group: 'where', help: 'how long `--wait-for` polls' },
  },
  extraHeaders: {
    kind: 'lines',
    default: '',
    parse: headerList,
    action: {
      input: 'extra-headers',
      description:
        'Extra request headers, one `Name: value` per line (such as a preview\'s protection-bypass header). Sent only to the origin ' +
        'of the base URL and of a fixture\'s absolute `url`, never to other origins a page loads from. Values are redacted in every output.',
    },
    cli: {
      flag: 'header',
      value: 'HEADER',
      group: 'where',
      help: "an extra request header, `\"Name: value\"`, sent only to the base URL's origin and fixtures' own; repeatable",
    },
  },
  httpCredentials: {
    kind: 'text',
    default: '',
    parse: orNull(credentials),
    action: {
      input: 'http-credentials',
      description:
        '`user:password` for HTTP basic auth. Sent only to the origin of the base URL and of a fixture\'s absolute `url`; a challenge ' +
        'from any other origin is cancelled. The password is redacted in every output.',
    },
    cli: {
      flag: 'http-credentials',
      value: 'USER:PASSWORD',
      group: 'where',
      help: "basic-auth credentials, sent only to the base URL's origin and fixtures' own",
    },
  },
  patterns: {
    kind: 'list',
    default: '',
    parse: list,
    action: {
      input: 'fixtures',
      description:
        'Fixture ids or globs such as `checkout-*`, separated by commas or new lines; `!pattern` excludes what it matches (`!legacy-*`). ' +
        'Empty runs every fixture. Cannot be combined with `rerun-failed`.',
    },
    cli: {
      flag: 'fixture',
      value: 'ID',
      group: 'what',
      help: 'a fixture id or glob such as `checkout-*`, or `!pattern` to exclude; repeatable, or comma-separated',
    },
  },
  tags: {
    kind: 'list',
    default: '',
    parse: list,
    action: { input: 'tags', description: 'Only run fixtures that have one of these tags (commas or new lines).' },
    cli: { flag: 'tag', value: 'TAG', group: 'what', help: 'only fixtures with this tag; repeatable' },
  },
  excludeTags: {
    kind: 'list',
    default: '',
    parse: list,
    action: { input: 'exclude-tags', description: 'Leave out fixtures that have any of these tags (commas or new lines), whatever else selects them.' },
    cli: { flag: 'exclude-tag', value: 'TAG', group: 'what', help: 'leave out fixtures with this tag; repeatable' },
  },
  sample: {
    kind: 'text',
    default: '',
    parse: orNull(integer(1, 100_000)),
    action: { input: 'sample', description: 'Run a deterministic sample of this many fixtures. Never applies to a rerun.' },
    cli: { flag: 'sample', value: 'N', group: 'what', help: 'a deterministic sample of N fixtures' },
  },
  sampleSeed: {
    kind: 'text',
    default: '',
    // The seed is recorded in the report, so there is always one.
    parse: orNull(text).transform((seed) => seed ?? DEFAULT_SAMPLE_SEED),
    action: {
      input: 'sample-seed',
      description: 'Seed for `sample`. Empty uses the run id, so a re-run of the same run picks the same sample.',
    },
    cli: { flag: 'sample-seed', value: 'SEED', group: 'what', help: 'seed for `--sample`', default: `\`${DEFAULT_SAMPLE_SEED}\`` },
  },
  rerunFailed: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: {
      input: 'rerun-failed',
      description:
        "Rerun only the fixtures that failed in the previous run's smoke artifact (see `artifact-run-id`). Needs `actions: read`. " +
        'Cannot be combined with `fixtures`.',
    },
    cli: {
      flag: 'rerun-failed',
      group: 'what',
      help: 'rerun only the fixtures that failed (or were never run, after an interruption) in `--artifact`; not with `--fixture`',
    },
  },
  artifactPath: {
    kind: 'text',
    default: '',
    parse: orNull(text),
    action: null,
    cli: {
      flag: 'artifact',
      value: 'PATH',
      group: 'what',
      help: 'the report to rerun from',
      default: `\`report.json\` in \`--report-dir\`, so \`${CLI_REPORT_DIR}/report.json\``,
    },
  },
  artifactRunId: {
    kind: 'text',
    default: '',
    parse: orNull(workflowRunId),
    action: {
      input: 'artifact-run-id',
      description:
        'With `rerun-failed` (or `report-only`), the workflow run whose smoke artifact to use. Empty looks at earlier attempts of this run, ' +
        'then at the most recent earlier completed run of this workflow on this branch.',
    },
    cli: null,
  },
  artifactName: {
    kind: 'text',
    default: 'reliability-smoke',
    parse: artifactName,
    action: {
      input: 'artifact-name',
      description:
        'Name prefix of the smoke artifact. Each upload adds the job and the run attempt, so a job re-run never clashes; ' +
        'reruns find artifacts by this prefix.',
    },
    cli: null,
  },
  ifNothingToRerun: {
    kind: 'text',
    default: 'error',
    parse: z.enum(['error', 'pass'], { error: (issue) => `must be "error" or "pass", not "${String(issue.input)}"` }),
    action: {
      input: 'if-nothing-to-rerun',
      description:
        'What a rerun does when the source report has no failed fixture: `error` fails the step, `pass` passes it ' +
        '(and carries the source results over when the commit is the same).',
    },
    cli: { flag: 'if-nothing-to-rerun', value: 'X', group: 'what', help: 'what a rerun with no failed fixture does: `error` fails, `pass` passes' },
  },
  rerunInclude: {
    kind: 'text',
    default: 'failed',
    parse: rerunInclude,
    action: {
      input: 'rerun-include',
      description:
        'What a rerun runs: `failed` (the fixtures that failed or never ran in the source), or `failed,new,changed` to also run the ' +
        'fixtures added or edited since the source. Left out, those are listed as not covered by the verdict.',
    },
    cli: {
      flag: 'rerun-include',
      value: 'X',
      group: 'what',
      help: '`failed`, or `failed,new,changed` to also rerun the fixtures added or edited since `--artifact`',
    },
  },
  // Sharding across matrix jobs: each job runs one part, and one merge job gives the verdict (src/shard).
  shard: {
    kind: 'text',
    default: '',
    parse: orNull(shardSpec),
    action: {
      input: 'shard',
      description:
        'Run part `i` of `n` of the selection (`i/n` such as `2/4`, up to 64 parts), balanced by the fixture durations of the ' +
        'previous run. Each shard uploads its own artifact and creates no check run while `check-name` is at its default; a job with ' +
        '`merge: true` gives the verdict.',
    },
    cli: {
      flag: 'shard',
      value: 'I/N',
      group: 'what',
      help: 'run part I of N of the selection, balanced by the durations in `--history-from` (or `--artifact` for a rerun), else by count',
    },
  },
  merge: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: {
      input: 'merge',
      description:
        "Run no fixtures: merge the shard artifacts of this run (each shard's latest attempt) into one report, verdict, job summary, " +
        'check run and artifact. A missing or mismatched shard fails it. Cannot be combined with `shard`, `rerun-failed` or `fixtures`.',
    },
    cli: null,
  },
  mergePaths: {
    kind: 'list',
    default: '',
    parse: list,
    action: null,
    cli: {
      flag: 'merge',
      value: 'PATH',
      group: 'what',
      help:
        "merge shard reports (a `report.json`, a folder holding one, or a folder of such folders) into one report and verdict; " +
        'repeatable; runs nothing, not with `--shard`, `--rerun-failed` or `--fixture`',
    },
  },
  historyFrom: {
    kind: 'text',
    default: '',
    parse: orNull(text),
    action: null,
    cli: {
      flag: 'history-from',
      value: 'PATH',
      group: 'what',
      help:
        'the previous `report.json`: the fixture history (and the durations `--shard` balances by) comes from it; unreadable, ' +
        'the history starts afresh with a warning',
      default: '`report.json` in `--report-dir`, read before it is replaced',
    },
  },
  // History and quarantine: the fixtures whose failures do not fail the run (src/history).
  quarantine: {
    kind: 'text',
    default: 'off',
    parse: z.enum(['off', 'auto'], { error: (issue) => `must be "off" or "auto", not "${String(issue.input)}"` }),
    action: {
      input: 'quarantine',
      description:
        '`auto` quarantines fixtures whose flake rate over at least 5 runs of their history is at or above `quarantine-threshold`, ' +
        'until they pass 5 runs in a row: they still run and are reported, but their failures do not fail the step. `off` ' +
        'quarantines only fixtures with `quarantine: true`.',
    },
    cli: {
      flag: 'quarantine',
      value: 'X',
      group: 'how',
      help: '`auto` quarantines fixtures whose flake rate (see `--history-from`) reaches `--quarantine-threshold`; `off` only those with `quarantine: true`',
    },
  },
  quarantineThreshold: {
    kind: 'text',
    default: '0.2',
    parse: fraction,
    action: {
      input: 'quarantine-threshold',
      description: 'The flake rate (greater than 0, at most 1) at which `quarantine: auto` quarantines a fixture.',
    },
    cli: { flag: 'quarantine-threshold', value: 'RATE', group: 'how', help: 'the flake rate at which `--quarantine auto` quarantines a fixture' },
  },
  retries: {
    kind: 'text',
    default: '0',
    parse: integer(0, 10),
    action: { input: 'retries', description: 'Retries after a failed attempt, for fixtures that set no `retries` of their own.' },
    cli: { flag: 'retries', value: 'N', group: 'how', help: 'retries for fixtures that set none' },
  },
  concurrency: {
    kind: 'text',
    default: '2',
    parse: integer(1, 32),
    action: { input: 'concurrency', description: 'How many fixtures run at once.' },
    cli: { flag: 'concurrency', value: 'N', group: 'how', help: 'fixtures at once' },
  },
  timeoutMs: {
    kind: 'text',
    default: '30s',
    parse: duration,
    action: { input: 'timeout', description: 'Time limit of one attempt, for fixtures that set no `timeout` of their own.' },
    cli: { flag: 'timeout', value: 'DURATION', group: 'how', help: 'time limit per attempt for fixtures that set none' },
  },
  expectTimeoutMs: {
    kind: 'text',
    default: '5s',
    parse: duration,
    action: {
      input: 'expect-timeout',
      description:
        'How long page assertions (`title`, `url`, `visible`, `hidden`, `text`) wait to hold, for fixtures whose `expect` sets no ' +
        '`timeout`. Never longer than what is left of the attempt.',
    },
    cli: { flag: 'expect-timeout', value: 'DURATION', group: 'how', help: 'how long page assertions wait, for fixtures that set none' },
  },
  suiteTimeoutMs: {
    kind: 'text',
    default: '',
    parse: orNull(duration),
    action: {
      input: 'suite-timeout',
      description:
        'Time limit for the whole suite (for example `10m`). When it is reached, running fixtures fail, the rest are skipped, ' +
        'and the report is still written and uploaded. Empty means no limit.',
    },
    cli: { flag: 'suite-timeout', value: 'DURATION', group: 'how', help: 'time limit for the whole suite', default: 'none' },
  },
  browserPath: {
    kind: 'text',
    default: '',
    parse: orNull(text),
    action: {
      input: 'browser-path',
      description:
        'Chrome or Chromium to use. Empty looks at `PUPPETEER_EXECUTABLE_PATH`, then `CHROME_BIN`, then the usual install locations ' +
        "(GitHub's Ubuntu runners have Chrome at `/usr/bin/google-chrome`).",
    },
    cli: { flag: 'browser-path', value: 'PATH', group: 'how', help: 'Chrome or Chromium to use' },
  },
  dryRun: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: {
      input: 'dry-run',
      description:
        'Resolve the selection, list what would run and why, and write `plan.json` without running anything; `result` is then `planned`. ' +
        'It never replaces a `report.json`.',
    },
    cli: { flag: 'dry-run', group: 'what', help: 'list what would run and why, write `plan.json`; run nothing' },
  },
  failOnFlaky: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: { input: 'fail-on-flaky', description: 'Fail the step when a fixture only passed on a retry.' },
    cli: { flag: 'fail-on-flaky', group: 'how', help: 'fail the run when a fixture only passed on a retry' },
  },
  githubToken: {
    kind: 'text',
    default: '${{ github.token }}',
    // Empty is reported where a token is needed (a rerun), never replaced by the text of the default.
    keepsEmpty: true,
    parse: z.string(),
    action: {
      input: 'github-token',
      description: 'Token for the REST calls: reruns need `actions: read`, the check run `checks: write`. It is masked in logs.',
    },
    cli: null,
  },
  checkName: {
    kind: 'text',
    default: 'reliability-smoke',
    keepsEmpty: true,
    parse: text.transform((name) => name || null),
    action: { input: 'check-name', description: 'Name of the check run reported on the commit. Empty turns the check run off.' },
    cli: null,
  },
  reportDir: {
    kind: 'text',
    default: '',
    // Each front door has its own default: the runner's temp folder, or CLI_REPORT_DIR.
    parse: orNull(text),
    action: {
      input: 'report-dir',
      description: 'Where `report.json`, `junit.xml`, `report.html` and failure evidence are written. Empty uses `$RUNNER_TEMP/reliability-smoke`.',
    },
    cli: {
      flag: 'report-dir',
      value: 'DIR',
      group: 'output',
      help: 'where `report.json`, `junit.xml`, `report.html` and evidence go',
      default: `\`${CLI_REPORT_DIR}\``,
    },
  },
  retentionDays: {
    kind: 'text',
    default: '',
    parse: orNull(retentionDays),
    action: { input: 'retention-days', description: "Days to keep the smoke artifact (1-90). Empty uses the repository's setting." },
    cli: null,
  },
  reportOnly: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: {
      input: 'report-only',
      description:
        'Run no fixtures: publish the result in the smoke artifact of `artifact-run-id` as a check run, job summary and annotations. ' +
        'For a `workflow_run` job that reports fork pull requests, whose own token is read-only.',
    },
    cli: null,
  },
  json: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: null,
    cli: { flag: 'json', group: 'output', help: 'print `report.json` to stdout; progress and `RESULT` go to stderr' },
  },
  help: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: null,
    cli: { flag: 'help', short: 'h', group: 'output', help: 'show this help' },
  },
  version: {
    kind: 'switch',
    default: 'false',
    parse: boolean,
    action: null,
    cli: { flag: 'version', short: 'v', group: 'output', help: 'show the version' },
  },
} as const satisfies Record<string, OptionDefinition>;

type Options = typeof OPTIONS;
export type OptionKey = keyof Options;
/** Options the Action has: an input each. */
export type ActionKey = { [K in OptionKey]: Options[K]['action'] extends null ? never : K }[OptionKey];
/** Options the CLI has: a flag each. */
export type CliKey = { [K in OptionKey]: Options[K]['cli'] extends null ? never : K }[OptionKey];
/** Options both front doors have: they shape every run. */
export type RunOptionKey = ActionKey & CliKey;

/** The parsed value of each option. */
export type OptionValues<K extends OptionKey> = { -readonly [P in K]: z.output<Options[P]['parse']> };

const KEYS = Object.keys(OPTIONS) as OptionKey[];
export const ACTION_KEYS = KEYS.filter((key): key is ActionKey => OPTIONS[key].action !== null);
export const CLI_KEYS = KEYS.filter((key): key is CliKey => OPTIONS[key].cli !== null);
export const RUN_OPTION_KEYS = ACTION_KEYS.filter((key): key is RunOptionKey => OPTIONS[key].cli !== null);

/** Each input's name, as action.yml spells it. */
export type InputName<K extends ActionKey = ActionKey> = Options[K]['action']['input'];
export const INPUT_NAMES = Object.fromEntries(ACTION_KEYS.map((key) => [key, OPTIONS[key].action.input])) as {
  readonly [K in ActionKey]: InputName<K>;
};

/** Each flag as it is typed: "--fixture". */
export const FLAG_NAMES = Object.fromEntries(CLI_KEYS.map((key) => [key, `--${OPTIONS[key].cli.flag}`])) as {
  readonly [K in CliKey]: `--${Options[K]['cli']['flag']}`;
};
