/**
 * Each invitation update refers to its meeting's result in its run (schema migration 0015): one without a
 * result is refused, and deleting the meeting or the run takes the results and their updates with it. A
 * database an earlier version filled keeps every update through the upgrade, and its ids are never given
 * again; one the upgrade cannot take stays as it was, and
 * upgrades once the cause is gone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Dataset, writeDataset } from '../../bench/dataset.ts';
import { type Db, type OpenedDatabase, openDatabase } from '../../server/storage/database.ts';
import { createStore } from '../../server/storage/store.ts';
import { databaseEnv, dropTestDatabases, testDatabase } from '../support/backend.ts';
import { run } from '../support/processes.ts';

/** The schema as the version before this change left it. */
const BEFORE = '0014-queue-in-claim-order';
const t0 = new Date('2026-12-01T09:00:00.000Z');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mms-invitation-results-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

async function startRun(opened: OpenedDatabase, dataset: Dataset, user: number): Promise<number> {
  const userId = dataset.users[user]?.id;
  if (userId === undefined) throw new Error(`no user ${user}`);
  const run = await createStore(opened).migrations.insert(
    {
      correlationId: randomUUID(),
      tenantId: dataset.tenant.id,
      userId,
      sourceMeetingType: 'ALL',
      targetMeetingType: 'TEAMS',
      notBefore: t0,
    },
    t0,
  );
  return run.id;
}

const meetingsOf = async (db: Db, dataset: Dataset, user: number) =>
  (
    await db
      .selectFrom('meetings')
      .select('id')
      .where('organizer_id', '=', dataset.users[user]?.id ?? -1)
      .orderBy('id')
      .execute()
  ).map((row) => row.id);

/** What a batch writes for a rewritten meeting: its result, then an update per attendee. */
async function recordRewrite(
  db: Db,
  tenantId: number,
  runId: number,
  meetingId: number,
  attendees: string[],
) {
  await db
    .insertInto('meeting_results')
    .values({ migration_id: runId, meeting_id: meetingId, outcome: 'UPDATED', reason: 'r', recorded_at: 'x' })
    .execute();
  for (const email of attendees) await queueUpdate(db, tenantId, runId, meetingId, email);
}

const queueUpdate = (db: Db, tenantId: number, runId: number, meetingId: number, email: string) =>
  db
    .insertInto('invitation_updates')
    .values({
      tenant_id: tenantId,
      migration_id: runId,
      meeting_id: meetingId,
      sequence: 1,
      attendee_email: email,
      attendee_name: null,
      state: 'QUEUED',
      attempts: 0,
      created_at: t0.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

const allUpdates = (db: Db) => db.selectFrom('invitation_updates').selectAll().orderBy('id').execute();
const count = async (db: Db, table: 'meeting_results' | 'invitation_updates') =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const appliedMigrations = async (db: Db) =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
    (row) => row.name,
  );

test('an upgraded database keeps every update and its numbering; then the updates follow their results', async () => {
  const location = await testDatabase(join(dir, 'upgrade.db'));
  const before = await openDatabase(location, { schemaUpTo: BEFORE });
  const dataset = await writeDataset(before, { users: 2, meetingsPerUser: 2, attendees: 0 }, t0);
  const tenantId = dataset.tenant.id;
  const [kept, other] = await meetingsOf(before.db, dataset, 0);
  const [purgedMeeting] = await meetingsOf(before.db, dataset, 1);
  if (kept === undefined || other === undefined || purgedMeeting === undefined)
    throw new Error('no meetings');
  const runId = await startRun(before, dataset, 0);
  await recordRewrite(before.db, tenantId, runId, kept, ['a@x.example', 'b@x.example']);
  await recordRewrite(before.db, tenantId, runId, other, ['c@x.example']);
  // A later run purged (its updates with it): the numbering had gone past every id left.
  const purgedRun = await startRun(before, dataset, 1);
  await recordRewrite(before.db, tenantId, purgedRun, purgedMeeting, ['d@x.example', 'e@x.example']);
  const highestGiven = Math.max(...(await allUpdates(before.db)).map((row) => row.id));
  await before.db.deleteFrom('meeting_migrations').where('id', '=', purgedRun).execute();
  const updatesBefore = await allUpdates(before.db);
  expect(updatesBefore).toHaveLength(3);
  await before.close();

  const after = await openDatabase(location);
  try {
    expect(await appliedMigrations(after.db)).toContain('0015-invitation-updates-by-result');
    expect(await allUpdates(after.db)).toEqual(updatesBefore);

    // The next update is numbered past every id ever given, the purged run's too.
    const laterRun = await startRun(after, dataset, 1);
    await after.db
      .insertInto('meeting_results')
      .values({
        migration_id: laterRun,
        meeting_id: purgedMeeting,
        outcome: 'UPDATED',
        reason: 'r',
        recorded_at: 'x',
      })
      .execute();
    const { id } = await queueUpdate(after.db, tenantId, laterRun, purgedMeeting, 'f@x.example');
    expect(id).toBeGreaterThan(highestGiven);

    // An update whose meeting has no result in its run is refused, and nothing is written.
    const [noResult] = await meetingsOf(after.db, dataset, 1).then((ids) => ids.slice(1));
    if (noResult === undefined) throw new Error('no meeting');
    const updates = await count(after.db, 'invitation_updates');
    await expect(queueUpdate(after.db, tenantId, laterRun, noResult, 'g@x.example')).rejects.toThrow(
      /foreign key/i,
    );
    expect(await count(after.db, 'invitation_updates')).toBe(updates);

    // Deleting a meeting takes its result and its updates, and nothing of another meeting's.
    await after.db.deleteFrom('meetings').where('id', '=', kept).execute();
    expect((await allUpdates(after.db)).map((row) => row.attendee_email)).toEqual([
      'c@x.example',
      'f@x.example',
    ]);
    // Deleting a run (as purging does) takes its results and updates.
    await after.db.deleteFrom('meeting_migrations').where('id', '=', runId).execute();
    expect((await allUpdates(after.db)).map((row) => row.attendee_email)).toEqual(['f@x.example']);
    expect(await count(after.db, 'meeting_results')).toBe(1);
  } finally {
    await after.close();
  }
});

test('an update left without its result stops the upgrade, and a start, with its name; the database stays as it was', async () => {
  const location = await testDatabase(join(dir, 'orphan.db'));
  const before = await openDatabase(location, { schemaUpTo: BEFORE });
  const dataset = await writeDataset(before, { users: 1, meetingsPerUser: 2, attendees: 0 }, t0);
  const [withResult, without] = await meetingsOf(before.db, dataset, 0);
  if (withResult === undefined || without === undefined) throw new Error('no meetings');
  const runId = await startRun(before, dataset, 0);
  await recordRewrite(before.db, dataset.tenant.id, runId, withResult, ['a@x.example']);
  // Never written by MMS, but allowed by the earlier schema.
  await queueUpdate(before.db, dataset.tenant.id, runId, without, 'b@x.example');
  const updatesBefore = await allUpdates(before.db);
  const migrationsBefore = await appliedMigrations(before.db);
  await before.close();

  await expect(openDatabase(location)).rejects.toThrow(
    /0015-invitation-updates-by-result failed: .*foreign key/i,
  );
  // The server and a worker say so in one line, and stop.
  for (const [script, prefix] of [
    ['server/main.ts', 'mms: '],
    ['server/worker.ts', 'mms worker: '],
  ] as const) {
    const started = run(script, [], {
      ...databaseEnv(location),
      PORT: '0',
      HOST: '127.0.0.1',
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
    });
    expect(await started.exited).toBe(1);
    const lines = started.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^${prefix}schema migration 0015-invitation-updates-by-result failed: .*foreign key`, 'i'),
    );
  }

  const again = await openDatabase(location, { schemaUpTo: BEFORE });
  try {
    expect(await appliedMigrations(again.db)).toEqual(migrationsBefore);
    expect(await allUpdates(again.db)).toEqual(updatesBefore);
    // The earlier schema's keys are still there: an update of a meeting that does not exist is refused.
    await expect(queueUpdate(again.db, dataset.tenant.id, runId, 999_999, 'c@x.example')).rejects.toThrow(
      /foreign key/i,
    );
    // Nothing of the attempt is left behind: without the stray update, the upgrade goes through.
    await again.db.deleteFrom('invitation_updates').where('meeting_id', '=', without).execute();
  } finally {
    await again.close();
  }
  const upgraded = await openDatabase(location);
  try {
    expect(await appliedMigrations(upgraded.db)).toContain('0015-invitation-updates-by-result');
    expect(await allUpdates(upgraded.db)).toEqual(
      updatesBefore.filter((row) => row.meeting_id === withResult),
    );
  } finally {
    await upgraded.close();
  }
});
