import { describe, expect, test } from 'vitest';
import { InvalidValueError } from '../../server/domain/errors.ts';
import {
  lastOccurrenceEnd,
  MAX_CANCELLED_OCCURRENCES,
  MAX_OCCURRENCES,
  MAX_OVERRIDDEN_OCCURRENCES,
  recurrenceRule,
} from '../../server/domain/recurrence.ts';

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
  test('keeps a rule exactly as given; refuses the RRULE: prefix and small letters, naming the right form', () => {
    expect(recurrenceRule('recurrence', 'FREQ=WEEKLY;INTERVAL=2;COUNT=3')).toBe(
      'FREQ=WEEKLY;INTERVAL=2;COUNT=3',
    );
    expect(() => recurrenceRule('recurrence', 'RRULE:FREQ=WEEKLY;COUNT=3')).toThrow(/without "RRULE:"/);
    expect(() => recurrenceRule('recurrence', 'FREQ=WEEKLY;count=3')).toThrow(
      /must be written in capitals: FREQ=WEEKLY;COUNT=3/,
    );
    expect(() => recurrenceRule('recurrence', ' FREQ=WEEKLY')).toThrow(/recurrence/);
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

describe('exceptions of a series', () => {
  // Mondays at 09:00 Los Angeles time, 2 March to 4 May 2026 (ten occurrences, across daylight saving).
  const weekly = 'FREQ=WEEKLY;COUNT=10;BYDAY=MO';
  const zone = 'America/Los_Angeles';
  const monday = (day: string, utcHour: number) => new Date(`2026-${day}T${utcHour}:00:00Z`);
  const none = { cancelledOccurrences: [], overriddenOccurrences: [] };
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidValueError);
      return { field: (error as InvalidValueError).field, message: (error as Error).message };
    }
    throw new Error('expected an InvalidValueError');
  };

  test('cancelling the last occurrences ends the series at the last one left', () => {
    const last = lastOccurrenceEnd(start, end, zone, weekly, {
      ...none,
      cancelledOccurrences: [monday('05-04', 16), monday('04-27', 16)],
    });
    expect(last).toEqual(new Date('2026-04-20T16:30:00Z'));
  });

  test('an occurrence moved past the end of the series ends it later; one moved earlier does not', () => {
    const later = {
      recurrenceId: monday('05-04', 16),
      startsAt: monday('05-09', 16),
      endsAt: monday('05-09', 18),
    };
    expect(lastOccurrenceEnd(start, end, zone, weekly, { ...none, overriddenOccurrences: [later] })).toEqual(
      monday('05-09', 18),
    );
    const earlier = {
      recurrenceId: monday('05-04', 16),
      startsAt: monday('04-28', 16),
      endsAt: monday('04-28', 17),
    };
    expect(
      lastOccurrenceEnd(start, end, zone, weekly, { ...none, overriddenOccurrences: [earlier] }),
    ).toEqual(new Date('2026-04-28T17:00:00Z'));
  });

  test('the first occurrence (DTSTART itself) and the first one in daylight time can be cancelled', () => {
    // 2 March is standard time (09:00 is 17:00 UTC); 9 March, after the change on 8 March, is 16:00 UTC.
    expect(
      lastOccurrenceEnd(start, end, zone, weekly, {
        ...none,
        cancelledOccurrences: [start, monday('03-09', 16)],
      }),
    ).toEqual(new Date('2026-05-04T16:30:00Z'));
  });

  test('an endless series stays endless whatever its exceptions', () => {
    expect(
      lastOccurrenceEnd(start, end, zone, 'FREQ=WEEKLY;BYDAY=MO', {
        ...none,
        cancelledOccurrences: [monday('05-04', 16)],
      }),
    ).toBeNull();
  });

  test('a series whose occurrences are all cancelled or none is refused', () => {
    const all = Array.from({ length: 3 }, (_, i) => new Date(start.getTime() + i * 86_400_000));
    expect(
      refusal(() =>
        lastOccurrenceEnd(start, end, 'UTC', 'FREQ=DAILY;COUNT=3', { ...none, cancelledOccurrences: all }),
      ),
    ).toMatchObject({ field: 'cancelledOccurrences', message: expect.stringContaining('every occurrence') });
  });

  test.each([
    [
      'an exception of a meeting that does not recur',
      null,
      { ...none, cancelledOccurrences: [start] },
      'cancelledOccurrences[0]',
      'does not recur',
    ],
    [
      'an override of a meeting that does not recur',
      null,
      { ...none, overriddenOccurrences: [{ recurrenceId: start, startsAt: start, endsAt: end }] },
      'overriddenOccurrences[0].recurrenceId',
      'does not recur',
    ],
    [
      'a cancelled instant that is no occurrence (an hour off)',
      weekly,
      { ...none, cancelledOccurrences: [start, monday('03-16', 17)] },
      'cancelledOccurrences[1]',
      'not the start of an occurrence',
    ],
    [
      'an override past the end of the series',
      weekly,
      {
        ...none,
        overriddenOccurrences: [
          { recurrenceId: monday('04-27', 16), startsAt: start, endsAt: end },
          { recurrenceId: monday('05-11', 16), startsAt: start, endsAt: end },
        ],
      },
      'overriddenOccurrences[1].recurrenceId',
      'not the start of an occurrence',
    ],
    [
      'the same occurrence cancelled twice',
      weekly,
      { ...none, cancelledOccurrences: [monday('03-09', 16), monday('03-09', 16)] },
      'cancelledOccurrences[1]',
      'same occurrence as cancelledOccurrences[0]',
    ],
    [
      'the same occurrence overridden twice',
      weekly,
      {
        ...none,
        overriddenOccurrences: [
          { recurrenceId: monday('03-09', 16), startsAt: start, endsAt: end },
          { recurrenceId: monday('03-09', 16), startsAt: start, endsAt: end },
        ],
      },
      'overriddenOccurrences[1].recurrenceId',
      'same occurrence as overriddenOccurrences[0].recurrenceId',
    ],
    [
      'an occurrence both cancelled and overridden',
      weekly,
      {
        cancelledOccurrences: [monday('03-09', 16)],
        overriddenOccurrences: [{ recurrenceId: monday('03-09', 16), startsAt: start, endsAt: end }],
      },
      'overriddenOccurrences[0].recurrenceId',
      'cancelled too',
    ],
    [
      'an override that ends before it starts',
      weekly,
      {
        ...none,
        overriddenOccurrences: [{ recurrenceId: monday('03-09', 16), startsAt: end, endsAt: start }],
      },
      'overriddenOccurrences[0].endsAt',
      'must be after startsAt',
    ],
    [
      'an exception of an endless series that is no occurrence',
      'FREQ=WEEKLY;BYDAY=MO',
      { ...none, cancelledOccurrences: [monday('03-10', 16)] },
      'cancelledOccurrences[0]',
      'not the start of an occurrence',
    ],
  ])('refuses %s', (_name, rule, exceptions, field, message) => {
    expect(refusal(() => lastOccurrenceEnd(start, end, zone, rule, exceptions))).toMatchObject({
      field,
      message: expect.stringContaining(message),
    });
  });

  test('more exceptions than the limits allow are refused, naming the limit', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => new Date(start.getTime() + i * 86_400_000));
    expect(
      refusal(() =>
        lastOccurrenceEnd(start, end, 'UTC', 'FREQ=DAILY', {
          ...none,
          cancelledOccurrences: many(MAX_CANCELLED_OCCURRENCES + 1),
        }),
      ),
    ).toMatchObject({
      field: 'cancelledOccurrences',
      message: expect.stringContaining(`${MAX_CANCELLED_OCCURRENCES}`),
    });
    expect(
      refusal(() =>
        lastOccurrenceEnd(start, end, 'UTC', 'FREQ=DAILY', {
          ...none,
          overriddenOccurrences: many(MAX_OVERRIDDEN_OCCURRENCES + 1).map((at) => ({
            recurrenceId: at,
            startsAt: at,
            endsAt: new Date(at.getTime() + 60_000),
          })),
        }),
      ),
    ).toMatchObject({
      field: 'overriddenOccurrences',
      message: expect.stringContaining(`${MAX_OVERRIDDEN_OCCURRENCES}`),
    });
  });
});

describe('the occurrence limit', () => {
  test(`a series of exactly ${MAX_OCCURRENCES} occurrences is accepted`, () => {
    expect(lastOccurrenceEnd(start, end, 'UTC', `FREQ=HOURLY;COUNT=${MAX_OCCURRENCES}`)).toEqual(
      new Date(end.getTime() + (MAX_OCCURRENCES - 1) * 3_600_000),
    );
  });

  test.each([
    [`FREQ=DAILY;COUNT=${MAX_OCCURRENCES + 1}`],
    // 2 March 2026 to 1 January 2200, daily: about 63,500 occurrences; cut short before, now refused.
    ['FREQ=DAILY;UNTIL=22000101T000000Z'],
    ['FREQ=MINUTELY;UNTIL=20260401T000000Z'],
  ])('%s is refused with the limit named, never cut short', (rule) => {
    expect(() => lastOccurrenceEnd(start, end, 'UTC', rule)).toThrow(
      `recurrence: has more than ${MAX_OCCURRENCES} occurrences (the limit)`,
    );
  });

  test('an exception of an endless series beyond the limit is refused, naming the limit', () => {
    const far = new Date(start.getTime() + (MAX_OCCURRENCES + 5) * 60_000);
    expect(() =>
      lastOccurrenceEnd(start, end, 'UTC', 'FREQ=MINUTELY', {
        cancelledOccurrences: [far],
        overriddenOccurrences: [],
      }),
    ).toThrow(
      `cancelledOccurrences[0]: lies beyond the first ${MAX_OCCURRENCES} occurrences of the series (the limit)`,
    );
  });
});

describe('recurrenceRule with more than an RRULE', () => {
  test.each([
    ['FREQ=WEEKLY;COUNT=3\nEXDATE:20260309T090000Z', 'more than one line'],
    ['RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Europe/Berlin:20260309T090000', 'more than one line'],
    ['FREQ=WEEKLY;EXDATE=20260309T090000Z', 'cancelledOccurrences'],
  ])('refuses %j instead of dropping the EXDATE', (rule, message) => {
    expect(() => recurrenceRule('recurrence', rule)).toThrow(InvalidValueError);
    expect(() => recurrenceRule('recurrence', rule)).toThrow(message);
  });
});
