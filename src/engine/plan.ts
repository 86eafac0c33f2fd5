/**
 * Before anything runs: the rerun source, the fixture files, the selection, and whether relative URLs have a base.
 * Every way this can fail is a PreflightError with its own code.
 */
import { loadFixtures } from '../fixtures/load.ts';
import { formatProblem } from '../fixtures/problems.ts';
import type { LoadedFixture } from '../fixtures/loaded.ts';
import type { RunOptions } from '../options.ts';
import { PreflightError } from '../preflight.ts';
import { preflightDiagnostic, type RerunInput, type SelectionInfo } from '../report/build.ts';
import { rerunFixtureIds } from '../report/outcome.ts';
import {
  type AcquiredSource,
  type FallbackContext,
  failedFixturesGoneDiagnostic,
  nothingToRerunDiagnostic,
} from '../rerun/diagnostics.ts';
import { selectFixtures, selectForRerun } from '../selection/select.ts';
import type { Planned, SmokeDeps, SmokeRequest } from './types.ts';

export function rerunInputOf(request: SmokeRequest, source: AcquiredSource, suite: LoadedFixture[] | null): RerunInput {
  return { source: source.report, origin: source.origin, carryOverWhenShaUnknown: request.carryOverWhenShaUnknown, suite };
}

/**
 * A report of a run that stopped before any fixture ran, and carried nothing over, knows no result: rerunning
 * from it would find "nothing failed" and could pass a suite whose failures were never checked again.
 */
export async function acquireUsableSource(request: SmokeRequest): Promise<AcquiredSource> {
  const source = await acquireSource(request);
  const { preflight, fixtures } = source.report;
  if (preflight?.severity === 'error' && fixtures.length === 0) {
    throw new PreflightError(
      preflightDiagnostic({
        code: 'source-has-no-results',
        message:
          `Cannot rerun from ${sourceName(request, source)}: that run stopped before any fixture ran ` +
          `(${preflight.code}: ${preflight.message}), so it holds no results to rerun.`,
        guidance: [
          'Fix what stopped that run, then run the suite in full; or name the fixtures to run.',
          request.fullRunHint,
        ],
        fallbackIds: [],
        commandArgs: request.commandArgs,
      }),
    );
  }
  return source;
}

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
    sample: options.sample,
    sampleSeed: options.sample === null ? null : options.sampleSeed,
  };
}

export function planSelection(request: SmokeRequest, suite: LoadedFixture[], source: AcquiredSource | null): Planned {
  const { options } = request;
  const info = selectionInfoOf(options);
  if (source) return planRerun(request, suite, source, info);
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
    selection: { ...info, selected: selection.selected.map((f) => f.id), missing: selection.unmatchedPatterns },
    selected: selection.selected,
    suite,
    rerun: null,
    warnings: selection.warnings,
  };
}

function planRerun(
  request: SmokeRequest,
  suite: LoadedFixture[],
  source: AcquiredSource,
  info: Omit<SelectionInfo, 'selected' | 'missing'>,
): Planned {
  const { options } = request;
  const severity = options.ifNothingToRerun === 'pass' ? 'notice' : 'error';
  const toRerun = rerunFixtureIds(source.report.fixtures);
  if (toRerun.length === 0) {
    throw new PreflightError(nothingToRerunDiagnostic(source, sourceName(request, source), severity, fallbackOf(request)));
  }
  const selection = selectForRerun(suite, toRerun);
  if (selection.selected.length === 0) {
    throw new PreflightError(
      failedFixturesGoneDiagnostic(selection.missing, sourceName(request, source), severity, fallbackOf(request)),
    );
  }
  const ignored = [
    ...(options.tags.length > 0 ? ['tags'] : []),
    ...(options.sample !== null ? ['sample'] : []),
  ].map((name) => `${name} is ignored for a rerun: it runs exactly the fixtures that failed or never ran.`);
  return {
    mode: 'rerun-failed',
    selection: { ...info, sample: null, sampleSeed: null, selected: selection.selected.map((f) => f.id), missing: selection.missing },
    selected: selection.selected,
    suite,
    rerun: rerunInputOf(request, source, suite),
    warnings: [...ignored, ...selection.warnings],
  };
}

export function isRelative(url: string): boolean {
  return !URL.canParse(url);
}

/** The URL fields of a fixture that hold a relative URL, by their path in the fixture: each needs a base URL. */
export function relativeUrlFields(fixture: LoadedFixture): { field: string; value: string }[] {
  const expectUrl = fixture.expect.url;
  return [
    ...(isRelative(fixture.url) ? [{ field: 'url', value: fixture.url }] : []),
    ...fixture.steps.flatMap((step, index) =>
      step.goto !== undefined && isRelative(step.goto) ? [{ field: `steps[${index}].goto`, value: step.goto }] : [],
    ),
    ...(typeof expectUrl === 'string' && isRelative(expectUrl) ? [{ field: 'expect.url', value: expectUrl }] : []),
  ];
}

/** Relative URLs need a base; say so for every fixture at once rather than failing them one by one. */
export function requireBaseUrlWhereNeeded(request: SmokeRequest, selected: readonly LoadedFixture[]): void {
  if (request.options.baseUrl || request.options.serveDir) return;
  const needing = selected.map((fixture) => ({ fixture, fields: relativeUrlFields(fixture) })).filter(({ fields }) => fields.length > 0);
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
