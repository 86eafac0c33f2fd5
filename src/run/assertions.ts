/**
 * The `expect` block. Page assertions (title, url, visible, hidden, text, count) are web-first: they are judged
 * together inside the page, which re-checks them whenever it may have changed, until they hold or their time runs
 * out. A text check reads one element: a selector that matches several fails at once, as actions do.
 * status and maxDuration are facts the attempt already knows, so they cost nothing.
 */
import type { Page } from 'puppeteer-core';
import { compileMatcher, parseTextPattern, type CountCheck, type Expect, type PageChecks, type TextCheck } from '../fixtures/schema.ts';
import type { DocumentResponse } from './page-signals.ts';
import type { Progress } from './progress.ts';
import { waitForPage, type ElementState, type MatchInfo, type Matcher, type PageSnapshot, type Wants } from './page-probe.ts';
import { ambiguousSelector, AttemptFailure, composeMessage, invalidSelector, quote, seconds } from './failure.ts';
import { hasTemplate } from '../secrets/template.ts';

/** One expectation that does not hold: what was expected, and what was found instead. */
interface Mismatch {
  expected: string;
  found: string;
}

function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A regular expression as one line of text. */
function showRegExp(regex: RegExp): string {
  return JSON.stringify(String(regex)).slice(1, -1);
}

function textChecks(expect: PageChecks): TextCheck[] {
  if (expect.text === undefined) return [];
  return Array.isArray(expect.text) ? expect.text : [expect.text];
}

function countChecks(expect: PageChecks): CountCheck[] {
  if (expect.count === undefined) return [];
  return Array.isArray(expect.count) ? expect.count : [expect.count];
}

/** A count check as the page judges it (min and max inclusive), and as a message words it. */
function countWant(check: CountCheck): { min: number; max: number | null; what: string } {
  if (check.equals !== undefined) return { min: check.equals, max: check.equals, what: `to be ${check.equals}` };
  const min = check.min ?? 0;
  const max = check.max ?? null;
  if (max === null) return { min, max, what: `to be at least ${min}` };
  if (check.min === undefined) return { min, max, what: `to be at most ${max}` };
  return { min, max, what: `to be between ${min} and ${max}` };
}

function isAbsoluteUrl(url: string): boolean {
  return URL.canParse(url);
}

/** Problems that make the expectations impossible to check as written, found before the page is opened. */
export function expectationConfigProblems(expect: PageChecks, baseUrl: string | null): string[] {
  const url = expect.url;
  if (typeof url === 'string' && !isAbsoluteUrl(url) && baseUrl === null) {
    return [`expect.url ${quote(url)} is relative, but there is no base URL to resolve it against: set base-url (--base-url) or write an absolute URL.`];
  }
  return [];
}

/** A regular expression as data for the page. */
function pattern(regex: RegExp): Matcher {
  return { matches: { source: regex.source, flags: regex.flags } };
}

function titleWant(expected: string): { want: Matcher; what: string } {
  const regex = parseTextPattern(expected);
  if (regex) return { want: pattern(regex), what: `to match ${showRegExp(regex)}` };
  return { want: { equals: normalizeSpace(expected) }, what: `to be ${quote(normalizeSpace(expected))}` };
}

function urlWant(expected: NonNullable<Expect['url']>, baseUrl: string | null): { want: Matcher; what: string } {
  if (typeof expected === 'string') {
    const wanted = new URL(expected, baseUrl ?? undefined).href;
    return { want: { equals: wanted }, what: `to be ${quote(wanted)}` };
  }
  if (expected.matches !== undefined) {
    const regex = compileMatcher(expected.matches);
    return { want: pattern(regex), what: `to match ${showRegExp(regex)}` };
  }
  const contains = expected.contains ?? '';
  return { want: { contains }, what: `to contain ${quote(contains)}` };
}

function textWant(check: TextCheck): { want: Matcher; what: string } {
  if (check.matches !== undefined) {
    const regex = compileMatcher(check.matches);
    return { want: pattern(regex), what: `to match ${showRegExp(regex)}` };
  }
  if (check.equals !== undefined) return { want: { equals: normalizeSpace(check.equals) }, what: `to equal ${quote(normalizeSpace(check.equals))}` };
  const contains = normalizeSpace(check.contains ?? '');
  return { want: { contains }, what: `to contain ${quote(contains)}` };
}

function visibilityMismatch(field: 'visible' | 'hidden', selector: string, state: ElementState): Mismatch {
  const expected = `expect.${field} ${quote(selector)} to be ${field}`;
  if ('invalid' in state) return { expected, found: 'but the selector is invalid' };
  if (field === 'visible') {
    if (state.count === 0) return { expected, found: 'but no element matches it' };
    const which = state.count === 1 ? 'the matching element is not' : `none of the ${state.count} matching elements is`;
    return { expected, found: `but ${which} visible (hidden by CSS, or an empty box)` };
  }
  return { expected, found: `but ${state.visible} matching element${state.visible === 1 ? ' is' : 's are'} visible` };
}

/**
 * A want, described as the fixture file writes it: where a value was substituted from the environment, the message
 * quotes the reference (`${{ env.NAME }}`), never the value.
 */
function asWritten(want: { want: Matcher; what: string }, writtenText: string | null) {
  if (writtenText === null || !hasTemplate(writtenText)) return want;
  // "to be", "to equal", "to contain", "to match": the same words as without a reference.
  const verb = want.what.split(' ', 2).join(' ');
  return { want: want.want, what: `${verb} ${quote(writtenText)}` };
}

function urlText(url: Expect['url']): string | null {
  if (url === undefined) return null;
  return typeof url === 'string' ? url : (url.matches ?? url.contains ?? null);
}

/**
 * What the page must show for one expect block, and how to tell what does not hold. Whether a want holds is
 * decided in the page (page-probe.ts); this side only words what the page answered. `written` is the block as the
 * file has it, before values were substituted: messages describe the wants from it.
 */
function pageExpectations(expect: PageChecks, baseUrl: string | null, written: PageChecks = expect) {
  const visible = expect.visible ?? [];
  const hidden = expect.hidden ?? [];
  const texts = textChecks(expect);
  const writtenTexts = textChecks(written);
  const title = expect.title === undefined ? undefined : asWritten(titleWant(expect.title), written.title ?? null);
  const url = expect.url === undefined ? undefined : asWritten(urlWant(expect.url, baseUrl), urlText(written.url));
  const textWants = texts.map((check, i) => {
    const original = writtenTexts[i];
    return asWritten(textWant(check), original ? (original.matches ?? original.equals ?? original.contains ?? null) : null);
  });
  const counts = countChecks(expect);
  const countWants = counts.map(countWant);
  const fields = [...visible.map(() => 'visible' as const), ...hidden.map(() => 'hidden' as const)];
  const wants: Wants = {
    title: title?.want,
    url: url?.want,
    elements: [...visible, ...hidden].map((selector, i) => ({ selector, state: fields[i]! })),
    texts: texts.map((check, i) => ({ selector: check.selector, text: textWants[i]!.want })),
    counts: counts.map((check, i) => ({ selector: check.selector, min: countWants[i]!.min, max: countWants[i]!.max })),
  };
  const throwIfInvalid = (snapshot: PageSnapshot) => {
    snapshot.elements.forEach((state, i) => {
      if ('invalid' in state) throw invalidSelector(`expect.${fields[i]}`, wants.elements[i]!.selector, state.invalid);
    });
    snapshot.texts.forEach((state, i) => {
      if ('invalid' in state) throw invalidSelector('expect.text', texts[i]!.selector, state.invalid);
    });
    snapshot.counts.forEach((state, i) => {
      if ('invalid' in state) throw invalidSelector('expect.count', counts[i]!.selector, state.invalid);
    });
    // A text check reads one element: with several matches it could read the wrong one.
    snapshot.texts.forEach((state, i) => {
      if ('count' in state && state.count > 1) throw ambiguousSelector('expect.text', texts[i]!.selector, state);
    });
  };
  /** Every expectation the page said does not hold, in the order they are written. */
  const mismatches = (snapshot: PageSnapshot, unmet: readonly string[]): Mismatch[] => {
    const found: Mismatch[] = [];
    if (title && unmet.includes('title')) found.push({ expected: `expect.title ${title.what}`, found: `found ${quote(snapshot.title)}` });
    if (url && unmet.includes('url')) found.push({ expected: `expect.url ${url.what}`, found: `found ${quote(snapshot.url)}` });
    wants.elements.forEach(({ selector }, i) => {
      if (unmet.includes(`element:${i}`)) found.push(visibilityMismatch(fields[i]!, selector, snapshot.elements[i]!));
    });
    texts.forEach((check, i) => {
      if (!unmet.includes(`text:${i}`)) return;
      const state = snapshot.texts[i]!;
      const text = 'text' in state ? state.text : null;
      const expected = `expect.text ${quote(check.selector)} ${textWants[i]!.what}`;
      found.push({ expected, found: text === null ? `but no element matches ${quote(check.selector)}` : `found ${quote(text)}` });
    });
    counts.forEach((check, i) => {
      if (!unmet.includes(`count:${i}`)) return;
      const state = snapshot.counts[i]!;
      const seen = 'count' in state ? state.count : 0;
      found.push({ expected: `expect.count ${quote(check.selector)} ${countWants[i]!.what}`, found: `found ${seen} matching element${seen === 1 ? '' : 's'}` });
    });
    return found;
  };
  const needed = title !== undefined || url !== undefined || wants.elements.length + wants.texts.length + counts.length > 0;
  return { wants, mismatches, throwIfInvalid, needed };
}

/**
 * How long the checks waited, and which setting bounded the wait: the expect timeout (the block's own, or the
 * expect-timeout option), or the attempt's timeout when less of it was left. Naming it tells the reader what to raise.
 */
function waitedNote(waitedMs: number, expectTimeoutMs: number, ownTimeout: boolean, cutByAttempt: boolean): { suffix: string; detail: string } {
  if (cutByAttempt) {
    return {
      suffix: `(waited ${seconds(waitedMs)}, until the attempt's timeout ran out)`,
      detail: `The attempt's time ran out before the expect timeout of ${seconds(expectTimeoutMs)}: raise the fixture's timeout (or the timeout input) if the steps before need longer.`,
    };
  }
  const setting = ownTimeout ? "the fixture's expect.timeout" : 'expect-timeout (--expect-timeout)';
  return {
    suffix: `(waited ${seconds(waitedMs)}, the expect timeout)`,
    detail: `The expect timeout is ${seconds(expectTimeoutMs)}, from ${setting}: raise it if the page needs longer to show this.`,
  };
}

/**
 * Retries title, url, visible, hidden, text and count until they all hold; throws an assertion failure otherwise.
 * Any subset of an expect block may be passed: only the checks it has are made. They wait
 * for the block's own `timeout`, else `defaultTimeoutMs` (the expect-timeout option), and never past the attempt.
 */
export async function checkPageExpectations(
  page: Page,
  expect: PageChecks,
  options: {
    baseUrl: string | null;
    progress: Progress;
    defaultTimeoutMs: number;
    written?: PageChecks | undefined;
    redact?: ((text: string) => string) | undefined;
  },
): Promise<void> {
  const { wants, mismatches, throwIfInvalid, needed } = pageExpectations(expect, options.baseUrl, options.written);
  if (!needed) return;
  const { progress } = options;
  const expectTimeoutMs = expect.timeout ?? options.defaultTimeoutMs;
  const budgetMs = progress.budgetMs(expectTimeoutMs);
  const cutByAttempt = budgetMs < expectTimeoutMs;
  const result = await waitForPage(page, wants, { progress, budgetMs });
  if (result.held) return;
  const note = waitedNote(result.waitedMs, expectTimeoutMs, expect.timeout !== undefined, cutByAttempt);
  if (result.answer === null) {
    throw new AttemptFailure(
      'timeout',
      composeMessage(`Timed out after ${seconds(result.waitedMs)} waiting for the page to settle so that expect could be checked.`, [
        `It kept navigating: ${result.lastError ?? 'no answer'}`,
      ]),
    );
  }
  const { unmet } = result.answer;
  // What the page shows may echo a secret (a greeting with the user's name): hidden before any of it is quoted.
  const snapshot = redactSnapshot(result.answer.snapshot, options.redact ?? ((text) => text));
  throwIfInvalid(snapshot);
  const [first, ...others] = mismatches(snapshot, unmet);
  throw new AttemptFailure(
    'assertion',
    composeMessage(`${first!.expected}, ${first!.found} ${note.suffix}`, [
      ...others.map((other) => `Also not holding: ${other.expected}, ${other.found}`),
      `Page: ${quote(snapshot.url)}, title ${quote(snapshot.title)}`,
      note.detail,
    ]),
  );
}

function redactSnapshot(snapshot: PageSnapshot, redact: (text: string) => string): PageSnapshot {
  return {
    ...snapshot,
    title: redact(snapshot.title),
    url: redact(snapshot.url),
    texts: snapshot.texts.map((state) =>
      'text' in state ? { ...state, text: state.text === null ? null : redact(state.text), matches: redactMatches(state.matches, redact) } : state,
    ),
  };
}

function redactMatches(matches: readonly MatchInfo[], redact: (text: string) => string): MatchInfo[] {
  return matches.map((match) => ({ ...match, id: redact(match.id), classes: redact(match.classes), text: redact(match.text) }));
}

/** expect.status against the final main document. Without expect.status, HTTP errors are navigation failures. */
export function statusFailure(expected: Expect['status'], document: DocumentResponse | null): AttemptFailure | null {
  if (expected === undefined) return null;
  const accepted = Array.isArray(expected) ? expected : [expected];
  if (document !== null && accepted.includes(document.status)) return null;
  const wanted = accepted.length === 1 ? `to be ${accepted[0]}` : `to be one of ${accepted.join(', ')}`;
  const found =
    document === null
      ? 'but the page has no HTTP response'
      : `found ${document.status}${document.statusText ? ` ${quote(document.statusText)}` : ''} for ${quote(document.url)}`;
  return new AttemptFailure('assertion', composeMessage(`expect.status ${wanted}, ${found}`));
}

export function maxDurationFailure(maxDuration: number | undefined, elapsedMs: number): AttemptFailure | null {
  if (maxDuration === undefined || elapsedMs <= maxDuration) return null;
  return new AttemptFailure(
    'assertion',
    composeMessage(`expect.maxDuration ${seconds(maxDuration)} exceeded: the attempt took ${seconds(elapsedMs)}.`, [
      'The time runs from the start of the navigation to the end of the expect checks.',
    ]),
  );
}
