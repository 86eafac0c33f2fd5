/**
 * The `expect` block. Page assertions (title, url, visible, hidden, text) are web-first: they are all read in one
 * evaluation per poll and retried until they hold or their time runs out. status and maxDuration are facts
 * the attempt already knows, so they cost nothing.
 */
import type { Page } from 'puppeteer-core';
import { compileMatcher, parseTextPattern, type Expect, type TextCheck } from '../fixtures/schema.ts';
import type { DocumentResponse } from './page-signals.ts';
import type { Progress } from './progress.ts';
import { pollPage, type PageSnapshot, type ProbeQuery } from './page-probe.ts';
import { AttemptFailure, composeMessage, invalidSelector, quote, seconds } from './failure.ts';

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

function textChecks(expect: Expect): TextCheck[] {
  if (expect.text === undefined) return [];
  return Array.isArray(expect.text) ? expect.text : [expect.text];
}

function isAbsoluteUrl(url: string): boolean {
  return URL.canParse(url);
}

/** Problems that make the expectations impossible to check as written, found before the page is opened. */
export function expectationConfigProblems(expect: Expect, baseUrl: string | null): string[] {
  const url = expect.url;
  if (typeof url === 'string' && !isAbsoluteUrl(url) && baseUrl === null) {
    return [`expect.url ${quote(url)} is relative, but there is no base URL to resolve it against: set base-url (--base-url) or write an absolute URL.`];
  }
  return [];
}

function titleMismatch(expected: string, title: string): Mismatch | null {
  const regex = parseTextPattern(expected);
  const holds = regex ? regex.test(title) : normalizeSpace(expected) === normalizeSpace(title);
  if (holds) return null;
  const what = regex ? `to match ${showRegExp(regex)}` : `to be ${quote(normalizeSpace(expected))}`;
  return { expected: `expect.title ${what}`, found: `found ${quote(title)}` };
}

function urlMismatch(expected: NonNullable<Expect['url']>, actual: string, baseUrl: string | null): Mismatch | null {
  let holds: boolean;
  let what: string;
  if (typeof expected === 'string') {
    const wanted = new URL(expected, baseUrl ?? undefined).href;
    holds = URL.canParse(actual) && new URL(actual).href === wanted;
    what = `to be ${quote(wanted)}`;
  } else if (expected.matches !== undefined) {
    const regex = compileMatcher(expected.matches);
    holds = regex.test(actual);
    what = `to match ${showRegExp(regex)}`;
  } else {
    holds = actual.includes(expected.contains ?? '');
    what = `to contain ${quote(expected.contains ?? '')}`;
  }
  return holds ? null : { expected: `expect.url ${what}`, found: `found ${quote(actual)}` };
}

function textMismatch(check: TextCheck, text: string | null): Mismatch | null {
  let what: string;
  let holds: boolean;
  if (check.matches !== undefined) {
    const regex = compileMatcher(check.matches);
    what = `to match ${showRegExp(regex)}`;
    holds = text !== null && regex.test(text);
  } else if (check.equals !== undefined) {
    what = `to equal ${quote(normalizeSpace(check.equals))}`;
    holds = text === normalizeSpace(check.equals);
  } else {
    what = `to contain ${quote(normalizeSpace(check.contains ?? ''))}`;
    holds = text !== null && text.includes(normalizeSpace(check.contains ?? ''));
  }
  if (holds) return null;
  const expected = `expect.text ${quote(check.selector)} ${what}`;
  return { expected, found: text === null ? `but no element matches ${quote(check.selector)}` : `found ${quote(text)}` };
}

function visibilityMismatch(field: 'visible' | 'hidden', selector: string, state: PageSnapshot['elements'][number]): Mismatch | null {
  if ('invalid' in state) throw invalidSelector(`expect.${field}`, selector, state.invalid);
  const expected = `expect.${field} ${quote(selector)} to be ${field}`;
  if (field === 'visible') {
    if (state.visible > 0) return null;
    if (state.count === 0) return { expected, found: 'but no element matches it' };
    const which = state.count === 1 ? 'the matching element is not' : `none of the ${state.count} matching elements is`;
    return { expected, found: `but ${which} visible (hidden by CSS, or an empty box)` };
  }
  if (state.visible === 0) return null;
  return { expected, found: `but ${state.visible} matching element${state.visible === 1 ? ' is' : 's are'} visible` };
}

/** The query and the check for one expect block; the check lists every expectation that does not hold. */
function pageExpectations(expect: Expect, baseUrl: string | null) {
  const visible = expect.visible ?? [];
  const hidden = expect.hidden ?? [];
  const texts = textChecks(expect);
  const query: ProbeQuery = { elements: [...visible, ...hidden], texts: texts.map((check) => check.selector) };
  const check = (snapshot: PageSnapshot): Mismatch[] | null => {
    const found: (Mismatch | null)[] = [];
    if (expect.title !== undefined) found.push(titleMismatch(expect.title, snapshot.title));
    if (expect.url !== undefined) found.push(urlMismatch(expect.url, snapshot.url, baseUrl));
    visible.forEach((selector, i) => found.push(visibilityMismatch('visible', selector, snapshot.elements[i]!)));
    hidden.forEach((selector, i) =>
      found.push(visibilityMismatch('hidden', selector, snapshot.elements[visible.length + i]!)),
    );
    texts.forEach((textCheck, i) => {
      const state = snapshot.texts[i]!;
      if ('invalid' in state) throw invalidSelector('expect.text', textCheck.selector, state.invalid);
      found.push(textMismatch(textCheck, state.text));
    });
    const mismatches = found.filter((mismatch): mismatch is Mismatch => mismatch !== null);
    return mismatches.length > 0 ? mismatches : null;
  };
  const needed = expect.title !== undefined || expect.url !== undefined || query.elements.length + query.texts.length > 0;
  return { query, check, needed };
}

/** Retries title, url, visible, hidden and text until they all hold; throws an assertion failure otherwise. */
export async function checkPageExpectations(
  page: Page,
  expect: Expect,
  options: { baseUrl: string | null; progress: Progress },
): Promise<void> {
  const { query, check, needed } = pageExpectations(expect, options.baseUrl);
  if (!needed) return;
  const { progress } = options;
  const budgetMs = progress.budgetMs(expect.timeout);
  const result = await pollPage(page, query, check, { progress, budgetMs });
  if (result.held) return;
  const waited = `(waited ${seconds(result.waitedMs)})`;
  if (result.failure === null || result.snapshot === null) {
    throw new AttemptFailure(
      'timeout',
      composeMessage(`Timed out after ${seconds(result.waitedMs)} waiting for the page to settle so that expect could be checked.`, [
        `It kept navigating: ${result.lastError ?? 'no answer'}`,
      ]),
    );
  }
  const [first, ...others] = result.failure;
  throw new AttemptFailure(
    'assertion',
    composeMessage(`${first!.expected}, ${first!.found} ${waited}`, [
      ...others.map((other) => `Also not holding: ${other.expected}, ${other.found}`),
      `Page: ${quote(result.snapshot.url)}, title ${quote(result.snapshot.title)}`,
    ]),
  );
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
