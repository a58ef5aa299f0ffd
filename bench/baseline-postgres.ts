/**
 * The baseline on PostgreSQL: the same rewrites, results and outbox rows as bench/baseline.ts writes on
 * SQLite, by plain SQL on pg in batched transactions. Written as one would for PostgreSQL, where every
 * statement is a round trip: a user's attendees are read in one query, and each batch is three statements
 * whose rows travel as arrays (as the engine's own batch writes do).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { BridgeNumber, Tenant, User } from '../server/domain/model.ts';
import { BATCH, decideRow, INSERT_MIGRATION, type MeetingRow, SELECT_MEETINGS } from './baseline.ts';

interface Rewrite {
  migrationId: number;
  meetingId: number;
  reason: string;
  body: string;
  sequence: number;
  type: string;
  joinUrl: string;
  conferenceId: string | null;
  attendees: { email: string; name: string | null }[];
}

export async function runPostgresBaseline(
  url: string,
  tenant: Tenant,
  users: User[],
  numbers: BridgeNumber[],
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = new Date().toISOString();
  let rewritten = 0;
  let pending: Rewrite[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const invitations = batch.flatMap((r) => r.attendees.map((a) => ({ ...a, r })));
    await client.query('begin');
    await client.query(
      `update meetings as m set body = v.body, sequence = v.sequence, online_meeting_type = v.type,
         online_meeting_join_url = v.join_url, online_meeting_conference_id = v.conference_id
       from unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
         as v(id, body, sequence, type, join_url, conference_id)
       where m.id = v.id`,
      [
        batch.map((r) => r.meetingId),
        batch.map((r) => r.body),
        batch.map((r) => r.sequence),
        batch.map((r) => r.type),
        batch.map((r) => r.joinUrl),
        batch.map((r) => r.conferenceId),
      ],
    );
    await client.query(
      `insert into meeting_results (migration_id, meeting_id, outcome, reason, recorded_at)
       select v.migration_id, v.meeting_id, 'UPDATED', v.reason, $4::text
       from unnest($1::int[], $2::int[], $3::text[]) as v(migration_id, meeting_id, reason)`,
      [batch.map((r) => r.migrationId), batch.map((r) => r.meetingId), batch.map((r) => r.reason), now],
    );
    await client.query(
      `insert into invitation_updates (tenant_id, migration_id, meeting_id, sequence, attendee_email,
         attendee_name, state, attempts, created_at)
       select $1::int, v.migration_id, v.meeting_id, v.sequence, v.email, v.name, 'QUEUED', 0, $2::text
       from unnest($3::int[], $4::int[], $5::int[], $6::text[], $7::text[])
         as v(migration_id, meeting_id, sequence, email, name)`,
      [
        tenant.id,
        now,
        invitations.map((i) => i.r.migrationId),
        invitations.map((i) => i.r.meetingId),
        invitations.map((i) => i.r.sequence),
        invitations.map((i) => i.email),
        invitations.map((i) => i.name),
      ],
    );
    await client.query('commit');
  };

  try {
    for (const user of users) {
      const inserted = await client.query<{ id: number }>(`${INSERT_MIGRATION} returning id`, [
        randomUUID(),
        tenant.id,
        user.id,
        now,
        now,
        now,
      ]);
      const migrationId = inserted.rows[0]?.id as number;
      const { rows } = await client.query<MeetingRow>(SELECT_MEETINGS, [user.id, now]);
      const attendeesOf = new Map<number, { email: string; name: string | null }[]>();
      const attendeeRows = await client.query<{ meeting_id: number; email: string; name: string | null }>(
        `select meeting_id, email, name from meeting_attendees where meeting_id = any($1::int[])
         order by meeting_id, position`,
        [rows.map((row) => row.id)],
      );
      for (const { meeting_id, email, name } of attendeeRows.rows) {
        const list = attendeesOf.get(meeting_id) ?? [];
        list.push({ email, name });
        attendeesOf.set(meeting_id, list);
      }
      for (const row of rows) {
        const decision = decideRow(row, tenant, user, numbers);
        if (decision.outcome !== 'UPDATED') continue;
        pending.push({
          migrationId,
          meetingId: row.id,
          reason: decision.reason,
          body: decision.body,
          sequence: decision.sequence,
          type: decision.onlineMeeting.type,
          joinUrl: decision.onlineMeeting.joinUrl,
          conferenceId: decision.onlineMeeting.conferenceId,
          attendees: attendeesOf.get(row.id) ?? [],
        });
        rewritten += 1;
        if (pending.length >= BATCH) await flush();
      }
    }
    await flush();
  } finally {
    await client.end();
  }
  return rewritten;
}
