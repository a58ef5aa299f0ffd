/**
 * Multi-row INSERTs through Kysely, a few thousand rows a statement: one round trip per row would cost more
 * than PostgreSQL's own work. Chunks keep each statement under PostgreSQL's 65,535 parameters.
 */
import type { BridgeNumber, User } from '../../../domain/model.ts';
import { bridgeStore } from '../../bridges.ts';
import type { Db } from '../../database.ts';
import {
  bridgeNumberFromRow,
  bridgeNumberToRow,
  meetingToRow,
  overriddenOccurrenceToRow,
  toTime,
  userFromRow,
  userToRow,
} from '../../rows.ts';
import { tenantStore } from '../../tenants.ts';
import type { BulkWriter } from './index.ts';

const MAX_PARAMETERS = 60_000;

function chunks<T>(items: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

export function postgresBulkWriter(pool: Db): BulkWriter {
  /** The transaction's connection while one is open, the pool otherwise. */
  let db: Db = pool;

  return {
    async transaction(work) {
      if (db !== pool) return work();
      return pool.transaction().execute(async (trx) => {
        db = trx;
        try {
          return await work();
        } finally {
          db = pool;
        }
      });
    },

    async tenantIdByDomain(primaryDomain) {
      const row = await db
        .selectFrom('tenants')
        .select('id')
        .where('primary_domain', '=', primaryDomain)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    insertTenant: (tenant, now) => tenantStore(db).insert(tenant, now),

    async insertBridge(bridge, numbers) {
      return this.transaction(async () => {
        const stored = await bridgeStore(db).insert(bridge);
        const rows =
          numbers.length === 0
            ? []
            : await db
                .insertInto('bridge_numbers')
                .values(
                  numbers.map((n) =>
                    bridgeNumberToRow({ ...n, tenantId: bridge.tenantId, bridgeId: stored.id }),
                  ),
                )
                .returningAll()
                .execute();
        // Numbers are unique per tenant: the stored ones are matched to the given order by number.
        const byNumber = new Map(rows.map((row) => [row.number, bridgeNumberFromRow(row)]));
        return {
          bridge: stored,
          numbers: numbers.map((n) => byNumber.get(n.number) as BridgeNumber),
        };
      });
    },

    async insertUsers(users, now) {
      return this.transaction(async () => {
        const stored = new Map<string, User>();
        for (const chunk of chunks(users, 17)) {
          const rows = await db
            .insertInto('users')
            .values(chunk.map((user) => userToRow(user, now)))
            .returningAll()
            .execute();
          for (const row of rows) stored.set(`${row.tenant_id} ${row.user_principal_name}`, userFromRow(row));
        }
        // A user principal name is unique per tenant: the stored users are matched to the given order by it.
        return users.map((user) => stored.get(`${user.tenantId} ${user.userPrincipalName}`) as User);
      });
    },

    async insertMeetings(meetings, now) {
      return this.transaction(async () => {
        const ids = new Map<string, number>();
        for (const chunk of chunks(meetings, 18)) {
          const rows = await db
            .insertInto('meetings')
            .values(chunk.map((meeting) => meetingToRow(meeting, now)))
            .returning(['id', 'tenant_id', 'uid'])
            .execute();
          for (const row of rows) ids.set(`${row.tenant_id} ${row.uid}`, row.id);
        }
        // A UID is unique per tenant: each meeting's rows find their meeting by it.
        const idOf = (meeting: (typeof meetings)[number]) =>
          ids.get(`${meeting.tenantId} ${meeting.uid}`) as number;
        const attendees = meetings.flatMap((meeting) =>
          meeting.attendees.map((a, position) => ({
            meeting_id: idOf(meeting),
            position,
            email: a.email,
            name: a.name,
          })),
        );
        for (const chunk of chunks(attendees, 4))
          await db.insertInto('meeting_attendees').values(chunk).execute();
        const items = meetings.flatMap((meeting) =>
          meeting.contentItems.map((item, position) => ({
            meeting_id: idOf(meeting),
            position,
            kind: item.kind,
            title: item.title,
            url: item.url,
          })),
        );
        for (const chunk of chunks(items, 5))
          await db.insertInto('meeting_content_items').values(chunk).execute();
        const cancelled = meetings.flatMap((meeting) =>
          (meeting.cancelledOccurrences ?? []).map((at) => ({
            meeting_id: idOf(meeting),
            recurrence_id: toTime(at),
          })),
        );
        for (const chunk of chunks(cancelled, 2)) {
          await db.insertInto('meeting_cancelled_occurrences').values(chunk).execute();
        }
        const overridden = meetings.flatMap((meeting) =>
          (meeting.overriddenOccurrences ?? []).map((o) => overriddenOccurrenceToRow(idOf(meeting), o)),
        );
        for (const chunk of chunks(overridden, 7)) {
          await db.insertInto('meeting_overridden_occurrences').values(chunk).execute();
        }
        return { meetings: meetings.length, attendees: attendees.length };
      });
    },
  };
}
