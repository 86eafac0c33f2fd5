/**
 * The floor: the plainest script that does the same page work as the engine, with no isolation. Chrome with its
 * default process model, one page per worker reused for every URL, nothing reset in between. Each URL gets what
 * a fixture checks: `goto` until load, status 200, `waitForSelector(selector, {visible: true})`, and the title.
 * Chrome is launched as the engine launches it (same binary, headless, viewport, and the flags in launchArgs)
 * minus the engine's own process-model flag; `--renderer-limit` puts it back, for comparison.
 *
 * Run by bench/run.ts as a process of its own, so its time is measured as the CLI's is (process start to exit):
 *
 *   node bench/floor.ts --base-url URL --pages N [--concurrency 2] [--renderer-limit]
 *
 * It prints one line of JSON: {"innerMs": launch to close}.
 */
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { findBrowser, launchArgs } from '../src/run/browser.ts';
import { DEFAULT_VIEWPORT } from '../src/run/page-signals.ts';
import { benchPage } from './site.ts';

export const RENDERER_LIMIT_FLAG = '--renderer-process-limit=1';

export interface FloorOptions {
  baseUrl: string;
  pages: number;
  concurrency: number;
  rendererLimit: boolean;
}

export async function runFloor(options: FloorOptions): Promise<void> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const args = launchArgs({ root }).filter((flag) => options.rendererLimit || flag !== RENDERER_LIMIT_FLAG);
  const browser = await puppeteer.launch({
    executablePath: findBrowser({ env: process.env }).path,
    headless: true,
    args,
    defaultViewport: { ...DEFAULT_VIEWPORT },
  });
  try {
    let next = 0;
    const worker = async () => {
      // A window each: tabs of one window would leave all but the front one hidden, with no animation frames,
      // and waitForSelector's visible check waits for frames.
      const page = await browser.newPage({ type: 'window' });
      for (let index = next++; index < options.pages; index = next++) {
        const { path, title, readySelector } = benchPage(index);
        const response = await page.goto(options.baseUrl + path, { waitUntil: 'load' });
        if (response?.status() !== 200) throw new Error(`floor: ${path} answered ${response?.status()}`);
        await page.waitForSelector(readySelector, { visible: true });
        if ((await page.title()) !== title) throw new Error(`floor: wrong title on ${path}`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      pages: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      'renderer-limit': { type: 'boolean', default: false },
    },
  });
  if (!values['base-url'] || !values.pages) throw new Error('usage: node bench/floor.ts --base-url URL --pages N [--concurrency 2] [--renderer-limit]');
  const started = performance.now();
  await runFloor({
    baseUrl: values['base-url'],
    pages: Number(values.pages),
    concurrency: Number(values.concurrency),
    rendererLimit: values['renderer-limit'],
  });
  console.log(JSON.stringify({ innerMs: performance.now() - started }));
}
