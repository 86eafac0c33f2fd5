/**
 * The engine: fixtures → selection → run (browser) → report. The CLI and the Action are thin front doors that
 * prepare a SmokeRequest and render the outcome. Whatever happens, a report is written: a run that stops early
 * writes one with its preflight diagnostic, and a dry run writes plan.json instead, leaving report.json alone.
 */
import path from 'node:path';
import { loadFixtures } from './fixtures/load.ts';
import { formatProblem } from './fixtures/problems.ts';
import type { LoadedFixture } from './fixtures/loaded.ts';
import type { RunOptions } from './options.ts';
import { PreflightError } from './preflight.ts';
import {
  buildPreflightReport,
  buildReport,
  type PreflightReportInput,
  preflightDiagnostic,
  type RerunInput,
  type SelectionInfo,
} from './report/build.ts';
import { failedFixtureIds } from './report/outcome.ts';
import { buildPlan } from './report/plan.ts';
import type { Mode, PreflightDiagnostic, Report, RunContext } from './report/schema.ts';
import { writePlan, writeReport } from './report/write.ts';
import { BrowserNotFoundError, createLauncher, findBrowser, type FoundBrowser } from './run/browser.ts';
import { BrowserLaunchError, runSuite } from './run/suite.ts';
import { type BrowserLauncher, type Clock, type FixtureRun, type Logger, type SuiteRun, systemClock } from './run/types.ts';
import { selectFixtures, selectForRerun } from './selection/select.ts';
import { ServeError, serveDirectory, type StaticServer } from './serve/static-server.ts';
import {
  type AcquiredSource,
  type FallbackContext,
  failedFixturesGoneDiagnostic,
  nothingToRerunDiagnostic,
} from './rerun/diagnostics.ts';

export interface SmokeRequest {
  options: RunOptions;
  context: RunContext;
  toolVersion: string;
  /** Arguments repeated in fallback commands (fixtures dir, base URL…), as the user would type them. */
  commandArgs: string[];
  /** For rerun-failed: fetches and validates the source report, or throws a PreflightError saying why not. */
  acquireRerunSource?: () => Promise<AcquiredSource>;
  /** How the source is named in messages, e.g. "smoke-report/report.json" or "run 123's artifact". */
  describeSource?: (source: AcquiredSource) => string;
  /** How a full run is described to this front door's users. */
  fullRunHint: string;
  /** The CLI carries results over when either commit is unknown (a local run outside git); the Action does not. */
  carryOverWhenShaUnknown: boolean;
}

export interface SmokeDeps {
  logger: Logger;
  env: Record<string, string | undefined>;
  cwd?: string;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called once the selection is known and fixtures are about to run (the Action starts its check run here). */
  onFixturesStart?: (selected: readonly LoadedFixture[]) => Promise<void> | void;
  onFixtureDone?: (run: FixtureRun) => void;
  /** Wraps the real launcher, e.g. so a test can kill the browser on cue. */
  createLauncher?: (found: FoundBrowser, logger: Logger) => BrowserLauncher;
}

export interface SmokeOutcome {
  /** null for a dry run, which writes plan.json instead. */
  report: Report | null;
  reportPath: string | null;
  junitPath: string | null;
  planPath: string | null;
  /** How many fixtures the selection picked to run (0 when the run stopped before selecting). */
  selectedCount: number;
  /** The mode of the run, also for a dry run (which has no report). */
  mode: Mode;
  /** 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error. */
  exitCode: 0 | 1 | 2;
}

type ReportBase = Omit<PreflightReportInput, 'diagnostic' | 'rerunSource'>;

interface Planned {
  mode: Mode;
  selection: SelectionInfo;
  selected: LoadedFixture[];
  suite: LoadedFixture[];
  rerun: RerunInput | null;
  warnings: string[];
}

export async function runSmoke(request: SmokeRequest, deps: SmokeDeps): Promise<SmokeOutcome> {
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const { options } = request;
  const reportDir = path.resolve(deps.cwd ?? process.cwd(), options.reportDir);
  let planned: Planned | null = null;
  let source: AcquiredSource | null = null;
  let suite: LoadedFixture[] | null = null;
  try {
    // The source first: a rerun that stops later still carries its results over, so nothing it knew is lost.
    if (options.rerunFailed) source = await acquireUsableSource(request);
    suite = await loadValidSuite(request, deps);
    planned = planSelection(request, suite, source);
    requireBaseUrlWhereNeeded(request, planned.selected);
    if (options.dryRun) return await writeDryRun(request, planned, reportDir, clock);
    const { suiteRun, baseUrl } = await runPlanned(request, deps, planned, reportDir);
    const report = buildReport({ ...reportBase(request, startedAt, clock, planned), baseUrl, suiteRun, rerun: planned.rerun });
    return await finishWith(report, reportDir, planned.selected.length);
  } catch (error) {
    const diagnostic = diagnosticOf(error, request);
    if (options.dryRun) {
      // No report carries the diagnostic of a dry run, so the log is the only place it can be read.
      logDiagnostic(deps.logger, diagnostic);
      deps.logger.warn('Dry run: nothing is written, so the report a later rerun reads is left untouched.');
      const mode = reportBase(request, startedAt, clock, planned).mode;
      return { report: null, reportPath: null, junitPath: null, planPath: null, selectedCount: 0, mode, exitCode: exitCodeOf(diagnostic) };
    }
    const base = reportBase(request, startedAt, clock, planned);
    let report: Report;
    try {
      report = buildPreflightReport({ ...base, diagnostic, rerun: source ? rerunInputOf(request, source, suite) : null });
    } catch (buildError) {
      // Even a report that cannot be built as planned is written, as the bug it is, rather than none at all.
      const bug = diagnosticOf(buildError, request);
      return await reportStoppedRun({ diagnostic: bug, reportDir, context: request.context, toolVersion: request.toolVersion, mode: base.mode, clock });
    }
    return await finishWith(report, reportDir, 0);
  }
}

function logDiagnostic(logger: Logger, diagnostic: PreflightDiagnostic): void {
  const log = (line: string) => (diagnostic.severity === 'error' ? logger.warn(line) : logger.info(line));
  log(`${diagnostic.code}: ${diagnostic.message}`);
  for (const line of [...diagnostic.problems, ...diagnostic.guidance]) log(`  ${line}`);
  if (diagnostic.fallback) log(`  Run only these fixtures: ${diagnostic.fallback.cliCommand}`);
}

function rerunInputOf(request: SmokeRequest, source: AcquiredSource, suite: LoadedFixture[] | null): RerunInput {
  return { source: source.report, origin: source.origin, carryOverWhenShaUnknown: request.carryOverWhenShaUnknown, suite };
}

/**
 * A report of a run that stopped before any fixture ran, and carried nothing over, knows no result: rerunning
 * from it would find "nothing failed" and could pass a suite whose failures were never checked again.
 */
async function acquireUsableSource(request: SmokeRequest): Promise<AcquiredSource> {
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

async function loadValidSuite(request: SmokeRequest, deps: SmokeDeps): Promise<LoadedFixture[]> {
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

function planSelection(request: SmokeRequest, suite: LoadedFixture[], source: AcquiredSource | null): Planned {
  const { options } = request;
  const info = {
    fixturesDir: options.fixturesDir,
    patterns: options.patterns,
    tags: options.tags,
    sample: options.sample,
    sampleSeed: options.sample === null ? null : options.sampleSeed,
  };
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
  // Fixtures an interruption (suite timeout, Ctrl-C, no browser) skipped never ran, so they have no result to carry
  // over: carried over as "skipped", a rerun would pass a suite whose fixtures were never checked.
  const neverRan = source.report.fixtures.filter((fixture) => fixture.status === 'skipped').map((fixture) => fixture.id);
  const toRerun = [...failedFixtureIds(source.report.fixtures), ...neverRan];
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

function isRelative(url: string): boolean {
  return !URL.canParse(url);
}

/** Relative URLs need a base; say so for every fixture at once rather than failing them one by one. */
function requireBaseUrlWhereNeeded(request: SmokeRequest, selected: readonly LoadedFixture[]): void {
  if (request.options.baseUrl || request.options.serveDir) return;
  const needing = selected.filter(
    (fixture) => isRelative(fixture.url) || fixture.steps.some((step) => step.goto !== undefined && isRelative(step.goto)),
  );
  if (needing.length === 0) return;
  throw new PreflightError(
    preflightDiagnostic({
      code: 'base-url-missing',
      message: `${needing.length} selected fixture${needing.length === 1 ? ' uses' : 's use'} relative URLs, but there is no base URL.`,
      problems: needing.map((fixture) => `${fixture.file}:${fixture.line} ${fixture.id}: url "${fixture.url}"`),
      guidance: [
        'Give a base URL (the base-url input, or --base-url) for a deployed site,',
        'or serve a built site from a folder (the serve input, or --serve DIR).',
      ],
      fallbackIds: null,
    }),
  );
}

async function writeDryRun(request: SmokeRequest, planned: Planned, reportDir: string, clock: Clock): Promise<SmokeOutcome> {
  const { options } = request;
  const plan = buildPlan({
    toolVersion: request.toolVersion,
    mode: planned.mode,
    run: request.context,
    createdAt: new Date(clock.now()),
    baseUrl: options.baseUrl ?? (options.serveDir ? `(served from ${options.serveDir})` : null),
    selection: {
      ...planned.selection,
      patterns: [...planned.selection.patterns],
      tags: [...planned.selection.tags],
      selected: [...planned.selection.selected],
      missing: [...planned.selection.missing],
      source: null,
    },
    fixtures: planned.selected,
    defaultRetries: options.retries,
    defaultTimeoutMs: options.timeoutMs,
    ...(options.serveDir ? { resolveUrl: servedLocation } : {}),
  });
  const planPath = await writePlan(reportDir, plan);
  return { report: null, reportPath: null, junitPath: null, planPath, selectedCount: planned.selected.length, mode: planned.mode, exitCode: 0 };
}

/** A served site's port is only known once it runs, so a dry run names each page by its path on that site. */
function servedLocation(fixture: LoadedFixture): string {
  if (!isRelative(fixture.url)) return new URL(fixture.url).href;
  const url = new URL(fixture.url, 'http://127.0.0.1/');
  return `${url.pathname}${url.search}${url.hash}`;
}

async function runPlanned(
  request: SmokeRequest,
  deps: SmokeDeps,
  planned: Planned,
  reportDir: string,
): Promise<{ suiteRun: SuiteRun; baseUrl: string | null }> {
  const { options } = request;
  const found = locateBrowser(request, deps);
  const launcher = (deps.createLauncher ?? createLauncher)(found, deps.logger);
  const server = await startServer(options.serveDir && path.resolve(deps.cwd ?? process.cwd(), options.serveDir));
  try {
    const baseUrl = server?.url ?? options.baseUrl;
    await deps.onFixturesStart?.(planned.selected);
    const suiteRun = await runSuite(planned.selected, {
      baseUrl,
      concurrency: options.concurrency,
      defaultRetries: options.retries,
      defaultTimeoutMs: options.timeoutMs,
      suiteTimeoutMs: options.suiteTimeoutMs,
      reportDir,
      launcher,
      logger: deps.logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.onFixtureDone ? { onFixtureDone: deps.onFixtureDone } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    return { suiteRun, baseUrl };
  } catch (error) {
    if (error instanceof BrowserLaunchError) {
      throw new PreflightError(
        preflightDiagnostic({
          code: 'browser-launch-failed',
          message: error.message,
          guidance: [
            `The browser was ${launcher.description}.`,
            'Check that it is a working Chrome or Chromium (run it with --version), or point browser-path (--browser-path) at another.',
          ],
          fallbackIds: null,
        }),
      );
    }
    throw error;
  } finally {
    await server?.close();
  }
}

function locateBrowser(request: SmokeRequest, deps: SmokeDeps): FoundBrowser {
  try {
    return findBrowser({ browserPath: request.options.browserPath ?? undefined, env: deps.env });
  } catch (error) {
    if (!(error instanceof BrowserNotFoundError)) throw error;
    throw new PreflightError(
      preflightDiagnostic({
        code: 'browser-not-found',
        message: error.message,
        guidance: [
          'Chrome or Chromium is looked for in this order: the browser-path input (--browser-path), the ' +
            'PUPPETEER_EXECUTABLE_PATH environment variable, the CHROME_BIN environment variable, then the ' +
            'installed locations. The first one that is set is used.',
        ],
        fallbackIds: null,
      }),
    );
  }
}

async function startServer(serveDir: string | null): Promise<StaticServer | null> {
  if (!serveDir) return null;
  try {
    return await serveDirectory(serveDir);
  } catch (error) {
    if (!(error instanceof ServeError)) throw error;
    throw new PreflightError(preflightDiagnostic({ code: 'serve-failed', message: error.message, fallbackIds: null }));
  }
}

function reportBase(request: SmokeRequest, startedAt: number, clock: Clock, planned: Planned | null): ReportBase {
  const { options } = request;
  return {
    toolVersion: request.toolVersion,
    mode: planned?.mode ?? (options.rerunFailed ? 'rerun-failed' : options.patterns.length || options.tags.length || options.sample ? 'selected' : 'full'),
    run: request.context,
    startedAt: new Date(startedAt),
    durationMs: clock.now() - startedAt,
    baseUrl: options.baseUrl,
    options: {
      retries: options.retries,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      suiteTimeoutMs: options.suiteTimeoutMs,
      failOnFlaky: options.failOnFlaky,
    },
    selection: planned?.selection ?? {
      fixturesDir: options.fixturesDir,
      patterns: options.patterns,
      tags: options.tags,
      sample: options.sample,
      sampleSeed: options.sample === null ? null : options.sampleSeed,
      selected: [],
      missing: [],
    },
    warnings: planned?.warnings ?? [],
  };
}

/** Anything unexpected still ends in a report: the diagnostic says it is a bug and what it was. */
function diagnosticOf(error: unknown, request: SmokeRequest): PreflightDiagnostic {
  if (error instanceof PreflightError) return error.diagnostic;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return preflightDiagnostic({
    code: 'internal-error',
    message: `reliability-smoke stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    problems: [detail],
    guidance: ['This is a bug in reliability-smoke. Please report it with this report attached.'],
    fallbackIds: [],
    commandArgs: request.commandArgs,
  });
}

function exitCodeOf(diagnostic: PreflightDiagnostic): 0 | 2 {
  return diagnostic.severity === 'error' ? 2 : 0;
}

async function finishWith(report: Report, reportDir: string, selectedCount: number): Promise<SmokeOutcome> {
  const written = await writeReport(reportDir, report);
  const exitCode = report.preflight ? exitCodeOf(report.preflight) : report.result === 'pass' ? 0 : 1;
  return { report, reportPath: written.reportPath, junitPath: written.junitPath, planPath: null, selectedCount, mode: report.mode, exitCode };
}

/**
 * A run stopped before the engine could start (bad inputs, no report to publish…): a report still says why.
 * Options that could not be parsed are recorded with their defaults.
 */
export async function reportStoppedRun(params: {
  diagnostic: PreflightDiagnostic;
  reportDir: string;
  context: RunContext;
  toolVersion: string;
  mode?: Mode;
  clock?: Clock;
}): Promise<SmokeOutcome> {
  const now = (params.clock ?? systemClock).now();
  const report = buildPreflightReport({
    toolVersion: params.toolVersion,
    mode: params.mode ?? 'full',
    run: params.context,
    startedAt: new Date(now),
    durationMs: 0,
    baseUrl: null,
    options: { retries: 0, concurrency: 1, timeoutMs: 30_000, suiteTimeoutMs: null, failOnFlaky: false },
    selection: { fixturesDir: '', patterns: [], tags: [], sample: null, sampleSeed: null, selected: [], missing: [] },
    diagnostic: params.diagnostic,
  });
  return finishWith(report, params.reportDir, 0);
}

export function usageDiagnostic(problems: readonly string[]): PreflightDiagnostic {
  return preflightDiagnostic({
    code: 'usage',
    message: `${problems.length} problem${problems.length === 1 ? '' : 's'} with the inputs; nothing was run.`,
    problems,
    guidance: ['Fix the inputs named above and run again. action.yml and the README describe every input.'],
    fallbackIds: null,
  });
}
