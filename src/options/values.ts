/**
 * How the text of an option becomes the value a run uses. A parser never sees a blank value (blank means the
 * option's default, applied before), and its messages follow the user's own name for the option
 * ("--retries: must be…", "retries: must be…"), quoting what was given so the fix is obvious.
 */
import { z } from 'zod';
import { MAX_DURATION_MS, parseDuration } from '../fixtures/duration.ts';
import { type Credentials, type Header, headerNameProblem } from '../common/http-headers.ts';

/** YAML 1.2 core booleans, the same set @actions/core's getBooleanInput accepts. */
export const BOOLEAN_TEXTS = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE'] as const;

/** Characters the artifact service refuses in names. */
export const FORBIDDEN_ARTIFACT_NAME = /["':<>|*?\r\n\\/]/;

/** Text that `accept` turns into a value, or undefined for the problem `problem` describes. */
function checked<T>(accept: (text: string) => T | undefined, problem: (text: string) => string) {
  return z
    .string()
    .trim()
    .transform((text, ctx): T => {
      const value = accept(text);
      if (value !== undefined) return value;
      ctx.addIssue({ code: 'custom', message: problem(text) });
      return z.NEVER;
    });
}

/** An option that may be left out: null then. */
export function orNull<T extends z.ZodType>(schema: T) {
  return schema.optional().transform((value) => value ?? null);
}

export const text = z.string().trim();

/** A switch: a CLI flag (true when given), or an input holding a YAML boolean. */
export const boolean = z
  .union([z.boolean(), z.enum(BOOLEAN_TEXTS)], { error: (issue) => `must be true or false, not "${String(issue.input)}"` })
  .optional()
  .transform((value) => value === true || (typeof value === 'string' && value.toLowerCase() === 'true'));

/** Items in order of first appearance, trimmed, without blanks or repeats. */
export const list = z
  .array(z.string())
  .optional()
  .transform((items) => [...new Set((items ?? []).map((item) => item.trim()).filter(Boolean))]);

/** One message for every way a count can be wrong. */
export function integer(min: number, max: number) {
  return checked(
    (text) => {
      const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
    },
    (text) => `must be a whole number from ${min} to ${max}, not "${text}"`,
  );
}

export const duration = z
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

export const httpUrl = z
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

export const workflowRunId = checked(
  (text) => (/^[1-9]\d{0,19}$/.test(text) ? text : undefined),
  (text) => `must be a workflow run id (a positive whole number), not "${text}"`,
);

export const artifactName = checked(
  (text) => (FORBIDDEN_ARTIFACT_NAME.test(text) ? undefined : text),
  (text) => `must not contain any of " ' : < > | * ? \\ / or line breaks, got "${text}"`,
);

/** The most parts a suite is split into: more matrix jobs than this cost more in start-up than they save. */
export const MAX_SHARDS = 64;

/** Which part of the suite a matrix job runs. */
export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

/** `i/n`: this job runs part i of n. */
export const shardSpec = checked(
  (text): ShardSpec | undefined => {
    const match = /^(\d{1,4})\s*\/\s*(\d{1,4})$/.exec(text);
    if (!match) return undefined;
    const index = Number(match[1]);
    const total = Number(match[2]);
    return index >= 1 && index <= total && total <= MAX_SHARDS ? { index, total } : undefined;
  },
  (text) => `must be i/n with 1 <= i <= n <= ${MAX_SHARDS}, such as 2/4 (this job runs part 2 of 4), not "${text}"`,
);

export const retentionDays = checked(
  (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 90 ? Number(text) : undefined),
  (text) => `must be a whole number of days from 1 to 90, not "${text}"`,
);

/** The 1-based place of an entry, as "entry 2 of 3": never its text, which may be a secret. */
const entryOf = (index: number, count: number) => (count === 1 ? 'the entry' : `entry ${index + 1} of ${count}`);

/**
 * Extra headers, `Name: value` each (an input's lines, or the repeated flag). A message never shows a value: it may
 * be a token.
 */
export const headerList = z
  .array(z.string())
  .optional()
  .transform((items, ctx): Header[] => {
    const entries = (items ?? []).map((item) => item.trim()).filter(Boolean);
    const headers: Header[] = [];
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      const colon = entry.indexOf(':');
      if (colon < 0) {
        ctx.addIssue({ code: 'custom', message: `${entryOf(index, entries.length)} has no colon; write each header as "Name: value" (its text is not shown, as it may be a secret)` });
        return;
      }
      const name = entry.slice(0, colon).trim();
      const problem = name === '' ? `${entryOf(index, entries.length)} has no name before its colon; write "Name: value"` : headerNameProblem(name);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return;
      }
      if (seen.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', message: `${name} is given twice (header names ignore case); keep one` });
        return;
      }
      seen.add(name.toLowerCase());
      headers.push({ name, value: entry.slice(colon + 1).trim() });
    });
    return headers;
  });

/** `user:password`; neither is ever quoted back. */
export const credentials = checked(
  (text): Credentials | undefined => {
    const colon = text.indexOf(':');
    return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
  },
  () => 'must be "user:password", with a colon between them (the value is not shown, as it holds a password)',
);

/** An http(s) URL, or a path ("/health") under the base URL. */
export const urlOrPath = checked(
  (text) => {
    if (text.startsWith('/') && !text.startsWith('//')) return text;
    if (!URL.canParse(text)) return undefined;
    const { protocol, href } = new URL(text);
    return protocol === 'http:' || protocol === 'https:' ? href : undefined;
  },
  (text) => `must be an http(s) URL, such as http://127.0.0.1:4173, or a path under the base URL starting with "/", not "${text}"`,
);

/** A share of runs, greater than 0 and at most 1 (the quarantine threshold). */
export const fraction = checked(
  (text) => {
    const value = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
    return value > 0 && value <= 1 ? value : undefined;
  },
  (text) => `must be a number greater than 0 and at most 1, such as 0.2 (one run in five), not "${text}"`,
);

/** What a rerun runs: `failed` (the default), with `new` and `changed` added as asked, separated by commas. */
export const rerunInclude = z.string().transform((text, ctx): { new: boolean; changed: boolean } => {
  const items = [...new Set(text.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean))];
  const unknown = items.filter((item) => !['failed', 'new', 'changed'].includes(item));
  if (unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must be "failed" or "failed,new,changed" (any of new and changed after failed), not "${text}"` });
  } else if (!items.includes('failed')) {
    ctx.addIssue({ code: 'custom', message: `must include "failed": a rerun always reruns the failed fixtures; write "failed,${items.join(',')}"` });
  }
  return { new: items.includes('new'), changed: items.includes('changed') };
});
