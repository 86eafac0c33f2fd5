/**
 * Command-line flags, read as the option table (src/options/table.ts) defines them. They mirror the Action's
 * inputs; every problem (unknown flag, missing value, bad value) is reported at once.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestMatch } from '../fixtures/suggest.ts';
import { parseList } from '../selection/select.ts';
import { completeOptions, parseOptions, type RawOptions, type RunOptions } from '../options/parse.ts';
import { CLI_KEYS, CLI_REPORT_DIR, type CliKey, FLAG_NAMES, type OptionKind, OPTIONS } from '../options/table.ts';

/** The report a rerun reads unless --artifact says otherwise: the one the previous run wrote to --report-dir. */
export const artifactPathFor = (reportDir: string): string => `${reportDir.replace(/[/\\]+$/, '')}/report.json`;

type FlagSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** node:util parseArgs' description of every flag. */
const FLAGS: Record<string, FlagSpec> = Object.fromEntries(
  CLI_KEYS.map((key) => {
    const { kind, cli } = OPTIONS[key];
    const short: string | undefined = 'short' in cli ? cli.short : undefined;
    const spec: FlagSpec = { type: kind === 'switch' ? 'boolean' : 'string' };
    if (kind === 'list' || kind === 'lines') spec.multiple = true;
    if (short) spec.short = short;
    return [cli.flag, spec];
  }),
) satisfies ParseArgsConfig['options'];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'run';
      options: RunOptions;
      artifactPath: string;
      /** --artifact as given; a merge reads the source of rerun shards from it. */
      artifactGiven: string | null;
      json: boolean;
      /** --merge: shard reports to merge instead of running fixtures. */
      mergePaths: string[];
      /** --history-from: a previous report to read durations from. */
      historyFrom: string | null;
    };

function flagProblems(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>): string[] {
  const problems: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.push(`unexpected argument "${token.value}": every option is a flag (see --help)`);
    } else if (token.kind === 'option') {
      const spec = FLAGS[token.name];
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

/** A flag's value as the option parser takes it. A flag given without its value counts as not given (flagProblems says so). */
function rawValue(kind: OptionKind, value: unknown): string | string[] | boolean | undefined {
  if (kind === 'switch') return value === true ? true : undefined;
  if (kind === 'list' || kind === 'lines') {
    const given = (Array.isArray(value) ? value : []).filter((item): item is string => typeof item === 'string');
    // A header's value may hold commas, so each --header is one item.
    return kind === 'list' ? given.flatMap(parseList) : given;
  }
  return typeof value === 'string' ? value : undefined;
}

export function parseCliArgs(argv: string[]): CliCommand {
  const { values, tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const problems = flagProblems(tokens ?? []);
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const raw = Object.fromEntries(CLI_KEYS.map((key) => [key, rawValue(OPTIONS[key].kind, values[OPTIONS[key].cli.flag])])) as RawOptions<CliKey>;
  const parsed = parseOptions(CLI_KEYS, raw, FLAG_NAMES);
  problems.push(...parsed.problems);
  const merging = (parsed.values.mergePaths ?? []).length > 0;
  if (raw.artifactPath?.trim() && parsed.values.rerunFailed === false && !merging) {
    problems.push(
      `${FLAG_NAMES.artifactPath} only matters with ${FLAG_NAMES.rerunFailed}: add ${FLAG_NAMES.rerunFailed} to rerun the failures it lists.`,
    );
  }
  if (merging) problems.push(...mergeClashes(raw, parsed.values));
  const { artifactPath, json, mergePaths, historyFrom, help: _help, version: _version, ...options } = completeOptions({ ...parsed, problems });
  const reportDir = options.reportDir ?? CLI_REPORT_DIR;
  return {
    kind: 'run',
    options: { ...options, reportDir },
    artifactPath: artifactPath ?? artifactPathFor(reportDir),
    artifactGiven: artifactPath,
    json,
    mergePaths,
    historyFrom,
  };
}

/** --merge runs nothing: what only a run of fixtures can use is a mistake beside it. */
function mergeClashes(raw: RawOptions<CliKey>, values: Partial<{ rerunFailed: boolean; dryRun: boolean }>): string[] {
  const clashes = [
    ...(raw.shard?.trim() ? [`${FLAG_NAMES.shard} (a merge merges the shards; it is not one)`] : []),
    ...(values.rerunFailed ? [`${FLAG_NAMES.rerunFailed} (the shards rerun; the merge carries the other results over, from ${FLAG_NAMES.artifactPath})`] : []),
    ...((raw.patterns ?? []).length > 0 ? [`${FLAG_NAMES.patterns} (the shards select the fixtures)`] : []),
    ...(values.dryRun ? [`${FLAG_NAMES.dryRun} (a merge runs nothing anyway)`] : []),
  ];
  return clashes.map((clash) => `${FLAG_NAMES.mergePaths} cannot be combined with ${clash}.`);
}
