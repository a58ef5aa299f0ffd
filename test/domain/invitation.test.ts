import ICAL from 'ical.js';
import { describe, expect, test } from 'vitest';
import { renderInvitation } from '../../server/domain/invitation.ts';

const meeting = {
  uid: 'b3f1c2@contoso.com',
  subject: 'Planning ✅ — תכנון',
  startsAt: new Date('2026-03-02T17:00:00Z'),
  endsAt: new Date('2026-03-02T17:30:00Z'),
  timeZone: 'America/Los_Angeles',
  recurrence: 'FREQ=WEEKLY;COUNT=10;BYDAY=MO',
  location: 'Building 92, room 4',
  body: 'Agenda 📅, items; more\r\nمرحبا\n\n_____\nJoin: https://teams.example/x?a=1&b=2',
  sequence: 4,
  cancelledOccurrences: [],
  overriddenOccurrences: [],
};
const parties = {
  organizer: { email: 'alice@contoso.com', name: 'Alice Zoë' },
  sentBy: 'mms@contoso.com',
  attendees: [
    { email: 'bob@example.com', name: 'Bob' },
    { email: 'carol@example.com', name: null },
  ],
};

describe('renderInvitation', () => {
  const text = renderInvitation(meeting, parties, new Date('2026-01-05T10:00:00Z'));
  const calendar = new ICAL.Component(ICAL.parse(text));
  const event = calendar.getFirstSubcomponent('vevent');

  test('is a REQUEST for the same UID at the new SEQUENCE', () => {
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event?.getFirstPropertyValue('uid')).toBe(meeting.uid);
    expect(event?.getFirstPropertyValue('sequence')).toBe(4);
    expect(event?.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-01-05T10:00:00Z');
  });

  test('is sent by the service on the organizer’s behalf, listing every attendee', () => {
    const organizer = event?.getFirstProperty('organizer');
    expect(organizer?.getFirstValue()).toBe('mailto:alice@contoso.com');
    expect(organizer?.getParameter('sent-by')).toBe('mailto:mms@contoso.com');
    expect(organizer?.getParameter('cn')).toBe('Alice Zoë');
    const attendees = event?.getAllProperties('attendee') ?? [];
    expect(attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual([
      'mailto:bob@example.com',
      'mailto:carol@example.com',
    ]);
  });

  test('keeps the meeting’s own time zone and recurrence, with its VTIMEZONE', () => {
    const start = event?.getFirstProperty('dtstart');
    expect(start?.getParameter('tzid')).toBe('America/Los_Angeles');
    expect(String(start?.getFirstValue())).toBe('2026-03-02T09:00:00');
    expect(String(event?.getFirstPropertyValue('dtend'))).toBe('2026-03-02T09:30:00');
    expect(String(event?.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;COUNT=10;BYDAY=MO');
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe(
      'America/Los_Angeles',
    );
  });

  test('carries the new body, subject and location exactly (line breaks as iCalendar writes them)', () => {
    // RFC 5545 TEXT has one line break, \n: a body's CRLF comes back as LF.
    expect(event?.getFirstPropertyValue('description')).toBe(meeting.body.replaceAll('\r\n', '\n'));
    expect(event?.getFirstPropertyValue('summary')).toBe(meeting.subject);
    expect(event?.getFirstPropertyValue('location')).toBe(meeting.location);
  });
});
