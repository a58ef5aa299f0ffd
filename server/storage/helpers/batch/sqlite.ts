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
  // The batch's meetings as one JSON array: one prepared statement for any number of them.
  supersedable: `SELECT migration_id AS migrationId, state FROM invitation_updates
     WHERE meeting_id IN (SELECT value FROM json_each(?)) AND state IN ('QUEUED', 'FAILED')`,
  supersede: `UPDATE invitation_updates SET state = 'SUPERSEDED', next_attempt_at = NULL
     WHERE meeting_id IN (SELECT value FROM json_each(?)) AND state IN ('QUEUED', 'FAILED')`,
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

  function supersedeOutstanding(meetingIds: readonly number[], at: string): number[] {
    if (meetingIds.length === 0) return [];
    const ids = JSON.stringify(meetingIds);
    const superseded = statement('supersedable').all(ids) as { migrationId: number; state: string }[];
    if (superseded.length === 0) return [];
    statement('supersede').run(ids);
    const counts = countByMigration(superseded);
    const uncount = statement('uncountSuperseded');
    for (const [migrationId, { pending, failed }] of counts) uncount.run(pending, failed, at, migrationId);
    return [...counts.keys()];
  }

  return () => ({
    async recordOutcomes(migration, runUpdate, outcomes, at) {
      const run = await runUpdate.executeTakeFirst();
      if (!run) return null;
      const insertResult = statement('insertResult');
      const rewriteMeeting = statement('rewriteMeeting');
      const rewriteOverride = statement('rewriteOverride');
      const queueInvitation = statement('queueInvitation');
      const rewritten: number[] = [];
      const changed: number[] = [];
      for (const outcome of outcomes) {
        insertResult.run(migration.id, outcome.meetingId, outcome.outcome, outcome.reason, at);
        const { rewrite } = outcome;
        if (!rewrite) continue;
        const { onlineMeeting } = rewrite;
        const written = rewriteMeeting.run(
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
          rewriteOverride.run(override.body, outcome.meetingId, toTime(override.recurrenceId));
        }
        rewritten.push(outcome.meetingId);
      }
      if (changed.length > 0) throw new MeetingsChangedError(changed);
      // Before the new updates are queued, which would otherwise be superseded too.
      const supersededIn = supersedeOutstanding(rewritten, at);
      for (const { meetingId, rewrite } of outcomes) {
        if (!rewrite) continue;
        for (const attendee of rewrite.attendees) {
          queueInvitation.run(
            migration.tenantId,
            migration.id,
            meetingId,
            rewrite.sequence,
            attendee.email,
            attendee.name ?? null,
            at,
          );
        }
      }
      return { run, supersededIn };
    },

    async supersedeOutstanding(meetingIds, at) {
      return supersedeOutstanding(meetingIds, at);
    },
  });
}
