/**
 * The fields of a fixture that may hold `${{ env.NAME }}`, and the fixture with the values substituted. A run checks
 * every reference of every fixture it is about to run before any browser starts, so all the variables a workflow
 * forgot to pass are named at once; the runner then works with the values, and describes steps and checks from the
 * fixture as written (`written`), so a message shows the reference and never the value.
 */
import { type Expect, type Fixture, type LoadedFixture, parseTextPattern, type Step, type StepExpect, type TextCheck, type UrlMatcher } from '../fixtures/schema.ts';
import { escapeForPattern, referencedNames, substitute, withStandIns } from './template.ts';

/** How a substituted value is used: as text, or inside a regular expression (where it matches itself literally). */
type Use = 'text' | 'pattern';
type MapText = (text: string, field: string, use: Use) => string;

const titleUse = (title: string): Use => (parseTextPattern(withStandIns(title)) ? 'pattern' : 'text');

/** Every field a value may be substituted into, each mapped through `map` with its path in the fixture. */
function mapFixtureTexts(fixture: Fixture, map: MapText): Fixture {
  // In the order a fixture is written, so problems read top to bottom.
  const url = map(fixture.url, 'url', 'text');
  const headers = fixture.headers && Object.fromEntries(Object.entries(fixture.headers).map(([name, value]) => [name, map(value, `headers.${name}`, 'text')]));
  const steps = fixture.steps.map((step, index) => mapStep(step, `steps[${index}]`, map));
  return { ...fixture, url, ...(headers ? { headers } : {}), steps, expect: mapExpect(fixture.expect, map) };
}

function mapStep(step: Step, at: string, map: MapText): Step {
  if (step.fill !== undefined) return { ...step, fill: { ...step.fill, value: map(step.fill.value, `${at}.fill.value`, 'text') } };
  if (typeof step.press === 'string') return { ...step, press: map(step.press, `${at}.press`, 'text') };
  if (step.press !== undefined) return { ...step, press: { ...step.press, key: map(step.press.key, `${at}.press.key`, 'text') } };
  if (step.goto !== undefined) return { ...step, goto: map(step.goto, `${at}.goto`, 'text') };
  if (step.expect !== undefined) return { ...step, expect: mapExpect(step.expect, map, `${at}.expect`) };
  if (step.waitForResponse !== undefined) {
    const url = mapUrlMatcher(step.waitForResponse.url, `${at}.waitForResponse.url`, map);
    return { ...step, waitForResponse: { ...step.waitForResponse, url } };
  }
  if (step.select !== undefined) {
    const { value } = step.select;
    const mapped = Array.isArray(value) ? value.map((item, i) => map(item, `${at}.select.value[${i}]`, 'text')) : map(value, `${at}.select.value`, 'text');
    return { ...step, select: { ...step.select, value: mapped } };
  }
  return step;
}

function mapTextCheck(check: TextCheck, at: string, map: MapText): TextCheck {
  return {
    ...check,
    ...(check.contains === undefined ? {} : { contains: map(check.contains, `${at}.contains`, 'text') }),
    ...(check.equals === undefined ? {} : { equals: map(check.equals, `${at}.equals`, 'text') }),
    ...(check.matches === undefined ? {} : { matches: map(check.matches, `${at}.matches`, 'pattern') }),
  };
}

function mapUrlMatcher(url: UrlMatcher, at: string, map: MapText): UrlMatcher {
  if (typeof url === 'string') return map(url, at, 'text');
  return {
    ...(url.contains === undefined ? {} : { contains: map(url.contains, `${at}.contains`, 'text') }),
    ...(url.matches === undefined ? {} : { matches: map(url.matches, `${at}.matches`, 'pattern') }),
  };
}

/** A fixture's expect, or a step's (`at` is then "steps[2].expect"): the same checks take the same values. */
function mapExpect<T extends Expect | StepExpect>(expect: T, map: MapText, at = 'expect'): T {
  const mapped: T = { ...expect };
  if (expect.title !== undefined) mapped.title = map(expect.title, `${at}.title`, titleUse(expect.title));
  if (expect.url !== undefined) mapped.url = mapUrlMatcher(expect.url, `${at}.url`, map);
  if (Array.isArray(expect.text)) mapped.text = expect.text.map((check, i) => mapTextCheck(check, `${at}.text[${i}]`, map));
  else if (expect.text !== undefined) mapped.text = mapTextCheck(expect.text, `${at}.text`, map);
  return mapped;
}

/** A reference a run cannot substitute: the variable is not set, or set to nothing. */
export interface EnvProblem {
  fixture: LoadedFixture;
  /** Where in the fixture, such as "steps[1].fill.value". */
  field: string;
  name: string;
  empty: boolean;
}

export interface ResolvedFixtures {
  /** The fixtures with their values, each keeping the fixture as written; complete only when there are no problems. */
  fixtures: LoadedFixture[];
  problems: EnvProblem[];
}

/** The variables a fixture refers to, each with the fields that name it. */
export function referencesOf(fixture: Fixture): { field: string; name: string }[] {
  const found: { field: string; name: string }[] = [];
  mapFixtureTexts(fixture, (text, field) => {
    for (const name of referencedNames(text)) found.push({ field, name });
    return text;
  });
  return found;
}

export function resolveFixtureValues(fixtures: readonly LoadedFixture[], env: Record<string, string | undefined>): ResolvedFixtures {
  const problems: EnvProblem[] = [];
  const resolved = fixtures.map((fixture) => {
    const references = referencesOf(fixture);
    if (references.length === 0) return fixture;
    const missing = references.filter(({ name }) => !env[name]);
    problems.push(...missing.map(({ field, name }) => ({ fixture, field, name, empty: env[name] === '' })));
    if (missing.length > 0) return fixture;
    const value = (name: string) => env[name] ?? '';
    const { file, line, written: _earlier, ...asWritten } = fixture;
    const substituted = mapFixtureTexts(asWritten, (text, _field, use) => substitute(text, value, use === 'pattern' ? escapeForPattern : undefined));
    return { ...substituted, file, line, written: asWritten };
  });
  return { fixtures: resolved, problems };
}

/** The set variables any of these fixtures refers to, with their values: all of them are kept out of every output. */
export function referencedValues(fixtures: readonly Fixture[], env: Record<string, string | undefined>): { name: string; value: string }[] {
  const names = new Set(fixtures.flatMap((fixture) => referencesOf(fixture).map(({ name }) => name)));
  return [...names].flatMap((name) => (env[name] ? [{ name, value: env[name] }] : []));
}

/** "fixtures/login.smoke.yml:3 login-flow steps[1].fill.value: ${{ env.SMOKE_PASSWORD }} is not set …" */
export function formatEnvProblem(problem: EnvProblem): string {
  const { fixture, field, name } = problem;
  const state = problem.empty ? 'is set to an empty value' : 'is not set';
  return `${fixture.file}:${fixture.line} ${fixture.id} ${field}: \${{ env.${name} }} refers to the environment variable ${name}, which ${state}`;
}
