/**
 * The options have one table (src/options/table.ts). The CLI's flags and --help, and the README's inputs and
 * flags tables, all say what it says; action.yml is checked in workflows-and-action.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  documentedTables,
  FLAG_HEADER,
  flagRow,
  FLAGS_IN_HELP_ORDER,
  INPUT_HEADER,
  inputRow,
  markdownTables,
  tableDisagreements,
} from '../../scripts/doc-tables.ts';
import { parseCliArgs } from '../../src/cli/args.ts';
import { cliDefault, flagUsage, plainText, USAGE } from '../../src/cli/usage.ts';
import { parseOptions } from '../../src/options/parse.ts';
import { ACTION_KEYS, type ActionKey, CLI_KEYS, CLI_REPORT_DIR, FLAG_NAMES, HELP_GROUPS, INPUT_NAMES, OPTIONS } from '../../src/options/table.ts';
import { DEFAULT_SAMPLE_SEED } from '../../src/selection/select.ts';

const SOURCE = 'src/options/table.ts';

describe('the README', () => {
  const tables = documentedTables();

  it('documents every input as the option table does', () => {
    assert.deepEqual(tableDisagreements(tables, INPUT_HEADER, ACTION_KEYS.map(inputRow), SOURCE), []);
  });

  it('documents every flag as the option table does', () => {
    assert.deepEqual(tableDisagreements(tables, FLAG_HEADER, FLAGS_IN_HELP_ORDER.map(flagRow), SOURCE), []);
  });

  it('the check catches a stale description, a missing row and an option that no longer exists', () => {
    const [first, second, ...rest] = ACTION_KEYS as [ActionKey, ActionKey, ...ActionKey[]];
    const readme = [
      '| input | default | what it does |',
      '| --- | --- | --- |',
      inputRow(first).replace(OPTIONS[first].action.description, 'What it did in an older release.'),
      '| `old-input` | | Removed long ago. |',
      ...rest.map(inputRow),
    ].join('\n');
    const problems = tableDisagreements(markdownTables(readme, 'README.md'), INPUT_HEADER, ACTION_KEYS.map(inputRow), SOURCE);
    assert.deepEqual(
      problems.map((problem) => problem.split('\n')[0]),
      [
        `README.md says something else about \`${INPUT_NAMES[first]}\` than ${SOURCE}; it should read:`,
        `README.md documents \`old-input\`, which ${SOURCE} does not have: remove the row, or add it there`,
        `no table documents \`${INPUT_NAMES[second]}\`; add:`,
      ],
    );
    assert.equal(problems[0]?.split('\n')[1], inputRow(first));
  });
});

describe('--help', () => {
  const lines = USAGE.split('\n');

  it('lists every flag, with its argument, what it does and its default, in its section', () => {
    const sectionOf = (key: (typeof CLI_KEYS)[number]) => {
      const line = lines.findIndex((text) => text.startsWith(`  ${flagUsage(key)}  `));
      assert.ok(line > 0, `--help lists ${flagUsage(key)}`);
      return lines.slice(0, line).filter((text) => /^\S/.test(text)).at(-1);
    };
    for (const key of CLI_KEYS) {
      const { group, help } = OPTIONS[key].cli;
      assert.equal(sectionOf(key), HELP_GROUPS[group], `${flagUsage(key)} is under ${HELP_GROUPS[group]}`);
      const shown = cliDefault(key);
      const described = plainText(`${help}${shown ? ` (default: ${shown})` : ''}`);
      assert.ok(USAGE.replace(/\n\s+/g, ' ').includes(described), `--help describes ${flagUsage(key)} as: ${described}`);
    }
  });

  it('is grouped as the sections read, with every line within 100 columns', () => {
    const sections = lines.filter((text) => Object.values(HELP_GROUPS).includes(text as never));
    assert.deepEqual(sections, Object.values(HELP_GROUPS));
    assert.deepEqual(lines.filter((text) => text.length > 100), []);
  });
});

describe('the option table', () => {
  it('every default parses, for the Action and for the CLI', () => {
    assert.deepEqual(parseOptions(ACTION_KEYS, {}, INPUT_NAMES).problems, []);
    assert.deepEqual(parseOptions(CLI_KEYS, {}, FLAG_NAMES).problems, []);
  });

  it('the CLI defaults it documents are the ones the CLI uses', () => {
    const command = parseCliArgs([]);
    assert.equal(command.kind, 'run');
    if (command.kind !== 'run') return;
    assert.equal(command.options.reportDir, CLI_REPORT_DIR);
    assert.equal(cliDefault('reportDir'), `\`${CLI_REPORT_DIR}\``);
    assert.equal(command.options.sampleSeed, DEFAULT_SAMPLE_SEED);
    assert.equal(cliDefault('sampleSeed'), `\`${DEFAULT_SAMPLE_SEED}\``);
    assert.ok(cliDefault('artifactPath')?.includes(`\`${command.artifactPath}\``), 'the --artifact default names the path read');
  });

  it('switches are off unless given, and every flag and input name is unique', () => {
    for (const [key, option] of Object.entries(OPTIONS)) {
      if (option.kind === 'switch') assert.equal(option.default, 'false', key);
    }
    const inputs = ACTION_KEYS.map((key) => INPUT_NAMES[key]);
    const flags = CLI_KEYS.map((key) => FLAG_NAMES[key]);
    assert.equal(new Set(inputs).size, inputs.length);
    assert.equal(new Set(flags).size, flags.length);
  });
});
