/** `npm run worker`: the engine in a process of its own, beside a server that runs none. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { databaseEnv } from '../support/backend.ts';
import {
  createTenantWithOperator,
  createUser,
  globalId,
  parseGlobalId,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-worker-'));
  server = await startServer({ holdSeconds: 0, databasePath: join(dir, 'mms.sqlite') });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a worker process claims and runs the migrations the API queues', async () => {
  const { token } = await createTenantWithOperator(server, 'contoso.com');
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  for (let i = 0; i < 3; i++) await scheduleMeeting(server, token, alice);
  const { migrationId } = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' });

  const worker = run('server/worker.ts', [], { ...databaseEnv(server.database), MMS_POLL_MS: '50' });
  try {
    await worker.line((line) => line.startsWith('MMS worker'));
    let migration: Record<string, any> = {};
    for (let i = 0; i < 400 && migration.state !== 'SUCCEEDED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      migration = (
        await server.gql(
          token,
          'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings invitesUpdated } } }',
          {
            id: migrationId,
          },
        )
      ).node;
    }
    expect(migration).toEqual({ state: 'SUCCEEDED', succeededMeetings: 3, invitesUpdated: 6 });
  } finally {
    await worker.stop();
  }
  // A graceful stop: the worker finishes its batches and exits 0.
  expect({ code: await worker.exited, signal: worker.child.signalCode }).toEqual({ code: 0, signal: null });
  expect(worker.stdout).toContain('SIGTERM: finishing the current batches');
});

test('SIGTERM mid-run: the worker ends its batch, hands the run back, and another worker resumes it at once', async () => {
  // A user with many meetings in small batches, so that the stop comes mid-run; a lease far longer than the
  // test, so that the second worker can only have the run if the first handed it back.
  const seeding = await openDatabase(server.database);
  const dataset = await writeDataset(seeding, { users: 1, meetingsPerUser: 2_000, attendees: 2 }, new Date());
  await seeding.close();
  const user = dataset.users[0]?.id ?? 0;
  const env = {
    ...databaseEnv(server.database),
    MMS_POLL_MS: '50',
    MMS_BATCH_SIZE: '20',
    MMS_LEASE_SECONDS: '600',
  };
  const { token } = await server.app.services.tenancy.createOperatorToken(
    { kind: 'serviceAdmin' },
    { tenantId: dataset.tenant.id, name: 'graceful stop' },
  );
  const { migrationId } = await startMeetingMigration(server, token, globalId('User', user), {
    sourceMeetingType: 'ALL',
    targetMeetingType: 'TEAMS',
  });
  const progress = async () =>
    (
      await server.gql(
        token,
        'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings totalMeetings } } }',
        { id: migrationId },
      )
    ).node;

  const first = run('server/worker.ts', [], env);
  await first.line((line) => line.startsWith('MMS worker'));
  while ((await progress()).succeededMeetings < 100) await new Promise((resolve) => setTimeout(resolve, 10));
  await first.stop();
  expect(await first.exited).toBe(0);
  const handedBack = await progress();
  expect(handedBack.state).toBe('IN_PROGRESS');
  expect(handedBack.succeededMeetings).toBeLessThan(2_000);
  // Ended between two batches: what it did is whole batches.
  expect(handedBack.succeededMeetings % 20).toBe(0);

  const second = run('server/worker.ts', [], env);
  try {
    let finished = handedBack;
    for (let i = 0; i < 2_000 && finished.state !== 'SUCCEEDED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      finished = await progress();
    }
    expect(finished).toEqual({ state: 'SUCCEEDED', succeededMeetings: 2_000, totalMeetings: 2_000 });
  } finally {
    await second.stop();
  }
  // Every meeting rewritten exactly once, with one result each and its attendees' updates queued once.
  const { db } = server.app.database;
  const meetings = await db
    .selectFrom('meetings')
    .select(({ fn }) => ['sequence', fn.countAll<number>().as('n')])
    .where('organizer_id', '=', user)
    .groupBy('sequence')
    .execute();
  expect(meetings.map((row) => ({ sequence: row.sequence, n: Number(row.n) }))).toEqual([
    { sequence: 1, n: 2_000 },
  ]);
  const results = await db
    .selectFrom('meeting_results')
    .select(({ fn }) => [
      fn.countAll<number>().as('n'),
      fn.count<number>('meeting_id').distinct().as('meetings'),
    ])
    .where('migration_id', '=', parseGlobalId(migrationId).id)
    .executeTakeFirstOrThrow();
  expect({ n: Number(results.n), meetings: Number(results.meetings) }).toEqual({ n: 2_000, meetings: 2_000 });
  const invitations = await db
    .selectFrom('invitation_updates')
    .select(({ fn }) => [fn.countAll<number>().as('n')])
    .where('migration_id', '=', parseGlobalId(migrationId).id)
    .executeTakeFirstOrThrow();
  expect(Number(invitations.n)).toBe(4_000);
}, 120_000);
