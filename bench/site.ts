/**
 * What every speed benchmark runs: N trivial pages on a loopback site, each adding `#ready` 50 ms after load
 * (late content, as real pages have), and N fixtures that check what the floor checks by hand: status 200,
 * `#ready` visible, the title. The site notes when the first fixture page was asked for, which is when the first
 * fixture started, as seen from outside the process under test.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { html, startSite, type Site } from '../__tests__/support/site.ts';

export const READY_AFTER_LOAD_MS = 50;

export function benchPage(index: number) {
  return { path: `/page/${index}`, title: `Page ${index}`, readySelector: '#ready', id: `page-${String(index).padStart(3, '0')}` };
}

function pageHtml(index: number) {
  const { title } = benchPage(index);
  return html(
    `<h1>${title}</h1><p>Some text.</p><script>addEventListener('load', () => setTimeout(() => {
  const ready = document.createElement('p'); ready.id = 'ready'; ready.textContent = 'ready'; document.body.append(ready);
}, ${READY_AFTER_LOAD_MS}));</script>`,
    title,
  );
}

export interface BenchSite extends Site {
  /** performance.timeOrigin + performance.now() of the first request for a fixture page since the last reset. */
  firstPageAt(): number | null;
  resetFirstPage(): void;
}

export async function startBenchSite(pages: number): Promise<BenchSite> {
  let firstPageAt: number | null = null;
  const routes = Object.fromEntries(
    Array.from({ length: pages }, (_, index) => {
      const route = pageHtml(index);
      return [
        benchPage(index).path,
        (_request: unknown, response: ServerResponse) => {
          firstPageAt ??= performance.timeOrigin + performance.now();
          response.writeHead(200, route.headers);
          response.end(route.body);
        },
      ];
    }),
  );
  const site = await startSite(routes);
  return {
    ...site,
    firstPageAt: () => firstPageAt,
    resetFirstPage: () => {
      firstPageAt = null;
    },
  };
}

/** The fixtures, as a user would write them, in ten files under `dir`. */
export function writeBenchFixtures(dir: string, pages: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const files = 10;
  for (let file = 0; file < files; file += 1) {
    const fixtures = [];
    for (let index = file; index < pages; index += files) {
      const page = benchPage(index);
      fixtures.push({ id: page.id, url: page.path, expect: { status: 200, visible: [page.readySelector], title: page.title } });
    }
    if (fixtures.length > 0) fs.writeFileSync(path.join(dir, `bench-${file}.smoke.json`), JSON.stringify({ fixtures }, null, 2));
  }
}
