/**
 * The same suite in Playwright Test, for a side-by-side comparison: the pages of bench/site.ts, one test per page
 * with the checks the fixtures make (status 200, `#ready` visible, the title), Playwright's default isolation (a
 * new browser context per test), 2 workers, tests spread over the workers (fullyParallel), no retries, traces,
 * screenshots or videos. Chrome is the same binary the engine finds, with the engine's common flags.
 *
 * bench/run.ts runs it as the `playwright` variant (`npm run bench:playwright`); this file writes the config and
 * the spec, in the repository's .tmp/ so that they find @playwright/test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../src/run/browser.ts';
import { DEFAULT_VIEWPORT } from '../src/run/page-signals.ts';
import { benchPage } from './site.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const PLAYWRIGHT_CLI = path.join(REPO, 'node_modules', '@playwright', 'test', 'cli.js');

/** The flags the comparison asks for: the engine's, less its own process-model and first-run ones. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Writes the project and returns its folder; `npx playwright test -c <folder>` runs it. */
export function writePlaywrightProject(pages: number, concurrency: number): string {
  if (!fs.existsSync(PLAYWRIGHT_CLI)) {
    throw new Error('@playwright/test is not installed: run npm install (it is a devDependency; no browser download is needed).');
  }
  const dir = path.join(REPO, '.tmp', 'bench-playwright');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    testDir: '.',
    workers: concurrency,
    fullyParallel: true,
    retries: 0,
    reporter: 'dot',
    outputDir: path.join(dir, 'results'),
    use: {
      headless: true,
      viewport: { width: DEFAULT_VIEWPORT.width, height: DEFAULT_VIEWPORT.height },
      trace: 'off',
      screenshot: 'off',
      video: 'off',
      launchOptions: { executablePath: findBrowser({ env: process.env }).path, args: FLAGS },
    },
  };
  fs.writeFileSync(path.join(dir, 'playwright.config.mjs'), `export default ${JSON.stringify(config, null, 2)};\n`);
  const files = 10;
  for (let file = 0; file < files; file += 1) {
    const tests: string[] = [];
    for (let index = file; index < pages; index += files) {
      const page = benchPage(index);
      tests.push(`test(${JSON.stringify(page.id)}, async ({ page }) => {
  const response = await page.goto(process.env.BENCH_BASE_URL + ${JSON.stringify(page.path)});
  expect(response?.status()).toBe(200);
  await expect(page.locator(${JSON.stringify(page.readySelector)})).toBeVisible();
  await expect(page).toHaveTitle(${JSON.stringify(page.title)});
});`);
    }
    if (tests.length === 0) continue;
    const source = `import { test, expect } from '@playwright/test';\n\n${tests.join('\n\n')}\n`;
    fs.writeFileSync(path.join(dir, `bench-${file}.spec.ts`), source);
  }
  return dir;
}
