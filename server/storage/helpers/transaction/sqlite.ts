import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type { TransactionHelper } from './index.ts';

/**
 * Every transaction takes the write lock when it begins. A deferred one (SQLite's default, and Kysely's)
 * that has read and then writes cannot wait for a writer of another process: it fails at once with
 * SQLITE_BUSY ("database is locked"), busy timeout or not. Taken up front, the lock is waited for.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SQLite dialect with transactions that begin immediate (see above). */
export class ImmediateTransactionDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.#config);
  }
}

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
