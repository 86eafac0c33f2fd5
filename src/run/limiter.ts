/**
 * Real concurrency: the limiter queues FUNCTIONS and calls one only when a slot is free. Queueing promises
 * instead would start every task at once (the promise already runs when it is created) and only "wait" in
 * batches, which is a known bug of actions/download-artifact.
 */

export interface Limiter {
  /** Calls `task` once fewer than `concurrency` tasks are running; settles as the task does. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const queue: (() => void)[] = [];
  let active = 0;

  const startNext = () => {
    if (active >= concurrency) return;
    const next = queue.shift();
    if (!next) return;
    active += 1;
    next();
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          // A task that throws synchronously still frees its slot.
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              startNext();
            });
        });
        startNext();
      });
    },
  };
}
