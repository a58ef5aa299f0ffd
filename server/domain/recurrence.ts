/** RFC 5545 recurrence rules: validation, and when a series' last occurrence ends (for "not ended yet"). */
import ICAL from 'ical.js';
import { InvalidValueError } from './errors.ts';
import { wallClock, wallClockToUtc } from './zoned-time.ts';

const MAX_ITERATIONS = 20_000;
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

/** Validates an RRULE value (with or without the "RRULE:" prefix) and returns it without the prefix. */
export function recurrenceRule(field: string, value: string): string {
  const rule = value.trim().replace(/^RRULE:/i, '');
  const parts = rule.split(';').map((part) => part.split('='));
  const names = parts.map(([name]) => name?.toUpperCase() ?? '');
  const invalid = (message: string) => new InvalidValueError(field, `"${rule.slice(0, 80)}" ${message}`);
  if (parts.some((part) => part.length !== 2 || !part[1])) throw invalid('is not an RRULE (NAME=VALUE;…)');
  const unknown = names.find((name) => !KNOWN_PARTS.has(name));
  if (unknown) throw invalid(`has an unknown part ${unknown}`);
  if (!names.includes('FREQ')) throw invalid('has no FREQ');
  if (names.includes('COUNT') && names.includes('UNTIL')) throw invalid('has both COUNT and UNTIL');
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
  return recur.toString();
}

/**
 * The end of the last occurrence of a series, or null when it never ends. Occurrences are computed in
 * the meeting's own time zone so that daylight saving changes do not move them.
 */
export function lastOccurrenceEnd(
  startsAt: Date,
  endsAt: Date,
  timeZone: string,
  rule: string | null,
): Date | null {
  if (!rule) return endsAt;
  const recur = ICAL.Recur.fromString(rule);
  if (!recur.count && !recur.until) return null;
  const duration = endsAt.getTime() - startsAt.getTime();
  const start = ICAL.Time.fromData(wallClock(startsAt, timeZone));
  const iterator = recur.iterator(start);
  let last: ICAL.Time | null = null;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const next = iterator.next();
    if (!next) break;
    last = next.clone();
  }
  if (!iterator.completed && recur.until) {
    // Too many occurrences to walk: the UNTIL bound is a safe upper limit.
    return new Date(recur.until.toJSDate().getTime() + duration);
  }
  if (!last) return endsAt;
  return new Date(wallClockToUtc(last, timeZone).getTime() + duration);
}
