/**
 * A batch writes its run's counters, its results, rewrites and invitation updates and, when it is the run's
 * last without failures, the run's end, all in one write: while the claim holds the run, all of it lands;
 * once another claim took the run over, the batch returns nothing and its transaction leaves no trace.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import type { MeetingMigration } from '../../server/domain/model.ts';
import { type OpenedDatabase, openDatabase } from '../../server/storage/database.ts';
import type { MeetingOutcomeRecord } from '../../server/storage/engine-store.ts';
import { createStore, type Store } from '../../server/storage/store.ts';
import { testDatabase } from '../support/backend.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const leaseUntil = new Date(now.getTime() + 30_000);
const MEETINGS = 3;
const ATTENDEES = 2;

let opened: OpenedDatabase;
let store: Store;
let migration: MeetingMigration;
let outcomes: MeetingOutcomeRecord[];

beforeAll(async () => {
  opened = await openDatabase(await testDatabase());
  store = createStore(opened);
  const { tenant, users } = await writeDataset(
    opened,
    { users: 1, meetingsPerUser: MEETINGS, attendees: ATTENDEES },
    now,
  );
  const userId = (users[0] as { id: number }).id;
  await store.migrations.insert(
    {
      correlationId: randomUUID(),
      tenantId: tenant.id,
      userId,
      sourceMeetingType: 'ALL',
      targetMeetingType: 'TEAMS',
      notBefore: now,
    },
    now,
  );
  migration = (await store.engine.claimNext('worker-a#1', now, leaseUntil)) as MeetingMigration;
  const meetings = await opened.db.selectFrom('meetings').select('id').orderBy('id').execute();
  outcomes = meetings.map((meeting) => ({
    meetingId: meeting.id,
    outcome: 'UPDATED',
    reason: '',
    rewrite: {
      body: `rewritten ${meeting.id}`,
      sequence: 1,
      onlineMeeting: { type: 'TEAMS', joinUrl: `https://teams.example/${meeting.id}`, conferenceId: null },
      attendees: Array.from({ length: ATTENDEES }, (_, i) => ({ email: `a${i}@example.com`, name: null })),
      overriddenOccurrences: [],
    },
  }));
});
afterAll(() => opened.close());

/** Writes the run's only batch, ending it, as the claim named; rolls back (as the engine does) on null. */
async function writeLastBatch(holder: string) {
  const lost = new Error('the run is no longer held');
  try {
    return await store.transaction(async (tx) => {
      const recorded = await tx.engine.recordBatch(
        { migration, holder, totalMeetings: MEETINGS },
        outcomes,
        leaseUntil,
        now,
        { state: 'SUCCEEDED', lastMessage: null, totalMeetings: MEETINGS },
      );
      if (!recorded) throw lost;
      return recorded;
    });
  } catch (error) {
    if (error === lost) return null;
    throw error;
  }
}

async function written() {
  const count = async (table: 'meeting_results' | 'invitation_updates') =>
    Number(
      (
        await opened.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const run = await opened.db
    .selectFrom('meeting_migrations')
    .select(['state', 'lease_owner', 'succeeded_meetings', 'finished_at'])
    .where('id', '=', migration.id)
    .executeTakeFirstOrThrow();
  const rewritten = await opened.db
    .selectFrom('meetings')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('sequence', '=', 1)
    .executeTakeFirstOrThrow();
  return {
    results: await count('meeting_results'),
    invitations: await count('invitation_updates'),
    rewritten: Number(rewritten.n),
    run,
  };
}

test('a batch of a run taken over writes nothing, not even the end it carried', async () => {
  // Another worker's claim took the run over.
  await opened.db
    .updateTable('meeting_migrations')
    .set({ lease_owner: 'worker-b#1' })
    .where('id', '=', migration.id)
    .execute();
  expect(await writeLastBatch('worker-a#1')).toBeNull();
  expect(await written()).toEqual({
    results: 0,
    invitations: 0,
    rewritten: 0,
    run: { state: 'IN_PROGRESS', lease_owner: 'worker-b#1', succeeded_meetings: 0, finished_at: null },
  });
});

test('the holder’s last batch writes everything and ends the run in the same write', async () => {
  const recorded = await writeLastBatch('worker-b#1');
  expect(recorded?.migration).toMatchObject({
    state: 'SUCCEEDED',
    succeededMeetings: MEETINGS,
    totalMeetings: MEETINGS,
    invitationsPending: MEETINGS * ATTENDEES,
    finishedAt: now,
  });
  expect(await written()).toEqual({
    results: MEETINGS,
    invitations: MEETINGS * ATTENDEES,
    rewritten: MEETINGS,
    run: {
      state: 'SUCCEEDED',
      lease_owner: null,
      succeeded_meetings: MEETINGS,
      finished_at: now.toISOString(),
    },
  });
});
