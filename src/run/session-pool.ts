/**
 * Hands each running fixture a clean session. The limiter lets at most `concurrency` fixtures run, and each
 * holds one session, so the pool never holds more sessions than workers: a session is in effect owned by
 * whichever worker holds it, and goes back to the pool between fixtures.
 *
 * Resets happen when a session is taken, not when it is given back: the checks then see everything the old
 * page did while it waited, and the sessions left over at the end of the suite are never reset for nothing.
 */
import { openSession, type Session, type Viewport } from './session.ts';
import type { BrowserHost } from './browser-host.ts';
import type { SuiteStats } from './types.ts';
import type { Logger } from '../common/types.ts';

export interface SessionPool {
  /**
   * A session that is new or was reset in place, for a fixture with this viewport. Throws when the browser is
   * unavailable or will not open one.
   */
  acquire(viewport: Viewport): Promise<Session>;
  /** Gives a session back for the next fixture, or closes it when `replaceBecause` says why it must not be reused. */
  release(session: Session, replaceBecause: string | null): Promise<void>;
  readonly stats: Pick<SuiteStats, 'sessionsCreated' | 'sessionsReset'>;
}

export interface SessionPoolOptions {
  host: BrowserHost;
  logger: Logger;
  /** Bound for each step of opening, resetting and closing a session (ms). */
  stepTimeoutMs: number;
}

export function createSessionPool(options: SessionPoolOptions): SessionPool {
  const { host, logger } = options;
  const idle: Session[] = [];
  const stats = { sessionsCreated: 0, sessionsReset: 0 };
  let nextId = 1;

  const replace = (session: Session, reason: string) => {
    logger.debug(`Browser session ${session.id} is replaced: ${reason}.`);
    return session.close();
  };

  const reuseIdle = async (viewport: Viewport): Promise<Session | null> => {
    const browser = await host.current();
    for (let session = idle.pop(); session; session = idle.pop()) {
      if (session.browser !== browser) {
        // It died with its browser; nothing is left to clean.
        void session.close();
        continue;
      }
      const reason = await session.resetForNextFixture(viewport);
      if (reason === null) {
        stats.sessionsReset += 1;
        return session;
      }
      await replace(session, reason);
    }
    return null;
  };

  return {
    stats,
    async acquire(viewport) {
      const reused = await reuseIdle(viewport);
      if (reused) return reused;
      const browser = await host.current();
      const session = await openSession(browser, nextId++, { stepTimeoutMs: options.stepTimeoutMs });
      stats.sessionsCreated += 1;
      // From here the page is the fixture's to emulate: a later fixture must emulate the same to reuse it.
      session.emulating = viewport.device;
      return session;
    },
    async release(session, replaceBecause) {
      if (replaceBecause === null) idle.push(session);
      else await replace(session, replaceBecause);
    },
  };
}
