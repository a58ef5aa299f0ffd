/**
 * PostgreSQL leaves room in the meetings table's pages (schema migration 0016): a rewritten meeting's new
 * version stays on its page, where it is found through the old one's index entries and no index is written.
 * On full pages it would move, with an entry added to each of the table's indexes.
 */
import { sql } from 'kysely';
import { afterAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { type Db, openDatabase } from '../../server/storage/database.ts';
import { dropTestDatabases, TEST_BACKEND, testDatabase } from '../support/backend.ts';

afterAll(dropTestDatabases);

/** The page a meeting's current version is on. */
async function pageOf(db: Db, meetingId: number): Promise<string> {
  const { rows } = await sql<{ page: string }>`
    select split_part(trim(both '()' from ctid::text), ',', 1) as page from meetings
    where id = ${meetingId}`.execute(db);
  const page = rows[0]?.page;
  if (page === undefined) throw new Error(`no meeting ${meetingId}`);
  return page;
}

test.skipIf(TEST_BACKEND !== 'postgres')(
  'rewritten meetings, body grown as a rewrite grows it, stay on their pages',
  async () => {
    const opened = await openDatabase(await testDatabase());
    try {
      await writeDataset(opened, { users: 4, meetingsPerUser: 50, attendees: 0 }, new Date());
      const ids = (await opened.db.selectFrom('meetings').select('id').orderBy('id').execute()).map(
        (row) => row.id,
      );
      // Every tenth meeting, spread over the table's pages.
      const rewritten = ids.filter((_, i) => i % 10 === 5);
      const pagesBefore = await Promise.all(rewritten.map((id) => pageOf(opened.db, id)));
      expect(new Set(pagesBefore).size).toBeGreaterThan(5);
      for (const id of rewritten) {
        await opened.db
          .updateTable('meetings')
          .set((eb) => ({
            body: sql<string>`${eb.ref('body')} || ${'\n'.repeat(2) + 'x'.repeat(120)}`,
            sequence: eb('sequence', '+', 1),
            online_meeting_type: 'TEAMS',
            online_meeting_join_url: 'https://teams.example.com/l/meetup-join/x',
          }))
          .where('id', '=', id)
          .execute();
      }
      expect(await Promise.all(rewritten.map((id) => pageOf(opened.db, id)))).toEqual(pagesBefore);
    } finally {
      await opened.close();
    }
  },
);
