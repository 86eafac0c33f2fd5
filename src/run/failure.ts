/**
 * What an attempt reports when it fails, and how page text is put into a message. Page-supplied text (titles,
 * console messages, error text) is data: it is clipped and quoted as a JSON string, so it can never add a line,
 * close a quote, or start a workflow command in the message around it.
 */
import { clip, REPORT_LIMITS } from '../report/limits.ts';
import type { FailureKind } from '../report/schema.ts';

/** A failure whose kind is already known where it is raised (an expectation, a step the page refused, ...). */
export class AttemptFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'AttemptFailure';
  }
}

/** Lower ranks win when several things went wrong in one attempt (navigation, timeout, browser and config first, then assertions, then script errors). */
const RANK: Record<FailureKind, number> = {
  navigation: 0,
  timeout: 0,
  browser: 0,
  config: 0,
  assertion: 1,
  'script-error': 2,
};

export function failureRank(kind: FailureKind): number {
  return RANK[kind];
}

/** How much of one piece of page text goes into a message; the log keeps it whole. */
const QUOTED_TEXT_MAX = 200;

/** Page (or fixture) text as a one-line JSON string literal, clipped first so the note stays inside the quotes. */
export function quote(text: string, max: number = QUOTED_TEXT_MAX): string {
  return JSON.stringify(clip(text, max));
}

/** "5.0s": one decimal is what a reader of a failure message needs. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** A message as the report stores it: the first line says what happened, the rest gives the details. */
export function composeMessage(headline: string, details: readonly string[] = []): string {
  const text = [headline, ...details.filter((line) => line.length > 0)].join('\n');
  return clip(text, REPORT_LIMITS.maxMessageChars);
}

/** A timeout: the headline says what it waited for and why; the attempt's timeout always follows. */
export function timedOut(headline: string, timeoutMs: number, details: readonly string[] = []): AttemptFailure {
  return new AttemptFailure('timeout', composeMessage(headline, [`The attempt's timeout is ${seconds(timeoutMs)}.`, ...details]));
}

/** A selector the browser refused: a config failure, since no page could ever match it. */
export function invalidSelector(subject: string, selector: string, problem: string): AttemptFailure {
  return new AttemptFailure('config', composeMessage(`${subject} ${quote(selector)} is not a valid CSS selector.`, [`The browser said: ${problem}`]));
}

/** One element of a selector's matches, as a failure lists it: its page-supplied parts quoted. */
export function describeMatch(match: { tag: string; id: string; classes: string; text: string }): string {
  const tag = match.tag.replace(/[^a-z0-9-]/g, '').slice(0, 40) || 'element';
  const parts = [`<${tag}>`];
  if (match.id) parts.push(`id ${quote(match.id, 60)}`);
  if (match.classes) parts.push(`class ${quote(match.classes, 60)}`);
  parts.push(`text ${quote(match.text, 60)}`);
  return parts.join(' ');
}

/**
 * A selector that must name one element matched several: a config failure, since the fixture must narrow it
 * (acting on the first match silently is how a smoke test passes while checking the wrong thing).
 */
export function ambiguousSelector(
  subject: string,
  selector: string,
  state: { count: number; matches: readonly { tag: string; id: string; classes: string; text: string }[] },
): AttemptFailure {
  const shown = state.matches.map((match, i) => `  ${i + 1}. ${describeMatch(match)}`);
  const more = state.count > shown.length ? [`  ... and ${state.count - shown.length} more`] : [];
  return new AttemptFailure(
    'config',
    composeMessage(`${subject} ${quote(selector)} matches ${state.count} elements; it must match exactly one.`, [
      'The first matches:',
      ...shown,
      ...more,
      'Narrow it: a more specific CSS selector (an id, or a parent as in "#main a"), a position (:first-of-type, ' +
        ':nth-child(2)), text=... for the text it shows, or role=link[name="..."] for its role and accessible name.',
    ]),
  );
}
