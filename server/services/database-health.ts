/**
 * Whether the database answers, as a process's background work (the engine, invitation delivery, the live
 * events feed) finds it. A failure that a later attempt may not meet marks it away: logged once, with the
 * cause, however many loops meet it; the next success marks it back, logged once with how long it lasted.
 * Meanwhile each loop waits longer and longer between attempts. Claims stay with their leases throughout:
 * what a loop held when the database went away is taken up again by whoever claims it next.
 */
import { isTransient } from '../engine/engine.ts';
import type { Logger } from '../operations/logger.ts';

/** The longest wait between two attempts while the database is away. */
const MAX_BACKOFF_MS = 10_000;

export type DatabaseHealth = ReturnType<typeof databaseHealth>;

export function databaseHealth(logger: Logger, clock: () => number = Date.now) {
  let awaySince: number | null = null;
  let failures = 0;
  return {
    /**
     * Records a failed attempt at `what`. True when the failure is one the database's return may cure (then
     * it is logged here, once per outage); false for anything else, which the caller reports itself.
     */
    failed(error: unknown, what: string): boolean {
      if (!isTransient(error)) return false;
      failures++;
      if (awaySince === null) {
        awaySince = clock();
        const { message, code } = (error ?? {}) as { message?: string; code?: string };
        logger.warn(
          `the database cannot be reached (${message || code || 'no answer'}, while trying to ${what}); ` +
            `background work tries again, less often the longer it lasts`,
        );
      }
      return true;
    },
    /** Records an attempt that worked. */
    succeeded(): void {
      if (awaySince === null) return;
      const seconds = Math.round((clock() - awaySince) / 100) / 10;
      awaySince = null;
      failures = 0;
      logger.warn(`the database answers again after ${seconds} s; background work goes on`);
    },
    /** The wait before the next attempt: `normalMs`, doubling with each failure while it is away. */
    delay(normalMs: number): number {
      return awaySince === null ? normalMs : Math.min(MAX_BACKOFF_MS, normalMs * 2 ** Math.min(failures, 16));
    },
    /** Since when it has been away; null while it answers. */
    get awaySince(): Date | null {
      return awaySince === null ? null : new Date(awaySince);
    },
  };
}
