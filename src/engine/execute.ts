/** Running the plan: find the browser, serve the site if asked, run the suite. */
import path from 'node:path';
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { BrowserNotFoundError, createLauncher, findBrowser, type FoundBrowser } from '../run/browser.ts';
import { BrowserLaunchError, runSuite } from '../run/suite.ts';
import type { SuiteRun } from '../run/types.ts';
import { ServeError, serveDirectory, type StaticServer } from '../serve/static-server.ts';
import type { Planned, SmokeDeps, SmokeRequest } from './request.ts';

export async function runPlanned(
  request: SmokeRequest,
  deps: SmokeDeps,
  planned: Planned,
  reportDir: string,
): Promise<{ suiteRun: SuiteRun; baseUrl: string | null }> {
  const { options } = request;
  const found = locateBrowser(request, deps);
  const launcher = deps.createLauncher ? deps.createLauncher(found, deps.logger) : createLauncher(found, deps.logger, undefined, deps.env);
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

