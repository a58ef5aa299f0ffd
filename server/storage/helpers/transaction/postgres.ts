import type { TransactionHelper } from './index.ts';

/** Serialization failure, deadlock, and a unique key taken by a concurrent transaction. */
const RETRIED_CODES = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

/**
 * SERIALIZABLE, as SQLite's transactions are: a check-then-write (is this UID free? then insert) holds
 * against concurrent transactions. One that loses a race is run again from the start, where its checks
 * then see the winner's rows and answer as they would have one after the other (a typed error, not a
 * unique violation). The work must therefore change nothing but the database.
 */
export const postgresTransaction: TransactionHelper = async (db, work) => {
  for (let attempt = 1; ; attempt++) {
    let failure: { error: unknown } | null = null;
    try {
      return await db
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (trx) => {
          try {
            return await work(trx);
          } catch (error) {
            failure = { error };
            throw error;
          }
        });
    } catch (caught) {
      // A lost connection fails the ROLLBACK too, and its error would hide the one that says what happened.
      const error = failure ? (failure as { error: unknown }).error : caught;
      const code = (error as { code?: string }).code;
      if (!code || !RETRIED_CODES.has(code) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
};
