/** What the engine takes and gives back; the CLI and the Action build the request and read the outcome. */
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { RunOptions } from '../options/parse.ts';
import type { SelectionInfo, FixtureRun } from '../report/build.ts';
import type { Plan } from '../report/plan.ts';
import type { Mode, Report, RunContext, ShardOfReport } from '../report/schema.ts';
import type { AcquiredSource } from '../rerun/diagnostics.ts';
import type { FoundBrowser } from '../run/browser.ts';
import type { BrowserLauncher } from '../run/types.ts';
import type { Clock, Logger } from '../common/types.ts';
import type { RerunInput } from '../rerun/carry-over.ts';
import type { Redactor } from '../secrets/redact.ts';
import type { DurationSource } from '../shard/partition.ts';
import type { HistorySource } from '../history/previous.ts';

export interface SmokeRequest {
  options: RunOptions;
  context: RunContext;
  toolVersion: string;
  /** Arguments repeated in fallback commands (fixtures dir, base URL…), as the user would type them. */
  commandArgs: string[];
  /** For rerun-failed: fetches and validates the source report, or throws a PreflightError saying why not. */
  acquireRerunSource?: () => Promise<AcquiredSource>;
  /** How the source is named in messages, e.g. "smoke-report/report.json" or "run 123's artifact". */
  describeSource?: (source: AcquiredSource) => string;
  /** How a full run is described to this front door's users. */
  fullRunHint: string;
  /** The CLI carries results over when either commit is unknown (a local run outside git); the Action does not. */
  carryOverWhenShaUnknown: boolean;
  /**
   * The ref the report's `gh workflow run` rerun command dispatches on, when it is not the run's own ref (see
   * SummaryViewOptions.dispatchRef). Omitted: the run's ref.
   */
  dispatchRef?: string | null;
  /**
   * With `shard`: the previous run's fixture durations, to balance the parts; null when there is none (the parts
   * are then balanced by count). A rerun's shards take them from the rerun source instead. Never throws for a
   * source it cannot read: balancing is worth a warning, not a stop.
   */
  acquireDurations?: () => Promise<DurationSource | null>;
  /**
   * The previous report, for the fixture history; throws when there is none usable (the history then starts afresh
   * with a warning). A rerun takes the history from its source instead; when the source cannot be used, this is
   * asked only if `historyApartFromSource` says it is another report.
   */
  acquireHistory?: () => Promise<HistorySource>;
  /**
   * The previous report is not the rerun source (a local `--artifact` elsewhere): when the source cannot be used,
   * the run that stops still reads it, and carries its results forward, so the next rerun loses nothing.
   */
  historyApartFromSource?: boolean;
  /** How the log names the report the history came from. */
  describeHistory?: (source: HistorySource) => string;
}

export interface SmokeDeps {
  logger: Logger;
  env: Record<string, string | undefined>;
  cwd?: string;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called once the selection is known and fixtures are about to run (the Action starts its check run here). */
  onFixturesStart?: (selected: readonly LoadedFixture[]) => Promise<void> | void;
  onFixtureDone?: (run: FixtureRun) => void;
  /** Wraps the real launcher, e.g. so a test can kill the browser on cue. */
  createLauncher?: (found: FoundBrowser, logger: Logger) => BrowserLauncher;
  /**
   * The run's secrets. The engine adds every value it must hide (header values, the basic-auth password, values
   * substituted from the environment) as it learns them; the front door redacts its own output with it too.
   */
  redactor?: Redactor;
}

export interface SmokeOutcome {
  /** null for a dry run, which writes plan.json instead. */
  report: Report | null;
  reportPath: string | null;
  junitPath: string | null;
  /** report.html beside report.json; null when no report was written. */
  htmlPath: string | null;
  planPath: string | null;
  /** The plan a dry run wrote to planPath, so nothing needs to read it back; null for every other run. */
  plan: Plan | null;
  /** How many fixtures the selection picked to run (0 when the run stopped before selecting). */
  selectedCount: number;
  /** The mode of the run, also for a dry run (which has no report). */
  mode: Mode;
  /** start.log beside the report, when the run started an app (`start`); it belongs in the artifact. */
  startLogPath?: string | null;
  /** 0 pass, 1 fixtures failed, 2 usage, configuration or preflight error. */
  exitCode: 0 | 1 | 2;
}

/** What selection decided for this run, before anything runs. */
export interface Planned {
  mode: Mode;
  selection: SelectionInfo;
  selected: LoadedFixture[];
  suite: LoadedFixture[];
  rerun: RerunInput | null;
  warnings: string[];
  /** Why each selected fixture was selected, by id ("all fixtures", `tag "smoke"`, "failed in the previous run"). */
  reasons: Record<string, string>;
  /** With `shard`: the part this job runs and the partition it belongs to; `selected` is then that part. */
  shard?: ShardOfReport | null;
}

