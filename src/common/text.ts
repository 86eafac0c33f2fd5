/**
 * Text helpers every output shares. Page text (titles, console messages, errors) is data: before it goes into a
 * terminal line, a Markdown summary, an annotation or an HTML report, the characters that could change what the
 * reader sees (controls, line separators, bidi overrides) are made visible.
 */

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Characters page text must never carry into our output as they are: C0/C1 controls, line and paragraph
 * separators, and bidi marks and overrides. Each output (terminal, Markdown, annotations) shows them as escapes,
 * after turning the line breaks it keeps into its own.
 */
// eslint-disable-next-line no-control-regex
export const INVISIBLE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line, whatever the text holds: C0/C1 controls, line and paragraph separators and bidi overrides become
 * visible escapes, and `##[` becomes `##\[` so the runner's legacy command parser cannot see a command.
 */
export function escapeLine(text: string): string {
  return text
    .replace(INVISIBLE_CHARS, (c) => {
      const named = NAMED_ESCAPES[c];
      if (named) return named;
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    })
    .replaceAll('##[', '##\\[');
}

/** What a caught value says, whatever was thrown. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
