/**
 * The stop codes have one table (src/report/stop-codes.ts): report.json accepts exactly its codes, and the
 * README's stop-code tables say the same as it, code for code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codesOfCell, documentedTables, markdownTables, STOP_CODE_HEADER, stopCodeRow, tablesWithHeader } from '../../scripts/doc-tables.ts';
import { PreflightDiagnostic } from '../../src/report/schema.ts';
import { STOP_CODE_LIST, STOP_CODES, type StopCode } from '../../src/report/stop-codes.ts';
import { preflightDiagnostic } from '../../src/report/stops.ts';

const isStopCode = (code: string): code is StopCode => Object.hasOwn(STOP_CODES, code);

/** Where the README disagrees with the table, each problem with the row the table gives. */
function disagreements(tables: ReturnType<typeof documentedTables>): string[] {
  const problems: string[] = [];
  const documented = new Map<string, string[]>();
  for (const table of tablesWithHeader(tables, STOP_CODE_HEADER)) {
    for (const [codes = '', happened, toDo] of table.rows) {
      for (const code of codesOfCell(codes)) {
        documented.set(code, [...(documented.get(code) ?? []), table.file]);
        if (!isStopCode(code)) {
          problems.push(`${table.file} documents \`${code}\`, which no stop has: remove its row, or add it to src/report/stop-codes.ts`);
        } else if (happened !== STOP_CODES[code].happened || toDo !== STOP_CODES[code].toDo) {
          problems.push(`${table.file} says something else about \`${code}\` than src/report/stop-codes.ts; the table gives:\n${stopCodeRow(code)}`);
        }
      }
    }
  }
  for (const code of STOP_CODE_LIST) {
    const files = documented.get(code) ?? [];
    if (files.length === 0) problems.push(`no README stop-code table documents \`${code}\`; add:\n${stopCodeRow(code)}`);
    if (files.length > 1) problems.push(`\`${code}\` is documented ${files.length} times (${files.join(', ')}); keep one row`);
  }
  return problems;
}

describe('stop codes', () => {
  it('the README documents every code once, with the meaning and advice of the table', () => {
    const tables = documentedTables();
    assert.ok(tablesWithHeader(tables, STOP_CODE_HEADER).length >= 2, 'the rerun stops and the other stops each have a table');
    assert.deepEqual(disagreements(tables), []);
  });

  it('the check catches a missing row, a stale meaning and a code no stop has', () => {
    const [first, second, ...rest] = STOP_CODE_LIST;
    const readme = [
      '| code | what it means | what to do |',
      '| --- | --- | --- |',
      `| \`${first}\` | something else | ${STOP_CODES[first].toDo} |`,
      '| `no-such-stop` | a code from an old release | nothing |',
      ...rest.map(stopCodeRow),
    ].join('\n');
    const problems = disagreements(markdownTables(readme, 'README.md'));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0] ?? '', new RegExp(`something else about \`${first}\``));
    assert.match(problems[1] ?? '', /documents `no-such-stop`, which no stop has/);
    assert.match(problems[2] ?? '', new RegExp(`documents \`${second}\`; add:\n\\| \`${second}\` \\|`));
  });

  it('report.json accepts exactly the codes of the table', () => {
    for (const code of STOP_CODE_LIST) {
      assert.equal(PreflightDiagnostic.safeParse(preflightDiagnostic({ code, message: 'stopped' })).success, true, code);
    }
    const unknown = { ...preflightDiagnostic({ code: 'usage', message: 'stopped' }), code: 'no-such-stop' };
    assert.equal(PreflightDiagnostic.safeParse(unknown).success, false);
  });
});
