/**
 * The --help text, written from the option table: a section per group, a line per flag with its argument, what
 * it does and its default. The README's flags table says the same in Markdown.
 */
import { CLI_KEYS, type CliKey, HELP_GROUPS, type OptionDefinition, OPTIONS } from '../options/table.ts';

const WIDTH = 100;

/** Markdown from the table as a terminal shows it. */
export const plainText = (markdown: string): string => markdown.replaceAll('`', '');

type CliSpec = NonNullable<OptionDefinition['cli']>;
const cliOf = (key: CliKey): CliSpec => OPTIONS[key].cli;

/** The flag as --help and the README show it: "-h, --help", "--fixture ID". */
export function flagUsage(key: CliKey): string {
  const { flag, short, value } = cliOf(key);
  return `${short ? `-${short}, ` : ''}--${flag}${value ? ` ${value}` : ''}`;
}

/** What the CLI does when the flag is not given (Markdown), or null when there is nothing to say. */
export function cliDefault(key: CliKey): string | null {
  const option: OptionDefinition = OPTIONS[key];
  if (option.cli?.default) return option.cli.default;
  return option.kind === 'switch' || option.default === '' ? null : `\`${option.default}\``;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** Where the descriptions start, the same in every section. */
const column = 2 + Math.max(...CLI_KEYS.map((key) => flagUsage(key).length)) + 3;

function flagLines(keys: readonly CliKey[]): string[] {
  return keys.flatMap((key) => {
    const shown = cliDefault(key);
    const text = plainText(`${cliOf(key).help}${shown ? ` (default: ${shown})` : ''}`);
    const [first = '', ...rest] = wrap(text, WIDTH - column);
    return [`  ${flagUsage(key).padEnd(column - 2)}${first}`, ...rest.map((line) => `${' '.repeat(column)}${line}`)];
  });
}

const sections = (Object.keys(HELP_GROUPS) as (keyof typeof HELP_GROUPS)[]).map((group) =>
  [HELP_GROUPS[group], ...flagLines(CLI_KEYS.filter((key) => cliOf(key).group === group))].join('\n'),
);

export const USAGE = `Usage: reliability-smoke [options]

Runs browser smoke fixtures (*.smoke.yml|yaml|json) in headless Chrome or Chromium and writes
report.json, junit.xml and report.html. With --rerun-failed, reruns only the fixtures that failed
in a previous report. With --shard I/N, runs one part of them; --merge joins the parts' reports.

${sections.join('\n\n')}

Exit codes: 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error,
130 stopped by Ctrl-C (the report is still written).
`;
