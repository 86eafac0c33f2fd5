/**
 * The README's reference tables as the code defines them: the stop codes (src/report/stop-codes.ts), and the
 * Action's inputs and the CLI's flags (src/options/table.ts), with action.yml's inputs. Tests compare the README
 * and action.yml against these; `node scripts/doc-tables.ts` prints them, ready to paste.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliDefault, flagUsage, plainText } from '../src/cli/usage.ts';
import { ACTION_KEYS, type ActionKey, CLI_KEYS, type CliKey, HELP_GROUPS, OPTIONS } from '../src/options/table.ts';
import { STOP_CODES, type StopCode } from '../src/report/stop-codes.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A table as its header cells, and each row as its cells (pipes unescaped, cells trimmed). */
export interface MarkdownTable {
  file: string;
  header: string[];
  rows: string[][];
}

export const STOP_CODE_HEADER = ['code', 'what it means', 'what to do'];
export const INPUT_HEADER = ['input', 'default', 'what it does'];
export const FLAG_HEADER = ['flag', 'default', 'what it does'];

/** One Markdown table row; a `|` inside a cell is escaped. */
export function tableRow(cells: readonly string[]): string {
  return `|${cells.map((cell) => (cell ? ` ${cell.replaceAll('|', '\\|')} ` : ' ')).join('|')}|`;
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

/**
 * Where the documented tables with `header` differ from the rows the code gives (rows are matched by their first
 * cell), each problem with the row to paste. `source` names where the rows come from.
 */
export function tableDisagreements(tables: readonly MarkdownTable[], header: readonly string[], expected: readonly string[], source: string): string[] {
  const wanted = new Map(expected.map((row) => [cellsOf(row)[0] ?? '', row]));
  const problems: string[] = [];
  const seen = new Set<string>();
  const documented = tablesWithHeader(tables, header);
  if (documented.length === 0) return [`no table in README.md or docs/ has the header ${tableRow(header)}`];
  for (const table of documented) {
    for (const cells of table.rows) {
      const first = cells[0] ?? '';
      const row = wanted.get(first);
      if (seen.has(first)) problems.push(`${table.file} has ${first} twice; keep one row`);
      seen.add(first);
      if (row === undefined) problems.push(`${table.file} documents ${first}, which ${source} does not have: remove the row, or add it there`);
      else if (tableRow(cells) !== row) problems.push(`${table.file} says something else about ${first} than ${source}; it should read:\n${row}`);
    }
  }
  for (const [first, row] of wanted) {
    if (!seen.has(first)) problems.push(`no table documents ${first}; add:\n${row}`);
  }
  return problems;
}

/** The code cell names every code of a row, each in backticks: "`download-failed`, `api-error`". */
export function codesOfCell(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

export function stopCodeRow(code: StopCode): string {
  const { happened, toDo } = STOP_CODES[code];
  return tableRow([`\`${code}\``, happened, toDo]);
}

export function inputRow(key: ActionKey): string {
  const { action, default: value } = OPTIONS[key];
  return tableRow([`\`${action.input}\``, value ? `\`${value}\`` : '', action.description]);
}

/** Flags in the order --help lists them. */
export const FLAGS_IN_HELP_ORDER: CliKey[] = Object.keys(HELP_GROUPS).flatMap((group) => CLI_KEYS.filter((key) => OPTIONS[key].cli.group === group));

export function flagRow(key: CliKey): string {
  const usage = flagUsage(key)
    .split(', ')
    .map((flag) => `\`${flag}\``)
    .join(', ');
  return tableRow([usage, cliDefault(key) ?? '', OPTIONS[key].cli.help]);
}

/** An input as action.yml declares it: the default as the runner reads it, the description without Markdown. */
export function manifestInput(key: ActionKey): { description: string; default: string } {
  return { description: plainText(OPTIONS[key].action.description), default: OPTIONS[key].default };
}

/** A YAML scalar that reads back as exactly `text`: folded when long or when it holds YAML syntax. */
function yamlScalar(text: string, indent: string): string {
  if (text === '' || /^(true|false|null|~|[\d.]+)$/i.test(text)) return `'${text}'`;
  if (text.length <= 95 && !/: | #|^[!&*'"%@`|>{[\]-]/.test(text)) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > 106) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return ['>-', ...[...lines, line].map((part) => `${indent}${part}`)].join('\n');
}

export function manifestInputYaml(key: ActionKey): string {
  const { description, default: value } = manifestInput(key);
  return [
    `  ${OPTIONS[key].action.input}:`,
    `    description: ${yamlScalar(description, '      ')}`,
    '    required: false',
    `    default: ${yamlScalar(value, '      ')}`,
  ].join('\n');
}

function printTable(header: readonly string[], rows: readonly string[]): void {
  console.log([tableRow(header), tableRow(header.map(() => '---')), ...rows, ''].join('\n'));
}

if (import.meta.main) {
  printTable(INPUT_HEADER, ACTION_KEYS.map(inputRow));
  printTable(FLAG_HEADER, FLAGS_IN_HELP_ORDER.map(flagRow));
  printTable(STOP_CODE_HEADER, (Object.keys(STOP_CODES) as StopCode[]).map(stopCodeRow));
  console.log(`inputs:\n${ACTION_KEYS.map(manifestInputYaml).join('\n')}`);
}
