/**
 * RFC 5545 recurrence rules and their exceptions: validation, and when a series' last occurrence ends
 * (for "not ended yet").
 */
import ICAL from 'ical.js';
import { InvalidValueError } from './errors.ts';
import { wallClock, wallClockToUtc } from './zoned-time.ts';

/**
 * Most occurrences a series with an end (COUNT or UNTIL) may have; an endless series may have exceptions
 * only among its first this many occurrences. A longer series is refused, never cut short: walking it
 * costs time (ical.js needs about 5 µs per simple occurrence, far more with BYSETPOS) on every schedule.
 */
export const MAX_OCCURRENCES = 10_000;
/** Most cancelled occurrences (EXDATE) a series may list. */
export const MAX_CANCELLED_OCCURRENCES = 1_000;
/**
 * Most overridden occurrences a series may have: each is a VEVENT of its own, with every attendee, in every
 * invitation update of the meeting.
 */
export const MAX_OVERRIDDEN_OCCURRENCES = 100;
const KNOWN_PARTS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);

/** Validates an RRULE value (in capitals, without the "RRULE:" prefix) and returns it as given. */
export function recurrenceRule(field: string, value: string): string {
  const rule = value;
  const parts = rule.split(';').map((part) => part.split('='));
  const names = parts.map(([name]) => name?.toUpperCase() ?? '');
  const invalid = (message: string) => new InvalidValueError(field, `"${rule.slice(0, 80)}" ${message}`);
  // A second line (EXDATE, RDATE, …) would otherwise be read as part of the last value and dropped.
  if (/[\r\n]/.test(rule)) {
    throw invalid(
      'holds more than one line: give the RRULE alone, cancelled occurrences (EXDATE) in cancelledOccurrences ' +
        'and changed ones in overriddenOccurrences',
    );
  }
  if (/^RRULE:/i.test(rule)) throw invalid('must be the value alone, without "RRULE:"');
  if (parts.some((part) => part.length !== 2 || !part[1])) throw invalid('is not an RRULE (NAME=VALUE;…)');
  const unknown = names.find((name) => !KNOWN_PARTS.has(name));
  if (unknown === 'EXDATE')
    throw invalid('has an EXDATE part: give cancelled occurrences in cancelledOccurrences');
  if (unknown) throw invalid(`has an unknown part ${unknown}`);
  if (!names.includes('FREQ')) throw invalid('has no FREQ');
  if (names.includes('COUNT') && names.includes('UNTIL')) throw invalid('has both COUNT and UNTIL');
  // Stored and sent as given, so it must already be in the form every calendar reads.
  if (rule !== rule.toUpperCase()) throw invalid(`must be written in capitals: ${rule.toUpperCase()}`);
  let recur: ICAL.Recur;
  try {
    recur = ICAL.Recur.fromString(rule);
  } catch (error) {
    throw invalid(`is not a valid RRULE (${(error as Error).message})`);
  }
  if (!['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(recur.freq)) {
    throw invalid('has an unknown FREQ');
  }
  if (recur.count !== null && recur.count !== undefined && !(recur.count > 0))
    throw invalid('needs a positive COUNT');
  return rule;
}

/** The exceptions of a series, as far as its timing is concerned. */
export interface OccurrenceExceptions {
  /** Original starts of cancelled occurrences (EXDATE). */
  cancelledOccurrences: readonly Date[];
  /** Occurrences moved or changed: the original start (RECURRENCE-ID) and the new times. */
  overriddenOccurrences: readonly { recurrenceId: Date; startsAt: Date; endsAt: Date }[];
}

export const NO_EXCEPTIONS: OccurrenceExceptions = { cancelledOccurrences: [], overriddenOccurrences: [] };

const cancelledField = (index: number) => `cancelledOccurrences[${index}]`;
const overriddenField = (index: number, part = 'recurrenceId') => `overriddenOccurrences[${index}].${part}`;
const DAY_MS = 86_400_000;
const dayKey = (time: { year: number; month: number; day: number }) =>
  `${time.year}-${time.month}-${time.day}`;

/** Checks the exceptions that need no walk of the series: counts, duplicates, times in order. */
function checkExceptionList(exceptions: OccurrenceExceptions): void {
  const { cancelledOccurrences: cancelled, overriddenOccurrences: overridden } = exceptions;
  if (cancelled.length > MAX_CANCELLED_OCCURRENCES) {
    throw new InvalidValueError(
      'cancelledOccurrences',
      `must have at most ${MAX_CANCELLED_OCCURRENCES} entries (the limit)`,
    );
  }
  if (overridden.length > MAX_OVERRIDDEN_OCCURRENCES) {
    throw new InvalidValueError(
      'overriddenOccurrences',
      `must have at most ${MAX_OVERRIDDEN_OCCURRENCES} entries (the limit)`,
    );
  }
  const cancelledAt = new Map<number, number>();
  cancelled.forEach((date, index) => {
    const earlier = cancelledAt.get(date.getTime());
    if (earlier !== undefined) {
      throw new InvalidValueError(
        cancelledField(index),
        `is the same occurrence as ${cancelledField(earlier)}`,
      );
    }
    cancelledAt.set(date.getTime(), index);
  });
  const overriddenAt = new Map<number, number>();
  overridden.forEach((override, index) => {
    const at = override.recurrenceId.getTime();
    const earlier = overriddenAt.get(at);
    if (earlier !== undefined) {
      throw new InvalidValueError(
        overriddenField(index),
        `is the same occurrence as ${overriddenField(earlier)}`,
      );
    }
    const alsoCancelled = cancelledAt.get(at);
    if (alsoCancelled !== undefined) {
      throw new InvalidValueError(
        overriddenField(index),
        `is cancelled too (${cancelledField(alsoCancelled)}); an occurrence is either cancelled or overridden`,
      );
    }
    overriddenAt.set(at, index);
    if (override.endsAt.getTime() <= override.startsAt.getTime()) {
      throw new InvalidValueError(overriddenField(index, 'endsAt'), 'must be after startsAt');
    }
  });
}

/**
 * The end of the last occurrence of a series, or null when it never ends; validates the series' exceptions
 * on the way. Occurrences are computed in the meeting's own time zone so that daylight saving changes do
 * not move them. A cancelled occurrence does not count, and an overridden one ends when its override ends:
 * a series whose remaining occurrences are all cancelled has ended. Throws InvalidValueError naming the
 * field for a series longer than MAX_OCCURRENCES, for exceptions of a meeting that does not recur, and for
 * exceptions that are not occurrences of the series.
 */
export function lastOccurrenceEnd(
  startsAt: Date,
  endsAt: Date,
  timeZone: string,
  rule: string | null,
  exceptions: OccurrenceExceptions = NO_EXCEPTIONS,
): Date | null {
  const { cancelledOccurrences: cancelled, overriddenOccurrences: overridden } = exceptions;
  if (!rule) {
    if (cancelled.length > 0) throw new InvalidValueError(cancelledField(0), 'the meeting does not recur');
    if (overridden.length > 0) throw new InvalidValueError(overriddenField(0), 'the meeting does not recur');
    return endsAt;
  }
  checkExceptionList(exceptions);
  const recur = ICAL.Recur.fromString(rule);
  const endless = !recur.count && !recur.until;
  const duration = endsAt.getTime() - startsAt.getTime();

  // Exceptions not yet matched to an occurrence, by instant; each names its field.
  const unmatched = new Map<number, string>([
    ...cancelled.map((date, index) => [date.getTime(), cancelledField(index)] as const),
    ...overridden.map((o, index) => [o.recurrenceId.getTime(), overriddenField(index)] as const),
  ]);
  const isCancelled = new Set(cancelled.map((date) => date.getTime()));
  const isOverridden = new Set(overridden.map((o) => o.recurrenceId.getTime()));
  // Converting an occurrence to its instant is the costly part of the walk: only occurrences on the day of
  // an exception (or next to it: a start in a daylight saving gap moves by an hour) are converted.
  const exceptionDays = new Set<string>();
  let latestException = Number.NEGATIVE_INFINITY;
  for (const at of unmatched.keys()) {
    for (const shift of [-DAY_MS, 0, DAY_MS])
      exceptionDays.add(dayKey(wallClock(new Date(at + shift), timeZone)));
    latestException = Math.max(latestException, at);
  }
  const walkUntil =
    unmatched.size > 0
      ? ICAL.Time.fromData(wallClock(new Date(latestException + 2 * DAY_MS), timeZone))
      : null;

  const iterator = recur.iterator(ICAL.Time.fromData(wallClock(startsAt, timeZone)));
  /** The last occurrence that is neither cancelled nor overridden. */
  let lastPlain: ICAL.Time | null = null;
  let occurrences = 0;
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (endless && (unmatched.size === 0 || (walkUntil && next.compare(walkUntil) > 0))) break;
    occurrences++;
    if (occurrences > MAX_OCCURRENCES) {
      if (endless) {
        const [field] = unmatched.values();
        throw new InvalidValueError(
          field ?? 'recurrence',
          `lies beyond the first ${MAX_OCCURRENCES} occurrences of the series (the limit)`,
        );
      }
      throw new InvalidValueError(
        'recurrence',
        `has more than ${MAX_OCCURRENCES} occurrences (the limit); end the series sooner`,
      );
    }
    if (exceptionDays.has(dayKey(next))) {
      const at = wallClockToUtc(next, timeZone).getTime();
      unmatched.delete(at);
      if (isCancelled.has(at) || isOverridden.has(at)) continue;
    }
    lastPlain = next.clone();
  }
  const [notAnOccurrence] = unmatched.values();
  if (notAnOccurrence !== undefined) {
    throw new InvalidValueError(notAnOccurrence, 'is not the start of an occurrence of the series');
  }
  if (endless) return null;
  const ends = overridden.map((o) => o.endsAt.getTime());
  if (lastPlain) ends.push(wallClockToUtc(lastPlain, timeZone).getTime() + duration);
  if (ends.length === 0) {
    throw new InvalidValueError('cancelledOccurrences', 'cancels every occurrence of the series');
  }
  return new Date(Math.max(...ends));
}
