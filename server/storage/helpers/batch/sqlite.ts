import type SQLite from 'better-sqlite3';
import { toTime } from '../../rows.ts';
import { type BatchHelper, countByMigration, MeetingsChangedError } from './index.ts';

/**
 * Run on the driver with statements kept prepared: through Kysely each would be compiled again for every
 * meeting and attendee, which cost more than SQLite's own work.
 */
const BATCH_SQL = {
  rewriteMeeting: `UPDATE meetings SET body = ?, sequence = ?, online_meeting_type = ?, online_meeting_join_url = ?,
     online_meeting_conference_id = ? WHERE id = ? AND sequence = ?`,
  insertResult:
    'INSERT INTO meeting_results (migration_id, meeting_id, outcome, reason, recorded_at) VALUES (?, ?, ?, ?, ?)',
  rewriteOverride:
    'UPDATE meeting_overridden_occurrences SET body = ? WHERE meeting_id = ? AND recurrence_id = ?',
  supersedable: `SELECT migration_id AS migrationId, state FROM invitation_updates
     WHERE meeting_id = ? AND state IN ('QUEUED', 'FAILED')`,
  supersede: `UPDATE invitation_updates SET state = 'SUPERSEDED', next_attempt_at = NULL
     WHERE meeting_id = ? AND state IN ('QUEUED', 'FAILED')`,
  uncountSuperseded: `UPDATE meeting_migrations SET invitations_pending = invitations_pending - ?,
     invitations_failed = invitations_failed - ?, modified_at = ? WHERE id = ?`,
  queueInvitation: `INSERT INTO invitation_updates (tenant_id, migration_id, meeting_id, sequence, attendee_email,
       attendee_name, state, attempts, next_attempt_at, last_error, sent_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', 0, NULL, NULL, NULL, ?)`,
};

/**
 * `prepare` works on the one connection Kysely also uses, so the statements run in the transaction open on
 * it. Must run in a transaction: outside one they would run in whatever another caller has open.
 */
export function sqliteBatch(prepare: (sql: string) => SQLite.Statement): BatchHelper {
  const statement = (name: keyof typeof BATCH_SQL) => prepare(BATCH_SQL[name]);

  function supersedeOutstanding(meetingId: number, at: string): number[] {
    const superseded = statement('supersedable').all(meetingId) as { migrationId: number; state: string }[];
    if (superseded.length === 0) return [];
    statement('supersede').run(meetingId);
    const counts = countByMigration(superseded);
    for (const [migrationId, { pending, failed }] of counts) {
      statement('uncountSuperseded').run(pending, failed, at, migrationId);
    }
    return [...counts.keys()];
  }

  return () => ({
    async recordOutcomes(migration, outcomes, at) {
      const supersededIn = new Set<number>();
      const changed: number[] = [];
      for (const outcome of outcomes) {
        statement('insertResult').run(migration.id, outcome.meetingId, outcome.outcome, outcome.reason, at);
        const { rewrite } = outcome;
        if (!rewrite) continue;
        const { onlineMeeting } = rewrite;
        const written = statement('rewriteMeeting').run(
          rewrite.body,
          rewrite.sequence,
          onlineMeeting.type,
          onlineMeeting.joinUrl,
          onlineMeeting.conferenceId,
          outcome.meetingId,
          rewrite.sequence - 1,
        );
        if (written.changes === 0) {
          changed.push(outcome.meetingId);
          continue;
        }
        for (const override of rewrite.overriddenOccurrences) {
          statement('rewriteOverride').run(override.body, outcome.meetingId, toTime(override.recurrenceId));
        }
        for (const migrationId of supersedeOutstanding(outcome.meetingId, at)) supersededIn.add(migrationId);
        for (const attendee of rewrite.attendees) {
          statement('queueInvitation').run(
            migration.tenantId,
            migration.id,
            outcome.meetingId,
            rewrite.sequence,
            attendee.email,
            attendee.name ?? null,
            at,
          );
        }
      }
      if (changed.length > 0) throw new MeetingsChangedError(changed);
      return [...supersededIn];
    },

    async supersedeOutstanding(meetingIds, at) {
      const supersededIn = new Set<number>();
      for (const meetingId of meetingIds) {
        for (const migrationId of supersedeOutstanding(meetingId, at)) supersededIn.add(migrationId);
      }
      return [...supersededIn];
    },
  });
}
