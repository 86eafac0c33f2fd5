/**
 * The suite's own bound around one attempt. runAttempt keeps its fixture's timeout itself; this is for when it
 * cannot (a CDP call to a hung renderer never answers). Past timeout + grace the attempt is aborted; if it still
 * does not return soon after an abort, from here or from the suite, it is abandoned: the suite records the
 * attempt itself and moves on, and the caller replaces the session the abandoned attempt may still be using.
 */
import { AttemptAbort, type Attempt } from './types.ts';
import type { TrackedAttempt } from './suite-control.ts';
import { timerDelay } from './deadline.ts';

export type AttemptOutcome =
  | { kind: 'returned'; attempt: Attempt }
  | { kind: 'threw'; error: unknown }
  | { kind: 'abandoned' };

export interface BoundedAttemptOptions {
  run: (signal: AbortSignal) => Promise<Attempt>;
  tracked: Pick<TrackedAttempt, 'signal' | 'abort'>;
  hardBoundMs: number;
  abandonAfterMs: number;
}

export async function boundedAttempt(options: BoundedAttemptOptions): Promise<AttemptOutcome> {
  const { tracked } = options;
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(action, timerDelay(ms));
    timers.push(timer);
  };

  const work: Promise<AttemptOutcome> = Promise.resolve()
    .then(() => options.run(tracked.signal))
    .then(
      (attempt): AttemptOutcome => ({ kind: 'returned', attempt }),
      (error: unknown): AttemptOutcome => ({ kind: 'threw', error }),
    );
  const abandoned = new Promise<AttemptOutcome>((resolve) => {
    const startAbandonClock = () => later(options.abandonAfterMs, () => resolve({ kind: 'abandoned' }));
    if (tracked.signal.aborted) startAbandonClock();
    else tracked.signal.addEventListener('abort', startAbandonClock, { once: true });
  });
  later(options.hardBoundMs, () =>
    tracked.abort(
      new AttemptAbort(
        'timeout',
        `The attempt was still running ${options.hardBoundMs}ms after it started, past its timeout and the ` +
          'grace period, so the suite stopped it (the page or the browser may be hung).',
      ),
    ),
  );
  try {
    return await Promise.race([work, abandoned]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
