/** Strict checks of an iCalendar object (RFC 5545 §3.1) and reading it back with ical.js. */
import ICAL from 'ical.js';
import { expect } from 'vitest';

/**
 * The line-level rules a strict parser enforces: CRLF after every line (the last one too), at most 75
 * octets per line, no split UTF-8 sequence, and no control character but TAB (the folding CRLF aside).
 */
export function expectStrictLines(text: string): void {
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) {
    expect(line, 'a bare CR or LF').not.toMatch(/[\r\n]/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point.
    expect(line, 'a raw control character').not.toMatch(/[\u0000-\u0008\u000A-\u001F\u007F]/);
    expect(line.isWellFormed(), 'a UTF-8 sequence split by folding').toBe(true);
    expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
  }
}

/** What RFC 5545 TEXT keeps of a text: it has one line break, `\n`, for CRLF, LF and a lone CR alike. */
export const asIcalText = (text: string) => text.replace(/\r\n?/g, '\n');

/** The object's events as plain values; times as UTC instants, through the object's own VTIMEZONE. */
export function parseCalendar(text: string) {
  // Times with a TZID are resolved when parsed: the zones must be known first.
  for (const zone of new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(zone);
  }
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent');
  const value = (event: ICAL.Component, name: string) => event.getFirstPropertyValue(name);
  const instant = (time: unknown) => (time as ICAL.Time).toJSDate().toISOString();
  return {
    calendar,
    method: calendar.getFirstPropertyValue('method'),
    /** The master event first, then the overridden occurrences. */
    events: events.map((event) => ({
      uid: String(value(event, 'uid')),
      sequence: value(event, 'sequence'),
      summary: String(value(event, 'summary')),
      description: String(value(event, 'description')),
      location: value(event, 'location') === null ? null : String(value(event, 'location')),
      start: instant(value(event, 'dtstart')),
      end: instant(value(event, 'dtend')),
      recurrenceId: event.hasProperty('recurrence-id') ? instant(value(event, 'recurrence-id')) : null,
      exdates: event
        .getAllProperties('exdate')
        .flatMap((property) => property.getValues())
        .map((time) => instant(time))
        .sort(),
      organizer: String(event.getFirstProperty('organizer')?.getFirstValue()).toLowerCase(),
      attendees: event.getAllProperties('attendee').map((attendee) =>
        String(attendee.getFirstValue())
          .toLowerCase()
          .replace(/^mailto:/, ''),
      ),
    })),
  };
}
