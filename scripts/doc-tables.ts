/**
 * The README's reference tables as the code defines them: the stop codes (src/report/stop-codes.ts). Tests
 * compare the README against these rows; `node scripts/doc-tables.ts` prints them, ready to paste.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STOP_CODES, type StopCode } from '../src/report/stop-codes.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A table as its header cells, and each row as its cells (pipes unescaped, cells trimmed). */
export interface MarkdownTable {
  file: string;
  header: string[];
  rows: string[][];
}

export const STOP_CODE_HEADER = ['code', 'what it means', 'what to do'];

/** One Markdown table row; a `|` inside a cell is escaped. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function cellsOf(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'));
}

/** Every table in a Markdown text. */
export function markdownTables(text: string, file: string): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  let block: string[] = [];
  const flush = () => {
    const [header, separator, ...rows] = block;
    if (header && separator && /^\|[\s:|-]+\|$/.test(separator.trim())) {
      tables.push({ file, header: cellsOf(header), rows: rows.map(cellsOf) });
    }
    block = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim().startsWith('|')) block.push(line);
    else flush();
  }
  flush();
  return tables;
}

/** The tables users read: README.md, and the long reference tables under docs/. */
export function documentedTables(root: string = REPO_ROOT): MarkdownTable[] {
  const docs = path.join(root, 'docs');
  const docFiles = fs.existsSync(docs) ? fs.readdirSync(docs, { recursive: true, encoding: 'utf8' }) : [];
  const files = ['README.md', ...docFiles.filter((file) => file.endsWith('.md')).map((file) => path.join('docs', file))];
  return files.flatMap((file) => markdownTables(fs.readFileSync(path.join(root, file), 'utf8'), file));
}

/** Tables whose header is exactly `header`. */
export function tablesWithHeader(tables: readonly MarkdownTable[], header: readonly string[]): MarkdownTable[] {
  return tables.filter((table) => table.header.join('|') === header.join('|'));
}

/** The code cell names every code of a row, each in backticks: "`download-failed`, `api-error`". */
export function codesOfCell(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

export function stopCodeRow(code: StopCode): string {
  const { happened, toDo } = STOP_CODES[code];
  return tableRow([`\`${code}\``, happened, toDo]);
}

if (import.meta.main) {
  console.log(tableRow(STOP_CODE_HEADER));
  console.log(tableRow(STOP_CODE_HEADER.map(() => '---')));
  for (const code of Object.keys(STOP_CODES) as StopCode[]) console.log(stopCodeRow(code));
}
