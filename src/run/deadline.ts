/**
 * Bounds for calls that can hang: a CDP command to a wedged renderer, a browser that will not close. The runner
 * must always move on, so every such call goes through one of these.
 */

/** Node fires longer timers after 1ms instead (with a warning), so every delay is capped here (~24.8 days). */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), 2_147_483_647);
}

class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms}ms`);
    this.name = 'DeadlineExceeded';
  }
}

/** Settles as `work` does, or rejects with DeadlineExceeded after `ms`. The timer never keeps Node alive. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), timerDelay(ms));
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Resolves with `work`'s value, or with `fallback` when it fails or takes longer than `ms`. */
export async function settleWithin<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  try {
    return await withDeadline(work, ms, 'work');
  } catch {
    return fallback;
  }
}
