import type SQLite from 'better-sqlite3';
import type { TransactionHelper } from './index.ts';

export function sqliteTransaction(sqlite: SQLite.Database): TransactionHelper {
  return async (db, work) => {
    let failure: { error: unknown } | null = null;
    try {
      return await db.transaction().execute(async (trx) => {
        try {
          return await work(trx);
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
    } catch (error) {
      // Some errors (a full disk, for one) make SQLite roll the transaction back itself; the ROLLBACK that
      // follows then fails, and its error would hide the one that says what happened.
      if (failure && !sqlite.inTransaction) throw (failure as { error: unknown }).error;
      throw error;
    }
  };
}
