/**
 * The run options both front doors accept, validated in one place. The CLI and the Action hand over raw text
 * (flags or inputs) and the name the user knows each option by; every problem is reported at once, in the
 * user's own terms (`--retries` or the `retries` input).
 */
import { z } from 'zod';
import { MAX_DURATION_MS, parseDuration } from './fixtures/duration.ts';
import { DEFAULT_SAMPLE_SEED } from './selection/select.ts';

export interface RawOptions {
  fixturesDir?: string | undefined;
  baseUrl?: string | undefined;
  serve?: string | undefined;
  fixtures?: string[] | undefined;
  tags?: string[] | undefined;
  sample?: string | undefined;
  sampleSeed?: string | undefined;
  rerunFailed?: string | boolean | undefined;
  ifNothingToRerun?: string | undefined;
  retries?: string | undefined;
  concurrency?: string | undefined;
  timeout?: string | undefined;
  suiteTimeout?: string | undefined;
  browserPath?: string | undefined;
  dryRun?: string | boolean | undefined;
  failOnFlaky?: string | boolean | undefined;
  reportDir?: string | undefined;
}

export type OptionKey = keyof RawOptions;

export interface RunOptions {
  fixturesDir: string;
  baseUrl: string | null;
  serveDir: string | null;
  patterns: string[];
  tags: string[];
  sample: number | null;
  /** The seed the sample uses, so the report records it: the given one, else a fixed default. */
  sampleSeed: string;
  rerunFailed: boolean;
  ifNothingToRerun: 'error' | 'pass';
  retries: number;
  concurrency: number;
  timeoutMs: number;
  suiteTimeoutMs: number | null;
  browserPath: string | null;
  dryRun: boolean;
  failOnFlaky: boolean;
  reportDir: string;
}

export const OPTION_DEFAULTS = {
  fixturesDir: 'fixtures',
  ifNothingToRerun: 'error',
  retries: '0',
  concurrency: '2',
  timeout: '30s',
} as const;

export class UsageError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
    this.problems = problems;
  }
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

/** YAML 1.2 core booleans, the same set @actions/core's getBooleanInput accepts. */
export const BOOLEAN_TEXTS = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE'] as const;

const Bool = z.preprocess(
  blankToUndefined,
  z
    .union([z.boolean(), z.enum(BOOLEAN_TEXTS)], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === true || (typeof value === 'string' && value.toLowerCase() === 'true')),
);

/** A boolean input or flag: empty is false; anything but a YAML 1.2 boolean is a problem, named in `problems`. */
export function parseBooleanText(text: string, name: string, problems: string[]): boolean {
  if (!text.trim()) return false;
  const parsed = Bool.safeParse(text);
  if (!parsed.success) {
    problems.push(`${name}: must be true or false, not "${text}"`);
    return false;
  }
  return parsed.data;
}

/** One message for every way a count can be wrong, quoting what was given, so the fix is obvious. */
function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, not "${text}"` });
      return z.NEVER;
    });
}

const duration = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be milliseconds or a duration such as "30s" or "2m", not "${text}"` });
      return z.NEVER;
    }
    if (ms > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: `must be at most 1440m (a day), not "${text}"` });
      return z.NEVER;
    }
    return ms;
  });

const httpUrl = z
  .string()
  .trim()
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an absolute http(s) URL, such as https://staging.example.com, not "${text}"` });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol}` });
      return z.NEVER;
    }
    // A base without a trailing slash would make relative fixture URLs replace its last path segment.
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.toString();
  });

const list = z
  .array(z.string())
  .optional()
  .transform((items) => [...new Set((items ?? []).map((item) => item.trim()).filter(Boolean))]);

const Raw = z.object({
  fixturesDir: optionalText.transform((value) => value ?? OPTION_DEFAULTS.fixturesDir),
  baseUrl: z.preprocess(blankToUndefined, httpUrl.optional()),
  serve: optionalText,
  fixtures: list,
  tags: list,
  sample: z.preprocess(blankToUndefined, integer(1, 100_000).optional()),
  sampleSeed: optionalText,
  rerunFailed: Bool,
  ifNothingToRerun: z.preprocess(
    blankToUndefined,
    z.enum(['error', 'pass'], { error: 'must be "error" or "pass"' }).default(OPTION_DEFAULTS.ifNothingToRerun),
  ),
  retries: z.preprocess(blankToUndefined, integer(0, 10).default(Number(OPTION_DEFAULTS.retries))),
  concurrency: z.preprocess(blankToUndefined, integer(1, 32).default(Number(OPTION_DEFAULTS.concurrency))),
  timeout: z.preprocess(blankToUndefined, duration.default(parseDuration(OPTION_DEFAULTS.timeout) ?? 30_000)),
  suiteTimeout: z.preprocess(blankToUndefined, duration.optional()),
  browserPath: optionalText,
  dryRun: Bool,
  failOnFlaky: Bool,
  reportDir: optionalText,
});

/**
 * Validates everything and throws one UsageError listing every problem. `names` maps each option to what the
 * user typed (a flag or an input name); `defaultReportDir` differs between the CLI and the Action.
 */
export function parseRunOptions(raw: RawOptions, names: Record<OptionKey, string>, defaultReportDir: string): RunOptions {
  const parsed = Raw.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as OptionKey | undefined;
      problems.push(`${key ? names[key] : 'options'}: ${issue.message}`);
    }
  }
  if (raw.baseUrl?.trim() && raw.serve?.trim()) {
    problems.push(`${names.baseUrl} and ${names.serve} cannot be combined: serve a directory, or test a deployed URL.`);
  }
  // Read on its own, so the conflict is reported even when other options have problems: all of them at once.
  const rerun = Bool.safeParse(raw.rerunFailed).data === true;
  if (rerun && (raw.fixtures ?? []).some((item) => item.trim())) {
    problems.push(
      `${names.rerunFailed} and ${names.fixtures} cannot be combined: a rerun runs exactly the fixtures that failed ` +
        `last time. Drop ${names.fixtures} to rerun the failures, or drop ${names.rerunFailed} to run the fixtures you named.`,
    );
  }
  if (problems.length > 0 || !parsed.success) throw new UsageError(problems);
  const value = parsed.data;
  return {
    fixturesDir: value.fixturesDir,
    baseUrl: value.baseUrl ?? null,
    serveDir: value.serve ?? null,
    patterns: value.fixtures,
    tags: value.tags,
    sample: value.sample ?? null,
    sampleSeed: value.sampleSeed ?? DEFAULT_SAMPLE_SEED,
    rerunFailed: value.rerunFailed,
    ifNothingToRerun: value.ifNothingToRerun,
    retries: value.retries,
    concurrency: value.concurrency,
    timeoutMs: value.timeout,
    suiteTimeoutMs: value.suiteTimeout ?? null,
    browserPath: value.browserPath ?? null,
    dryRun: value.dryRun,
    failOnFlaky: value.failOnFlaky,
    reportDir: value.reportDir ?? defaultReportDir,
  };
}
