import type { Attendee, ContentItem, Meeting, OverriddenOccurrence } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { fromTime, meetingFromRow, meetingToRow, overriddenOccurrenceToRow, toTime } from './rows.ts';

export type StoredMeeting = ReturnType<typeof meetingFromRow>;
export type NewMeeting = Omit<Meeting, 'id' | 'createdAt'>;
export type OccurrenceExceptionsOf = Pick<Meeting, 'cancelledOccurrences' | 'overriddenOccurrences'>;

export const MEETING_TIMINGS = ['UPCOMING', 'PAST', 'ALL'] as const;
export type MeetingTiming = (typeof MEETING_TIMINGS)[number];

export interface MeetingFilter {
  /** UPCOMING: some occurrence has not ended yet; PAST: every occurrence has ended. */
  timing: MeetingTiming;
  organizerId?: number | null;
  now: Date;
}

export function meetingStore(db: Db) {
  return {
    async insert(meeting: NewMeeting, now: Date): Promise<StoredMeeting> {
      const row = await db
        .insertInto('meetings')
        .values(meetingToRow(meeting, now))
        .returningAll()
        .executeTakeFirstOrThrow();
      if (meeting.attendees.length > 0) {
        await db
          .insertInto('meeting_attendees')
          .values(
            meeting.attendees.map((attendee, position) => ({
              meeting_id: row.id,
              position,
              email: attendee.email,
              name: attendee.name,
            })),
          )
          .execute();
      }
      if (meeting.contentItems.length > 0) {
        await db
          .insertInto('meeting_content_items')
          .values(meeting.contentItems.map((item, position) => ({ meeting_id: row.id, position, ...item })))
          .execute();
      }
      if (meeting.cancelledOccurrences.length > 0) {
        await db
          .insertInto('meeting_cancelled_occurrences')
          .values(
            meeting.cancelledOccurrences.map((at) => ({ meeting_id: row.id, recurrence_id: toTime(at) })),
          )
          .execute();
      }
      if (meeting.overriddenOccurrences.length > 0) {
        await db
          .insertInto('meeting_overridden_occurrences')
          .values(meeting.overriddenOccurrences.map((o) => overriddenOccurrenceToRow(row.id, o)))
          .execute();
      }
      return meetingFromRow(row);
    },

    /**
     * The organizer edited the meeting's text in their calendar: the body at the next SEQUENCE, taken from
     * the row as it is written.
     */
    async updateBodyAtNextSequence(id: number, body: string): Promise<StoredMeeting> {
      const row = await db
        .updateTable('meetings')
        .set((eb) => ({ body, sequence: eb('sequence', '+', 1) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return meetingFromRow(row);
    },

    /** The exceptions of these meetings' series, each list in order of original start. */
    async exceptionsOf(meetingIds: readonly number[]): Promise<Map<number, OccurrenceExceptionsOf>> {
      const byMeeting = new Map<number, OccurrenceExceptionsOf>(
        meetingIds.map((id) => [id, { cancelledOccurrences: [], overriddenOccurrences: [] }]),
      );
      if (meetingIds.length === 0) return byMeeting;
      const cancelled = await db
        .selectFrom('meeting_cancelled_occurrences')
        .selectAll()
        .where('meeting_id', 'in', meetingIds)
        .orderBy('meeting_id')
        .orderBy('recurrence_id')
        .execute();
      for (const row of cancelled) {
        byMeeting.get(row.meeting_id)?.cancelledOccurrences.push(fromTime(row.recurrence_id));
      }
      const overridden = await db
        .selectFrom('meeting_overridden_occurrences')
        .selectAll()
        .where('meeting_id', 'in', meetingIds)
        .orderBy('meeting_id')
        .orderBy('recurrence_id')
        .execute();
      for (const row of overridden) {
        const occurrence: OverriddenOccurrence = {
          recurrenceId: fromTime(row.recurrence_id),
          startsAt: fromTime(row.starts_at),
          endsAt: fromTime(row.ends_at),
          subject: row.subject,
          location: row.location,
          body: row.body,
        };
        byMeeting.get(row.meeting_id)?.overriddenOccurrences.push(occurrence);
      }
      return byMeeting;
    },

    async uidExists(tenantId: number, uid: string): Promise<boolean> {
      const row = await db
        .selectFrom('meetings')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('uid', '=', uid)
        .executeTakeFirst();
      return row !== undefined;
    },

    async byIds(tenant: TenantFilter, ids: readonly number[]): Promise<StoredMeeting[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('meetings').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(meetingFromRow);
    },

    async list(tenantId: number, filter: MeetingFilter, page: PageRequest): Promise<StoredMeeting[]> {
      let query = db.selectFrom('meetings').selectAll().where('tenant_id', '=', tenantId);
      if (filter.organizerId != null) query = query.where('organizer_id', '=', filter.organizerId);
      const now = toTime(filter.now);
      if (filter.timing === 'UPCOMING') {
        query = query.where((eb) =>
          eb.or([eb('last_occurrence_ends_at', 'is', null), eb('last_occurrence_ends_at', '>', now)]),
        );
      } else if (filter.timing === 'PAST') {
        query = query.where('last_occurrence_ends_at', '<=', now);
      }
      const rows = await keysetPage(query, { key: 'starts_at', id: 'id', direction: 'asc' }, page).execute();
      return rows.map(meetingFromRow);
    },

    async attendeesOf(meetingIds: readonly number[]): Promise<Map<number, Attendee[]>> {
      const byMeeting = new Map<number, Attendee[]>(meetingIds.map((id) => [id, []]));
      if (meetingIds.length === 0) return byMeeting;
      const rows = await db
        .selectFrom('meeting_attendees')
        .selectAll()
        .where('meeting_id', 'in', meetingIds)
        .orderBy('meeting_id')
        .orderBy('position')
        .execute();
      for (const row of rows) byMeeting.get(row.meeting_id)?.push({ email: row.email, name: row.name });
      return byMeeting;
    },

    async contentItemsOf(meetingIds: readonly number[]): Promise<Map<number, ContentItem[]>> {
      const byMeeting = new Map<number, ContentItem[]>(meetingIds.map((id) => [id, []]));
      if (meetingIds.length === 0) return byMeeting;
      const rows = await db
        .selectFrom('meeting_content_items')
        .selectAll()
        .where('meeting_id', 'in', meetingIds)
        .orderBy('meeting_id')
        .orderBy('position')
        .execute();
      for (const row of rows) {
        byMeeting
          .get(row.meeting_id)
          ?.push({ kind: row.kind as ContentItem['kind'], title: row.title, url: row.url });
      }
      return byMeeting;
    },
  };
}
