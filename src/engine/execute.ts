/** Running the plan: find the browser, bring the site up (serve, start, wait-for), run the suite, take it down. */
import { PreflightError, preflightDiagnostic } from '../report/stops.ts';
import { BrowserNotFoundError, createLauncher, findBrowser, type FoundBrowser } from '../run/browser.ts';
import { BrowserLaunchError, runSuite } from '../run/suite.ts';
import type { SuiteRun } from '../run/types.ts';
import type { Redactor } from '../secrets/redact.ts';
import { openSite } from './site-up.ts';
import type { Planned, SmokeDeps, SmokeRequest } from './request.ts';

export interface RunExtras {
  redactor: Redactor;
  /** Called once the started app's log exists. */
  onStartLog: (logPath: string) => void;
}

export async function runPlanned(
  request: SmokeRequest,
  deps: SmokeDeps,
  planned: Planned,
  reportDir: string,
  extras: RunExtras,
): Promise<{ suiteRun: SuiteRun; baseUrl: string | null }> {
  const { options } = request;
  // Before the app is started: without a browser, there is no point in waiting for it.
  const found = locateBrowser(request, deps);
  const launcher = deps.createLauncher ? deps.createLauncher(found, deps.logger) : createLauncher(found, deps.logger, undefined, deps.env);
  const site = await openSite({ request, deps, reportDir, redactor: extras.redactor, fixtures: planned.selected, onStartLog: extras.onStartLog });
  try {
    const baseUrl = site.baseUrl;
    await deps.onFixturesStart?.(planned.selected);
    const identified = options.extraHeaders.length > 0 || options.httpCredentials !== null;
    const suiteRun = await runSuite(planned.selected, {
      baseUrl,
      concurrency: options.concurrency,
      defaultRetries: options.retries,
      defaultTimeoutMs: options.timeoutMs,
      defaultExpectTimeoutMs: options.expectTimeoutMs,
      suiteTimeoutMs: options.suiteTimeoutMs,
      reportDir,
      launcher,
      logger: deps.logger,
      site: identified ? { headers: options.extraHeaders, credentials: options.httpCredentials } : null,
      siteDownNote: site.siteDownNote,
      redact: (text) => extras.redactor.redact(text),
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
    await site.close();
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
