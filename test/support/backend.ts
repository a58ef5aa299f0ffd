/**
 * The storage backend the suite runs on: SQLite unless MMS_TEST_BACKEND=postgres. On PostgreSQL each test
 * server gets a schema of its own in the database at MMS_TEST_POSTGRES_URL, dropped when its test file ends,
 * so test files running side by side never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { OpenedDatabase } from '../../server/storage/database.ts';
import { testPostgresUrl } from './services.ts';

export type TestBackend = 'sqlite' | 'postgres';

export const TEST_BACKEND: TestBackend = process.env.MMS_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export const TEST_POSTGRES_URL = testPostgresUrl();

const createdSchemas: string[] = [];

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL of a new, empty schema of the test database (its own search path). */
export async function newPostgresDatabase(): Promise<string> {
  const schema = `mms_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create schema ${schema}`));
  createdSchemas.push(schema);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * Where a test server keeps its data: on SQLite the file given (":memory:" when none); on PostgreSQL a new
 * schema whatever the file.
 */
export async function testDatabase(sqliteFile?: string): Promise<string> {
  return TEST_BACKEND === 'postgres' ? newPostgresDatabase() : (sqliteFile ?? ':memory:');
}

/** The environment that points a child process (npm start, a worker, the seed) at the database. */
export function databaseEnv(location: string): Record<string, string> {
  return location.startsWith('postgres') ? { MMS_DATABASE_URL: location } : { MMS_DB: location };
}

/** Drops the schemas this test file made (run after its servers stopped). */
export async function dropTestDatabases(): Promise<void> {
  if (createdSchemas.length === 0) return;
  const schemas = createdSchemas.splice(0);
  await withAdminClient(async (client) => {
    // A server a test left running would hold locks: give up on its schema rather than hang the run.
    await client.query("set lock_timeout = '5s'");
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  });
}

/**
 * Makes every DELETE from the table fail with the message, as a failing disk would, until the returned
 * function is called.
 */
export async function refuseDeletes(
  db: Kysely<any>,
  table: string,
  message: string,
): Promise<() => Promise<void>> {
  if (TEST_BACKEND === 'postgres') {
    await sql`create function refuse_delete() returns trigger language plpgsql as
      ${sql.raw(`$$ begin raise exception '${message}'; end $$`)}`.execute(db);
    await sql`create trigger refuse_delete before delete on ${sql.table(table)}
      for each row execute function refuse_delete()`.execute(db);
    return async () => {
      await sql`drop trigger refuse_delete on ${sql.table(table)}`.execute(db);
      await sql`drop function refuse_delete()`.execute(db);
    };
  }
  await sql`create temp trigger refuse_delete before delete on ${sql.table(table)}
    begin select raise(abort, ${sql.lit(message)}); end`.execute(db);
  return async () => {
    await sql`drop trigger temp.refuse_delete`.execute(db);
  };
}

/** What the database says when a query names a table that is not there. */
export function missingTableMessage(table: string): RegExp {
  return TEST_BACKEND === 'postgres'
    ? new RegExp(`relation \\W*${table}\\W* does not exist`)
    : new RegExp(`no such table: ${table}`);
}

/** The SQLite handle of a server's database, for tests that work on SQLite's own internals. */
export function sqliteOf(server: { app: { database: OpenedDatabase } }) {
  const { database } = server.app;
  if (database.backend !== 'sqlite') throw new Error('this test works on SQLite internals');
  return database;
}
