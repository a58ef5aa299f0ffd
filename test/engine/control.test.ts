/** Cancel, retry, transient failures and retention, against a running engine (SPEC §4.6, §5). */

import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sqliteOf, TEST_BACKEND } from '../support/backend.ts';
import { createTenantWithOperator, createUser, parseGlobalId, scheduleMeeting } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
/** The server's clock runs with real time, shifted by this much (the retention test jumps ahead). */
let clockOffsetMs = 0;
let users = 0;
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

beforeAll(async () => {
  server = await startServer({
    engine: { batchSize: 10, maxParticipants: 5, retryScheduleMs: [100, 100] },
    holdSeconds: 0,
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

/** A user with `meetings` future meetings, `crowded` of them over the participant limit. */
async function userWithMeetings(meetings: number, crowded = 0) {
  users += 1;
  const id = await createUser(server, token, { userPrincipalName: `user${users}@contoso.com` });
  const crowd = { attendees: Array.from({ length: 6 }, (_, a) => ({ email: `a${a}@example.com` })) };
  for (let i = 0; i < meetings; i++) await scheduleMeeting(server, token, id, i < crowded ? crowd : {});
  return id;
}

const STATUS = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state retryCount nextAttemptAt lastMessage totalMeetings succeededMeetings failedMeetings invitesUpdated
  meetingResults(first: 500) { edges { node { outcome } } }
} } }`;

async function status(id: string) {
  return (await gql(STATUS, { id })).node;
}

async function until(id: string, done: (m: Record<string, any>) => boolean) {
  for (let i = 0; i < 2_000; i++) {
    const m = await status(id);
    if (done(m)) return m;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('timed out');
}

async function start(userId: string) {
  const result = await gql(
    `mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } } }`,
    { u: userId },
  );
  return result.startMeetingMigration.meetingMigration.id as string;
}

const rewrittenMeetings = async () =>
  Number(
    (
      await sql<{ n: number }>`select count(*) as n from meetings where sequence > 0`.execute(
        server.app.database.db,
      )
    ).rows[0]?.n,
  );

describe('cancel', () => {
  test('stops a running migration between two batches; what was done stays done and counted', async () => {
    const userId = await userWithMeetings(300);
    const before = await rewrittenMeetings();
    const id = await start(userId);
    await until(id, (m) => m.state === 'IN_PROGRESS' && m.succeededMeetings > 0);
    const cancelled = await gql(
      `mutation($m: ID!) { cancelMeetingMigration(input: { migrationId: $m }) { __typename ... on CancelMeetingMigrationPayload { meetingMigration { state } } } }`,
      { m: id },
    );
    expect(cancelled.cancelMeetingMigration.meetingMigration.state).toBe('CANCELLED');
    // Give a run that ignored the cancel the time to do more batches.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await status(id);
    expect(after.state).toBe('CANCELLED');
    expect(after.succeededMeetings).toBeLessThan(300);
    expect(after.succeededMeetings % 10).toBe(0);
    expect(after.meetingResults.edges).toHaveLength(after.succeededMeetings);
    expect(after.invitesUpdated).toBe(after.succeededMeetings * 2);
    expect((await rewrittenMeetings()) - before).toBe(after.succeededMeetings);
  });

  test("a cancel by a process whose clock is behind the migration's last change never dates it back", async () => {
    const userId = await userWithMeetings(1);
    // Held PENDING: its last change is the start, stamped by a clock a minute ahead (another process's,
    // or a batch that committed while the cancel waited for the row).
    await server.app.engine?.stop();
    try {
      clockOffsetMs = 60_000;
      const id = await start(userId);
      const { modifiedAt } = (
        await gql(`query($id: ID!) { node(id: $id) { ... on MeetingMigration { modifiedAt } } }`, { id })
      ).node;
      clockOffsetMs = 0;
      const cancelled = await gql(
        `mutation($m: ID!) { cancelMeetingMigration(input: { migrationId: $m }) { ... on CancelMeetingMigrationPayload { meetingMigration { state modifiedAt } } } }`,
        { m: id },
      );
      expect(cancelled.cancelMeetingMigration.meetingMigration).toEqual({ state: 'CANCELLED', modifiedAt });
    } finally {
      clockOffsetMs = 0;
      server.app.engine?.start();
    }
  });
});

describe('retry', () => {
  test('a failed run retried redoes only what did not succeed; no meeting is rewritten twice', async () => {
    const userId = await userWithMeetings(4, 1);
    const id = await start(userId);
    const failed = await until(id, (m) => m.state === 'FAILED');
    expect(failed).toMatchObject({ totalMeetings: 4, succeededMeetings: 3, failedMeetings: 1 });
    const rewrittenBefore = await rewrittenMeetings();
    await gql(`mutation($m: ID!) { retryMeetingMigration(input: { migrationId: $m }) { __typename } }`, {
      m: id,
    });
    const again = await until(
      id,
      (m) => m.state === 'FAILED' && m.lastMessage !== 'retry requested by an operator',
    );
    expect(again).toMatchObject({ totalMeetings: 4, succeededMeetings: 3, failedMeetings: 1 });
    expect(again.meetingResults.edges).toHaveLength(4);
    expect(await rewrittenMeetings()).toBe(rewrittenBefore);
  });

  test('an ineligible user retried after the cause is fixed succeeds', async () => {
    const userId = await userWithMeetings(2);
    await gql(
      `mutation($u: ID!) { setMailboxLocation(input: { userId: $u, mailboxLocation: EXCHANGE_ON_PREMISES }) { __typename } }`,
      {
        u: userId,
      },
    );
    const id = await start(userId);
    await until(id, (m) => m.state === 'FAILED');
    await gql(
      `mutation($u: ID!) { setMailboxLocation(input: { userId: $u, mailboxLocation: EXCHANGE_ONLINE }) { __typename } }`,
      {
        u: userId,
      },
    );
    await gql(`mutation($m: ID!) { retryMeetingMigration(input: { migrationId: $m }) { __typename } }`, {
      m: id,
    });
    expect(await until(id, (m) => m.state === 'SUCCEEDED')).toMatchObject({
      succeededMeetings: 2,
      failedMeetings: 0,
    });
  });
});

// A full disk is made by capping SQLite's page count, which PostgreSQL has no counterpart of; PostgreSQL's
// own transient failure is tested below.
describe.skipIf(TEST_BACKEND !== 'sqlite')('transient failures (SQLite: a full database)', () => {
  const RUN_PAST_THE_ROOM = 200;
  /**
   * Lets the database grow no more, and fills what room it has left. The pages already there keep some room
   * (up to a page per table and index, more on a fresh database), so a run must write more than that to be
   * sure to find none: RUN_PAST_THE_ROOM meetings, whose results and invitations take some 30 pages.
   */
  function fillDatabase() {
    const { sqlite } = sqliteOf(server);
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${pages + 20}`);
    sqlite.exec('create table filler (b blob)');
    const fill = sqlite.prepare('insert into filler values (randomblob(?))');
    for (const size of [4000, 500, 50])
      for (;;) {
        try {
          fill.run(size);
        } catch {
          break;
        }
      }
  }
  function makeRoom() {
    const { sqlite } = sqliteOf(server);
    sqlite.exec('drop table if exists filler');
    sqlite.pragma('max_page_count = 1073741823');
  }

  test('a full database is retried with backoff, counting retryCount, and the run then finishes', async () => {
    const userId = await userWithMeetings(RUN_PAST_THE_ROOM);
    // The database is full: writing the first batch fails with SQLITE_FULL.
    fillDatabase();
    try {
      const id = await start(userId);
      const waiting = await until(id, (m) => m.retryCount === 1 && m.state === 'PENDING');
      expect(waiting.lastMessage).toMatch(/^transient failure, retry 1 of 2: .*full/);
      expect(waiting.nextAttemptAt).not.toBeNull();
      makeRoom();
      expect(await until(id, (m) => m.state === 'SUCCEEDED')).toMatchObject({
        retryCount: 1,
        succeededMeetings: RUN_PAST_THE_ROOM,
      });
    } finally {
      makeRoom();
    }
  });

  test('after the last retry the run ends FAILED, saying why', async () => {
    const userId = await userWithMeetings(RUN_PAST_THE_ROOM);
    fillDatabase();
    try {
      const id = await start(userId);
      const failed = await until(id, (m) => m.state === 'FAILED');
      expect(failed.retryCount).toBe(2);
      expect(failed.lastMessage).toMatch(/^gave up after 2 retries: .*full/);
      // Batches that found room before the database filled up stay done and counted.
      expect(failed.succeededMeetings).toBeLessThan(RUN_PAST_THE_ROOM);
      expect(failed.meetingResults.edges).toHaveLength(failed.succeededMeetings);
    } finally {
      makeRoom();
    }
  });
});

// PostgreSQL's transient failure: the server ends the connection under a query (a restart, a failover, an
// administrator), as pg_terminate_backend does, and the run's statement fails with 57P01.
describe.skipIf(TEST_BACKEND !== 'postgres')('transient failures (PostgreSQL: a connection lost)', () => {
  /**
   * A connection of the test's own that holds the user's meetings after the first ten locked, so the run's
   * second batch waits for them (reads go on), until released.
   */
  async function lockLaterMeetings(userId: string) {
    const holder = new pg.Client({ connectionString: server.database });
    await holder.connect();
    await holder.query('begin');
    // Locked by id: FOR UPDATE beside OFFSET would lock the rows skipped too.
    await holder.query(
      `select id from meetings where id in
        (select id from meetings where organizer_id = $1 order by id offset 10) for update`,
      [parseGlobalId(userId).id],
    );
    return {
      /** Ends every server connection waiting for the lock, as a database restart would; how many it ended. */
      async terminateWaiting(): Promise<number> {
        const { rows } = await holder.query(
          `select pg_terminate_backend(pid) as ended from (select distinct pid from pg_locks
            where not granted and pg_backend_pid() = any(pg_blocking_pids(pid))) as waiting`,
        );
        return rows.filter((row) => row.ended).length;
      },
      async release() {
        await holder.query('rollback');
        await holder.end();
      },
    };
  }

  /** Ends the run's connection each time it waits for the lock, until `done`; how many were ended. */
  async function terminateUntil(
    lock: Awaited<ReturnType<typeof lockLaterMeetings>>,
    id: string,
    done: (m: Record<string, any>) => boolean,
  ) {
    let ended = 0;
    for (let i = 0; i < 2_000; i++) {
      ended += await lock.terminateWaiting();
      if (done(await status(id))) return ended;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('timed out');
  }

  test('a lost connection is retried with backoff, counting retryCount, and the run then finishes', async () => {
    const userId = await userWithMeetings(20);
    const lock = await lockLaterMeetings(userId);
    try {
      const id = await start(userId);
      // The second batch waits for the lock; its connection is ended once.
      expect(await terminateUntil(lock, id, (m) => m.retryCount === 1)).toBe(1);
      const retried = await status(id);
      expect(retried.lastMessage).toMatch(
        /^transient failure, retry 1 of 2: terminating connection due to administrator command/,
      );
      // The first batch stays done and counted.
      expect(retried.succeededMeetings).toBe(10);
      await lock.release();
      expect(await until(id, (m) => m.state === 'SUCCEEDED')).toMatchObject({
        retryCount: 1,
        succeededMeetings: 20,
        totalMeetings: 20,
      });
    } finally {
      await lock.release().catch(() => {});
    }
    expect(server.loggedErrors).toEqual([]);
  });

  test('after the last retry the run ends FAILED, saying why', async () => {
    const userId = await userWithMeetings(20);
    const lock = await lockLaterMeetings(userId);
    try {
      const id = await start(userId);
      // The first attempt and both retries lose their connection.
      expect(await terminateUntil(lock, id, (m) => m.state === 'FAILED')).toBe(3);
      const failed = await status(id);
      expect(failed.retryCount).toBe(2);
      expect(failed.lastMessage).toMatch(
        /^gave up after 2 retries: terminating connection due to administrator command/,
      );
      // The batch written before the connections were lost stays done and counted.
      expect(failed.succeededMeetings).toBe(10);
      expect(failed.meetingResults.edges).toHaveLength(10);
    } finally {
      await lock.release();
    }
    expect(server.loggedErrors).toEqual([]);
  });
});

describe('retention', () => {
  test('finished migrations older than the retention period are purged; open ones stay', async () => {
    const userId = await userWithMeetings(1);
    const old = await start(userId);
    await until(old, (m) => m.state === 'SUCCEEDED');
    clockOffsetMs += 151 * 86_400_000;
    const recent = await start(userId);
    await until(recent, (m) => m.state === 'SUCCEEDED');
    const purged = await server.app.engine?.purgeExpired();
    expect(purged?.migrations).toBeGreaterThanOrEqual(1);
    expect((await gql('query($id: ID!) { node(id: $id) { id } }', { id: old })).node).toBeNull();
    expect((await status(recent)).state).toBe('SUCCEEDED');
  });
});
