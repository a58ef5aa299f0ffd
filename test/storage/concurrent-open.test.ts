/** Processes starting at the same moment on one database apply the schema migrations once. */
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { openDatabase } from '../../server/storage/database.ts';
import { createStore } from '../../server/storage/store.ts';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';

// PostgreSQL only: an in-memory SQLite database belongs to one connection, and a file's migrations are
// serialised by SQLite's write lock.
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
