/**
 * The declarative steps of a fixture. Actions on elements are strict, as Playwright's locators are: the selector
 * must match exactly one element, or the step fails at once with the matches it found. Then puppeteer's Locator API
 * waits for the element to be visible, enabled and stable; every wait is bounded by the time left in the attempt,
 * and stops as soon as the attempt is over.
 */
import { TimeoutError, type ElementHandle, type KeyInput, type Page } from 'puppeteer-core';
import { STEP_CHECKS, type Step, type StepExpect, type WaitForResponse, type WaitUntil } from '../fixtures/schema.ts';
import type { Progress } from './progress.ts';
import type { DocumentResponse } from './page-signals.ts';
import { isAction, type ResponseWaits } from './response-wait.ts';
import { checkPageExpectations, expectationConfigProblems, statusFailure } from './assertions.ts';
import { settleWithin } from './deadline.ts';
import { probePage, waitForPage, type ElementState } from './page-probe.ts';
import { ambiguousSelector, AttemptFailure, composeMessage, invalidSelector, quote, seconds, timedOut } from './failure.ts';
import { parsedSelector, puppeteerSelector } from '../fixtures/selector.ts';
import { errorText } from '../common/text.ts';
import { nonWebUrlProblem } from '../fixtures/urls.ts';

export interface StepEnv {
  page: Page;
  progress: Progress;
  baseUrl: string | null;
  /** How long page assertions wait when their expect block sets no timeout (ms): the expect-timeout option. */
  expectTimeoutMs: number;
  waitUntil: WaitUntil;
  /**
   * Runs after every navigation; throws when the new document is itself a failure (net::ERR_*, or an HTTP error,
   * unless `statusChecked`: a status check is about to judge it). By default, whether the final expect has a status.
   */
  afterNavigation: (statusChecked?: boolean) => void;
  /** The main document as it is now, for a step's status check. */
  mainDocument: () => DocumentResponse | null;
  /** The fixture's own expect.timeout, which a step's checks and response waits use before expectTimeoutMs. */
  fixtureExpectTimeoutMs: number | undefined;
  /** The listeners of the waitForResponse steps, armed before the step each one waits on. */
  responses: ResponseWaits;
  redact: (text: string) => string;
}

/** How long a failed step may spend finding out why, once its time has run out. */
const DIAGNOSIS_BUDGET_MS = 1000;

function describeStep(step: Step): string {
  if (step.click !== undefined) return `click ${quote(step.click)}`;
  // The value stays out: it may be a password, and labels go into reports and job summaries.
  if (step.fill !== undefined) return `fill ${quote(step.fill.selector)}`;
  if (step.press !== undefined) {
    if (typeof step.press === 'string') return `press ${quote(step.press)}`;
    const target = step.press.selector === undefined ? '' : ` in ${quote(step.press.selector)}`;
    return `press ${quote(step.press.key)}${target}`;
  }
  if (step.hover !== undefined) return `hover ${quote(step.hover)}`;
  if (step.select !== undefined) {
    const values = Array.isArray(step.select.value) ? step.select.value : [step.select.value];
    return `select ${values.map((value) => quote(value)).join(', ')} in ${quote(step.select.selector)}`;
  }
  if (step.waitFor !== undefined) {
    const wait = typeof step.waitFor === 'string' ? { selector: step.waitFor, state: 'visible' } : step.waitFor;
    return `waitFor ${quote(wait.selector)} to be ${wait.state}`;
  }
  if (step.goto !== undefined) return `goto ${quote(step.goto)}`;
  if (step.expect !== undefined) return `expect ${describeChecks(step.expect)}`;
  if (step.waitForResponse !== undefined) return `waitForResponse ${describeResponseWant(step.waitForResponse)}`;
  return 'an empty step';
}

/** "title "Cart", text "#count"": each check a step's expect has, with its first selector or value. */
function describeChecks(expect: StepExpect): string {
  const checks = STEP_CHECKS.flatMap((key) => {
    const value: unknown = expect[key as keyof StepExpect];
    if (value === undefined) return [];
    const first = Array.isArray(value) ? (value[0] as unknown) : value;
    const shown = typeof first === 'object' && first !== null ? Object.values(first)[0] : first;
    const more = Array.isArray(value) && value.length > 1 ? ` +${value.length - 1}` : '';
    return [`${key} ${typeof shown === 'string' ? quote(shown, 60) : String(shown)}${more}`];
  });
  return checks.join(', ');
}

function describeResponseWant(want: WaitForResponse): string {
  const { url } = want;
  const which = typeof url === 'string' ? quote(url) : url.contains !== undefined ? `containing ${quote(url.contains)}` : `matching ${quote(url.matches ?? '')}`;
  if (want.status === undefined) return which;
  const statuses = Array.isArray(want.status) ? want.status : [want.status];
  return `${which} with status ${statuses.join(' or ')}`;
}

function stepLabel(step: Step, index: number): string {
  return `step ${index + 1} (${describeStep(step)})`;
}

/** Problems that make the steps impossible to run as written, found before the page is opened. */
export function stepConfigProblems(steps: readonly Step[], baseUrl: string | null): string[] {
  return steps.flatMap((step, index) => {
    const url = step.goto ?? step.waitForResponse?.url;
    if (typeof url === 'string' && !URL.canParse(url) && baseUrl === null) {
      return [`${stepLabel(step, index)} has a relative URL, but there is no base URL to resolve it against: set base-url (--base-url) or write an absolute URL.`];
    }
    if (step.expect === undefined) return [];
    return expectationConfigProblems(step.expect, baseUrl).map((problem) => `${stepLabel(step, index)}: ${problem}`);
  });
}

function navigationLabel(url: string, waitUntil: WaitUntil): string {
  return `${quote(url)} to load (waitUntil: ${waitUntil})`;
}

/**
 * Opens a URL and waits for it as the fixture asks; `shownAs` is the URL as the file writes it, when it differs. Only
 * http and https: fixture files are checked when they load, and this also holds for a URL that becomes known only
 * as the fixture runs.
 */
export async function navigate(env: StepEnv, url: string, shownAs: string = url, statusChecked?: boolean): Promise<void> {
  const { page, progress, waitUntil } = env;
  const scheme = nonWebUrlProblem(url);
  if (scheme) throw new AttemptFailure('config', composeMessage(`Refused to open ${quote(shownAs)}: it ${scheme}.`));
  await progress.track('navigation', navigationLabel(shownAs, waitUntil), () =>
    page.goto(url, { waitUntil, timeout: progress.remainingMs(), signal: progress.signal }),
  );
  env.afterNavigation(statusChecked);
}

/**
 * True when a step after `index`, before the next action, checks the status: the document that the navigation at
 * `index` brings is then that step's to judge, even if it is an HTTP error.
 */
export function statusCheckedNext(steps: readonly Step[], index: number): true | undefined {
  for (let next = index + 1; next < steps.length && !isAction(steps[next]!); next += 1) {
    if (steps[next]!.expect?.status !== undefined) return true;
  }
  return undefined;
}

/**
 * Runs the steps; each is labelled from `written`, the steps as the fixture file has them (before substitution).
 * The waitForResponse steps after an action start listening before it runs (those before any action were armed
 * before the navigation).
 */
export async function runSteps(steps: readonly Step[], env: StepEnv, written: readonly Step[] = steps): Promise<void> {
  for (const [index, step] of steps.entries()) {
    const label = stepLabel(written[index] ?? step, index);
    if (isAction(step)) env.responses.armAfter(index, label);
    await env.progress.track('step', label, () => runStep(step, label, env, written[index] ?? step, index, statusCheckedNext(steps, index)));
  }
}

async function runStep(step: Step, label: string, env: StepEnv, written: Step, index: number, statusChecked?: true): Promise<void> {
  const { page, progress } = env;
  if (step.expect !== undefined) return expectStep(step.expect, label, env, written.expect);
  if (step.waitForResponse !== undefined) {
    const budgetMs = progress.budgetMs(step.waitForResponse.timeout ?? env.fixtureExpectTimeoutMs ?? env.expectTimeoutMs);
    return env.responses.wait(index, label, { progress, budgetMs });
  }
  const options = { signal: progress.signal };
  const locate = (selector: string) =>
    page.locator(puppeteerSelector(parsedSelector(selector))).setTimeout(progress.remainingMs()).setVisibility('visible');
  const act = async <T>(selector: string, action: (locator: ReturnType<typeof locate>) => Promise<T>) => {
    await untilOneVisible(env, label, selector);
    return onElement(env, label, selector, () => action(locate(selector)));
  };
  if (step.click !== undefined) return act(step.click, (element) => element.click(options));
  if (step.hover !== undefined) return act(step.hover, (element) => element.hover(options));
  if (step.fill !== undefined) {
    const { value } = step.fill;
    return act(step.fill.selector, (element) => element.fill(value, options));
  }
  if (step.select !== undefined) {
    const { value } = step.select;
    const handle = await act(step.select.selector, (element) => element.waitHandle(options));
    return withHandle(handle, () => selectValues(handle, Array.isArray(value) ? value : [value], label));
  }
  if (step.press !== undefined) {
    const { key, selector } = typeof step.press === 'string' ? { key: step.press, selector: undefined } : step.press;
    if (selector === undefined) return pressKey(label, key, (name) => page.keyboard.press(name));
    const handle = await act(selector, (element) => element.waitHandle(options));
    return withHandle(handle, () => pressKey(label, key, (name) => handle.press(name)));
  }
  if (step.waitFor !== undefined) {
    const wait = typeof step.waitFor === 'string' ? { selector: step.waitFor, state: 'visible' as const } : step.waitFor;
    return waitFor(wait, label, env);
  }
  if (step.goto !== undefined) {
    return navigate(env, new URL(step.goto, env.baseUrl ?? undefined).href, shownUrl(written.goto, step.goto, env.baseUrl), statusChecked);
  }
}

/**
 * A step's expect: the page checks wait as the final ones do (its own timeout, else the fixture's expect.timeout,
 * else the expect-timeout option);
 * status is read once they hold, so with a url check it is the status of the page that url names.
 */
async function expectStep(expect: StepExpect, label: string, env: StepEnv, written: StepExpect | undefined): Promise<void> {
  try {
    env.afterNavigation(expect.status !== undefined ? true : undefined);
    const checks = { ...expect, timeout: expect.timeout ?? env.fixtureExpectTimeoutMs };
    await checkPageExpectations(env.page, checks, {
      baseUrl: env.baseUrl,
      progress: env.progress,
      defaultTimeoutMs: env.expectTimeoutMs,
      written,
      redact: env.redact,
    });
    const status = statusFailure(expect.status, env.mainDocument());
    if (status) throw status;
  } catch (error) {
    if (!(error instanceof AttemptFailure)) throw error;
    throw new AttemptFailure(error.kind, composeMessage(`${label}: ${error.message}`));
  }
}

/** A URL as messages show it: resolved, unless the file writes it with a reference to the environment. */
function shownUrl(written: string | undefined, value: string, baseUrl: string | null): string {
  return written !== undefined && written !== value ? written : new URL(value, baseUrl ?? undefined).href;
}

async function withHandle<T>(handle: ElementHandle, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    void handle.dispose().catch(() => undefined);
  }
}

/**
 * Waits until the selector matches one element and it is visible; fails at once when it matches more than one,
 * and with why it is not ready when the time runs out.
 */
async function untilOneVisible(env: StepEnv, label: string, selector: string): Promise<void> {
  const { progress } = env;
  const wants = { elements: [{ selector, state: 'visible' as const, strict: true }], texts: [] };
  const result = await waitForPage(env.page, wants, { progress, budgetMs: progress.remainingMs() });
  if (result.held) return;
  const state = result.answer?.snapshot.elements[0] ?? null;
  if (state && 'invalid' in state) throw invalidSelector(`${label}:`, selector, state.invalid);
  if (state && state.count > 1) throw ambiguousSelector(`${label}:`, selector, state);
  throw stepTimeout(progress, label, state === null ? `the page kept navigating (${result.lastError ?? 'no answer'})` : whyNotReady(selector, state));
}

/** Runs a Locator action; when it times out, says why the element was not ready. */
async function onElement<T>(env: StepEnv, label: string, selector: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    const wants = { elements: [{ selector, state: 'any' as const }], texts: [] };
    const probe = probePage(env.page, wants).then((snapshot) => snapshot.elements[0]);
    const state = await settleWithin(probe, DIAGNOSIS_BUDGET_MS, undefined);
    if (state && 'invalid' in state) throw invalidSelector(`${label}:`, selector, state.invalid);
    if (state && state.count > 1) throw ambiguousSelector(`${label}:`, selector, state);
    const why = state ? whyNotReady(selector, state) : `the element ${quote(selector)} did not become ready`;
    throw stepTimeout(env.progress, label, why);
  }
}

/** Why the one element a step needs is not ready (several matches fail before this is asked). */
function whyNotReady(selector: string, state: Exclude<ElementState, { invalid: string }>): string {
  if (state.count === 0) return `no element matches ${quote(selector)}`;
  if (state.visible === 0) return `the element matching ${quote(selector)} is not visible`;
  if (state.disabled > 0) return `the element matching ${quote(selector)} is disabled`;
  return `the element matching ${quote(selector)} did not hold still or could not be scrolled into view`;
}

function stepTimeout(progress: Progress, label: string, why: string): AttemptFailure {
  const waited = progress.elapsedMs() - (progress.current()?.startMs ?? 0);
  return timedOut(`Timed out after ${seconds(waited)} waiting for ${label}: ${why}.`, progress.timeoutMs);
}

async function pressKey(label: string, key: string, press: (key: KeyInput) => Promise<void>): Promise<void> {
  try {
    await press(key as KeyInput);
  } catch (error) {
    if (!/^Unknown key/.test(errorText(error))) throw error;
    throw new AttemptFailure(
      'config',
      composeMessage(`${label}: ${quote(key)} is not a key name puppeteer knows.`, [
        'Use names such as "Enter", "Tab", "Escape", "ArrowDown" or a single character such as "a".',
      ]),
    );
  }
}

/** The page decides which values a <select> can take: a value it does not offer is an assertion failure. */
async function selectValues(handle: ElementHandle, values: string[], label: string): Promise<void> {
  let selected: string[];
  try {
    selected = await handle.select(...values);
  } catch (error) {
    if (!/not a <select> element/.test(errorText(error))) throw error;
    const tagName = await handle.evaluate((element) => element.tagName).catch(() => 'element');
    const tag = tagName.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 40);
    const article = /^[aeiou]/.test(tag) ? 'an' : 'a';
    throw new AttemptFailure('assertion', composeMessage(`${label}: the element is ${article} <${tag}>, not a <select>.`));
  }
  const missing = values.filter((value) => !selected.includes(value));
  if (missing.length === 0) return;
  const offered = await handle
    .evaluate((element) => Array.from((element as HTMLSelectElement).options, (option) => option.value))
    .catch(() => [] as string[]);
  const shown = offered.slice(0, 20).map((value) => quote(value, 80));
  const more = offered.length > shown.length ? `, and ${offered.length - shown.length} more` : '';
  throw new AttemptFailure(
    'assertion',
    composeMessage(`${label}: the <select> has no option with the value ${missing.map((value) => quote(value)).join(', ')}.`, [
      `Its option values are: ${shown.join(', ') || '(none)'}${more}.`,
    ]),
  );
}

async function waitFor(
  wait: { selector: string; state: 'visible' | 'hidden'; timeout?: number | undefined },
  label: string,
  env: StepEnv,
): Promise<void> {
  const { progress } = env;
  const budgetMs = progress.budgetMs(wait.timeout);
  // Strict, as Playwright's locator.waitFor is: one element to wait for (expect.hidden covers every match).
  const wants = { elements: [{ selector: wait.selector, state: wait.state, strict: true }], texts: [] };
  const result = await waitForPage(env.page, wants, { progress, budgetMs });
  if (result.held) return;
  const state = result.answer?.snapshot.elements[0] ?? null;
  if (state && 'invalid' in state) throw invalidSelector(`${label}:`, wait.selector, state.invalid);
  if (state && state.count > 1) throw ambiguousSelector(`${label}:`, wait.selector, state);
  const why =
    state === null
      ? `the page kept navigating (${result.lastError ?? 'no answer'})`
      : wait.state === 'visible'
        ? whyNotReady(wait.selector, state)
        : `${state.visible} element${state.visible === 1 ? '' : 's'} matching ${quote(wait.selector)} still visible`;
  throw stepTimeout(progress, label, why);
}
