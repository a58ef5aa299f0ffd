/**
 * The order in which workers take migrations from the queue: a run whose worker's lease ran out first (the
 * longest expired before the more recent), then the PENDING ones by when they became due and by id; a user
 * with a run in progress is passed over. On a database whose statistics predate the queue (never analysed),
 * as after a wave of triggers.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { type Db, type OpenedDatabase, openDatabase } from '../../server/storage/database.ts';
import { createStore, type Store } from '../../server/storage/store.ts';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';

const t0 = new Date('2026-12-01T09:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
let opened: OpenedDatabase;
let store: Store;
beforeAll(async () => {
  opened = await openDatabase(await testDatabase());
  store = createStore(opened);
});
afterAll(() => opened.close());

test('lapsed runs by expiry, then due ones by time and id; a busy user waits, ahead of a long queue', async () => {
  // Users without meetings: the queue is all that is looked at.
  const { tenant, users } = await writeDataset(
    opened,
    { users: 2_006, meetingsPerUser: 0, attendees: 0 },
    t0,
  );
  const userId = (i: number) => (users[i] as { id: number }).id;
  const insert = (i: number, notBefore: Date) =>
    store.migrations.insert(
      {
        correlationId: randomUUID(),
        tenantId: tenant.id,
        userId: userId(i),
        sourceMeetingType: 'ALL',
        targetMeetingType: 'TEAMS',
        notBefore,
      },
      t0,
    );
  const lapsedRecently = await insert(0, at(1));
  const lapsedLongAgo = await insert(1, at(2));
  const dueLast = await insert(2, at(30));
  const dueFirst = await insert(3, at(20));
  const dueWithTheFirst = await insert(4, at(20));
  // User 0's run is in progress: this one waits for it, due before every other.
  const busyUsers = await insert(0, at(0));
  // Behind them, a long queue of later ones.
  for (let i = 6; i < 2_006; i++) await insert(i, at(40));
  const lapse = (id: number, expiredAt: Date) =>
    opened.db
      .updateTable('meeting_migrations')
      .set({ state: 'IN_PROGRESS', lease_owner: 'a worker gone', lease_expires_at: expiredAt.toISOString() })
      .where('id', '=', id)
      .execute();
  await lapse(lapsedRecently.id, at(50));
  await lapse(lapsedLongAgo.id, at(40));

  const claimed: number[] = [];
  for (let i = 0; i < 5; i++) {
    const next = await store.engine.claimNext(`worker-${i}`, at(60), at(120));
    if (next) claimed.push(next.id);
  }
  expect(claimed).toEqual([lapsedLongAgo.id, lapsedRecently.id, dueFirst.id, dueWithTheFirst.id, dueLast.id]);
  // The busy user's migration is still waiting; the next claim takes the first of the long queue.
  const next = await store.engine.claimNext('worker-5', at(60), at(120));
  expect(next?.userId).toBe(userId(6));
  const waiting = await sql<{
    state: string;
  }>`select state from meeting_migrations where id = ${busyUsers.id}`.execute(opened.db);
  expect(waiting.rows[0]?.state).toBe('PENDING');
});

test.skipIf(TEST_BACKEND !== 'postgres')(
  'PostgreSQL: claims alone run with sorting off, on connections of their own, every one of them',
  async () => {
    const setting = async (connection: Db) =>
      (
        await sql<{ enable_sort: string; pid: number }>`
          select current_setting('enable_sort') as enable_sort, pg_backend_pid() as pid from pg_sleep(0.2)`.execute(
          connection,
        )
      ).rows[0];
    // Two claims at once hold two connections: the second is opened while the first is busy.
    const claims = await Promise.all(
      [1, 2].map(() =>
        opened.helpers.claim.claimingOnePerUser(opened.db, (connection) => setting(connection)),
      ),
    );
    expect(claims.map((claim) => claim?.enable_sort)).toEqual(['off', 'off']);
    expect(new Set(claims.map((claim) => claim?.pid)).size).toBe(2);
    const other = await setting(opened.db);
    expect(other?.enable_sort).toBe('on');
    expect(claims.map((claim) => claim?.pid)).not.toContain(other?.pid);
  },
);
