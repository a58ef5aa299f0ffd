import { describe, expect, test } from 'vitest';
import { InvalidValueError } from '../../server/domain/errors.ts';
import { lastOccurrenceEnd, recurrenceRule } from '../../server/domain/recurrence.ts';

const start = new Date('2026-03-02T17:00:00Z');
const end = new Date('2026-03-02T17:30:00Z');

describe('lastOccurrenceEnd', () => {
  test('a single meeting ends when it ends', () => {
    expect(lastOccurrenceEnd(start, end, 'UTC', null)).toEqual(end);
  });

  test('a series without COUNT or UNTIL never ends', () => {
    expect(lastOccurrenceEnd(start, end, 'Europe/Berlin', 'FREQ=DAILY')).toBeNull();
  });

  test('COUNT is counted in the meeting’s own zone, across daylight saving time', () => {
    // Ten Mondays at 09:00 Los Angeles time: the last one (4 May) is in daylight time, UTC-7.
    expect(lastOccurrenceEnd(start, end, 'America/Los_Angeles', 'FREQ=WEEKLY;COUNT=10;BYDAY=MO')).toEqual(
      new Date('2026-05-04T16:30:00Z'),
    );
  });

  test('UNTIL stops at the last occurrence before it', () => {
    // Daily at 18:00 Berlin time until 1 April 00:00 UTC: the last is 31 March, 18:00 CEST (16:00 UTC).
    expect(lastOccurrenceEnd(start, end, 'Europe/Berlin', 'FREQ=DAILY;UNTIL=20260401T000000Z')).toEqual(
      new Date('2026-03-31T16:30:00Z'),
    );
  });
});

describe('recurrenceRule', () => {
  test('accepts a rule with or without the RRULE: prefix', () => {
    expect(recurrenceRule('recurrence', 'RRULE:FREQ=WEEKLY;COUNT=3')).toBe('FREQ=WEEKLY;COUNT=3');
  });

  test.each([
    ['hello', 'is not an RRULE'],
    ['FREQ=SOMETIMES', 'not a valid RRULE'],
    ['COUNT=3', 'has no FREQ'],
    ['FREQ=DAILY;COLOR=red', 'unknown part COLOR'],
    ['FREQ=DAILY;COUNT=2;UNTIL=20300101T000000Z', 'both COUNT and UNTIL'],
  ])('refuses %s', (rule, message) => {
    expect(() => recurrenceRule('recurrence', rule)).toThrow(InvalidValueError);
    expect(() => recurrenceRule('recurrence', rule)).toThrow(message);
  });
});
