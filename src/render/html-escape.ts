/**
 * The only ways text and links get into report.html. Page text (titles, messages, console lines, URLs) is hostile:
 * every character that means something in HTML becomes an entity, in text and in attribute values alike (attributes
 * are always double-quoted), and controls, line separators and bidi overrides are shown as escapes, so text can
 * neither become markup nor reorder what the reader sees. Links are made only to evidence files beside the report
 * (checked against the report schema's pattern) and to http(s) URLs the run built from its own context.
 */
import { INVISIBLE_CHARS } from '../common/text.ts';
import { EVIDENCE_PATH_PATTERN } from '../report/schema.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function entities(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** Text on one line, for an element or a double-quoted attribute: line breaks and controls shown as escapes. */
export function esc(text: string): string {
  return entities(text.replace(INVISIBLE_CHARS, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : char === '\r' ? '\\r' : visibleEscape(char))));
}

/** Text of several lines, for a <pre>: line breaks and tabs kept, other controls shown as escapes. */
export function escBlock(text: string): string {
  return entities(text.replace(/\r\n?/g, '\n').replace(INVISIBLE_CHARS, (char) => (char === '\n' || char === '\t' ? char : visibleEscape(char))));
}

/** The value of an href or src for an evidence file beside the report, or null when the path is not one. */
export function evidenceHref(path: string | null): string | null {
  return path !== null && EVIDENCE_PATH_PATTERN.test(path) ? esc(path) : null;
}

/** An http(s) URL the run built itself (its run page, the rerun source), as an attribute value; null otherwise. */
export function webHref(url: string | null): string | null {
  if (url === null || !/^https?:\/\//i.test(url) || !URL.canParse(url)) return null;
  return esc(new URL(url).href);
}

/** A link when the URL is one we may link to, else the label alone. */
export function webLink(label: string, url: string | null): string {
  const href = webHref(url);
  return href ? `<a href="${href}" rel="noopener noreferrer">${esc(label)}</a>` : esc(label);
}

/** A link to a fixture's card in this page. Fixture ids are validated tokens; escaped all the same. */
export function fixtureLink(id: string): string {
  return `<a href="#${esc(id)}"><code>${esc(id)}</code></a>`;
}

/** 2026-03-02 06:00:12 UTC: the same for every reader, whatever their locale and time zone. */
export function utcTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return esc(iso);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
