/**
 * Every input, parsed once and validated together: all problems are reported at once, before any browser
 * starts. This never fails the step itself; the entry point does.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseList } from '../selection/select.ts';
import { type OptionKey, parseRunOptions, type RunOptions, UsageError, parseBooleanText } from '../options.ts';
import { Inputs } from './names.ts';

export interface ActionInputs extends RunOptions {
  artifactRunId: string | null;
  artifactName: string;
  githubToken: string;
  /** null turns the check run off. */
  checkName: string | null;
  retentionDays: number | null;
  /** Publish the report of artifact-run-id's smoke artifact (check run, summary, annotations) without running. */
  reportOnly: boolean;
}

export const INPUT_NAMES: Record<OptionKey, string> = {
  fixturesDir: Inputs.FixturesDir,
  baseUrl: Inputs.BaseUrl,
  serve: Inputs.Serve,
  fixtures: Inputs.Fixtures,
  tags: Inputs.Tags,
  sample: Inputs.Sample,
  sampleSeed: Inputs.SampleSeed,
  rerunFailed: Inputs.RerunFailed,
  ifNothingToRerun: Inputs.IfNothingToRerun,
  retries: Inputs.Retries,
  concurrency: Inputs.Concurrency,
  timeout: Inputs.Timeout,
  suiteTimeout: Inputs.SuiteTimeout,
  browserPath: Inputs.BrowserPath,
  dryRun: Inputs.DryRun,
  failOnFlaky: Inputs.FailOnFlaky,
  reportDir: Inputs.ReportDir,
};

export const DEFAULT_ARTIFACT_NAME = 'reliability-smoke';

/** Characters the artifact service refuses in names. */
const FORBIDDEN_ARTIFACT_NAME = /["':<>|*?\r\n\\/]/;

export type InputReader = (name: string) => string;

/** The runner's temp folder, emptied after each job; the system's outside a runner. */
export function runnerTemp(env: Record<string, string | undefined>): string {
  return env.RUNNER_TEMP || os.tmpdir();
}

export function defaultActionReportDir(env: Record<string, string | undefined>): string {
  return path.join(runnerTemp(env), 'reliability-smoke');
}

/** The artifact-name prefix to upload under, also when the inputs were refused: the default when it is unusable. */
export function usableArtifactPrefix(name: string): string {
  return name && !FORBIDDEN_ARTIFACT_NAME.test(name) ? name : DEFAULT_ARTIFACT_NAME;
}

/** An input that may be empty (null); otherwise `accept` gives its value, or undefined for `problem` quoting it. */
function optionalInput<T>(accept: (text: string) => T | undefined, problem: (text: string) => string) {
  return z.string().transform((text, ctx): T | null => {
    if (text === '') return null;
    const value = accept(text);
    if (value !== undefined) return value;
    ctx.addIssue({ code: 'custom', message: problem(text) });
    return z.NEVER;
  });
}

/** The inputs only the Action has; RunOptions parses the rest. */
const ActionOnlyInputs = z.object({
  [Inputs.ArtifactRunId]: optionalInput(
    (text) => (/^[1-9]\d{0,19}$/.test(text) ? text : undefined),
    (text) => `must be a workflow run id (a positive whole number), not "${text}"`,
  ),
  [Inputs.ArtifactName]: optionalInput(
    (text) => (FORBIDDEN_ARTIFACT_NAME.test(text) ? undefined : text),
    (text) => `must not contain any of " ' : < > | * ? \\ / or line breaks, got "${text}"`,
  ),
  [Inputs.RetentionDays]: optionalInput(
    (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 90 ? Number(text) : undefined),
    (text) => `must be a whole number of days from 1 to 90, not "${text}"`,
  ),
});
type ActionOnlyInputs = z.infer<typeof ActionOnlyInputs>;

function parseActionOnly(read: InputReader, problems: string[]): ActionOnlyInputs | null {
  const parsed = ActionOnlyInputs.safeParse({
    [Inputs.ArtifactRunId]: read(Inputs.ArtifactRunId),
    [Inputs.ArtifactName]: read(Inputs.ArtifactName),
    [Inputs.RetentionDays]: read(Inputs.RetentionDays),
  });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) problems.push(`${String(issue.path[0])}: ${issue.message}`);
  return null;
}

export function getInputs(read: InputReader, env: Record<string, string | undefined>): ActionInputs {
  const problems: string[] = [];
  let options: RunOptions | undefined;
  try {
    options = parseRunOptions(
      {
        fixturesDir: read(Inputs.FixturesDir),
        baseUrl: read(Inputs.BaseUrl),
        serve: read(Inputs.Serve),
        fixtures: parseList(read(Inputs.Fixtures)),
        tags: parseList(read(Inputs.Tags)),
        sample: read(Inputs.Sample),
        sampleSeed: read(Inputs.SampleSeed) || env.GITHUB_RUN_ID,
        rerunFailed: read(Inputs.RerunFailed),
        ifNothingToRerun: read(Inputs.IfNothingToRerun),
        retries: read(Inputs.Retries),
        concurrency: read(Inputs.Concurrency),
        timeout: read(Inputs.Timeout),
        suiteTimeout: read(Inputs.SuiteTimeout),
        browserPath: read(Inputs.BrowserPath),
        dryRun: read(Inputs.DryRun),
        failOnFlaky: read(Inputs.FailOnFlaky),
        reportDir: read(Inputs.ReportDir),
      },
      INPUT_NAMES,
      defaultActionReportDir(env),
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.problems);
  }
  const actionOnly = parseActionOnly(read, problems);
  // Read as given for the checks below, so they are reported beside a malformed run id too.
  const artifactRunId = read(Inputs.ArtifactRunId) || null;
  const reportOnly = parseBooleanText(read(Inputs.ReportOnly), Inputs.ReportOnly, problems);
  if (reportOnly && !artifactRunId) {
    problems.push(
      `${Inputs.ReportOnly} needs ${Inputs.ArtifactRunId}: the run whose smoke artifact to report, ` +
        'for example ${{ github.event.workflow_run.id }} in a workflow_run job.',
    );
  }
  if (reportOnly && options?.rerunFailed) {
    problems.push(`${Inputs.ReportOnly} and ${Inputs.RerunFailed} cannot be combined: report-only runs nothing.`);
  }
  if (artifactRunId && options && !options.rerunFailed && !reportOnly) {
    problems.push(
      `${Inputs.ArtifactRunId} is set but neither ${Inputs.RerunFailed} nor ${Inputs.ReportOnly} is: set ` +
        `${Inputs.RerunFailed}: true to rerun the failures of run ${artifactRunId}, ${Inputs.ReportOnly}: true to ` +
        `report its result, or leave ${Inputs.ArtifactRunId} empty.`,
    );
  }
  if (problems.length > 0 || !options || !actionOnly) throw new UsageError(problems);
  return {
    ...options,
    artifactRunId: actionOnly[Inputs.ArtifactRunId],
    artifactName: actionOnly[Inputs.ArtifactName] ?? DEFAULT_ARTIFACT_NAME,
    githubToken: read(Inputs.GithubToken),
    checkName: read(Inputs.CheckName) || null,
    retentionDays: actionOnly[Inputs.RetentionDays],
    reportOnly,
  };
}
