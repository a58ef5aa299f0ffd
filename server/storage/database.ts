/** Opens the embedded SQLite database and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './tables.ts';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The driver handle, for bulk loads that must not pay Kysely's per-statement cost. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called with every statement Kysely runs (to watch query counts, for instance). */
  onQuery?: (sql: string) => void;
}

export async function openDatabase(path: string, options: DatabaseOptions = {}): Promise<OpenedDatabase> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed migration step may already have sent invitations, so it must survive power loss too.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const { onQuery } = options;
  const dialect = new SqliteDialect({ database: sqlite });
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
    async close() {
      await db.destroy();
    },
  };
}
