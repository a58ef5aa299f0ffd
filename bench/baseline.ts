/**
 * The baseline: the same rewrites and outbox rows as the engine writes, by plain SQL on the driver in
 * batched transactions, with none of the engine's leases, events or bookkeeping.
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { decideMeeting } from '../server/domain/migration-run.ts';
import type { BridgeNumber, OnlineMeetingType, Tenant, User } from '../server/domain/model.ts';

/** Meetings whose writes go in one transaction. */
export const BATCH = 1_000;

/** The columns of a meeting the baseline reads, in both databases' spelling. */
export interface MeetingRow {
  id: number;
  uid: string;
  body: string;
  sequence: number;
  online_meeting_type: string;
  online_meeting_join_url: string;
  online_meeting_conference_id: string | null;
  attendee_count: number;
}

/** The meetings a migration of ALL to TEAMS reads: the organizer's that have not ended. */
export const SELECT_MEETINGS = `select id, uid, body, sequence, online_meeting_type, online_meeting_join_url,
  online_meeting_conference_id, attendee_count from meetings where organizer_id = $1
  and (last_occurrence_ends_at is null or last_occurrence_ends_at > $2)`;

/** A user's run, recorded as finished: (correlation id, tenant, user, created, modified, not before). */
export const INSERT_MIGRATION = `insert into meeting_migrations (correlation_id, tenant_id, user_id, state,
  source_meeting_type, target_meeting_type, created_at, modified_at, not_before, retry_count, total_meetings,
  succeeded_meetings, failed_meetings, skipped_meetings, invites_updated)
  values ($1, $2, $3, 'SUCCEEDED', 'ALL', 'TEAMS', $4, $5, $6, 0, 0, 0, 0, 0, 0)`;

/** What the engine decides for the meeting, by the same domain function. */
export function decideRow(row: MeetingRow, tenant: Tenant, user: User, numbers: BridgeNumber[]) {
  return decideMeeting(
    {
      uid: row.uid,
      body: row.body,
      sequence: row.sequence,
      onlineMeeting: {
        type: row.online_meeting_type as OnlineMeetingType,
        joinUrl: row.online_meeting_join_url,
        conferenceId: row.online_meeting_conference_id,
      },
      attendeeCount: row.attendee_count,
    },
    { tenant, user, numbers, sourceMeetingType: 'ALL', targetMeetingType: 'TEAMS', maxParticipants: 250 },
  );
}

export function runBaseline(
  sqlite: SQLite.Database,
  tenant: Tenant,
  users: User[],
  numbers: BridgeNumber[],
): number {
  const now = new Date().toISOString();
  // Positional in order: SQLite's own spelling of the same statements.
  const positional = (text: string) => text.replace(/\$\d+/g, '?');
  const insertMigration = sqlite.prepare(positional(INSERT_MIGRATION));
  const selectMeetings = sqlite.prepare(positional(SELECT_MEETINGS));
  const selectAttendees = sqlite.prepare(
    'select email, name from meeting_attendees where meeting_id = ? order by position',
  );
  const updateMeeting = sqlite.prepare(
    'update meetings set body = ?, sequence = ?, online_meeting_type = ?, online_meeting_join_url = ?, online_meeting_conference_id = ? where id = ?',
  );
  const insertResult = sqlite.prepare(
    'insert into meeting_results (migration_id, meeting_id, outcome, reason, recorded_at) values (?, ?, ?, ?, ?)',
  );
  const insertInvitation =
    sqlite.prepare(`insert into invitation_updates (tenant_id, migration_id, meeting_id, sequence,
    attendee_email, attendee_name, state, attempts, created_at) values (?, ?, ?, ?, ?, ?, 'QUEUED', 0, ?)`);

  let rewritten = 0;
  let pending: (() => void)[] = [];
  const flush = sqlite.transaction(() => {
    for (const write of pending) write();
  });
  for (const user of users) {
    const migrationId = Number(
      insertMigration.run(randomUUID(), tenant.id, user.id, now, now, now).lastInsertRowid,
    );
    const rows = selectMeetings.all(user.id, now) as MeetingRow[];
    for (const row of rows) {
      const decision = decideRow(row, tenant, user, numbers);
      if (decision.outcome !== 'UPDATED') continue;
      const attendees = selectAttendees.all(row.id) as { email: string; name: string | null }[];
      pending.push(() => {
        updateMeeting.run(
          decision.body,
          decision.sequence,
          decision.onlineMeeting.type,
          decision.onlineMeeting.joinUrl,
          decision.onlineMeeting.conferenceId,
          row.id,
        );
        insertResult.run(migrationId, row.id, 'UPDATED', decision.reason, now);
        for (const attendee of attendees) {
          insertInvitation.run(
            tenant.id,
            migrationId,
            row.id,
            decision.sequence,
            attendee.email,
            attendee.name,
            now,
          );
        }
      });
      rewritten += 1;
      if (pending.length >= BATCH) {
        flush();
        pending = [];
      }
    }
  }
  flush();
  return rewritten;
}
