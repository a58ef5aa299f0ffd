/**
 * Opens the database and brings its schema up to date: the embedded SQLite file by default, or PostgreSQL
 * when given a postgres:// URL. Which one is decided here, once; the storage helpers carry the difference.
 */
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, type KyselyConfig, type SqliteDatabase, sql } from 'kysely';
import pg from 'pg';
import { prepareFileLocation } from '../file-location.ts';
import { postgresBatch } from './helpers/batch/postgres.ts';
import { sqliteBatch } from './helpers/batch/sqlite.ts';
import { CLAIM_SESSION_SETTING, postgresClaim } from './helpers/claim/postgres.ts';
import { sqliteClaim } from './helpers/claim/sqlite.ts';
import type { StorageHelpers } from './helpers/index.ts';
import { OwnSchemaPostgresDialect, postgresSchema } from './helpers/schema/postgres.ts';
import { sqliteSchema } from './helpers/schema/sqlite.ts';
import { postgresTransaction } from './helpers/transaction/postgres.ts';
import { ImmediateTransactionDialect, sqliteTransaction } from './helpers/transaction/sqlite.ts';
import { connectTimeoutSeconds, DatabaseUnavailableError, isPostgresUrl } from './location.ts';
import { migrateSchema } from './migrations.ts';
import type { Database } from './tables.ts';

export type Db = Kysely<Database>;

interface OpenedCommon {
  db: Db;
  helpers: StorageHelpers;
  close(): Promise<void>;
}

export type OpenedDatabase =
  | (OpenedCommon & {
      backend: 'sqlite';
      /** The driver handle, for bulk loads that must not pay Kysely's per-statement cost. */
      sqlite: SQLite.Database;
    })
  | (OpenedCommon & {
      backend: 'postgres';
      /** The connection pool, for bulk loads. */
      pool: pg.Pool;
    });

export interface DatabaseOptions {
  /** Called with every statement Kysely runs (to watch query counts, for instance). */
  onQuery?: (sql: string) => void;
  /**
   * The last schema migration to apply (all of them when not given): a database as an earlier version left
   * it, to try an upgrade on.
   */
  schemaUpTo?: string;
}

/** Statements kept prepared, most recently used first. */
const STATEMENT_CACHE_SIZE = 500;

/** Connections each process keeps to PostgreSQL at most. */
const POSTGRES_POOL_SIZE = 10;
/** Connections each process keeps for claims (see postgresClaim), beside the others. */
const CLAIM_POOL_SIZE = 2;
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

function kysely(dialect: KyselyConfig['dialect'], { onQuery }: DatabaseOptions): Db {
  return onQuery
    ? new Kysely<Database>({
        dialect,
        log: (event) => {
          if (event.level === 'query') onQuery(event.query.sql);
        },
      })
    : new Kysely<Database>({ dialect });
}

/** `location` is a SQLite file, ":memory:", or a postgres:// URL. */
export async function openDatabase(location: string, options: DatabaseOptions = {}): Promise<OpenedDatabase> {
  return isPostgresUrl(location) ? openPostgres(location, options) : openSqlite(location, options);
}

/**
 * The database holds token hashes and every tenant's data: readable by its owner only (SQLite gives its
 * -wal and -shm files the database file's mode). A file made by an earlier version is tightened too.
 */
function keepToOwner(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats && (stats.mode & 0o077) !== 0) chmodSync(file, stats.mode & 0o700);
  }
}

/** How long a SQLite writer waits for another process's write transaction before it gives up. */
const BUSY_TIMEOUT_MS = 15_000;

function optimizePlanner(sqlite: SQLite.Database, path: string) {
  try {
    sqlite.pragma('optimize = 0x10002');
  } catch (error) {
    throw new DatabaseUnavailableError(path, error);
  }
}

async function openSqlite(path: string, options: DatabaseOptions): Promise<OpenedDatabase> {
  let sqlite: SQLite.Database;
  try {
    if (path !== ':memory:') {
      prepareFileLocation(path);
      keepToOwner(path);
    }
    sqlite = new SQLite(path);
  } catch (error) {
    throw new DatabaseUnavailableError(path, error);
  }
  try {
    // The first read of the file: one that is not SQLite fails here.
    sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    sqlite.close();
    throw new DatabaseUnavailableError(path, error);
  }
  // FULL: a committed migration step may already have sent invitations, so it must survive power loss too.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const cached = withStatementCache(sqlite);
  const db = kysely(new ImmediateTransactionDialect({ database: cached satisfies SqliteDatabase }), options);
  const helpers: StorageHelpers = {
    backend: 'sqlite',
    singleWriter: true,
    transaction: sqliteTransaction(sqlite),
    batch: sqliteBatch(cached.prepare),
    claim: sqliteClaim,
    schema: sqliteSchema,
  };
  try {
    await migrateSchema(db as Kysely<unknown>, helpers.schema, options.schemaUpTo);
    // Statistics for the query planner where they are missing or stale (cheap: it samples). It writes: it
    // waits for the write lock another process may hold, as long as any writer does.
    optimizePlanner(sqlite, path);
  } catch (error) {
    // Closed, as on PostgreSQL: a caller that goes on (a test, a retry) keeps no handle on the file.
    await db.destroy();
    throw error;
  }
  return {
    backend: 'sqlite',
    db,
    helpers,
    sqlite,
    async close() {
      await db.destroy();
    },
  };
}

function postgresPool(url: string, max: number, sessionSetting?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutSeconds(url) * 1000,
    // TCP keep-alive: a server that went away without closing its connections is noticed by the kernel.
    keepAlive: true,
  });
  // An idle connection the server closed (a restart, an administrator) is dropped by the pool, and the next
  // query opens a new one; unlistened, the pool's report of it would end the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    // The same for a connection in use: its query fails with the cause, which is what the caller sees.
    client.on('error', () => {});
    // Queued on the connection before anything the pool hands it out for.
    if (sessionSetting) client.query(sessionSetting).catch(() => {});
  });
  return pool;
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<OpenedDatabase> {
  const pool = postgresPool(url, POSTGRES_POOL_SIZE);
  const db = kysely(new OwnSchemaPostgresDialect({ pool }), options);
  // Opened on a process's first claim: an API process never opens them.
  const claimDb = kysely(
    new OwnSchemaPostgresDialect({ pool: postgresPool(url, CLAIM_POOL_SIZE, CLAIM_SESSION_SETTING) }),
    options,
  );
  const helpers: StorageHelpers = {
    backend: 'postgres',
    singleWriter: false,
    transaction: postgresTransaction,
    batch: postgresBatch,
    claim: postgresClaim(claimDb),
    schema: postgresSchema,
  };
  const close = async () => {
    await Promise.all([db.destroy(), claimDb.destroy()]);
  };
  try {
    // Connected first: a server that cannot be reached is told apart from a schema migration that failed.
    await sql`select 1`.execute(db).catch((error: unknown) => {
      throw new DatabaseUnavailableError(url, error);
    });
    await migrateSchema(db as Kysely<unknown>, helpers.schema, options.schemaUpTo);
  } catch (error) {
    await close();
    throw error;
  }
  return { backend: 'postgres', db, helpers, pool, close };
}
