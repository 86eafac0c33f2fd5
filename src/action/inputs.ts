/**
 * Every input, read as the option table (src/options/table.ts) defines it and validated together: all problems
 * are reported at once, before any browser starts. This never fails the step itself; the entry point does.
 */
import os from 'node:os';
import path from 'node:path';
import { parseList } from '../selection/select.ts';
import { completeOptions, parseOptions, type RawOptions, type RunOptions } from '../options/parse.ts';
import { ACTION_KEYS, type ActionKey, INPUT_NAMES, type OptionKind, OPTIONS, type OptionValues, type RunOptionKey } from '../options/table.ts';
import { FORBIDDEN_ARTIFACT_NAME } from '../options/values.ts';
import { Inputs } from './names.ts';
import type { BaseUrlChoice } from '../deploy/base-url.ts';

/** The run options, and the inputs only the Action has (the artifact, the token, the check run, report-only). */
export type ActionInputs = RunOptions & OptionValues<Exclude<ActionKey, RunOptionKey>>;

export const DEFAULT_ARTIFACT_NAME = OPTIONS.artifactName.default;

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

/** A merge job runs nothing: what only a run of fixtures can use is a mistake beside it. */
function mergeProblems(values: Partial<OptionValues<ActionKey>>, raw: RawOptions<ActionKey>): string[] {
  if (!values.merge) return [];
  const clashes = [
    ...(raw.shard?.trim() ? [`${Inputs.Shard} (the merge job merges the shards; it is not one)`] : []),
    ...(values.rerunFailed ? [`${Inputs.RerunFailed} (the shards rerun; the merge job carries the other results over by itself)`] : []),
    ...((raw.patterns ?? []).length > 0 ? [`${Inputs.Fixtures} (the shards select the fixtures)`] : []),
    ...(values.reportOnly ? [`${Inputs.ReportOnly}`] : []),
    ...(values.dryRun ? [`${Inputs.DryRun} (a merge runs nothing anyway)`] : []),
  ];
  return clashes.map((clash) => `${Inputs.Merge} cannot be combined with ${clash}: set it only on the job that merges.`);
}

/** An input as the option parser takes it: a list split on commas and new lines, `lines` on new lines only. */
function rawInput(kind: OptionKind, value: string): string | string[] {
  if (kind === 'list') return parseList(value);
  if (kind === 'lines') return value.split(/\r?\n/).filter((line) => line.trim() !== '');
  return value;
}

/**
 * `deployed` is the base URL a deployment_status event gives when base-url and serve are empty (or why it gives
 * none), checked with the other inputs.
 */
export function getInputs(read: InputReader, env: Record<string, string | undefined>, deployed: BaseUrlChoice | null = null): ActionInputs {
  const raw: RawOptions<ActionKey> = Object.fromEntries(ACTION_KEYS.map((key) => [key, rawInput(OPTIONS[key].kind, read(INPUT_NAMES[key]))]));
  if (deployed && 'url' in deployed) raw.baseUrl = deployed.url;
  // Seeded by the run, so a re-run of the same run picks the same sample.
  if (!raw.sampleSeed?.trim() && env.GITHUB_RUN_ID) raw.sampleSeed = env.GITHUB_RUN_ID;
  const parsed = parseOptions(ACTION_KEYS, raw, INPUT_NAMES);
  const { rerunFailed, reportOnly } = parsed.values;
  // Read as given, so the checks below are reported beside a malformed run id too.
  const artifactRunId = raw.artifactRunId?.trim();
  const problems = [...parsed.problems];
  if (deployed && 'problem' in deployed) problems.push(`${Inputs.BaseUrl} ${deployed.problem}`);
  if (reportOnly && !artifactRunId) {
    problems.push(
      `${Inputs.ReportOnly} needs ${Inputs.ArtifactRunId}: the run whose smoke artifact to report, ` +
        'for example ${{ github.event.workflow_run.id }} in a workflow_run job.',
    );
  }
  if (reportOnly && rerunFailed) {
    problems.push(`${Inputs.ReportOnly} and ${Inputs.RerunFailed} cannot be combined: report-only runs nothing.`);
  }
  if (artifactRunId && rerunFailed === false && reportOnly === false) {
    problems.push(
      `${Inputs.ArtifactRunId} is set but neither ${Inputs.RerunFailed} nor ${Inputs.ReportOnly} is: set ` +
        `${Inputs.RerunFailed}: true to rerun the failures of run ${artifactRunId}, ${Inputs.ReportOnly}: true to ` +
        `report its result, or leave ${Inputs.ArtifactRunId} empty.`,
    );
  }
  problems.push(...mergeProblems(parsed.values, raw));
  const inputs = completeOptions({ ...parsed, problems });
  return { ...inputs, reportDir: inputs.reportDir ?? defaultActionReportDir(env) };
}
