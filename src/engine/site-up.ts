/**
 * Bringing the site up before any fixture runs: the folder `serve` serves, the app `start` starts, and the wait for
 * `wait-for`. What was started is stopped by close() on every path; when the site cannot come up, what was started
 * is stopped first and a PreflightError says why (`serve-failed`, `start-exited`, `site-not-ready`). A cancelled run
 * stops the app at once and goes on, so the suite records the cancellation as it does for any other.
 */
import path from 'node:path';
import { basicAuthorization } from '../common/http-headers.ts';
import type { Logger } from '../common/types.ts';
import { type AppExit, startApp, type StartedApp } from '../deploy/start.ts';
import { SiteNotReadyError, waitForSite } from '../deploy/wait-for.ts';
import type { LoadedFixture } from '../fixtures/schema.ts';
import { formatDuration } from '../render/view.ts';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import type { Redactor } from '../secrets/redact.ts';
import { ServeError, serveDirectory, type StaticServer } from '../serve/static-server.ts';
import type { SmokeDeps, SmokeRequest } from './request.ts';

export const START_LOG_FILE = 'start.log';
/** Lines of start.log a `start-exited` stop shows. */
const LAST_LINES = 20;

export interface OpenSite {
  baseUrl: string | null;
  /** Why the site is down, once the app `start` started has exited; null while it runs (or without `start`). */
  siteDownNote(): string | null;
  close(): Promise<void>;
}

export interface SiteContext {
  request: SmokeRequest;
  deps: SmokeDeps;
  reportDir: string;
  redactor: Redactor;
  /** The fixtures about to run: the origins of their absolute URLs may receive the extra headers too. */
  fixtures: readonly LoadedFixture[];
  /** Called once the app's log exists, so the artifact carries it whatever happens next. */
  onStartLog: (logPath: string) => void;
}

class AppExitedEarly extends Error {
  readonly exit: AppExit;
  constructor(exit: AppExit) {
    super('the started app exited');
    this.exit = exit;
  }
}

export async function openSite(site: SiteContext): Promise<OpenSite> {
  const { request, deps } = site;
  const { options } = request;
  const logger = deps.logger;
  const cwd = deps.cwd ?? process.cwd();
  const server = await startServer(options.serveDir && path.resolve(cwd, options.serveDir));
  let app: StartedApp | null = null;
  let closing = false;
  const onCancel = () => void app?.stop();
  const close = async () => {
    closing = true;
    deps.signal?.removeEventListener('abort', onCancel);
    if (app) await stopApp(app, logger);
    await server?.close();
  };
  try {
    const baseUrl = server?.url ?? options.baseUrl;
    if (options.start) {
      app = await launch(options.start, site, cwd);
      deps.signal?.addEventListener('abort', onCancel, { once: true });
    }
    if (options.waitFor && !deps.signal?.aborted) await waitUntilReady(site, baseUrl, app);
    const started = app;
    void started?.exited.then((exit) => {
      if (!closing) logger.warn(`The app started with start ${exitText(exit)} while the fixtures ran; the fixtures that fail from now on say so.`);
    });
    return { baseUrl, siteDownNote: () => (started ? downNote(started) : null), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function launch(command: string, site: SiteContext, cwd: string): Promise<StartedApp> {
  const logPath = path.join(site.reportDir, START_LOG_FILE);
  const app = await startApp({ command, cwd, env: site.deps.env, logPath, redactor: site.redactor, ...(site.deps.clock ? { clock: site.deps.clock } : {}) });
  site.onStartLog(logPath);
  site.deps.logger.info(`Started the app: ${command} (process group ${app.pgid}); its output goes to ${logPath}.`);
  return app;
}

async function stopApp(app: StartedApp, logger: Logger): Promise<void> {
  const stopped = await app.stop();
  if (stopped.killed) logger.warn(`The app did not stop within 5s of SIGTERM, so its process group ${app.pgid} was killed (SIGKILL).`);
  if (stopped.survivors > 0) logger.warn(`${stopped.survivors} process(es) of the app's group ${app.pgid} could not be stopped.`);
  else logger.info(`Stopped the app (process group ${app.pgid}).`);
}

function exitText(exit: AppExit): string {
  return exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}

function downNote(app: StartedApp): string | null {
  const exit = app.exit();
  if (!exit || app.running()) return null;
  return `The app started with start ${exitText(exit)} while the fixtures ran, so the site was down when this attempt failed; its output is in ${START_LOG_FILE}.`;
}

/** The URL to poll: wait-for itself, or a path of it under the base URL. */
function waitTarget(waitFor: string, baseUrl: string | null): string {
  if (URL.canParse(waitFor)) return waitFor;
  if (!baseUrl) throw new Error(`wait-for "${waitFor}" is a path, but there is no base URL`);
  return new URL(waitFor.replace(/^\/+/, ''), baseUrl).href;
}

function originOf(url: string | null): string | null {
  return url && URL.canParse(url) ? new URL(url).origin : null;
}

async function waitUntilReady(site: SiteContext, baseUrl: string | null, app: StartedApp | null): Promise<void> {
  const { request, deps } = site;
  const { options } = request;
  const url = waitTarget(options.waitFor!, baseUrl);
  // The headers go where they go during the run: the base URL's origin and the fixtures' own.
  const allowed = new Set([baseUrl, ...site.fixtures.map((fixture) => fixture.url)].map(originOf).filter((origin) => origin !== null));
  const headers: Record<string, string> = Object.fromEntries(options.extraHeaders.map((header) => [header.name, header.value]));
  if (options.httpCredentials) headers.Authorization = basicAuthorization(options.httpCredentials);
  const headersFor = (target: string) => (allowed.has(originOf(target) ?? '') ? headers : {});
  const stopWaiting = new AbortController();
  const cancelled = () => stopWaiting.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', cancelled, { once: true });
  const watch = app ? watchForExit(app, stopWaiting) : null;
  deps.logger.info(`Waiting for ${url} to answer with a status below 400 (for up to ${formatDuration(options.waitTimeoutMs)}).`);
  try {
    const ready = await waitForSite({
      url,
      timeoutMs: options.waitTimeoutMs,
      headersFor,
      signal: stopWaiting.signal,
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    deps.logger.info(`${ready.url} answered HTTP ${ready.status} after ${formatDuration(ready.waitedMs)} (${ready.tries} ${ready.tries === 1 ? 'try' : 'tries'}).`);
  } catch (error) {
    const reason = stopWaiting.signal.aborted ? stopWaiting.signal.reason : error;
    if (reason instanceof AppExitedEarly && app) throw new PreflightError(await startExited(app, reason.exit, url));
    if (error instanceof SiteNotReadyError) throw new PreflightError(siteNotReady(error, request));
    // Cancelled: the suite records it, with every fixture not run.
    if (deps.signal?.aborted) return;
    throw error;
  } finally {
    deps.signal?.removeEventListener('abort', cancelled);
    watch?.stop();
  }
}

/**
 * Ends the wait once the app is gone. A start command that exits 0 may leave its server running in the group (a
 * script that starts it in the background): the wait goes on while any process of the group is alive.
 */
function watchForExit(app: StartedApp, stopWaiting: AbortController): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const exit = app.exit();
    if (exit && (exit.code !== 0 || !app.running())) stopWaiting.abort(new AppExitedEarly(exit));
    else timer = setTimeout(check, 250);
  };
  void app.exited.then(check);
  return { stop: () => clearTimeout(timer) };
}

async function startExited(app: StartedApp, exit: AppExit, url: string) {
  const lines = await app.lastLines(LAST_LINES);
  const lasting = exit.code === 0 ? ' A start command must keep the app running (npm run preview, not npm run build).' : '';
  return preflightDiagnostic({
    code: 'start-exited',
    message: `The start command ${exitText(exit)} before ${url} answered.${lasting}`,
    problems: lines.length > 0 ? [`The last ${lines.length} lines of ${START_LOG_FILE}:`, ...lines.map((line) => `| ${line}`)] : [`${START_LOG_FILE} is empty.`],
    guidance: [
      'Run the command on your machine to see it fail, or read start.log in the report folder (it is in the smoke artifact).',
      'It runs in the working directory of the step (or of the command line), with its environment.',
    ],
    fallbackIds: null,
  });
}

function siteNotReady(error: SiteNotReadyError, request: SmokeRequest) {
  const { options } = request;
  const refused = /^HTTP 40[13]\b/.test(error.last);
  return preflightDiagnostic({
    code: 'site-not-ready',
    message:
      `${error.url} was not ready after ${formatDuration(error.waitedMs)} (${error.tries} ${error.tries === 1 ? 'try' : 'tries'}): ` +
      `the last answer was ${error.last}.`,
    guidance: [
      ...(refused
        ? ['A 401 or 403 means the site wants credentials: give http-credentials (--http-credentials) or a bypass header in extra-headers (--header).']
        : []),
      `Check that wait-for (--wait-for) is the site's URL, and raise wait-timeout (--wait-timeout, now ${formatDuration(options.waitTimeoutMs)}) if it needs longer to come up.`,
    ],
    fallbackIds: null,
  });
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
