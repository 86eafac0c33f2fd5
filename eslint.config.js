import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, and what each may import. The engine and everything below it never talk to GitHub: only the
 * Action (src/action) and the features' artifact sources (src/rerun/artifact-*.ts, src/shard/artifact-*.ts,
 * src/history/artifact-*.ts) use
 * @actions/*. The two front doors never import
 * each other. A lower layer never imports a higher one, so the folder list reads as the data flow:
 * fixtures → selection → run (browser) → report → render → engine → action | cli. Two features sit beside them:
 * secrets (`${{ env.NAME }}` and redaction) at the level of fixtures, which every layer may use, and deploy (starting
 * the app, waiting for the site, a deployment's URL), which only the engine and the Action drive.
 */
const forbid = (folder, message) => ({ regex: `(^|/)${folder}/`, message });
const GITHUB = { group: ['@actions/*'], message: 'Only src/action and the artifact sources (src/rerun, src/shard, src/history) talk to GitHub.' };
/** The artifact plumbing reaches GitHub; a feature's core reaches it only through its own artifact-*.ts file. */
const ARTIFACT_PLUMBING = { regex: '(^|/)rerun/(artifact-[^/]*|runs-api)\\.ts$', message: 'Only a feature\'s artifact-*.ts file uses the artifact plumbing.' };
const FRONT_DOORS = [forbid('action', 'Only the Action imports src/action.'), forbid('cli', 'Only the CLI imports src/cli.')];
const boundary = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'smoke-report/**', '.tmp/**', 'fixtures/site/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The npm launcher is CommonJS on purpose: any Node can read it, and it checks the version before loading the ESM bundle.
    files: ['bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
  boundary(['src/common/**', 'src/fixtures/**', 'src/selection/**', 'src/secrets/**'], [
    GITHUB,
    ...FRONT_DOORS,
    forbid('(run|report|render|rerun|shard|history|engine|serve|deploy)', 'fixtures, selection, secrets and common sit below every other layer.'),
  ]),
  boundary(['src/deploy/**'], [
    GITHUB,
    ...FRONT_DOORS,
    forbid('(run|report|render|rerun|shard|history|engine|serve)', 'deploy brings a site up; the engine drives it and turns its errors into stops.'),
  ]),
  boundary(['src/report/**'], [
    GITHUB,
    ...FRONT_DOORS,
    forbid('(run|render|rerun|shard|history|engine|deploy)', 'The report model is built from plain results; it never imports the runner, renderers or features.'),
  ]),
  boundary(['src/run/**', 'src/serve/**'], [
    GITHUB,
    ...FRONT_DOORS,
    forbid('(render|rerun|shard|history|engine|deploy)', 'The runner knows nothing of rendering, reruns, shards, history or the engine that drives it.'),
  ]),
  boundary(['src/render/**'], [GITHUB, ...FRONT_DOORS, forbid('(run|engine|deploy)', 'Renderers read reports and views only.')]),
  boundary(['src/rerun/**'], [GITHUB, ...FRONT_DOORS, forbid('(run|render|shard|history|engine|deploy)', 'The rerun core works on reports.')], [
    'src/rerun/artifact-*.ts',
    'src/rerun/runs-api.ts',
  ]),
  boundary(['src/rerun/artifact-*.ts', 'src/rerun/runs-api.ts'], [...FRONT_DOORS, forbid('(run|render|engine)', 'The artifact source fetches reports; it does not run or render them.')]),
  boundary(['src/shard/**'], [GITHUB, ...FRONT_DOORS, forbid('(run|render|engine|deploy)', 'The shard core partitions and merges reports.'), ARTIFACT_PLUMBING], [
    'src/shard/artifact-*.ts',
  ]),
  boundary(['src/shard/artifact-*.ts'], [...FRONT_DOORS, forbid('(run|render|engine)', "The shards' artifact source fetches reports; it does not run or render them.")]),
  boundary(['src/history/**'], [GITHUB, ...FRONT_DOORS, forbid('(run|render|shard|engine|deploy)', 'The history core keeps outcomes and decides quarantine from reports.'), ARTIFACT_PLUMBING], [
    'src/history/artifact-*.ts',
  ]),
  boundary(['src/history/artifact-*.ts'], [...FRONT_DOORS, forbid('(run|render|shard|engine|deploy)', "The history's artifact source fetches the previous report; it does not run or render it.")]),
  boundary(['src/options/**'], [
    GITHUB,
    ...FRONT_DOORS,
    forbid('(run|report|render|rerun|shard|history|engine|serve|deploy)', 'The option table sits below the engine: each layer may read it, it reads none of them.'),
  ]),
  boundary(['src/engine/**', 'src/version.ts'], [GITHUB, ...FRONT_DOORS]),
  boundary(['src/action/**', 'src/index.ts'], [forbid('cli', 'The Action and the CLI are two front doors; neither imports the other.')]),
  boundary(['src/cli/**'], [GITHUB, forbid('action', 'The Action and the CLI are two front doors; neither imports the other.')]),
);
