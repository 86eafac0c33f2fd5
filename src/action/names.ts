/**
 * Input and output names, spelled exactly as in action.yml; a test keeps the two in step. The inputs come from
 * the option table (src/options/table.ts), under upload-artifact style names: Inputs.FixturesDir is "fixtures-dir".
 */
import { ACTION_KEYS, INPUT_NAMES, type InputName } from '../options/table.ts';

/** "fixtures-dir" → "FixturesDir". */
type ConstantName<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${ConstantName<Tail>}` : Capitalize<S>;

const constantName = (input: string): string =>
  input
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

export const Inputs = Object.fromEntries(ACTION_KEYS.map((key) => [constantName(INPUT_NAMES[key]), INPUT_NAMES[key]])) as {
  readonly [N in InputName as ConstantName<N>]: N;
};

export const Outputs = {
  Result: 'result',
  Mode: 'mode',
  Total: 'total',
  Passed: 'passed',
  Failed: 'failed',
  Flaky: 'flaky',
  Skipped: 'skipped',
  FailedFixtures: 'failed-fixtures',
  QuarantinedFixtures: 'quarantined-fixtures',
  NotCoveredFixtures: 'not-covered-fixtures',
  SelectedCount: 'selected-count',
  ReportPath: 'report-path',
  ArtifactName: 'artifact-name',
  ArtifactId: 'artifact-id',
  ArtifactUrl: 'artifact-url',
  RerunSourceRunId: 'rerun-source-run-id',
  CheckRunId: 'check-run-id',
} as const;

export type OutputName = (typeof Outputs)[keyof typeof Outputs];
