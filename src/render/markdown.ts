/**
 * Markdown building blocks for the job summary and the check run, and fitting a document into a size limit.
 * Page text (titles, console messages, errors)
 * goes through `md()`: GitHub renders summaries as Markdown with HTML allowed, so raw text could add tags, links,
 * images or extra table cells. Numeric character references are literal text in Markdown, never markup, so every
 * character that could mean something is written as one.
 */
import { INVISIBLE_CHARS } from '../common/text.ts';

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

// Fitting a Markdown document into a size limit (the job summary's 1 MiB, the check run's 65,535 characters).
// Essential sections (verdict, diagnostics, the rerun command) are always kept; the others are kept in order until
// one no longer fits, which is cut at an item (table row, list line) boundary, and a note says what was left out
// and where the full report is.

export interface SizeLimit {
  max: number;
  unit: 'bytes' | 'chars';
}

export interface Section {
  /** Always kept: must be small. */
  essential?: boolean;
  /** Lines kept together: a heading, a table header. */
  head: readonly string[];
  /** Lines that may be cut between (table rows, list items). */
  items?: readonly string[];
  /** What an item is, for the note: "fixture rows". */
  itemNoun?: string;
}

/** How many items of the cut section were shown, and how many later sections were left out. */
export interface CutInfo {
  shown: number;
  total: number;
  itemNoun: string | null;
  sectionsLeftOut: number;
}

export type CutNote = (cut: CutInfo) => string;

const render = (lines: readonly string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n\n`);

function sizeOf(text: string, unit: SizeLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

export function fitSections(sections: readonly Section[], limit: SizeLimit, note: CutNote): string {
  const full = sections.map((section) => render([...section.head, ...(section.items ?? [])])).join('');
  if (sizeOf(full, limit.unit) <= limit.max) return full;
  const size = (text: string) => sizeOf(text, limit.unit);
  const essentials = sections
    .filter((section) => section.essential)
    .map((section) => size(render([...section.head, ...(section.items ?? [])])));
  // Reserve room for the longest note this cut could produce.
  const longest = { shown: 1e9, total: 1e9, itemNoun: longestNoun(sections), sectionsLeftOut: sections.length };
  const noteRoom = size(render([note(longest)]));
  let budget = limit.max - essentials.reduce((a, b) => a + b, 0) - noteRoom;
  if (budget < 0) return hardCut(full, limit, note);
  const out: string[] = [];
  let cut: { at: number; shown: number; total: number; itemNoun: string | null } | null = null;
  let leftOut = 0;
  for (const section of sections) {
    const whole = render([...section.head, ...(section.items ?? [])]);
    if (section.essential) out.push(whole);
    else if (cut) leftOut += 1;
    else if (size(whole) <= budget) {
      out.push(whole);
      budget -= size(whole);
    } else {
      const kept = keptItems(section, budget, size);
      if (kept.length > 0) out.push(render([...section.head, ...kept]));
      else leftOut += 1;
      cut = { at: out.length, shown: kept.length, total: section.items?.length ?? 0, itemNoun: section.itemNoun ?? null };
    }
  }
  if (!cut) return out.join('');
  const { at, ...counts } = cut;
  out.splice(at, 0, render([note({ ...counts, sectionsLeftOut: leftOut })]));
  return out.join('');
}

/** As many items as fit after the section's head; none if the head itself does not fit. */
function keptItems(section: Section, budget: number, size: (text: string) => number): string[] {
  const items = section.items ?? [];
  let used = size(render([...section.head]));
  if (used > budget) return [];
  const kept: string[] = [];
  for (const item of items) {
    const cost = size(`${item}\n`);
    if (used + cost > budget) break;
    kept.push(item);
    used += cost;
  }
  return kept;
}

function longestNoun(sections: readonly Section[]): string | null {
  const nouns = sections.map((section) => section.itemNoun ?? '');
  const longest = nouns.reduce((a, b) => (b.length > a.length ? b : a), '');
  return longest === '' ? null : longest;
}

/** Last resort for a limit smaller than the essentials: whole lines while they fit, then the note. */
function hardCut(full: string, limit: SizeLimit, note: CutNote): string {
  const ending = render([note({ shown: 0, total: 0, itemNoun: null, sectionsLeftOut: 0 })]);
  const room = limit.max - sizeOf(ending, limit.unit);
  if (room <= 0) return cutToSize(ending, limit);
  let used = 0;
  const kept: string[] = [];
  for (const line of full.split('\n')) {
    const cost = sizeOf(`${line}\n`, limit.unit);
    if (used + cost > room) break;
    kept.push(line);
    used += cost;
  }
  return `${kept.join('\n')}\n${ending}`;
}

/** Cuts text to a size without splitting a character (code point). */
function cutToSize(text: string, limit: SizeLimit): string {
  let out = '';
  for (const char of text) {
    if (sizeOf(out + char, limit.unit) > limit.max) break;
    out += char;
  }
  return out;
}
