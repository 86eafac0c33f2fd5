/**
 * What is wrong with a JSON text that JSON.parse refused, and where, for fixture files and reports alike. V8 names a
 * position for most errors but not for "Unexpected token" ones, and a user fixing a broken file needs the line and
 * column either way. The scanner runs only after JSON.parse has failed; it is iterative, so deeply nested input
 * cannot overflow the stack.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** Offset (in UTF-16 code units) of the first character that makes `text` invalid JSON, or -1 if it is valid. */
export function jsonErrorOffset(text: string): number {
  const stack: ('{' | '[')[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && WHITESPACE.has(text[i] ?? '')) i += 1;
  };
  const key = (): boolean => {
    skipSpace();
    if (text[i] !== '"') return false;
    const end = stringEnd(text, i);
    if (end < 0) {
      i = -end - 1;
      return false;
    }
    i = end;
    skipSpace();
    if (text[i] !== ':') return false;
    i += 1;
    return true;
  };
  let expectValue = true;
  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === '{' || c === '[') {
        i += 1;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i += 1;
          expectValue = false;
          continue;
        }
        stack.push(c);
        if (c === '{' && !key()) return errorAt(text, i);
        continue;
      }
      const end = scalarEnd(text, i);
      if (end < 0) return errorAt(text, i, -end - 1);
      i = end;
      expectValue = false;
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) return i === text.length ? -1 : i;
    const c = text[i];
    if (c === ',') {
      i += 1;
      if (top === '{' && !key()) return errorAt(text, i);
      expectValue = true;
    } else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
      stack.pop();
      i += 1;
    } else return i;
  }
}

/** Position `i` unless the scanner already knows a later one; clamp to the text length. */
function errorAt(text: string, i: number, known = -1): number {
  return Math.min(Math.max(i, known), text.length);
}

/** End of the string, number or literal at `start`, or -(offset of the error) - 1. */
function scalarEnd(text: string, start: number): number {
  const c = text[start];
  if (c === '"') return stringEnd(text, start);
  if (c === '-' || isDigit(text[start])) return numberEnd(text, start);
  for (const literal of ['true', 'false', 'null']) {
    if (literal[0] !== c) continue;
    for (let k = 1; k < literal.length; k += 1) {
      if (text[start + k] !== literal[k]) return -(start + k) - 1;
    }
    return start + literal.length;
  }
  return -start - 1;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** -?(0|[1-9]digits)(.digits)?([eE][+-]?digits)?, with the error at the first character that does not fit. */
function numberEnd(text: string, start: number): number {
  let i = start;
  const digits = () => {
    const from = i;
    while (isDigit(text[i])) i += 1;
    return i > from;
  };
  if (text[i] === '-') i += 1;
  if (text[i] === '0') i += 1;
  else if (!digits()) return -i - 1;
  if (text[i] === '.') {
    i += 1;
    if (!digits()) return -i - 1;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i += 1;
    if (text[i] === '+' || text[i] === '-') i += 1;
    if (!digits()) return -i - 1;
  }
  return i;
}

/** End of the string starting at `start` (just after its closing quote), or -(offset of the error) - 1. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '"') return i + 1;
    if (c < ' ') return -i - 1;
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      if (next === 'u') {
        for (let k = i + 2; k < i + 6; k += 1) if (!HEX_DIGIT.test(text[k] ?? '')) return -k - 1;
        i += 6;
        continue;
      }
      if (!ESCAPES.has(next)) return -(i + 1) - 1;
      i += 2;
      continue;
    }
    i += 1;
  }
  return -text.length - 1;
}

/**
 * V8's message without what the caller says better: its position (the caller gives line and column) and the
 * snippet of source it quotes ("Unexpected token '}', "{"a": }" is not valid JSON"), on one line.
 */
export function v8Reason(message: string): string {
  return message
    .replace(/, (?:\.\.\.)?".*$/s, '')
    .replace(/ in JSON at position .*$/s, '')
    .replace(/[\r\n]+/g, ' ');
}
