/**
 * Finding and launching Chrome or Chromium. Lookup order: the browser-path input (--browser-path), then
 * PUPPETEER_EXECUTABLE_PATH, then CHROME_BIN, then an installed Chrome or Chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import puppeteer from 'puppeteer-core';
import { DEFAULT_VIEWPORT } from './page-signals.ts';
import type { BrowserLauncher } from './types.ts';
import type { Logger } from '../common/types.ts';

export const INSTALLED_BROWSER_PATHS: Record<string, readonly string[]> = {
  linux: [
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

export interface BrowserLookup {
  browserPath?: string | undefined;
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  isExecutable?: (path: string) => boolean;
}

export interface FoundBrowser {
  path: string;
  /** Where the path came from: "browser-path", "PUPPETEER_EXECUTABLE_PATH", "CHROME_BIN" or "installed". */
  source: string;
}

export class BrowserNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserNotFoundError';
  }
}

function executable(path: string): boolean {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return fs.statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A place that is named but holds no browser is an error, not a reason to look further: a typo in browser-path
 * must not silently run another browser.
 */
export function findBrowser(lookup: BrowserLookup): FoundBrowser {
  const isExecutable = lookup.isExecutable ?? executable;
  const named: [string, string | undefined][] = [
    ['browser-path', lookup.browserPath],
    ['PUPPETEER_EXECUTABLE_PATH', lookup.env.PUPPETEER_EXECUTABLE_PATH],
    ['CHROME_BIN', lookup.env.CHROME_BIN],
  ];
  for (const [source, value] of named) {
    const path = value?.trim();
    if (!path) continue;
    if (isExecutable(path)) return { path, source };
    throw new BrowserNotFoundError(
      `${source} is set to "${path}", but no executable browser is there. ` +
        `Fix or unset ${source}, or install Chrome or Chromium.`,
    );
  }
  const installed = INSTALLED_BROWSER_PATHS[lookup.platform ?? process.platform] ?? [];
  const found = installed.find(isExecutable);
  if (found) return { path: found, source: 'installed' };
  throw new BrowserNotFoundError(
    'No Chrome or Chromium was found. Looked, in order, at: the browser-path input (--browser-path), ' +
      'the PUPPETEER_EXECUTABLE_PATH environment variable, the CHROME_BIN environment variable, and the ' +
      `installed locations ${installed.join(', ') || '(none known for this platform)'}. ` +
      'Set one of them, or install Chrome (GitHub-hosted Ubuntu runners have it at /usr/bin/google-chrome) ' +
      'or Chromium (Debian/Ubuntu: apt-get install chromium).',
  );
}

/** Flags for headless smoke runs on CI machines with no network beyond what the fixtures use. */
const BASE_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--mute-audio',
  /**
   * Lets a worker's long-lived browser context keep its renderer process across fixtures. Without it, Chrome
   * starts a new renderer for navigations in an off-the-record context: measured whole-process on 40 fixtures
   * at concurrency 2, the CLI took 1.3x as long without it (bench/run.ts --cli-alt). It never makes two
   * contexts share a process.
   */
  '--renderer-process-limit=1',
  /**
   * Fixture regular expressions (`matches`, a `/…/` title) run in the page, on text the page chooses. With this, V8
   * runs one that backtracks too much again on its linear-time engine (same result), so a hostile page cannot pin
   * the renderer with `(a|a)*$`. The site's own regular expressions only ever get faster.
   */
  '--js-flags=--enable-experimental-regexp-engine-on-excessive-backtracks',
] as const;

/**
 * The variables Chrome may see: what it needs to find its libraries, fonts, locale, display, temp folder and proxy.
 * Nothing else: a runner's environment holds the Action's inputs (INPUT_GITHUB-TOKEN), the runtime's tokens
 * (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN), GITHUB_TOKEN and whatever secrets a workflow put in
 * `env:`, and a browser that runs other people's pages has no use for any of them.
 */
const BROWSER_ENV_NAMES: ReadonlySet<string> = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'FONTCONFIG_FILE',
  'FONTCONFIG_PATH',
  'LD_LIBRARY_PATH',
  'CHROME_DEVEL_SANDBOX',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  // Windows: where the system, the profile and the temp folder are.
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'LOCALAPPDATA',
  'APPDATA',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
]);
const BROWSER_ENV_PREFIXES = ['LC_', 'XDG_'];

/** The environment Chrome starts with: the allowed variables of `env`, and TMPDIR on the runner's temp folder. */
export function browserEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const allowed = Object.entries(env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      (BROWSER_ENV_NAMES.has(entry[0].toUpperCase()) || BROWSER_ENV_PREFIXES.some((prefix) => entry[0].startsWith(prefix))),
  );
  return { ...Object.fromEntries(allowed), TMPDIR: env.RUNNER_TEMP ?? env.TMPDIR ?? os.tmpdir() };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function launchArgs(options: { root: boolean }): string[] {
  return options.root ? [...BASE_ARGS, '--no-sandbox'] : [...BASE_ARGS];
}

/**
 * `env` is the environment the browser's is taken from (browserEnvironment): the engine passes the one its front
 * door gave it (the Action's ActionIo.env).
 */
export function createLauncher(found: FoundBrowser, logger: Logger, root = isRoot(), env: Record<string, string | undefined> = process.env): BrowserLauncher {
  const args = launchArgs({ root });
  let announced = false;
  return {
    description: `${found.path} (from ${found.source})`,
    async launch() {
      if (root && !announced) {
        logger.info('Running as root, so Chrome is started with --no-sandbox (Chrome refuses root with its sandbox on).');
      }
      announced = true;
      return puppeteer.launch({
        executablePath: found.path,
        headless: true,
        args,
        // New pages start at the size most fixtures use, so a fresh session rarely has to change it.
        defaultViewport: { ...DEFAULT_VIEWPORT },
        protocol: 'cdp',
        userDataDir: undefined,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout: 60_000,
        protocolTimeout: 120_000,
        env: browserEnvironment(env),
      });
    },
  };
}
