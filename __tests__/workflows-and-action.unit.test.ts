/**
 * The workflow files and action.yml are checked with GitHub's own parser (@actions/workflow-parser), and the
 * Action's inputs (names, defaults, descriptions: the option table) and outputs are kept in step with action.yml
 * and the README.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import './support/json-imports.ts';
import { manifestInput, manifestInputYaml } from '../scripts/doc-tables.ts';
import { Inputs, Outputs } from '../src/action/names.ts';
import { ACTION_KEYS, INPUT_NAMES } from '../src/options/table.ts';
import { REPO_ROOT } from './support/temp.ts';

const { NoOperationTraceWriter, parseWorkflow } = await import('@actions/workflow-parser');
const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
const workflowFiles = fs.readdirSync(path.join(REPO_ROOT, '.github', 'workflows')).filter((file) => file.endsWith('.yml'));
const errorsOf = (result: { context: { errors: { getErrors(): { message: string }[] } } }) =>
  result.context.errors.getErrors().map((error) => error.message);

describe('workflow files', () => {
  test('there are CI, check-dist, release, the operator workflow and the fork-PR report', () => {
    for (const file of ['ci.yml', 'check-dist.yml', 'release.yml', 'reliability-smoke.yml', 'smoke-report.yml']) {
      assert.ok(workflowFiles.includes(file), `.github/workflows/${file} exists`);
    }
  });

  for (const file of workflowFiles) {
    test(`${file} is a valid workflow`, () => {
      const result = parseWorkflow({ name: file, content: read(`.github/workflows/${file}`) }, new NoOperationTraceWriter());
      assert.deepEqual(errorsOf(result), []);
    });
  }

  test('a v1.x.y tag checks that dist/ is fresh and the version matches, then moves v1', () => {
    const workflow = parse(read('.github/workflows/release.yml')) as {
      on: { push: { tags: string[] } };
      permissions: Record<string, string>;
      jobs: { release: { steps: { name?: string; run?: string }[] } };
    };
    assert.deepEqual(workflow.on.push.tags, ['v1.*.*']);
    assert.deepEqual(workflow.permissions, { contents: 'write' });
    const runs = workflow.jobs.release.steps.map((step) => step.run ?? '');
    const fresh = runs.findIndex((run) => run.includes('npm run build') && run.includes('git diff --exit-code'));
    const version = runs.findIndex((run) => run.includes('package.json'));
    const move = runs.findIndex((run) => /git tag -f .*"\$major"/.test(run) && run.includes('git push -f'));
    assert.ok(fresh >= 0 && version >= 0 && move >= 0, 'checks freshness and the version, and moves the major tag');
    assert.ok(move > fresh && move > version, 'v1 moves only after both checks passed');
  });

  test('the parser does reject a broken workflow', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        wiht: {}\n';
    const result = parseWorkflow({ name: 'broken.yml', content: broken }, new NoOperationTraceWriter());
    assert.ok(errorsOf(result).length > 0);
  });

  test('the operator workflow offers rerun-failed, artifact-run-id and fixtures on workflow_dispatch, with minimal permissions', () => {
    const workflow = parse(read('.github/workflows/reliability-smoke.yml')) as {
      on: { workflow_dispatch: { inputs: Record<string, { description: string }> }; schedule: unknown; pull_request: unknown };
      permissions: Record<string, string>;
    };
    const inputs = workflow.on.workflow_dispatch.inputs;
    assert.deepEqual(Object.keys(inputs).sort(), ['artifact-run-id', 'fixtures', 'rerun-failed']);
    assert.match(inputs['rerun-failed']?.description ?? '', /not be combined with fixtures/i);
    assert.match(inputs.fixtures?.description ?? '', /not be combined with rerun-failed/i);
    assert.ok(workflow.on.schedule && workflow.on.pull_request !== undefined);
    assert.deepEqual(workflow.permissions, { contents: 'read', actions: 'read', checks: 'write' });
  });
});

describe('the sharded operator workflow', () => {
  const workflow = parse(read('.github/workflows/reliability-smoke-sharded.yml')) as {
    permissions: Record<string, string>;
    jobs: Record<
      string,
      {
        needs?: string;
        if?: string;
        strategy?: { 'fail-fast'?: boolean; matrix: { shard: number[] } };
        steps: { uses?: string; with?: Record<string, string | boolean> }[];
      }
    >;
  };
  const action = (job: string) => workflow.jobs[job]?.steps.find((step) => step.uses === './')?.with ?? {};

  test('splits the suite over a matrix, as many parts as matrix legs, and never cancels the other shards', () => {
    const shards = workflow.jobs.smoke?.strategy;
    assert.equal(shards?.['fail-fast'], false);
    assert.deepEqual(shards?.matrix.shard, [1, 2, 3]);
    assert.equal(action('smoke').shard, `\${{ matrix.shard }}/${shards?.matrix.shard.length}`);
  });

  test('merges after the shards, even failed ones, under the same artifact-name, and needs actions: read', () => {
    const verdict = workflow.jobs.verdict;
    assert.equal(verdict?.needs, 'smoke');
    assert.equal(verdict?.if, '${{ !cancelled() }}');
    assert.equal(action('verdict').merge, true);
    assert.equal(action('verdict')['artifact-name'], action('smoke')['artifact-name']);
    assert.deepEqual(workflow.permissions, { contents: 'read', actions: 'read', checks: 'write' });
  });
});

describe('action.yml', () => {
  const manifest = parse(read('action.yml')) as {
    inputs: Record<string, { description?: string; default?: string }>;
    outputs: Record<string, { description?: string }>;
    runs: { using: string; main: string };
    branding: unknown;
  };

  test('is a valid action for GitHub, running dist/index.js on node24', () => {
    const result = parseAction({ name: 'action.yml', content: read('action.yml') }, new NoOperationTraceWriter());
    assert.deepEqual(errorsOf(result), []);
    assert.deepEqual(manifest.runs, { using: 'node24', main: 'dist/index.js' });
    assert.ok(manifest.branding);
  });

  test('declares exactly the inputs and outputs the code reads and sets, each described with a default', () => {
    assert.deepEqual(Object.keys(manifest.inputs).sort(), Object.values(Inputs).sort());
    assert.deepEqual(Object.keys(manifest.outputs).sort(), Object.values(Outputs).sort());
    for (const [name, input] of Object.entries(manifest.inputs)) {
      assert.ok(input.description && input.description.length > 20, `input ${name} is described`);
      assert.ok(input.default !== undefined, `input ${name} has a default`);
    }
    for (const [name, output] of Object.entries(manifest.outputs)) assert.ok(output.description, `output ${name} is described`);
  });

  test('declares each input as the option table does: its default, and its description without Markdown', () => {
    const problems: string[] = [];
    for (const key of ACTION_KEYS) {
      const declared = manifest.inputs[INPUT_NAMES[key]];
      const expected = manifestInput(key);
      if (declared?.default !== expected.default || declared.description !== expected.description) {
        problems.push(`action.yml does not declare ${INPUT_NAMES[key]} as src/options/table.ts does; it should read:\n${manifestInputYaml(key)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the Inputs constants name every input of the option table', () => {
    assert.deepEqual(Object.values(Inputs), ACTION_KEYS.map((key) => INPUT_NAMES[key]));
    assert.equal(Inputs.FixturesDir, 'fixtures-dir');
    assert.equal(Inputs.GithubToken, 'github-token');
    assert.equal(Inputs.Fixtures, 'fixtures');
  });

  test('docs/action.md documents every input and output, and the README links to it', () => {
    const reference = read('docs/action.md');
    for (const name of [...Object.values(Inputs), ...Object.values(Outputs)]) {
      assert.ok(reference.includes(`| \`${name}\` |`), `docs/action.md has a row for \`${name}\``);
    }
    assert.match(read('README.md'), /\]\(docs\/action\.md\)/);
  });
});
