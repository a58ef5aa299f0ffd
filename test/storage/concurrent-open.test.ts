/**
 * Processes starting at the same moment on one database apply the schema migrations once, and start whatever
 * other schemas of the database are doing meanwhile. One that cannot have SQLite's write lock in time says
 * so in one line and stops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../server/storage/database.ts';
import { createStore } from '../../server/storage/store.ts';
import { TEST_BACKEND, TEST_POSTGRES_URL, testDatabase } from '../support/backend.ts';
import { run } from '../support/processes.ts';

// On SQLite, processes of their own: connections of one thread waiting for each other's write lock would
// each hold the thread while they wait.
test.skipIf(TEST_BACKEND !== 'sqlite')(
  'three workers starting at once on a new SQLite file: every migration applied once, each worker running',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-concurrent-open-'));
    const file = join(dir, 'mms.sqlite');
    const workers = Array.from({ length: 3 }, () => run('server/worker.ts', [], { MMS_DB: file }));
    try {
      for (const worker of workers) await worker.line((line) => line.startsWith('MMS worker'), 60_000);
      const opened = await openDatabase(file);
      try {
        const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
          opened.db,
        );
        const names = applied.rows.map((row) => row.name);
        expect(names).toContain('0001-initial');
        expect(new Set(names).size).toBe(names.length);
      } finally {
        await opened.close();
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      for (const worker of workers) expect(worker.stderr()).toBe('');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * A SQLite file whose write lock another program holds (this test process: the worker's waiting for it
 * holds no thread here), at the schema `schemaUpTo` leaves it.
 */
async function lockedFile(schemaUpTo?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mms-locked-open-'));
  const file = join(dir, 'mms.sqlite');
  await (await openDatabase(file, { schemaUpTo })).close();
  const holder = new SQLite(file);
  holder.exec('begin immediate');
  return {
    file,
    release() {
      holder.exec('rollback');
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Each waits out the 15 s a writer waits for the lock: side by side.
describe.skipIf(TEST_BACKEND !== 'sqlite')("another process holds the file's write lock", () => {
  test.concurrent('past the wait, a worker starting says so in one line, and stops', async () => {
    const locked = await lockedFile();
    try {
      const worker = run('server/worker.ts', [], { MMS_DB: locked.file });
      expect(await worker.exited).toBe(1);
      expect(worker.stderr().trimEnd().split('\n')).toEqual([
        `mms worker: cannot open the database at MMS_DB (${locked.file}): database is locked`,
      ]);
    } finally {
      locked.release();
    }
  });

  test.concurrent('the same when the worker has schema migrations to apply: one line naming them, and it stops', async () => {
    const locked = await lockedFile('0014-queue-in-claim-order');
    try {
      const worker = run('server/worker.ts', [], { MMS_DB: locked.file });
      expect(await worker.exited).toBe(1);
      expect(worker.stderr().trimEnd().split('\n')).toEqual([
        'mms worker: the schema migrations failed: database is locked',
      ]);
    } finally {
      locked.release();
    }
  });
});

// PostgreSQL: connections of one process, as of several.
test.skipIf(TEST_BACKEND !== 'postgres')(
  'six connections opening a new database at once: every migration applied once, each opener ready',
  async () => {
    const database = await testDatabase();
    const opened = await Promise.all(Array.from({ length: 6 }, () => openDatabase(database)));
    try {
      const [one] = opened;
      if (!one) throw new Error('nothing opened');
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        one.db,
      );
      const names = applied.rows.map((row) => row.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
      // Each one works on the schema: a write through one is read through another.
      const [first, ...others] = opened.map((each) => createStore(each));
      await first?.tokens.setServiceSetting('probe', 'written by the first');
      for (const other of others)
        expect(await other.tokens.serviceSetting('probe')).toBe('written by the first');
    } finally {
      await Promise.all(opened.map((each) => each.close()));
    }
  },
);

test.skipIf(TEST_BACKEND !== 'postgres')(
  'opening while other schemas of the database are made and dropped: every open succeeds and sees its own tables',
  async () => {
    // Another application (or test) on the same database, making and dropping schemas with tables in a loop.
    const others = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await others.connect();
    const prefix = `mms_churn_${randomBytes(4).toString('hex')}`;
    let churning = true;
    let churned = 0;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const schema = `${prefix}_${i % 4}`;
        await others.query(
          `create schema ${schema}; create table ${schema}.meetings (id int generated by default as identity primary key)`,
        );
        await others.query(`drop schema ${schema} cascade`);
        churned++;
      }
    })();
    try {
      for (let round = 0; round < 8; round++) {
        const database = await openDatabase(await testDatabase());
        try {
          const tables = await database.db.introspection.getTables({ withInternalKyselyTables: true });
          const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
            database.db,
          );
          expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([rows[0]?.schema]));
          expect(tables.map((table) => table.name)).toEqual(
            expect.arrayContaining(['kysely_migration', 'meetings', 'meeting_migrations']),
          );
        } finally {
          await database.close();
        }
      }
      expect(churned).toBeGreaterThan(0);
    } finally {
      churning = false;
      await churn;
      await others.end();
    }
  },
  60_000,
);
