/** Opens the embedded SQLite database and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './tables.ts';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** Prepares a statement on the driver handle, or hands back the one prepared for the same text before. */
  prepare: (sql: string) => SQLite.Statement;
  /** The driver handle, for bulk loads that must not pay Kysely's per-statement cost. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called with every statement Kysely runs (to watch query counts, for instance). */
  onQuery?: (sql: string) => void;
}

/** Statements kept prepared, most recently used first. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The driver handle with the statements prepared on it kept for the next time: Kysely prepares every
 * statement it runs, and most are the same text again and again (preparing was an eighth of the engine's
 * time). A statement runs to completion before the next use; Kysely's stream(), which would hold one open
 * while iterating, is not used.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      let statement = prepared.get(sql);
      if (statement) prepared.delete(sql);
      else statement = sqlite.prepare(sql);
      prepared.set(sql, statement);
      if (prepared.size > STATEMENT_CACHE_SIZE) {
        const oldest = prepared.keys().next().value;
        if (oldest !== undefined) prepared.delete(oldest);
      }
      return statement;
    },
  };
}

/** How long a writer waits for another process's write transaction before it gives up. */
const BUSY_TIMEOUT_MS = 15_000;

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

class ImmediateTransactionDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.#config);
  }
}

export async function openDatabase(path: string, options: DatabaseOptions = {}): Promise<OpenedDatabase> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed migration step may already have sent invitations, so it must survive power loss too.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const { onQuery } = options;
  const cached = withStatementCache(sqlite);
  const dialect = new ImmediateTransactionDialect({ database: cached satisfies SqliteDatabase });
  const db = onQuery
    ? new Kysely<Database>({
        dialect,
        log: (event) => {
          if (event.level === 'query') onQuery(event.query.sql);
        },
      })
    : new Kysely<Database>({ dialect });
  await migrateToLatest(db as Kysely<unknown>);
  // Statistics for the query planner where they are missing or stale (cheap: it samples).
  sqlite.pragma('optimize = 0x10002');
  return {
    db,
    sqlite,
    prepare: cached.prepare,
    async close() {
      await db.destroy();
    },
  };
}
