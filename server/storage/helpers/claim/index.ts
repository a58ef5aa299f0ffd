import type { SelectQueryBuilder } from 'kysely';
import type { Db } from '../../database.ts';

/** How a claim picks queue rows while other processes claim from the same queue. */
export interface ClaimHelper {
  /** The claim's choice of rows, made to pass over rows another claim is taking at this moment. */
  skipLocked<DB, TB extends keyof DB, O>(
    candidates: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
  /**
   * Runs a migration claim statement on `db` (or a transaction of it), again when a concurrent claim took
   * another run of the same user first.
   */
  claimingOnePerUser<T>(db: Db, claim: (connection: Db) => Promise<T>): Promise<T>;
}
