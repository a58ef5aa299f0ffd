/**
 * The invitation update an attendee receives (SPEC §2): an iCalendar REQUEST (RFC 5545/5546) for the
 * meeting's UID at its new SEQUENCE, sent on the organizer's behalf, in the meeting's own time zone so
 * that recurring occurrences stay put across daylight saving changes.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Attendee, Meeting } from './model.ts';

export type InvitationMeeting = Pick<
  Meeting,
  'uid' | 'subject' | 'startsAt' | 'endsAt' | 'timeZone' | 'recurrence' | 'location' | 'body' | 'sequence'
>;

export interface InvitationParties {
  organizer: { email: string; name: string };
  /** The service mailbox that sends for the organizer (ORGANIZER;SENT-BY). */
  sentBy: string;
  attendee: Attendee;
}

/** The canonical zone name and its VTIMEZONE, when the zone database knows it. */
function zoneOf(timeZone: string): { name: string; vtimezone: string | null } {
  const [vtimezone, tzid] = tzlib_get_ical_block(timeZone) as [string?, string?];
  const name = tzid?.startsWith('TZID=') ? tzid.slice(5) : timeZone;
  return { name, vtimezone: vtimezone?.startsWith('BEGIN:VTIMEZONE') ? vtimezone : null };
}

export function renderInvitation(
  meeting: InvitationMeeting,
  parties: InvitationParties,
  stamp: Date,
): string {
  const zone = zoneOf(meeting.timeZone);
  const zoned = (instant: Date) =>
    Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone.name);
  const calendar = ical({
    method: ICalCalendarMethod.REQUEST,
    prodId: { company: 'MMS', product: 'Meeting Migration Service', language: 'EN' },
  });
  // A generator without a calendar-wide zone: VTIMEZONE for the event's TZID, DTSTAMP stays in UTC.
  if (zone.vtimezone) calendar.timezone({ name: null, generator: () => zone.vtimezone ?? '' });
  const event = calendar.createEvent({
    id: meeting.uid,
    sequence: meeting.sequence,
    stamp,
    // Temporal values carry the zone, so the output does not depend on the server's own time zone.
    start: zoned(meeting.startsAt) as never,
    end: zoned(meeting.endsAt) as never,
    timezone: zone.name,
    summary: meeting.subject,
    description: meeting.body,
    location: meeting.location,
    status: ICalEventStatus.CONFIRMED,
    organizer: { name: parties.organizer.name, email: parties.organizer.email, sentBy: parties.sentBy },
  });
  if (meeting.recurrence) event.repeating(`RRULE:${meeting.recurrence}`);
  event.createAttendee({
    email: parties.attendee.email,
    name: parties.attendee.name ?? undefined,
    rsvp: true,
  });
  return calendar.toString();
}

/** The mailbox that sends invitation updates for a tenant's organizers. */
export function serviceMailbox(tenant: { primaryDomain: string }, configured: string | null): string {
  return configured ?? `mms@${tenant.primaryDomain}`;
}

/** The invitation update of an outbox entry, from the meeting as it now stands. */
export function invitationFor(
  update: { sequence: number; attendee: Attendee; createdAt: Date },
  meeting: InvitationMeeting,
  organizer: { userPrincipalName: string; displayName: string },
  sentBy: string,
): string | null {
  // A later update of the meeting replaced this one: its text is gone, and sending it would mislead.
  if (meeting.sequence !== update.sequence) return null;
  return renderInvitation(
    meeting,
    {
      organizer: { email: organizer.userPrincipalName, name: organizer.displayName },
      sentBy,
      attendee: update.attendee,
    },
    update.createdAt,
  );
}
