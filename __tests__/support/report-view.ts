/** Reading a report in assertions, shared by the CLI and the Action tests. */
import assert from 'node:assert/strict';
import type { Report } from '../../src/report/schema.ts';

export const statusById = (report: Report) => Object.fromEntries(report.fixtures.map((fixture) => [fixture.id, fixture.status]));

export const fixtureOf = (report: Report, id: string) => {
  const found = report.fixtures.find((fixture) => fixture.id === id);
  assert.ok(found, `${id} is in the report`);
  return found;
};

/** The job summary's fixture table (from "### Fixtures" to the next section), so other tables never mix in. */
export function fixtureTableOf(summary: string): string {
  const start = summary.indexOf('### Fixtures');
  if (start < 0) return '';
  const next = summary.indexOf('\n### ', start + 1);
  return summary.slice(start, next < 0 ? undefined : next);
}
