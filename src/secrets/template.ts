/**
 * `${{ env.NAME }}` in fixture strings: the syntax, what a text refers to, and substitution. Only the environment is
 * offered, so a workflow passes its secrets in the step's `env:` and the fixture file names them; anything else
 * between `${{` and `}}` is a mistake, reported at load time rather than sent to a page as written.
 */

const REFERENCE = /\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const OPENING = '${{';
const CLOSING = '}}';

export function hasTemplate(text: string): boolean {
  return text.includes(OPENING);
}

/** The variable names a text refers to, in order of first appearance. */
export function referencedNames(text: string): string[] {
  if (!hasTemplate(text)) return [];
  return [...new Set([...text.matchAll(REFERENCE)].map((match) => match[1] ?? ''))];
}

/** What is wrong with the `${{ … }}` in a text, or undefined when every one is a well-formed `${{ env.NAME }}`. */
export function templateProblem(text: string): string | undefined {
  let from = text.indexOf(OPENING);
  while (from >= 0) {
    const sticky = new RegExp(REFERENCE.source, 'y');
    sticky.lastIndex = from;
    if (!sticky.test(text)) return problemAt(text, from);
    from = text.indexOf(OPENING, sticky.lastIndex);
  }
  return undefined;
}

function problemAt(text: string, from: number): string {
  const end = text.indexOf(CLOSING, from + OPENING.length);
  if (end < 0) return `has "${OPENING}" without a closing "${CLOSING}"; write \${{ env.NAME }}`;
  const inside = text.slice(from + OPENING.length, end).trim();
  const shown = `\${{ ${inside.length > 40 ? `${inside.slice(0, 40)}…` : inside} }}`;
  const secret = /^secrets\.([A-Za-z0-9_]+)$/.exec(inside);
  if (secret) {
    const name = secret[1];
    return `${shown} is not substituted here: only \${{ env.NAME }} is. Pass the secret in the step's env (${name}: \${{ secrets.${name} }}) and write \${{ env.${name} }}`;
  }
  if (/^env\./.test(inside)) return `${shown} does not name a variable: after "env." write letters, digits and "_", not starting with a digit`;
  return `${shown} is not substituted: only \${{ env.NAME }} is, with the value of the environment variable NAME`;
}

/** The text with each `${{ env.NAME }}` replaced by `value(NAME)`, passed through `encode` (a pattern escapes it). */
export function substitute(text: string, value: (name: string) => string, encode: (value: string) => string = (v) => v): string {
  if (!hasTemplate(text)) return text;
  return text.replace(REFERENCE, (_reference, name: string) => encode(value(name)));
}

/** The text as a pattern sees it: a substituted value matches itself, character for character. */
export function escapeForPattern(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** The text with each reference replaced by a stand-in, to check that a pattern compiles whatever the values. */
export function withStandIns(text: string): string {
  return hasTemplate(text) ? text.replace(REFERENCE, 'x') : text;
}
