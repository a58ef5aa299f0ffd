import ICAL from 'ical.js';
import { describe, expect, test } from 'vitest';
import { invitationFor, renderInvitation } from '../../server/domain/invitation.ts';
import { expectStrictLines, parseCalendar } from '../support/icalendar.ts';

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

describe('text an iCalendar object cannot carry raw', () => {
  const stored = {
    ...meeting,
    uid: 'a;b,c\\d@contoso.com',
    // Controls older rows may hold: BEL, ESC, vertical tab, form feed, DEL; and a lone surrogate.
    body: 'bell\u0007 esc\u001b vt\u000b ff\u000c del\u007f tab\tend \ud800 cr\rcrlf\r\nlf\n',
    subject: 'Subject\u0001 with a control',
  };
  const text = renderInvitation(stored, parties, new Date('2026-01-05T10:00:00Z'));
  const parsed = parseCalendar(text);

  test('passes the line-level check and ends with CRLF', () => {
    expectStrictLines(text);
  });

  test('writes each control as its control picture, keeps TAB raw, and every line break as \\n', () => {
    expect(parsed.events[0]?.description).toBe('bell␇ esc␛ vt␋ ff␌ del␡ tab\tend \ufffd cr\ncrlf\nlf\n');
    expect(parsed.events[0]?.summary).toBe('Subject␁ with a control');
    expect(parsed.events[0]?.uid).toBe(stored.uid);
  });
});

describe('a series with exceptions', () => {
  const series = {
    ...meeting,
    cancelledOccurrences: [new Date('2026-03-09T16:00:00Z')],
    overriddenOccurrences: [
      {
        recurrenceId: new Date('2026-03-16T16:00:00Z'),
        startsAt: new Date('2026-03-17T18:00:00Z'),
        endsAt: new Date('2026-03-17T19:00:00Z'),
        subject: 'Moved',
        location: null,
        body: 'Once on Tuesday',
      },
    ],
  };
  const parsed = parseCalendar(renderInvitation(series, parties, new Date('2026-01-05T10:00:00Z')));

  test('is one VCALENDAR with the master (EXDATE) and the override (RECURRENCE-ID), all attendees in each', () => {
    expect(parsed.events.map((e) => [e.recurrenceId, e.exdates, e.summary, e.attendees])).toEqual([
      [null, ['2026-03-09T16:00:00.000Z'], meeting.subject, ['bob@example.com', 'carol@example.com']],
      ['2026-03-16T16:00:00.000Z', [], 'Moved', ['bob@example.com', 'carol@example.com']],
    ]);
    expect(parsed.events[1]).toMatchObject({
      start: '2026-03-17T18:00:00.000Z',
      end: '2026-03-17T19:00:00.000Z',
      description: 'Once on Tuesday',
      location: null,
      sequence: 4,
    });
  });

  test('a meeting that does not recur gets no exceptions written', () => {
    const single = parseCalendar(
      renderInvitation({ ...series, recurrence: null }, parties, new Date('2026-01-05T10:00:00Z')),
    );
    expect(single.events).toHaveLength(1);
    expect(single.events[0]?.exdates).toEqual([]);
  });
});

describe('invitationFor', () => {
  test('lists the recipient even when the meeting no longer has them among its attendees', () => {
    const text = invitationFor(
      { sequence: 4, attendee: { email: 'Zed@Example.com', name: null }, createdAt: new Date() },
      meeting,
      parties.attendees,
      { userPrincipalName: 'alice@contoso.com', displayName: 'Alice' },
      'mms@contoso.com',
    );
    expect(parseCalendar(text ?? '').events[0]?.attendees).toEqual([
      'bob@example.com',
      'carol@example.com',
      'zed@example.com',
    ]);
  });
});
