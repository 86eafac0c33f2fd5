/**
 * The time budget and the trace of one attempt. Every wait in an attempt asks `remainingMs()` for its bound, and
 * every piece of work is tracked, so a timeout can say what it was waiting for and the log can show timings.
 */
import type { Clock } from '../common/types.ts';

/** What a piece of work was: it decides the kind of an unexpected error raised inside it. */
export type WorkKind = 'navigation' | 'step' | 'check';

export interface TraceEntry {
  label: string;
  kind: WorkKind;
  /** Milliseconds after the attempt started. */
  startMs: number;
  durationMs: number | null;
  outcome: 'running' | 'ok' | 'failed';
}

export interface Progress {
  readonly timeoutMs: number;
  /** Aborts when the attempt is over, for whatever reason, so that nothing keeps acting on the page after it. */
  readonly signal: AbortSignal;
  elapsedMs(): number;
  /** Time left, never below 1ms: puppeteer reads a timeout of 0 as "wait forever". */
  remainingMs(): number;
  /** Time left for a wait with its own timeout `capMs` (none when undefined); 0 or less once the time is up. */
  budgetMs(capMs?: number): number;
  /** Throws once the attempt is over, so work that returns late does not go on to its next action. */
  ensureRunning(): void;
  readonly trace: readonly TraceEntry[];
  /** The innermost piece of work still running: what the attempt was waiting for. */
  current(): TraceEntry | undefined;
  track<T>(kind: WorkKind, label: string, work: () => Promise<T>): Promise<T>;
  /** Marks the attempt over and cancels what is still waiting. */
  end(): void;
}

class AttemptOver extends Error {
  constructor() {
    super('The attempt is over.');
    this.name = 'AttemptOver';
  }
}

export function createProgress(clock: Clock, timeoutMs: number): Progress {
  const startedAt = clock.now();
  const controller = new AbortController();
  const trace: TraceEntry[] = [];
  const elapsedMs = () => Math.max(0, clock.now() - startedAt);
  return {
    timeoutMs,
    signal: controller.signal,
    trace,
    elapsedMs,
    remainingMs: () => Math.max(1, timeoutMs - elapsedMs()),
    budgetMs: (capMs = Infinity) => Math.min(capMs, timeoutMs - elapsedMs()),
    ensureRunning: () => {
      if (controller.signal.aborted) throw new AttemptOver();
    },
    current: () => trace.findLast((entry) => entry.outcome === 'running'),
    async track(kind, label, work) {
      if (controller.signal.aborted) throw new AttemptOver();
      const entry: TraceEntry = { label, kind, startMs: elapsedMs(), durationMs: null, outcome: 'running' };
      trace.push(entry);
      try {
        const result = await work();
        entry.outcome = 'ok';
        return result;
      } catch (error) {
        entry.outcome = 'failed';
        throw error;
      } finally {
        entry.durationMs = elapsedMs() - entry.startMs;
      }
    },
    end: () => controller.abort(new AttemptOver()),
  };
}
