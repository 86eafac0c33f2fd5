/**
 * The import rules in eslint.config.js are the architecture: these tests lint a line of code as if it sat in each
 * layer, so a rule that stopped firing (a typo in a glob, a folder renamed) fails here, not in a review.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './support/temp.ts';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function importErrors(file: string, specifier: string): Promise<string[]> {
  const code = `import { x } from '${specifier}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import boundaries', () => {
  const engineSide = [
    'src/engine/x.ts',
    'src/run/x.ts',
    'src/report/x.ts',
    'src/fixtures/x.ts',
    'src/render/x.ts',
    'src/rerun/x.ts',
    'src/shard/x.ts',
    'src/history/x.ts',
    'src/options/x.ts',
    'src/secrets/x.ts',
    'src/deploy/x.ts',
  ];

  for (const file of engineSide) {
    test(`${file} may not import @actions/*, the Action or the CLI`, async () => {
      assert.match((await importErrors(file, '@actions/core')).join('\n'), /talk to GitHub/);
      assert.match((await importErrors(file, '../action/inputs.ts')).join('\n'), /Only the Action imports src\/action/);
      assert.match((await importErrors(file, '../cli/args.ts')).join('\n'), /Only the CLI imports src\/cli/);
    });
  }

  test('the Action and the CLI never import each other', async () => {
    assert.match((await importErrors('src/action/x.ts', '../cli/main.ts')).join('\n'), /two front doors/);
    assert.match((await importErrors('src/cli/x.ts', '../action/main.ts')).join('\n'), /two front doors/);
    assert.match((await importErrors('src/cli/x.ts', '@actions/core')).join('\n'), /talk to GitHub/);
  });

  test('a lower layer never imports a higher one', async () => {
    assert.match((await importErrors('src/report/x.ts', '../run/types.ts')).join('\n'), /never imports the runner/);
    assert.match((await importErrors('src/run/x.ts', '../engine/run-smoke.ts')).join('\n'), /knows nothing/);
    assert.match((await importErrors('src/fixtures/x.ts', '../report/schema.ts')).join('\n'), /below every other layer/);
    assert.match((await importErrors('src/render/x.ts', '../engine/outcome.ts')).join('\n'), /read reports and views only/);
    assert.match((await importErrors('src/options/x.ts', '../report/schema.ts')).join('\n'), /option table sits below the engine/);
    assert.match((await importErrors('src/secrets/x.ts', '../run/types.ts')).join('\n'), /below every other layer/);
    assert.match((await importErrors('src/fixtures/x.ts', '../deploy/start.ts')).join('\n'), /below every other layer/);
    assert.match((await importErrors('src/deploy/x.ts', '../engine/run-smoke.ts')).join('\n'), /the engine drives it/);
    assert.match((await importErrors('src/deploy/x.ts', '../report/stops.ts')).join('\n'), /the engine drives it/);
    assert.match((await importErrors('src/run/x.ts', '../deploy/start.ts')).join('\n'), /knows nothing/);
    assert.match((await importErrors('src/report/x.ts', '../shard/merge.ts')).join('\n'), /never imports the runner, renderers or features/);
    assert.match((await importErrors('src/rerun/failed-set.ts', '../shard/merge.ts')).join('\n'), /rerun core works on reports/);
    assert.match((await importErrors('src/shard/x.ts', '../engine/run-merge.ts')).join('\n'), /shard core partitions and merges reports/);
    assert.match((await importErrors('src/shard/x.ts', '../run/suite.ts')).join('\n'), /shard core partitions and merges reports/);
  });

  test("the shard feature's core reaches GitHub only through its own artifact source", async () => {
    assert.match((await importErrors('src/shard/merge.ts', '../rerun/artifact-source.ts')).join('\n'), /artifact-\*\.ts file uses the artifact plumbing/);
    assert.match((await importErrors('src/shard/partition.ts', '../rerun/runs-api.ts')).join('\n'), /artifact-\*\.ts file uses the artifact plumbing/);
    assert.deepEqual(await importErrors('src/shard/artifact-shards.ts', '../rerun/artifact-source.ts'), []);
    assert.deepEqual(await importErrors('src/shard/merge.ts', '../rerun/carry-over.ts'), []);
    assert.deepEqual(await importErrors('src/engine/x.ts', '../shard/merge.ts'), []);
    assert.match((await importErrors('src/shard/artifact-shards.ts', '../engine/run-merge.ts')).join('\n'), /does not run or render them/);
  });

  test("the history feature's core works on reports and reaches GitHub only through its own artifact source", async () => {
    assert.match((await importErrors('src/history/quarantine.ts', '../rerun/artifact-source.ts')).join('\n'), /artifact-\*\.ts file uses the artifact plumbing/);
    assert.match((await importErrors('src/history/outcomes.ts', '../engine/run-smoke.ts')).join('\n'), /history core keeps outcomes/);
    assert.match((await importErrors('src/history/outcomes.ts', '../render/view.ts')).join('\n'), /history core keeps outcomes/);
    assert.match((await importErrors('src/history/artifact-history.ts', '../engine/run-smoke.ts')).join('\n'), /previous report; it does not run or render it/);
    assert.match((await importErrors('src/report/x.ts', '../history/outcomes.ts')).join('\n'), /never imports the runner, renderers or features/);
    assert.match((await importErrors('src/rerun/failed-set.ts', '../history/outcomes.ts')).join('\n'), /rerun core works on reports/);
    assert.deepEqual(await importErrors('src/history/artifact-history.ts', '../rerun/artifact-source.ts'), []);
    assert.deepEqual(await importErrors('src/history/previous.ts', '../rerun/source-report.ts'), []);
    assert.deepEqual(await importErrors('src/engine/x.ts', '../history/quarantine.ts'), []);
    assert.deepEqual(await importErrors('src/render/x.ts', '../history/flake-rate.ts'), []);
  });

  test('what the layers may import is allowed', async () => {
    assert.deepEqual(await importErrors('src/action/x.ts', '@actions/core'), []);
    assert.deepEqual(await importErrors('src/rerun/artifact-source.ts', '@actions/artifact'), []);
    assert.deepEqual(await importErrors('src/engine/x.ts', '../run/suite.ts'), []);
    assert.deepEqual(await importErrors('src/render/x.ts', '../report/schema.ts'), []);
    assert.deepEqual(await importErrors('src/engine/x.ts', '../deploy/start.ts'), []);
    assert.deepEqual(await importErrors('src/action/x.ts', '../deploy/base-url.ts'), []);
    assert.deepEqual(await importErrors('src/run/x.ts', '../secrets/redact.ts'), []);
    assert.deepEqual(await importErrors('src/fixtures/x.ts', '../secrets/template.ts'), []);
    assert.deepEqual(await importErrors('src/deploy/x.ts', '../secrets/redact.ts'), []);
  });
});
