/**
 * What every layer is handed rather than reaching for it itself: where messages go, and what time it is. The
 * engine, the runner and both front doors use these; tests pass their own (a recording logger, a fake clock).
 */

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** Side effects on time go through this, so time logic can be tested with a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
