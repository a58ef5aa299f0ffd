/**
 * Writers beside a running migration. The engine holds its migration's row through each batch; an
 * organizer's edit or a re-send moves that same row's invitation counters. On PostgreSQL such a writer that
 * had read the row first would lose to every batch in turn and give up: each of them must instead wait for
 * the batch and succeed, with the counters right at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';
import { globalId, mutate, startMeetingMigration } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let userId: number;
let dir: string;

beforeAll(async () => {
  // One user with enough meetings and attendees that a batch takes a while, and many batches; written before
  // the server starts, as the bulk writer must write alone.
  dir = mkdtempSync(join(tmpdir(), 'mms-concurrent-'));
  const database = await testDatabase(join(dir, 'mms.sqlite'));
  const seeding = await openDatabase(database);
  const dataset = await writeDataset(seeding, { users: 1, meetingsPerUser: 3_000, attendees: 8 }, new Date());
  await seeding.close();
  userId = dataset.users[0]?.id ?? 0;
  server = await startServer({ database, engine: { batchSize: 200 }, holdSeconds: 0 });
  ({ token } = await server.app.services.tenancy.createOperatorToken(
    { kind: 'serviceAdmin' },
    { tenantId: dataset.tenant.id, name: 'concurrent writers' },
  ));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const MIGRATION = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state succeededMeetings totalMeetings invitesUpdated invitationsPending
} } }`;

test('edits of already rewritten meetings during the run each wait for its batch and succeed', async () => {
  const { db } = server.app.database;
  const { migrationId } = await startMeetingMigration(server, token, globalId('User', userId), {
    sourceMeetingType: 'ALL',
    targetMeetingType: 'TEAMS',
  });
  const edited = new Set<number>();
  let editsWhileRunning = 0;
  for (;;) {
    const { node: migration } = await server.gql(token, MIGRATION, { id: migrationId });
    if (migration.state === 'SUCCEEDED' || migration.state === 'FAILED') break;
    // Meetings of earlier batches, whose invitation updates wait in the outbox counted on this run.
    const rewritten = await db
      .selectFrom('invitation_updates')
      .select('meeting_id')
      .distinct()
      .where('state', '=', 'QUEUED')
      .orderBy('meeting_id', 'desc')
      .limit(4)
      .execute();
    await Promise.all(
      rewritten.map(async ({ meeting_id: meetingId }) => {
        const body = `Edited by the organizer during the run (${meetingId})`;
        const updated = await mutate(
          server,
          token,
          'updateMeetingBody',
          { meetingId: globalId('Meeting', meetingId), body },
          'meeting { body sequence }',
        );
        expect(updated.meeting).toEqual({ body, sequence: 2 });
        edited.add(meetingId);
      }),
    );
    if (migration.state === 'IN_PROGRESS') editsWhileRunning += rewritten.length;
  }

  const { node: finished } = await server.gql(token, MIGRATION, { id: migrationId });
  expect(finished.state).toBe('SUCCEEDED');
  expect(finished.succeededMeetings).toBe(3_000);
  // The edits met the engine mid-run. On PostgreSQL, about one round of four per batch of the run's 15; a
  // writer that lost to each batch would get through one or two rounds in the whole run. (SQLite runs one
  // transaction at a time, in the engine's own process, and there is no race to lose.)
  expect(editsWhileRunning).toBeGreaterThanOrEqual(TEST_BACKEND === 'postgres' ? 20 : 1);
  // Every edit superseded its meeting's updates; the run's pending count is what is left in the outbox.
  const outbox = await db
    .selectFrom('invitation_updates')
    .select(['state', sql<number>`count(*)`.as('n')])
    .groupBy('state')
    .execute();
  const count = (state: string) => Number(outbox.find((row) => row.state === state)?.n ?? 0);
  expect(count('SUPERSEDED')).toBe(edited.size * 8);
  expect(count('QUEUED')).toBe(finished.invitesUpdated - edited.size * 8);
  expect(finished.invitationsPending).toBe(count('QUEUED'));
  expect(server.loggedErrors).toEqual([]);
}, 120_000);
