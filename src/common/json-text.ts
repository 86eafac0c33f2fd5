/**
 * What JSON.parse does not say about a JSON text: how deeply it nests, and where its syntax error is. Fixture files
 * and reports both need them, and a report is untrusted input.
 */
import { visit } from 'jsonc-parser';

/**
 * No fixture file or report comes near this. The readers that run after JSON.parse (yaml, jsonc-parser, zod,
 * JSON.stringify) recurse once per level, so deeper text is refused before any of them sees it.
 */
export const MAX_JSON_NESTING = 64;

const [QUOTE, BACKSLASH, LF, CR] = [0x22, 0x5c, 0x0a, 0x0d];
const [OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT] = [0x5b, 0x7b, 0x5d, 0x7d];

/**
 * Offset of the first `[` or `{` that opens a level deeper than MAX_JSON_NESTING, or -1. A loop, not a parser, so
 * it cannot overflow the stack. It also runs on text JSON.parse refused, so a string ends at a line break the way
 * jsonc-parser ends it, and stray closers never count below zero: it errs towards "too deep".
 */
export function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE || c === LF || c === CR) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth += 1;
      if (depth > MAX_JSON_NESTING) return i;
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) depth -= 1;
  }
  return -1;
}

export interface JsonSyntaxError {
  /** V8's own words, without the position and the quoted source (the caller gives line and column). */
  reason: string;
  /** Offset (UTF-16 code units) of the first character that makes the text invalid; null when unknown. */
  offset: number | null;
}

/** Where `error`, thrown by JSON.parse(text), is. */
export function jsonSyntaxError(text: string, error: unknown): JsonSyntaxError {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message
    .replace(/, (?:\.\.\.)?".*$/s, '')
    .replace(/ (?:in JSON )?at position .*$/s, '')
    // V8 quotes the unexpected character as it is; a line break there reads better escaped: '\n'.
    .replace(/\p{Cc}/gu, (char) => JSON.stringify(char).slice(1, -1));
  const position = / at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return { reason, offset: Number(position) };
  if (message.startsWith('Unexpected end of JSON input')) return { reason, offset: text.length };
  return { reason, offset: unexpectedTokenOffset(text) };
}

class FirstError extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super('first JSON syntax error');
    this.offset = offset;
  }
}

/**
 * V8 leaves the position out of "Unexpected token 'x'" errors. jsonc-parser finds the token that is wrong; it stops
 * at the first error, and reads no further than the nesting limit, so it never recurses deeper than that. V8 reads
 * a word that starts like a literal as far as it matches (`tru` then a line break is "Unexpected token '\n'"), so
 * the character it names is there.
 */
function unexpectedTokenOffset(text: string): number | null {
  const tooDeep = tooDeepAt(text);
  const readable = tooDeep < 0 ? text : text.slice(0, tooDeep);
  try {
    const onError = (_code: number, offset: number) => {
      throw new FirstError(offset);
    };
    visit(readable, { onError }, { disallowComments: true, allowTrailingComma: false });
    return null;
  } catch (error) {
    if (!(error instanceof FirstError)) throw error;
    const start = error.offset;
    // Where the readable part ends is not an error in the whole text.
    if (start >= readable.length && tooDeep >= 0) return null;
    const literal = ['true', 'false', 'null'].find((word) => word[0] === text[start]) ?? '';
    let offset = start;
    while (offset - start < literal.length && text[offset] === literal[offset - start]) offset += 1;
    return offset;
  }
}

/**
 * JSON text that a workflow runner's log cannot read as a command, and that JSON.parse reads as the same value. A
 * step's stdout is its log, and the runner acts on `##[name]` anywhere in a line (and on `::name::` at the start of
 * one): page text in a report, such as a title `##[error]…`, would otherwise become an annotation, or mask or set
 * a value. `#` only appears inside strings in JSON, where `\u0023` is the same character, so only the spelling
 * changes. `::` needs nothing: JSON.stringify escapes line breaks inside strings, so each of its lines starts with
 * spaces and then a quote, a bracket, a brace, a digit or a literal.
 */
export function workflowSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replaceAll('##[', '\\u0023#[');
}
