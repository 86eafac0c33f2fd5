/**
 * Runs the Action's source (src/action/main.ts) in the test's own process, as src/index.ts does but with an ActionIo
 * that records what a workflow would see: outputs, job summary, annotations, log lines, masked secrets and the
 * step's failure. GitHub is the loopback service, reached with the REAL @actions/artifact and @actions/github.
 *
 *   before(async () => { service = await startInProcessGitHub(); });   // one per test file
 *   after(() => service.stop());
 *   const step = await runActionInProcess(service, { env: { runId: 42 }, inputs: { 'base-url': site.url } });
 *
 * The Action reads the runner's variables from ActionIo.env, but the @actions clients read a few from process.env
 * themselves, and this is the one place that sets them:
 * - @actions/github computes its default API URL when it is first imported, and @actions/artifact's cross-run
 *   downloads (rerun-failed) use that default. So startInProcessGitHub() points GITHUB_API_URL at the service,
 *   and the Action is imported only afterwards, on the first step; a file that imported @actions/github earlier
 *   (a static import of src/action/main.ts, say) gets an error saying so rather than traffic to api.github.com.
 * - @actions/artifact reads ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and GITHUB_RETENTION_DAYS as an upload
 *   starts, before its first await. The token names the run and the job, so the step's uploader sets them for its
 *   own step just before each upload; steps that run side by side in one file each upload as themselves.
 * - GITHUB_SERVER_URL stays unset: @actions/artifact takes a loopback server for GitHub Enterprise Server and
 *   refuses it (GHESNotSupportedError).
 * node --test runs each test file in a process of its own, so all of this is per file.
 */
import type { ActionIo } from '../../src/action/io.ts';
import type { Annotation } from '../../src/render/annotations.ts';
import { actionInputs, type StepOptions } from './action-step.ts';
import { childEnv } from './github-service/child.ts';
import { type GitHubService, type GitHubServiceOptions, startGitHubService } from './github-service/index.ts';

/** What a workflow sees of one step. */
export interface ActionStep {
  /** What the step fails with (the message the entry point passes to core.setFailed), or null when it passes. */
  failure: string | null;
  outputs: Record<string, string>;
  /** The job summary, as appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Annotations in the order they were sent. */
  annotations: Annotation[];
  /** The step's log: one line per info message, warnings as "Warning: …" (debug lines are left out). */
  log: string;
  /** Values the step asked the runner to mask. */
  secrets: string[];
  /** The workspace the step ran in (GITHUB_WORKSPACE, its working directory). */
  workspace: string;
  /** The runner's variables for the step (RUNNER_TEMP, GITHUB_SHA…). */
  env: Record<string, string>;
}

export interface InProcessStepOptions extends StepOptions {
  /** Aborted as the runner cancels a job; the signals themselves need a real process (see e2e/). */
  signal?: AbortSignal;
  /** Shorter waits on a loopback service told to hang. */
  deadlines?: ActionIo['deadlines'];
}

/** Variables a real runner (or a proxy) sets, which must not leak from the machine running the tests into a step. */
const RUNNER_PREFIXES = ['GITHUB_', 'ACTIONS_', 'RUNNER_', 'INPUT_', 'STATE_'];
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];

let pointedAt: GitHubService | null = null;
let loading: Promise<LoadedAction> | null = null;

interface LoadedAction {
  stepFailure: (io: ActionIo) => Promise<string | null>;
  newArtifactClient: () => ActionIo['uploader'];
}

/** Starts the loopback GitHub and points this process's @actions clients at it. Once per test file. */
export async function startInProcessGitHub(options: GitHubServiceOptions = {}): Promise<GitHubService> {
  if (pointedAt) throw new Error('One loopback GitHub per test file: @actions/github keeps the API URL it saw when it was first imported.');
  const service = await startGitHubService(options);
  for (const key of Object.keys(process.env)) {
    const upper = key.toUpperCase();
    if (RUNNER_PREFIXES.some((prefix) => upper.startsWith(prefix)) || PROXY_VARIABLES.includes(key.toLowerCase()) || upper === 'CI') {
      delete process.env[key];
    }
  }
  Object.assign(process.env, {
    GITHUB_API_URL: service.apiUrl,
    ACTIONS_RESULTS_URL: service.resultsUrl,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  });
  pointedAt = service;
  return service;
}

function loadAction(service: GitHubService): Promise<LoadedAction> {
  loading ??= (async () => {
    const github = await import('@actions/github');
    if (github.context.apiUrl !== service.apiUrl) {
      throw new Error(
        `@actions/github was imported before startInProcessGitHub() (its API URL is ${github.context.apiUrl}), so ` +
          'rerun downloads would not reach the loopback service. Import the Action only through runActionInProcess().',
      );
    }
    const [{ stepFailure }, { DefaultArtifactClient }] = await Promise.all([import('../../src/action/main.ts'), import('@actions/artifact')]);
    return { stepFailure, newArtifactClient: () => new DefaultArtifactClient() };
  })();
  return loading;
}

/** Runs one step of the Action from src/, in this process, and returns what the workflow would see. */
export async function runActionInProcess(service: GitHubService, options: InProcessStepOptions): Promise<ActionStep> {
  if (pointedAt !== service) throw new Error('Start the service with startInProcessGitHub(), which points the @actions clients at it.');
  const { stepFailure, newArtifactClient } = await loadAction(service);
  const runner = service.env(options.env);
  const workspace = runner.GITHUB_WORKSPACE ?? '';
  options.workspace?.(workspace);
  const inputs = actionInputs(options.inputs ?? {}, service.githubToken);
  const step: ActionStep = { failure: null, outputs: {}, summary: '', annotations: [], log: '', secrets: [], workspace, env: runner };
  const lines: string[] = [];
  const client = newArtifactClient();
  const io: ActionIo = {
    env: childEnv({ ...runner, ...options.extraEnv }),
    cwd: workspace,
    // As core.getInput reads INPUT_<NAME>: trimmed, and empty for a name action.yml does not declare.
    readInput: (name) => (inputs[name] ?? '').trim(),
    logger: {
      info: (message) => void lines.push(message),
      warn: (message) => void lines.push(`Warning: ${message}`),
      debug: () => {},
    },
    setOutput: (name, value) => void (step.outputs[name] = value),
    setSecret: (value) => void step.secrets.push(value),
    writeSummary: async (markdown) => void (step.summary += markdown),
    annotate: (annotation) => void step.annotations.push(annotation),
    uploader: {
      uploadArtifact: (name, files, rootDirectory, uploadOptions) => {
        Object.assign(process.env, {
          ACTIONS_RUNTIME_TOKEN: runner.ACTIONS_RUNTIME_TOKEN,
          ACTIONS_RESULTS_URL: runner.ACTIONS_RESULTS_URL,
          GITHUB_RETENTION_DAYS: runner.GITHUB_RETENTION_DAYS,
        });
        return client.uploadArtifact(name, files, rootDirectory, uploadOptions);
      },
    },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.deadlines ? { deadlines: options.deadlines } : {}),
  };
  step.failure = await stepFailure(io);
  step.log = lines.join('\n');
  return step;
}

/** The log and the failure, for assertion messages. */
export const logOf = (step: ActionStep): string => `\n--- log\n${step.log}\n--- failure\n${step.failure ?? '(none: the step passes)'}`;

/**
 * Where a secret shows up in what a person can read: the log, the failure message, the job summary, the outputs,
 * the annotations, and any other named texts (report files…). Masking it (ActionStep.secrets) is not a leak.
 */
export function tokenLeaks(step: ActionStep, secret: string, texts: Record<string, string> = {}): string[] {
  const places: Record<string, string> = {
    log: step.log,
    failure: step.failure ?? '',
    summary: step.summary,
    ...Object.fromEntries(Object.entries(step.outputs).map(([name, value]) => [`output ${name}`, value])),
    ...Object.fromEntries(step.annotations.map((annotation, index) => [`annotation ${index + 1}`, `${annotation.title ?? ''}\n${annotation.message}`])),
    ...texts,
  };
  return Object.entries(places)
    .filter(([, text]) => text.includes(secret))
    .map(([place]) => place);
}
