/**
 * Owns the suite's browser: the first launch, one shared relaunch after a crash, and the final close. Workers
 * never launch browsers themselves, so a crash seen by two workers at once still costs a single relaunch.
 */
import type { Browser } from 'puppeteer-core';
import { settleWithin } from './deadline.ts';
import { errorText } from '../common/text.ts';
import type { BrowserLauncher } from './types.ts';
import type { Logger } from '../common/types.ts';

/** The first launch failed: the suite cannot run at all. The engine turns this into a report. */
export class BrowserLaunchError extends Error {
  readonly executable: string;
  constructor(executable: string, cause: unknown) {
    // Puppeteer's message carries Chrome's stderr between blank lines; keep the text, not the gaps.
    const reason = errorText(cause).replace(/\s*\n\s*/g, '\n').trim();
    // What to do about it is the engine's guidance (engine/execute.ts), printed after this message.
    super(`Could not start the browser ${executable}: ${reason}`, { cause });
    this.name = 'BrowserLaunchError';
    this.executable = executable;
  }
}

/** The browser crashed more often than the suite allows relaunches, or a relaunch kept failing. */
export class BrowserUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserUnavailableError';
  }
}

export interface BrowserHostOptions {
  launcher: BrowserLauncher;
  logger: Logger;
  /** Relaunches allowed after the first launch. */
  maxRelaunches: number;
  /** Bound for closing the browser at the end before its process is killed (ms). */
  closeTimeoutMs: number;
  /** Called when a browser disconnects without us closing it. */
  onCrash: (browser: Browser) => void;
}

export interface BrowserHost {
  /** The first launch. Throws BrowserLaunchError. */
  start(): Promise<Browser>;
  /** The live browser, relaunching it when it is gone. Throws BrowserUnavailableError once the bound is spent. */
  current(): Promise<Browser>;
  /** Browsers started so far (first launch plus successful relaunches): what SuiteStats reports. */
  readonly launches: number;
  /** Closes the browser (and any launch still under way); never throws. */
  close(): Promise<void>;
}

export function createBrowserHost(options: BrowserHostOptions): BrowserHost {
  const { launcher, logger } = options;
  let browser: Browser | null = null;
  let relaunching: Promise<Browser> | null = null;
  let launches = 0;
  let relaunchesTried = 0;
  let closing = false;

  const adopt = (launched: Browser): Browser => {
    launches += 1;
    browser = launched;
    launched.once('disconnected', () => {
      if (closing || browser !== launched) return;
      logger.warn(`The browser disconnected unexpectedly (it crashed or was killed): ${launcher.description}.`);
      // A dropped connection can leave Chrome running, and a Chrome that was killed leaves its helpers (zygote,
      // renderers, GPU) running until they notice: none of them is of use to us any more.
      killProcessGroup(launched);
      options.onCrash(launched);
    });
    return launched;
  };

  const relaunch = async (): Promise<Browser> => {
    let lastError: unknown = null;
    while (relaunchesTried < options.maxRelaunches && !closing) {
      relaunchesTried += 1;
      logger.warn(`Relaunching the browser (relaunch ${relaunchesTried} of at most ${options.maxRelaunches}).`);
      try {
        const launched = await launcher.launch();
        if (closing) {
          // The suite ended while Chrome was starting: nobody will close this one later.
          await closeOrKill(launched, options.closeTimeoutMs);
          break;
        }
        return adopt(launched);
      } catch (error) {
        lastError = error;
        logger.warn(`The relaunch failed: ${errorText(error)}`);
      }
    }
    const why = lastError ? `; the last relaunch failed: ${errorText(lastError)}` : '';
    throw new BrowserUnavailableError(
      closing
        ? 'the suite is shutting down'
        : `the browser went away again after ${relaunchesTried} relaunches, the most one suite allows${why}`,
    );
  };

  return {
    get launches() {
      return launches;
    },
    async start() {
      try {
        return adopt(await launcher.launch());
      } catch (error) {
        throw new BrowserLaunchError(launcher.description, error);
      }
    },
    current() {
      if (browser?.connected) return Promise.resolve(browser);
      relaunching ??= relaunch().finally(() => {
        relaunching = null;
      });
      return relaunching;
    },
    async close() {
      closing = true;
      if (relaunching) await settleWithin(relaunching, options.closeTimeoutMs, null);
      if (browser) await closeOrKill(browser, options.closeTimeoutMs);
    },
  };
}

/** A browser that will not close in time (a wedged CDP connection) is killed, so no Chrome outlives the suite. */
async function closeOrKill(browser: Browser, timeoutMs: number): Promise<void> {
  const closed = await settleWithin(browser.close().then(() => true), timeoutMs, false);
  if (!closed) browser.process()?.kill('SIGKILL');
}

/**
 * Kills a browser's main process and every helper it started. Chrome runs in a process group of its own (puppeteer
 * starts it detached), whose id is the main process's pid even after that process is gone.
 */
function killProcessGroup(browser: Browser): void {
  const child = browser.process();
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // No group (already gone) or not ours to kill: the main process at least.
    child.kill('SIGKILL');
  }
}
