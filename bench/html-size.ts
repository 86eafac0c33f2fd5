/**
 * The size of report.html for 500 fixtures with 50 failures (screenshots are separate files, so not counted): a
 * realistic run, and one where every failed attempt fills its message and page log to the report's limits. Both
 * must stay under 2 MB.
 *
 *   node bench/html-size.ts [--fixtures 500] [--failures 50]
 */
import { parseArgs } from 'node:util';
import { largeReport } from '../__tests__/support/large-report.ts';
import { renderHtmlReport } from '../src/render/html.ts';
import { summaryViewOf } from '../src/render/view.ts';

const LIMIT_BYTES = 2 * 1024 * 1024;

const { values } = parseArgs({ options: { fixtures: { type: 'string', default: '500' }, failures: { type: 'string', default: '50' } } });
const fixtures = Number(values.fixtures);
const failures = Number(values.failures);
if (!Number.isInteger(fixtures) || !Number.isInteger(failures) || failures < 1 || failures > fixtures) {
  throw new Error(`--fixtures and --failures must be whole numbers with 1 <= failures <= fixtures, got ${values.fixtures} and ${values.failures}`);
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MB (${bytes.toLocaleString('en-US')} bytes)`;

for (const [label, full] of [
  ['each failure: 2 attempts, a 3-line message, 6 console lines, 2 failed requests', false],
  ['each failure: 2 attempts, message and page log at the report limits', true],
] as const) {
  const report = largeReport({ fixtures, failures, full });
  const bytes = Buffer.byteLength(renderHtmlReport(report, summaryViewOf(report)));
  const verdict = bytes < LIMIT_BYTES ? 'under' : 'OVER';
  console.log(`report.html, ${fixtures} fixtures with ${failures} failures (${label}): ${mb(bytes)}, ${verdict} the 2 MB budget`);
}
