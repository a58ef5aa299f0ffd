/**
 * The invitation update an attendee receives (SPEC §2): an iCalendar REQUEST (RFC 5545/5546) for the
 * meeting's UID at its new SEQUENCE, sent on the organizer's behalf, in the meeting's own time zone so
 * that recurring occurrences stay put across daylight saving changes.
 */
import ical, { escape as escapeText, formatDate, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Attendee, Meeting } from './model.ts';

export type InvitationMeeting = Pick<
  Meeting,
  | 'uid'
  | 'subject'
  | 'startsAt'
  | 'endsAt'
  | 'timeZone'
  | 'recurrence'
  | 'location'
  | 'body'
  | 'sequence'
  | 'cancelledOccurrences'
  | 'overriddenOccurrences'
>;

export interface InvitationParties {
  organizer: { email: string; name: string };
  /** The service mailbox that sends for the organizer (ORGANIZER;SENT-BY). */
  sentBy: string;
  /** Every attendee of the meeting, the recipient among them: a REQUEST lists them all (RFC 5546 §3.2.2). */
  attendees: readonly Attendee[];
}

/** The canonical zone name and its VTIMEZONE, when the zone database knows it. */
function zoneOf(timeZone: string): { name: string; vtimezone: string | null } {
  const [vtimezone, tzid] = tzlib_get_ical_block(timeZone) as [string?, string?];
  const name = tzid?.startsWith('TZID=') ? tzid.slice(5) : timeZone;
  return { name, vtimezone: vtimezone?.startsWith('BEGIN:VTIMEZONE') ? vtimezone : null };
}

/**
 * C0 controls and DEL that RFC 5545 cannot carry in a TEXT value or a parameter value: its TSAFE-CHAR and
 * QSAFE-CHAR allow no control but HTAB, and TEXT escapes only the line break (as \n). TAB, CR and LF are
 * not here: TAB is written raw (allowed), and every line break — CRLF, LF or a lone CR — becomes \n.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point.
const UNWRITABLE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * A value as an iCalendar object can carry it. New input never holds such characters (they are refused),
 * but older stored text may: each control shows as its Unicode control picture (U+2400–U+241F, DEL as
 * U+2421) rather than vanishing, and a lone surrogate as U+FFFD, as UTF-8 would write it anyway (which
 * also keeps the folding at 75 octets exact).
 */
export function writableText(value: string): string {
  return value
    .toWellFormed()
    .replace(UNWRITABLE_CONTROLS, (c) =>
      String.fromCharCode(c === '\u007F' ? 0x2421 : 0x2400 + c.charCodeAt(0)),
    );
}

/**
 * The iCalendar REQUEST for the meeting: the master event and, for a series, one event per overridden
 * occurrence (RECURRENCE-ID) in the same VCALENDAR, with the cancelled occurrences as EXDATE. Every event
 * lists the organizer and all attendees at the meeting's SEQUENCE. The object ends with CRLF.
 */
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
  const organizer = {
    name: writableText(parties.organizer.name),
    email: parties.organizer.email,
    sentBy: parties.sentBy,
  };
  const common = {
    // ical-generator writes the UID as given; it is a TEXT value and needs the same escaping.
    id: escapeText(writableText(meeting.uid), false),
    sequence: meeting.sequence,
    stamp,
    timezone: zone.name,
    status: ICalEventStatus.CONFIRMED,
    organizer,
  };
  const events = [
    calendar.createEvent({
      ...common,
      // Temporal values carry the zone, so the output does not depend on the server's own time zone.
      start: zoned(meeting.startsAt) as never,
      end: zoned(meeting.endsAt) as never,
      summary: writableText(meeting.subject),
      description: writableText(meeting.body),
      location: meeting.location === null ? null : writableText(meeting.location),
    }),
  ];
  const [master] = events;
  if (meeting.recurrence && master) {
    const lines = [`RRULE:${meeting.recurrence}`];
    if (meeting.cancelledOccurrences.length > 0) {
      // EXDATE in the event's zone, as its DTSTART (RFC 5545 §3.8.5.1: the same value type and zone).
      const local = meeting.cancelledOccurrences.map((at) =>
        formatDate(zone.name, zoned(at) as never, false, true),
      );
      lines.push(`EXDATE;TZID=${zone.name}:${local.join(',')}`);
    }
    master.repeating(lines.join('\n'));
    for (const override of meeting.overriddenOccurrences) {
      events.push(
        calendar.createEvent({
          ...common,
          recurrenceId: zoned(override.recurrenceId) as never,
          start: zoned(override.startsAt) as never,
          end: zoned(override.endsAt) as never,
          summary: writableText(override.subject),
          description: writableText(override.body),
          location: override.location === null ? null : writableText(override.location),
        }),
      );
    }
  }
  for (const event of events) {
    for (const attendee of parties.attendees) {
      event.createAttendee({
        email: attendee.email,
        name: attendee.name === null ? undefined : writableText(attendee.name),
        rsvp: true,
      });
    }
  }
  // RFC 5545 §3.1: every content line ends with CRLF, the last one too.
  return `${calendar.toString()}\r\n`;
}

/** The mailbox that sends invitation updates for a tenant's organizers. */
export function serviceMailbox(tenant: { primaryDomain: string }, configured: string | null): string {
  return configured ?? `mms@${tenant.primaryDomain}`;
}

/** The invitation update of an outbox entry, from the meeting as it now stands. */
export function invitationFor(
  update: { sequence: number; attendee: Attendee; createdAt: Date },
  meeting: InvitationMeeting,
  /** Every attendee of the meeting. */
  attendees: readonly Attendee[],
  organizer: { userPrincipalName: string; displayName: string },
  sentBy: string,
): string | null {
  // A later update of the meeting replaced this one: its text is gone, and sending it would mislead.
  if (meeting.sequence !== update.sequence) return null;
  const recipient = update.attendee.email.toLowerCase();
  const listed = attendees.some((attendee) => attendee.email.toLowerCase() === recipient);
  return renderInvitation(
    meeting,
    {
      organizer: { email: organizer.userPrincipalName, name: organizer.displayName },
      sentBy,
      attendees: listed ? attendees : [...attendees, update.attendee],
    },
    update.createdAt,
  );
}
