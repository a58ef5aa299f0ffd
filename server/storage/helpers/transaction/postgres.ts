import type { TransactionHelper } from './index.ts';

/** Serialization failure, deadlock, and a unique key taken by a concurrent transaction. */
const RETRIED_CODES = new Set(['40001', '40P01', '23505']);
/**
 * Under load (engine batches of hundreds of rows beside many short API transactions) a transaction can lose
 * several races in a row: each new attempt waits a random while, growing up to a cap, so that the
 * transactions in conflict stop meeting; in all at most about two seconds.
 */
const MAX_ATTEMPTS = 20;
const MAX_BACKOFF_MS = 200;

/**
 * REPEATABLE READ: each transaction reads one snapshot, and one that changes a row another changed since
 * loses (40001) and is run again from the start. The invariants a check-then-write would protect are
 * unique keys (a UID per tenant, a user principal name, one running migration per user): a transaction
 * that loses such a race (23505) is run again too, and its check then sees the winner's row and answers as
 * it would have one after the other (a typed error). SERIALIZABLE would also do, but its predicate locks
 * fail concurrent transactions that touch different rows of a small table, again and again under load.
 * The work must therefore change nothing but the database. Work whose writes each stand alone asks for
 * READ COMMITTED instead (TransactionOptions.perStatement).
 */
export const postgresTransaction: TransactionHelper = async (db, work, options) => {
  for (let attempt = 1; ; attempt++) {
    let failure: { error: unknown } | null = null;
    try {
      return await db
        .transaction()
        .setIsolationLevel(options?.perStatement ? 'read committed' : 'repeatable read')
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
      const cap = Math.min(MAX_BACKOFF_MS, 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
};
