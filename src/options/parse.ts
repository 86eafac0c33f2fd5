/**
 * The options both front doors accept, validated in one place. The CLI and the Action hand over raw text (flags
 * or inputs) and the name the user knows each option by; every problem is reported at once, in the user's own
 * terms (`--retries` or the `retries` input).
 */
import { FLAG_NAMES, OPTIONS, type OptionKey, type OptionValues, RUN_OPTION_KEYS, type RunOptionKey } from './table.ts';

export class UsageError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
    this.problems = problems;
  }
}

/** An option as the front door read it: text, a list's items, or a switch a flag turned on. */
type RawValue<K extends OptionKey> = (typeof OPTIONS)[K]['kind'] extends 'list' | 'lines'
  ? readonly string[]
  : (typeof OPTIONS)[K]['kind'] extends 'switch'
    ? string | boolean
    : string;

export type RawOptions<K extends OptionKey = OptionKey> = { [P in K]?: RawValue<P> | undefined };

/** The options of every run. Each front door fills in its own report folder. */
export type RunOptions = Omit<OptionValues<RunOptionKey>, 'reportDir'> & { reportDir: string };

export interface ParsedOptions<K extends OptionKey> {
  /** The options that parsed; complete when there are no problems. */
  values: Partial<OptionValues<K>>;
  /** Every problem, each starting with the user's name for the option. */
  problems: string[];
}

function isBlank(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() === '');
}

/** What the option's parser gets: the given value, or its default when the value is blank. */
function givenOrDefault(key: OptionKey, value: unknown): unknown {
  const option: { default: string; keepsEmpty?: true } = OPTIONS[key];
  if (!isBlank(value) || (option.keepsEmpty && value !== undefined)) return value;
  return option.default === '' ? undefined : option.default;
}

/**
 * Parses each option of `keys` on its own, so one bad value never hides another, then checks the pairs that
 * cannot be combined. `names` is what the user typed for each option: a flag, or an input name.
 */
export function parseOptions<K extends OptionKey>(
  keys: readonly K[],
  raw: RawOptions<K>,
  names: Readonly<Record<K | RunOptionKey, string>>,
): ParsedOptions<K> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const parsed = OPTIONS[key].parse.safeParse(givenOrDefault(key, raw[key]));
    if (parsed.success) values[key] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${names[key]}: ${issue.message}`));
  }
  const shared = raw as RawOptions<RunOptionKey>;
  if (!isBlank(shared.baseUrl) && !isBlank(shared.serveDir)) {
    problems.push(`${names.baseUrl} and ${names.serveDir} cannot be combined: serve a directory, or test a deployed URL.`);
  }
  if (values.rerunFailed === true && !isBlank(shared.patterns)) {
    problems.push(
      `${names.rerunFailed} and ${names.patterns} cannot be combined: a rerun runs exactly the fixtures that failed ` +
        `last time. Drop ${names.patterns} to rerun the failures, or drop ${names.rerunFailed} to run the fixtures you named.`,
    );
  }
  const site = values as Partial<OptionValues<RunOptionKey>>;
  problems.push(...siteProblems(site, shared, names));
  // With start and no base URL, the app is where wait-for polls: its origin is the base URL.
  if (site.start && site.waitFor && !site.baseUrl && !site.serveDir && URL.canParse(site.waitFor)) {
    site.baseUrl = `${new URL(site.waitFor).origin}/`;
  }
  return { values: values as Partial<OptionValues<K>>, problems };
}

/** Starting an app needs a URL to tell when it is up; headers and credentials must not both say who we are. */
function siteProblems(values: Partial<OptionValues<RunOptionKey>>, raw: RawOptions<RunOptionKey>, names: Readonly<Record<RunOptionKey, string>>): string[] {
  const problems: string[] = [];
  if (!isBlank(raw.start) && isBlank(raw.waitFor)) {
    problems.push(
      `${names.start} needs ${names.waitFor}: the URL that answers once the app is up, such as http://127.0.0.1:4173 ` +
        '(fixtures wait for it, and a start command that exits before it answers stops the run).',
    );
  }
  if (values.waitFor?.startsWith('/') && isBlank(raw.baseUrl) && isBlank(raw.serveDir)) {
    problems.push(`${names.waitFor} is a path, so it needs ${names.baseUrl} (or ${names.serveDir}) to resolve against; or give a whole URL.`);
  }
  if (!isBlank(raw.httpCredentials) && values.extraHeaders?.some((header) => header.name.toLowerCase() === 'authorization')) {
    problems.push(`${names.extraHeaders} sets Authorization, and ${names.httpCredentials} is set too: keep one of them.`);
  }
  return problems;
}

/** The complete options, or one UsageError listing every problem. */
export function completeOptions<K extends OptionKey>(parsed: ParsedOptions<K>): OptionValues<K> {
  if (parsed.problems.length > 0) throw new UsageError(parsed.problems);
  return parsed.values as OptionValues<K>;
}

/** Every run option at its default, for what compares against the defaults (commands to paste, stopped runs). */
export const RUN_OPTION_DEFAULTS: Readonly<OptionValues<RunOptionKey>> = completeOptions(parseOptions(RUN_OPTION_KEYS, {}, FLAG_NAMES));
