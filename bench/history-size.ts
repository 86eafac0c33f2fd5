/**
 * What the fixture history adds to report.json (as written: pretty-printed) after enough runs that every fixture
 * holds its full history, and the time to carry it on by one run, for suites of 100 to 20,000 fixtures. The history
 * is bounded (20 outcomes per fixture, 20,000 in all), so the added size levels off past 1,000 fixtures.
 *
 *   node bench/history-size.ts
 */
import { performance } from 'node:perf_hooks';
import { largeReport } from '../__tests__/support/large-report.ts';
import { nextHistory } from '../src/history/outcomes.ts';
import { REPORT_LIMITS } from '../src/report/limits.ts';
import { checkedOwnReport, type History, type Report } from '../src/report/schema.ts';

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
const size = (report: Report) => Buffer.byteLength(`${JSON.stringify(report, null, 2)}\n`);

for (const fixtures of [100, 500, 1_000, 2_500, 20_000]) {
  const report = largeReport({ fixtures, failures: Math.max(1, Math.floor(fixtures / 10)) });
  const suiteIds = report.fixtures.map((fixture) => fixture.id);
  let history: History | null = null;
  let lastMs = 0;
  // 21 runs, each on its own run id: past the 20-outcome bound.
  for (let index = 0; index <= REPORT_LIMITS.maxHistoryPerFixture; index++) {
    const run = { ...report.run, runId: String(20_000_000_000 + index) };
    const started = performance.now();
    history = nextHistory({ previous: history, run, startedAt: report.startedAt, fixtures: report.fixtures, suiteIds });
    lastMs = performance.now() - started;
  }
  const withHistory = checkedOwnReport({ ...report, history: history! }, 'the bench report does not validate');
  const outcomes = history!.fixtures.reduce((total, fixture) => total + fixture.outcomes.length, 0);
  const added = size(withHistory) - size(report);
  console.log(
    `${fixtures.toLocaleString('en-US').padStart(6)} fixtures: ${outcomes.toLocaleString('en-US')} outcomes (${outcomes / fixtures} each), ` +
      `report.json ${mb(size(report))} -> ${mb(size(withHistory))} (+${mb(added)}), one run carried on in ${lastMs.toFixed(1)} ms`,
  );
}
