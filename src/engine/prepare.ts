/**
 * Before anything runs: the rerun source, the fixture files, the selection, and whether relative URLs have a base.
 * Every way this can fail is a PreflightError with its own code.
 */
import { relativeUrlFields } from '../fixtures/urls.ts';
import { loadFixtures } from '../fixtures/load.ts';
import { formatProblem } from '../fixtures/problems.ts';
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { RunOptions } from '../options/parse.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { fixtureResultOf, type SelectionInfo } from '../report/build.ts';
import { parkedRun } from '../run/fixture-run.ts';
import type { AcquiredSource, FallbackContext } from '../rerun/diagnostics.ts';
import { planRerun, requireResults, type RerunRequest } from '../rerun/failed-set.ts';
import { selectFixtures } from '../selection/select.ts';
import { formatEnvProblem, referencedValues, resolveFixtureValues } from '../secrets/fixture-values.ts';
import { MIN_SECRET_CHARS, type Redactor } from '../secrets/redact.ts';
import type { Planned, SmokeDeps, SmokeRequest } from './request.ts';

export async function loadValidSuite(request: SmokeRequest, deps: SmokeDeps): Promise<LoadedFixture[]> {
  const loaded = await loadFixtures(request.options.fixturesDir, { cwd: deps.cwd ?? process.cwd() });
  if (loaded.problems.length === 0) return loaded.fixtures;
  throw new PreflightError(
    preflightDiagnostic({
      code: 'fixtures-invalid',
      message: `${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in the fixture files; nothing was run.`,
      problems: loaded.problems.map(formatProblem),
      guidance: [
        'Fix each problem above at the file and line it names, then run again.',
        'Editors can check fixture files as you type with schema/fixture.schema.json.',
      ],
      fallbackIds: null,
    }),
  );
}

function fallbackOf(request: SmokeRequest): FallbackContext {
  return { commandArgs: request.commandArgs, fullRunHint: request.fullRunHint };
}

async function acquireSource(request: SmokeRequest): Promise<AcquiredSource> {
  if (!request.acquireRerunSource) throw new Error('rerun-failed needs a source of the previous report');
  return request.acquireRerunSource();
}

function sourceName(request: SmokeRequest, source: AcquiredSource): string {
  return request.describeSource?.(source) ?? 'the source report';
}

/** What the options ask of the selection, before it is made. */
export function selectionInfoOf(options: RunOptions): Omit<SelectionInfo, 'selected' | 'missing'> {
  return {
    fixturesDir: options.fixturesDir,
    patterns: options.patterns,
    tags: options.tags,
    excludeTags: options.excludeTags,
    sample: options.sample,
    sampleSeed: options.sample === null ? null : options.sampleSeed,
  };
}

export function planSelection(request: SmokeRequest, suite: LoadedFixture[], source: AcquiredSource | null): Planned {
  const { options } = request;
  const info = selectionInfoOf(options);
  if (source) return planRerunOf(request, suite, source, info);
  const selection = selectFixtures(suite, options);
  if (selection.selected.length === 0) {
    throw new PreflightError(
      preflightDiagnostic({
        code: 'nothing-selected',
        message: 'No fixture matches the selection, so nothing would run.',
        problems: selection.warnings,
        guidance: ['Check the fixtures, tags and sample you gave against the fixture ids and tags in your files.'],
        fallbackIds: [],
        commandArgs: request.commandArgs,
      }),
    );
  }
  return {
    mode: selection.mode,
    selection: { ...info, selected: selection.selected.map((f) => f.id), missing: selection.unmatchedPatterns, excluded: selection.excluded },
    selected: selection.selected,
    suite,
    rerun: null,
    warnings: selection.warnings,
    reasons: selection.reasons,
  };
}

/** Why a rerun runs a fixture, from its result in the report it reruns. */
function rerunReason(source: AcquiredSource, id: string): string {
  const status = source.report.fixtures.find((fixture) => fixture.id === id)?.status;
  if (status === 'failed') return 'failed in the previous run';
  if (status === 'skipped') return 'did not run in the previous run';
  return "in the previous run's failed set";
}

function planRerunOf(
  request: SmokeRequest,
  suite: LoadedFixture[],
  source: AcquiredSource,
  info: Omit<SelectionInfo, 'selected' | 'missing'>,
): Planned {
  const planned = planRerun(rerunRequestOf(request, source), suite);
  return {
    mode: 'rerun-failed',
    selection: { ...info, sample: null, sampleSeed: null, selected: planned.selected.map((f) => f.id), missing: planned.missing },
    selected: planned.selected,
    suite,
    rerun: planned.rerun,
    warnings: planned.warnings,
    reasons: Object.fromEntries(planned.selected.map((fixture) => [fixture.id, rerunReason(source, fixture.id)])),
  };
}

/** The rerun as the rerun feature sees it, from the engine's request. */
export function rerunRequestOf(request: SmokeRequest, source: AcquiredSource): RerunRequest {
  const { options } = request;
  return {
    source,
    sourceName: sourceName(request, source),
    ifNothingToRerun: options.ifNothingToRerun,
    ignoredOptions: [
      ...(options.tags.length > 0 ? ['tags'] : []),
      ...(options.excludeTags.length > 0 ? ['exclude-tags'] : []),
      ...(options.sample !== null ? ['sample'] : []),
    ],
    carryOverWhenShaUnknown: request.carryOverWhenShaUnknown,
    include: options.rerunInclude,
    fallback: fallbackOf(request),
  };
}

/** The source report, checked to hold results: one that ran nothing cannot say what failed. */
export async function acquireUsableSource(request: SmokeRequest): Promise<AcquiredSource> {
  const source = await acquireSource(request);
  return requireResults(source, sourceName(request, source), fallbackOf(request));
}

/**
 * A run whose every fixture is parked (`skip:`) would check nothing: it stops rather than pass. Checked on the whole
 * selection, before it is split into shards, so a shard whose part happens to be all parked lists them and passes.
 */
export function requireSomethingToCheck(request: SmokeRequest, planned: Planned): void {
  const parked = planned.selected.filter((fixture): fixture is LoadedFixture & { skip: string } => fixture.skip !== undefined);
  if (parked.length === 0 || parked.length < planned.selected.length) return;
  const count = parked.length;
  const every = count === 1 ? 'The one selected fixture is' : `All ${count} selected fixtures are`;
  throw new PreflightError(
    preflightDiagnostic({
      code: 'all-skipped',
      message: `${every} parked with skip:, so nothing would be checked. A run that checks nothing does not pass.`,
      problems: parked.map((fixture) => `${fixture.file}:${fixture.line} ${fixture.id}: skipped: ${fixture.skip}`),
      guidance: ['Remove skip: from a fixture to run it again, or select fixtures that are not parked.'],
      fallbackIds: [],
      commandArgs: request.commandArgs,
    }),
    parked.map((fixture) => fixtureResultOf(parkedRun(fixture, request.options.baseUrl))),
  );
}

/** Relative URLs need a base; say so for every fixture at once rather than failing them one by one. */
export function requireBaseUrlWhereNeeded(request: SmokeRequest, selected: readonly LoadedFixture[]): void {
  if (request.options.baseUrl || request.options.serveDir) return;
  // A parked fixture never opens its URL.
  const needing = selected.filter((fixture) => fixture.skip === undefined).map((fixture) => ({ fixture, fields: relativeUrlFields(fixture) })).filter(({ fields }) => fields.length > 0);
  if (needing.length === 0) return;
  throw new PreflightError(
    preflightDiagnostic({
      code: 'base-url-missing',
      message: `${needing.length} selected fixture${needing.length === 1 ? ' uses' : 's use'} relative URLs, but there is no base URL.`,
      problems: needing.flatMap(({ fixture, fields }) =>
        fields.map(({ field, value }) => `${fixture.file}:${fixture.line} ${fixture.id}: ${field} ${JSON.stringify(value)}`),
      ),
      guidance: [
        'Give a base URL (the base-url input, or --base-url) for a deployed site,',
        'or serve a built site from a folder (the serve input, or --serve DIR).',
      ],
      fallbackIds: null,
    }),
  );
}

/**
 * The selected fixtures with the values of their `${{ env.NAME }}` references, each value (and each header value)
 * added to the run's secrets. Every reference that cannot be substituted is named at once, before any browser
 * starts. Values the other fixtures refer to are hidden too: a value is a secret wherever it shows up.
 */
export function substituteEnvValues(planned: Planned, env: Record<string, string | undefined>, redactor: Redactor, warnings: string[]): Planned {
  for (const { name, value } of referencedValues(planned.suite, env)) {
    if (!redactor.add(value)) warnings.push(tooShortToHide(`The value of ${name}, which fixtures refer to,`));
  }
  // A parked fixture never runs, so the variables it refers to need not be set.
  const resolved = resolveFixtureValues(planned.selected.filter((fixture) => fixture.skip === undefined), env);
  if (resolved.problems.length > 0) {
    const count = resolved.problems.length;
    throw new PreflightError(
      preflightDiagnostic({
        code: 'env-missing',
        message: `${count} reference${count === 1 ? '' : 's'} to environment variables cannot be substituted: the variable${count === 1 ? ' is' : 's are'} unset or empty. Nothing was run.`,
        problems: resolved.problems.map(formatEnvProblem),
        guidance: [
          "In a workflow, pass each variable in the step's env:, a secret as SMOKE_PASSWORD: ${{ secrets.SMOKE_PASSWORD }}.",
          'Locally, export it in the shell that runs the command.',
        ],
        fallbackIds: null,
      }),
    );
  }
  const shown = new Set(referencedValues(planned.suite, env).map(({ value }) => value));
  for (const fixture of resolved.fixtures) {
    for (const [name, value] of Object.entries(fixture.headers ?? {})) {
      if (!redactor.add(value) && !shown.has(value)) warnings.push(tooShortToHide(`The value of the ${name} header of ${fixture.id}`));
    }
  }
  const byId = new Map(resolved.fixtures.map((fixture) => [fixture.id, fixture]));
  return { ...planned, selected: planned.selected.map((fixture) => byId.get(fixture.id) ?? fixture) };
}

/** Why a secret shows in the output as it is. */
export function tooShortToHide(subject: string): string {
  return `${subject} is shorter than ${MIN_SECRET_CHARS} characters, so it is not hidden in the output: masking it would garble every message.`;
}
