import { sql } from 'kysely';
import { toTime } from '../../rows.ts';
import type { MeetingMigrationRow } from '../../tables.ts';
import { type BatchHelper, countByMigration, MeetingsChangedError } from './index.ts';

/** An update not gone out yet (queued, or failed), locked for this transaction. */
interface OutstandingUpdate {
  id: number;
  migrationId: number;
  state: string;
}

/**
 * One statement per kind of write for the whole batch, each row's values passed as arrays and spread
 * by unnest: a round trip per meeting and attendee would cost more than PostgreSQL's own work, and the
 * arrays keep each statement at a few parameters however large the batch.
 */
export const postgresBatch: BatchHelper = (db) => {
  /**
   * Supersedes the updates given (see BatchWrites.supersedeOutstanding): the runs that queued them count
   * them no more. Returns those runs.
   */
  async function supersede(outstanding: readonly OutstandingUpdate[], at: string): Promise<number[]> {
    if (outstanding.length === 0) return [];
    await db
      .updateTable('invitation_updates')
      .set({ state: 'SUPERSEDED', next_attempt_at: null })
      .where(sql<boolean>`id = any(${outstanding.map((update) => update.id)}::int[])`)
      .execute();
    const counts = countByMigration(outstanding);
    for (const [migrationId, { pending, failed }] of counts) {
      await db
        .updateTable('meeting_migrations')
        .set((eb) => ({
          invitations_pending: eb('invitations_pending', '-', pending),
          invitations_failed: eb('invitations_failed', '-', failed),
          modified_at: at,
        }))
        .where('id', '=', migrationId)
        .execute();
    }
    return [...counts.keys()];
  }

  return {
    async recordOutcomes(migration, runUpdate, outcomes, at) {
      const rewritten = outcomes.flatMap((o) =>
        o.rewrite ? [{ meetingId: o.meetingId, ...o.rewrite }] : [],
      );
      const invitations = rewritten.flatMap((r) =>
        r.attendees.map((a) => ({
          meetingId: r.meetingId,
          sequence: r.sequence,
          email: a.email,
          name: a.name ?? null,
        })),
      );
      const overrides = rewritten.flatMap((r) =>
        r.overriddenOccurrences.map((o) => ({
          meetingId: r.meetingId,
          recurrenceId: toTime(o.recurrenceId),
          body: o.body,
        })),
      );
      // One round trip for the batch: the run's own update (which returns its row only while the claim holds
      // it), its results, its rewrites (each only over the SEQUENCE it was decided from), the updates it
      // queues, and the earlier updates of its meetings not gone out yet, locked as they are read (a resend
      // or a delivery outcome touching one of them waits for this transaction, so the states counted are the
      // ones superseded). Every part reads the rows as they were before the statement: the updates it queues
      // itself are not among those outstanding. When the run is no longer held, or a meeting changed, the
      // caller rolls the transaction back. The outstanding updates are looked up meeting by meeting: asked
      // for all the batch's meetings at once, the planner judged by statistics gathered while the table was
      // nearly empty, walked every queued update by state instead (up to 18 ms a batch, growing with the
      // queue) until new statistics came.
      const { rows } = await sql<
        MeetingMigrationRow & { written_ids: number[]; outstanding: OutstandingUpdate[] }
      >`
        WITH run AS (${runUpdate}), results AS (
          INSERT INTO meeting_results (migration_id, meeting_id, outcome, reason, recorded_at)
          SELECT ${migration.id}::int, r.meeting_id, r.outcome, r.reason, ${at}::text
          FROM unnest(${outcomes.map((o) => o.meetingId)}::int[], ${outcomes.map((o) => o.outcome)}::text[],
            ${outcomes.map((o) => o.reason)}::text[]) AS r(meeting_id, outcome, reason)
        ), written AS (
          UPDATE meetings AS m SET body = v.body, sequence = v.sequence, online_meeting_type = v.type,
            online_meeting_join_url = v.join_url, online_meeting_conference_id = v.conference_id
          FROM unnest(${rewritten.map((r) => r.meetingId)}::int[], ${rewritten.map((r) => r.body)}::text[],
            ${rewritten.map((r) => r.sequence)}::int[], ${rewritten.map((r) => r.onlineMeeting.type)}::text[],
            ${rewritten.map((r) => r.onlineMeeting.joinUrl)}::text[],
            ${rewritten.map((r) => r.onlineMeeting.conferenceId)}::text[])
            AS v(id, body, sequence, type, join_url, conference_id)
          WHERE m.id = v.id AND m.sequence = v.sequence - 1
          RETURNING m.id
        ), overridden AS (
          UPDATE meeting_overridden_occurrences AS o SET body = v.body
          FROM unnest(${overrides.map((o) => o.meetingId)}::int[], ${overrides.map((o) => o.recurrenceId)}::text[],
            ${overrides.map((o) => o.body)}::text[]) AS v(meeting_id, recurrence_id, body)
          WHERE o.meeting_id = v.meeting_id AND o.recurrence_id = v.recurrence_id
        ), outstanding AS (
          SELECT u.id, u.migration_id, u.state
          FROM unnest(${rewritten.map((r) => r.meetingId)}::int[]) AS r(meeting_id)
          CROSS JOIN LATERAL (
            SELECT id, migration_id, state FROM invitation_updates
            WHERE meeting_id = r.meeting_id AND state IN ('QUEUED', 'FAILED')
            FOR UPDATE
          ) AS u
        ), queued AS (
          INSERT INTO invitation_updates (tenant_id, migration_id, meeting_id, sequence, attendee_email,
            attendee_name, state, attempts, created_at)
          SELECT ${migration.tenantId}::int, ${migration.id}::int, v.meeting_id, v.sequence, v.email, v.name,
            'QUEUED', 0, ${at}::text
          FROM unnest(${invitations.map((i) => i.meetingId)}::int[], ${invitations.map((i) => i.sequence)}::int[],
            ${invitations.map((i) => i.email)}::text[], ${invitations.map((i) => i.name)}::text[])
            AS v(meeting_id, sequence, email, name)
        )
        SELECT run.*,
          (SELECT coalesce(array_agg(id), '{}') FROM written) AS written_ids,
          (SELECT coalesce(json_agg(json_build_object('id', id, 'migrationId', migration_id, 'state', state)),
            '[]') FROM outstanding) AS outstanding
        FROM run`.execute(db);
      const [held] = rows;
      if (!held) return null;
      const { written_ids: written, outstanding, ...run } = held;
      if (written.length < rewritten.length) {
        // Thrown in the batch's transaction: nothing of the statement above stays.
        const kept = new Set(written);
        throw new MeetingsChangedError(rewritten.map((r) => r.meetingId).filter((id) => !kept.has(id)));
      }
      return { run, supersededIn: await supersede(outstanding, at) };
    },

    async supersedeOutstanding(meetingIds, at) {
      if (meetingIds.length === 0) return [];
      // Locked as they are read, as above.
      const outstanding = await db
        .selectFrom('invitation_updates')
        .select(['id', 'migration_id as migrationId', 'state'])
        .where(sql<boolean>`meeting_id = any(${[...meetingIds]}::int[])`)
        .where('state', 'in', ['QUEUED', 'FAILED'])
        .forUpdate()
        .execute();
      return supersede(outstanding, at);
    },
  };
};
