/**
 * Markdown building blocks for the job summary and the check run. Page text (titles, console messages, errors)
 * goes through `md()`: GitHub renders summaries as Markdown with HTML allowed, so raw text could add tags, links,
 * images or extra table cells. Numeric character references are literal text in Markdown, never markup, so every
 * character that could mean something is written as one.
 */
import { INVISIBLE_CHARS } from '../report/terminal.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '\\': '&#92;',
  '*': '&#42;',
  '_': '&#95;',
  '~': '&#126;',
  '#': '&#35;',
  '!': '&#33;',
  '@': '&#64;',
  ':': '&#58;',
  '$': '&#36;',
};

const SPECIAL = /[&<>"'|`[\]()\\*_~#!@:$]/g;
const LINE_BREAKS = /\r\n|[\r\n\t\u2028\u2029]/g;

/**
 * Page text as inline Markdown on one line: safe in a table cell, a list item or a paragraph. A leading
 * character that could open a list, heading or rule is encoded too, for the places where the text starts a line.
 */
export function md(text: string): string {
  const flat = text
    .replace(LINE_BREAKS, ' ')
    // Line breaks are spaces by now; the other controls, separators and bidi marks are shown, never acted on.
    .replace(INVISIBLE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .trim()
    .replace(SPECIAL, (c) => ENTITIES[c] ?? c);
  return defuseLineStart(flat.replace(/www\./gi, (www) => `${www.slice(0, 3)}&#46;`));
}

/** "- x", "+ x", "1. x", "=== " and friends only mean something at the start of a line. */
function defuseLineStart(text: string): string {
  const ordered = /^(\d+)\./.exec(text);
  if (ordered) return `${ordered[1]}&#46;${text.slice(ordered[0].length)}`;
  const first = text.charCodeAt(0);
  return /^[-+=.]/.test(text) ? `&#${first};${text.slice(1)}` : text;
}

/** Several lines of text as one Markdown line, with our own `<br>` between them. */
export function mdLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(md)
    .filter((line) => line !== '')
    .join('<br>');
}

/** A fenced code block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function codeBlock(content: string, language = 'sh'): string {
  const longestRun = Math.max(0, ...[...content.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${content.replace(/\r\n?/g, '\n')}\n${fence}`;
}

/** A link, when there is a URL we made ourselves; otherwise just the label. */
export function link(label: string, url: string | null): string {
  if (!url || !/^https?:\/\//i.test(url)) return md(label);
  return `[${md(label)}](${url.replace(/[\s()<>]/g, (c) => encodeURIComponent(c))})`;
}

/** One table row; every cell must already be escaped. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A token (fixture id, diagnostic code) as inline code. Entities would show literally inside a code span, so
 * anything beyond plain token characters is escaped as text instead. */
export function token(text: string): string {
  return /^[A-Za-z0-9._:/-]+$/.test(text) ? `\`${text}\`` : md(text);
}
