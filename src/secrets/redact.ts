/**
 * One redactor per run: the secret values (values substituted from the environment, header values, the basic-auth
 * password), each also in the forms it takes on its way through a browser and into our files (URL-encoded in a
 * request URL, JSON-escaped in a console message, HTML-escaped in a page's source), replaced by `***` wherever text
 * leaves the process. Longer forms are replaced first, so a secret that contains another is hidden whole.
 */

export const MASK = '***';

/**
 * Values shorter than this are not hidden: masking every "ab" or "1" would garble every message around it, and a
 * value that short is no secret. The engine warns about each one it is given.
 */
export const MIN_SECRET_CHARS = 4;

export interface Redactor {
  /**
   * Adds a value to hide, with its encoded forms. Returns false for a value too short to hide (MIN_SECRET_CHARS);
   * blank values are ignored (true).
   */
  add(value: string): boolean;
  /** The text with every form of every value replaced by `***`. */
  redact(text: string): string;
  /** How many values were added. */
  readonly size: number;
}

export interface RedactorOptions {
  /** Called once for each new form of a value (the Action registers each with setSecret). */
  onSecret?: (form: string) => void;
}

const escapeText = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\u00a0', '&nbsp;');
const escapeAttribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('\u00a0', '&nbsp;');

function tryEncode(encode: (value: string) => string, value: string): string | null {
  try {
    return encode(value);
  } catch {
    // A lone surrogate cannot be percent-encoded; then no URL carries it in that form.
    return null;
  }
}

/** The ways a value shows up in text we write: as itself, in URLs, in JSON and in HTML, and line by line. */
export function formsOf(value: string): string[] {
  const forms = [
    value,
    tryEncode(encodeURIComponent, value),
    tryEncode(encodeURI, value),
    tryEncode((text) => new URLSearchParams({ v: text }).toString().slice(2), value),
    JSON.stringify(value).slice(1, -1),
    escapeText(value),
    escapeAttribute(value),
    // A value on several lines is written one line at a time by a log or a page, so each line is a secret too.
    ...value.split(/\r\n|\r|\n/).map((line) => line.trim()),
  ];
  return [...new Set(forms.filter((form): form is string => form !== null && form.trim().length >= MIN_SECRET_CHARS))];
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const values = new Set<string>();
  const forms = new Set<string>();
  let pattern: RegExp | null = null;
  return {
    add(value) {
      if (value.trim() === '' || values.has(value)) return true;
      if (value.trim().length < MIN_SECRET_CHARS) return false;
      values.add(value);
      for (const form of formsOf(value)) {
        if (forms.has(form)) continue;
        forms.add(form);
        options.onSecret?.(form);
      }
      pattern = null;
      return true;
    },
    redact(text) {
      if (forms.size === 0 || text === '') return text;
      pattern ??= new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
      return text.replace(pattern, MASK);
    },
    get size() {
      return values.size;
    },
  };
}

/** A redactor with nothing to hide, for callers that were given none. */
export const NO_SECRETS: Redactor = createRedactor();

/**
 * Every string in a JSON-like value redacted, except those under `keep` keys (identifiers and enums, which a mask
 * would make invalid). A text never grows (a secret is longer than the mask), so it still fits its limits.
 */
export function redactStrings<T>(value: T, redact: (text: string) => string, keep: ReadonlySet<string>): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redact(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, keep.has(key) ? child : walk(child)]));
  };
  return walk(value) as T;
}

/**
 * A stream of text (a started app's output) redacted line by line: a secret split across two chunks is still whole
 * within its line. A line longer than `maxLineChars` is written in parts.
 */
export function lineRedactor(write: (text: string) => void, redactor: Redactor, maxLineChars = 1024 * 1024) {
  let pending = '';
  const flush = (text: string) => {
    if (text !== '') write(redactor.redact(text));
  };
  return {
    write(chunk: string) {
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end >= 0) {
        flush(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      }
      if (pending.length > maxLineChars) {
        flush(pending);
        pending = '';
      }
    },
    end() {
      flush(pending);
      pending = '';
    },
  };
}
