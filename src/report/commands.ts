/**
 * The copy-paste commands we print for the next attempt (preflight fallbacks, "rerun the failures"). They are
 * built in one place so the terminal, the job summary and the report's preflight fallback never disagree.
 */
import { RUN_OPTION_DEFAULTS, type RunOptions } from '../options/parse.ts';
import { FLAG_NAMES as FLAG } from '../options/table.ts';

export const CLI_COMMAND = 'npx reliability-smoke';

/** How the Action describes a full run in rerun guidance. */
export const FULL_RUN_HINT = 'To run the whole suite instead, run the workflow without rerun-failed (and without fixtures).';

/** The flags that point a pasted command at the same fixtures and the same site. */
export function siteArgs(options: Pick<RunOptions, 'fixturesDir' | 'baseUrl' | 'serveDir'>): string[] {
  const args: string[] = [];
  if (options.fixturesDir !== RUN_OPTION_DEFAULTS.fixturesDir) args.push(FLAG.fixturesDir, options.fixturesDir);
  if (options.baseUrl) args.push(FLAG.baseUrl, options.baseUrl);
  if (options.serveDir) args.push(FLAG.serveDir, options.serveDir);
  return args;
}

/** Shown instead of ids when the ids are unknown (for example when no earlier report could be read). */
export const FIXTURE_ID_PLACEHOLDER = '<fixture-id>';

const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** POSIX single-quoting, so a value with spaces or `$` pastes as one argument and runs nothing. */
export function shellQuote(token: string): string {
  if (SHELL_SAFE.test(token)) return token;
  return `'${token.replaceAll("'", `'\\''`)}'`;
}

function command(args: readonly string[]): string {
  return [CLI_COMMAND, ...args.map(shellQuote)].join(' ');
}

/** `npx reliability-smoke [base args] --fixture a --fixture b`; a placeholder when no id is known. */
export function fixturesCommand(ids: readonly string[], baseArgs: readonly string[] = []): string {
  const selection =
    ids.length > 0 ? ids.flatMap((id) => [FLAG.patterns, shellQuote(id)]) : [FLAG.patterns, FIXTURE_ID_PLACEHOLDER];
  return [command(baseArgs), ...selection].join(' ');
}

/** The value of the Action's `fixtures:` input that selects exactly these ids. */
export function fixturesInputValue(ids: readonly string[]): string {
  return ids.length > 0 ? ids.join(',') : FIXTURE_ID_PLACEHOLDER;
}

/** The same command without any selection: every fixture runs. */
export function fullRunCommand(baseArgs: readonly string[] = []): string {
  return command(baseArgs);
}

/** `npx reliability-smoke [base args] --rerun-failed [--artifact PATH]`. */
export function rerunFailedCommand(baseArgs: readonly string[] = [], artifactPath: string | null = null): string {
  const artifact = artifactPath === null ? [] : [FLAG.artifactPath, artifactPath];
  return command([...baseArgs, FLAG.rerunFailed, ...artifact]);
}

/** The same rerun, running the fixtures new or changed since its source too. */
export function rerunIncludeCommand(baseArgs: readonly string[] = [], artifactPath: string | null = null): string {
  return `${rerunFailedCommand(baseArgs, artifactPath)} ${FLAG.rerunInclude} ${RERUN_INCLUDE_ALL}`;
}

/** The value of rerun-include (--rerun-include) that runs the new and changed fixtures too. */
export const RERUN_INCLUDE_ALL = 'failed,new,changed';

export interface WorkflowTarget {
  /** The workflow's name or file name (GITHUB_WORKFLOW); gh accepts either. */
  workflow: string | null;
  /** owner/name, so the command also works outside a clone. */
  repository: string | null;
  /** GITHUB_REF of the run. */
  ref: string | null;
}

/**
 * `gh workflow run <workflow> [-R repo] [--ref branch] -f rerun-failed=true`. Null without a workflow name.
 * Only branch and tag refs are passed on: a PR merge ref cannot be dispatched.
 */
export function workflowRerunCommand(target: WorkflowTarget): string | null {
  if (!target.workflow) return null;
  const parts = ['gh', 'workflow', 'run', shellQuote(workflowArgument(target.workflow))];
  if (target.repository) parts.push('-R', shellQuote(target.repository));
  const branch = dispatchableRef(target.ref);
  if (branch) parts.push('--ref', shellQuote(branch));
  parts.push('-f', 'rerun-failed=true');
  return parts.join(' ');
}

/** An unnamed workflow is known by its path (.github/workflows/smoke.yml); gh wants the file name. */
function workflowArgument(workflow: string): string {
  const file = /^\.github\/workflows\/([^/]+\.ya?ml)$/.exec(workflow);
  return file?.[1] ?? workflow;
}

function dispatchableRef(ref: string | null): string | null {
  if (!ref) return null;
  const match = /^refs\/(?:heads|tags)\/(.+)$/.exec(ref);
  return match?.[1] ?? null;
}
