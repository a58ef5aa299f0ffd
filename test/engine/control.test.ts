/** Cancel, retry, transient failures and retention, against a running engine (SPEC §4.6, §5). */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sqliteOf, TEST_BACKEND } from '../support/backend.ts';
import { createTenantWithOperator, createUser, scheduleMeeting } from '../support/fixtures.ts';
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

// SQLite only: a full disk is made by capping SQLite's page count, which PostgreSQL has no counterpart of.
describe.skipIf(TEST_BACKEND !== 'sqlite')('transient failures', () => {
  /** Lets the database grow no more, and fills what room it has left: the next batch finds none. */
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
    const userId = await userWithMeetings(20);
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
        succeededMeetings: 20,
      });
    } finally {
      makeRoom();
    }
  });

  test('after the last retry the run ends FAILED, saying why', async () => {
    const userId = await userWithMeetings(20);
    fillDatabase();
    try {
      const id = await start(userId);
      const failed = await until(id, (m) => m.state === 'FAILED');
      expect(failed.retryCount).toBe(2);
      expect(failed.lastMessage).toMatch(/^gave up after 2 retries: .*full/);
      // Batches that found room before the database filled up stay done and counted.
      expect(failed.succeededMeetings).toBeLessThan(20);
      expect(failed.meetingResults.edges).toHaveLength(failed.succeededMeetings);
    } finally {
      makeRoom();
    }
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
