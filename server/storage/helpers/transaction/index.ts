import type { Db } from '../../database.ts';

export interface TransactionOptions {
  /**
   * The work's every write is safe on its own: conditional on the row's state, or relative (a counter plus
   * one), never a value read earlier and written back. Each statement may then wait for a row another
   * transaction holds and act on what that one committed, rather than lose to it and start over; a running
   * migration's row, which the engine holds through each batch, is where that matters. PostgreSQL runs
   * such work at READ COMMITTED; SQLite runs every transaction alone anyway.
   */
  perStatement?: boolean;
}

/** Runs the work in one transaction of `db`: all of it commits, or none of it. */
export type TransactionHelper = <T>(
  db: Db,
  work: (trx: Db) => Promise<T>,
  options?: TransactionOptions,
) => Promise<T>;
