/** Input and output names, spelled exactly as in action.yml. A test keeps the two in step. */

export const Inputs = {
  FixturesDir: 'fixtures-dir',
  BaseUrl: 'base-url',
  Serve: 'serve',
  Fixtures: 'fixtures',
  Tags: 'tags',
  Sample: 'sample',
  SampleSeed: 'sample-seed',
  RerunFailed: 'rerun-failed',
  ArtifactRunId: 'artifact-run-id',
  ArtifactName: 'artifact-name',
  IfNothingToRerun: 'if-nothing-to-rerun',
  Retries: 'retries',
  Concurrency: 'concurrency',
  Timeout: 'timeout',
  SuiteTimeout: 'suite-timeout',
  BrowserPath: 'browser-path',
  DryRun: 'dry-run',
  FailOnFlaky: 'fail-on-flaky',
  GithubToken: 'github-token',
  CheckName: 'check-name',
  ReportDir: 'report-dir',
  RetentionDays: 'retention-days',
  ReportOnly: 'report-only',
} as const;

export const Outputs = {
  Result: 'result',
  Mode: 'mode',
  Total: 'total',
  Passed: 'passed',
  Failed: 'failed',
  Flaky: 'flaky',
  Skipped: 'skipped',
  FailedFixtures: 'failed-fixtures',
  SelectedCount: 'selected-count',
  ReportPath: 'report-path',
  ArtifactName: 'artifact-name',
  ArtifactId: 'artifact-id',
  ArtifactUrl: 'artifact-url',
  RerunSourceRunId: 'rerun-source-run-id',
  CheckRunId: 'check-run-id',
} as const;

export type OutputName = (typeof Outputs)[keyof typeof Outputs];
