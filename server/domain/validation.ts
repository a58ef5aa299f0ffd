/**
 * Checks for every value an admin can send. Each failure names the field it is about. A value that passes
 * is returned exactly as given: nothing is trimmed, re-cased or re-spelled in silence. Where a value has one
 * canonical spelling (a lower-case domain, an upper-case country code), any other spelling is refused with an
 * error that shows the canonical one.
 */
import { InvalidValueError } from './errors.ts';

export const MAX_NAME_LENGTH = 256;
export const MAX_TEXT_LENGTH = 4096;
export const MAX_BODY_LENGTH = 200_000;
export const MAX_URL_LENGTH = 2048;
export const MAX_ATTENDEES = 5_000;

/** Meeting times outside these years are typing mistakes, and their ISO form is not the plain one. */
export const EARLIEST_MEETING_TIME = new Date('1900-01-01T00:00:00.000Z');
export const LATEST_MEETING_TIME = new Date('2199-12-31T23:59:59.999Z');

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DOMAIN =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const CONFERENCE_ID = /^\d{4,15}$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;
/** Control characters (Unicode category Cc), and those a multi-line text may not have: all but TAB, LF, CR. */
const CONTROL = /\p{Cc}/u;
const CONTROL_IN_TEXT = /(?![\t\n\r])\p{Cc}/u;
const WHITESPACE = /\s/u;

/**
 * Every string check starts here. A lone surrogate is no Unicode text: SQLite would store U+FFFD in its
 * place, so the value would come back changed.
 */
function unicodeText(field: string, value: string, max: number): string {
  if (!value.isWellFormed()) {
    const at = loneSurrogateIndex(value);
    throw new InvalidValueError(
      field,
      `has a lone surrogate (U+${hex(value.charCodeAt(at))}) at character ${characterNumber(value, at)}: it is not valid Unicode text`,
    );
  }
  if (value.length > max) throw new InvalidValueError(field, `must be at most ${max} characters`);
  return value;
}

function refuseControl(field: string, value: string, control: RegExp): void {
  const match = control.exec(value);
  if (match) {
    throw new InvalidValueError(
      field,
      `has the control character U+${hex(match[0].charCodeAt(0))} at character ${characterNumber(value, match.index)}`,
    );
  }
}

/** One line of text: no line breaks or other control characters. Kept exactly as given. */
function singleLine(field: string, value: string, max: number): string {
  unicodeText(field, value, max);
  if (/[\r\n]/.test(value)) throw new InvalidValueError(field, 'must be a single line');
  refuseControl(field, value, CONTROL);
  return value;
}

/** A required line of text (a subject, a name, a UID): not blank, kept exactly as given, spaces and all. */
export function requiredName(field: string, value: string, max = MAX_NAME_LENGTH): string {
  singleLine(field, value, max);
  if (value.trim() === '') throw new InvalidValueError(field, 'must not be empty');
  return value;
}

/** Like requiredName, or null. A blank value is refused rather than taken for null: send null for none. */
export function optionalName(
  field: string,
  value: string | null | undefined,
  max = MAX_NAME_LENGTH,
): string | null {
  if (value === null || value === undefined) return null;
  singleLine(field, value, max);
  if (value.trim() === '') throw new InvalidValueError(field, 'must not be empty (send null for none)');
  return value;
}

/**
 * A query's search term: any text up to MAX_NAME_LENGTH, but Unicode text (see unicodeText) without control
 * characters, which no name holds (and PostgreSQL text cannot hold NUL).
 */
export function searchTerm(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  unicodeText(field, value, MAX_NAME_LENGTH);
  refuseControl(field, value, CONTROL);
  return value;
}

/** Multi-line text such as a body: TAB, LF and CR are allowed, other control characters are not. */
export function boundedText(field: string, value: string, max = MAX_TEXT_LENGTH): string {
  unicodeText(field, value, max);
  refuseControl(field, value, CONTROL_IN_TEXT);
  return value;
}

export function emailAddress(field: string, value: string): string {
  unicodeText(field, value, 254);
  if (!EMAIL.test(value))
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid e-mail address`);
  return value;
}

/**
 * A user principal name has the form of an e-mail address (alias@domain). UPNs are unique regardless of case,
 * so only the lower-case spelling is accepted: uniqueness is then plain equality.
 */
export function userPrincipalName(field: string, value: string): string {
  unicodeText(field, value, 254);
  if (!EMAIL.test(value)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not a valid user principal name (alias@domain)`,
    );
  }
  requireSpelling(field, value, value.toLowerCase(), 'must be lower case:');
  return value;
}

/** The user principal name's domain is the tenant's domain or a subdomain of it (verified with it). */
export function principalNameInDomain(field: string, userPrincipalName: string, domain: string): string {
  const upnDomain = userPrincipalName.slice(userPrincipalName.lastIndexOf('@') + 1);
  if (upnDomain !== domain && !upnDomain.endsWith(`.${domain}`)) {
    throw new InvalidValueError(
      field,
      `${userPrincipalName} is not in the tenant's domain ${domain} (or a subdomain of it)`,
    );
  }
  return userPrincipalName;
}

/** A SIP address is written sip:alias@domain, in lower case. */
export function sipAddress(field: string, value: string): string {
  unicodeText(field, value, 258);
  const address = value.replace(/^sip:/i, '');
  if (!EMAIL.test(address))
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid SIP address`);
  requireSpelling(field, value, `sip:${address.toLowerCase()}`, 'must be written');
  return value;
}

export function domainName(field: string, value: string): string {
  unicodeText(field, value, 253);
  if (!DOMAIN.test(value))
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid domain name`);
  requireSpelling(field, value, value.toLowerCase(), 'must be lower case:');
  return value;
}

/** An http(s) link of the organizer's, kept exactly as given (a URL has no spaces or control characters). */
export function httpsUrl(field: string, value: string): string {
  unicodeText(field, value, Number.POSITIVE_INFINITY);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidValueError(field, 'must be an http or https URL');
  }
  if (value.length > MAX_URL_LENGTH)
    throw new InvalidValueError(field, `must be at most ${MAX_URL_LENGTH} characters`);
  // The URL parser drops such characters itself: the link would not be the one given.
  if (WHITESPACE.test(value) || CONTROL.test(value))
    throw new InvalidValueError(field, 'must not contain spaces or control characters');
  return value;
}

/**
 * The base that join links are built on (base/alias/key): an http(s) URL in its canonical spelling, with no
 * trailing slash, query or fragment.
 */
export function baseUrl(field: string, value: string): string {
  httpsUrl(field, value);
  const url = new URL(value);
  if (url.search || url.hash) throw new InvalidValueError(field, 'must have no query or fragment');
  requireSpelling(field, value, url.href.replace(/\/$/, ''), 'must be written');
  return value;
}

export function e164(field: string, value: string): string {
  unicodeText(field, value, Number.POSITIVE_INFINITY);
  if (!E164.test(value)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not an E.164 phone number (such as +14255550100)`,
    );
  }
  return value;
}

export function conferenceId(field: string, value: string): string {
  unicodeText(field, value, Number.POSITIVE_INFINITY);
  if (!CONFERENCE_ID.test(value)) throw new InvalidValueError(field, 'must be 4 to 15 digits');
  return value;
}

export function pinLength(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 4 || value > 12) {
    throw new InvalidValueError(field, 'must be a whole number from 4 to 12');
  }
  return value;
}

export function countryCode(field: string, value: string): string {
  unicodeText(field, value, Number.POSITIVE_INFINITY);
  if (!/^[A-Za-z]{2}$/.test(value))
    throw new InvalidValueError(field, 'must be a two-letter ISO 3166 country code');
  requireSpelling(field, value, value.toUpperCase(), 'must be upper case:');
  return value;
}

export function languageTag(field: string, value: string): string {
  unicodeText(field, value, Number.POSITIVE_INFINITY);
  if (!LANGUAGE.test(value)) throw new InvalidValueError(field, 'must be a language tag such as en-US');
  return value;
}

/**
 * An IANA time zone name, kept as given: an alias (Asia/Calcutta) stays the alias, and the current name
 * (Asia/Kolkata) is never replaced by the one ICU prefers. Names are case-insensitive, so only the tz
 * database's own spelling is accepted.
 */
export function timeZone(field: string, value: string): string {
  unicodeText(field, value, MAX_NAME_LENGTH);
  let spelled: string;
  try {
    // Temporal keeps the identifier given (only its case is normalised), where Intl may swap in another.
    spelled = Temporal.Now.zonedDateTimeISO(value).timeZoneId;
  } catch {
    throw new InvalidValueError(field, `"${truncate(value)}" is not an IANA time zone`);
  }
  // A bare offset such as +02:00 has no daylight saving rules: occurrences would drift by an hour.
  if (/^[+-]/.test(spelled)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not an IANA time zone (an offset has no daylight saving rules; use a name such as Europe/Berlin)`,
    );
  }
  requireSpelling(field, value, spelled, 'must be written');
  return value;
}

/** A meeting's start or end: from 1900 to 2199 (UTC). */
export function meetingTime(field: string, value: Date): Date {
  if (
    !(value.getTime() >= EARLIEST_MEETING_TIME.getTime() && value.getTime() <= LATEST_MEETING_TIME.getTime())
  ) {
    throw new InvalidValueError(field, 'must be from 1900-01-01 to 2199-12-31 (UTC)');
  }
  return value;
}

/** When a token stops being valid: later than now, and before 2200 as every date here. */
export function tokenExpiry(field: string, value: Date | null | undefined, now: Date): Date | null {
  if (value === null || value === undefined) return null;
  if (value.getTime() <= now.getTime()) throw new InvalidValueError(field, 'must be in the future');
  if (value.getTime() > LATEST_MEETING_TIME.getTime()) {
    throw new InvalidValueError(field, 'must be before 2200-01-01 (UTC)');
  }
  return value;
}

/** A series whose last occurrence would end after 2199 is refused; one that never ends (null) is not. */
export function seriesEnd(field: string, lastOccurrenceEndsAt: Date | null): Date | null {
  if (lastOccurrenceEndsAt && lastOccurrenceEndsAt.getTime() > LATEST_MEETING_TIME.getTime()) {
    throw new InvalidValueError(
      field,
      'its last occurrence would end after 2199-12-31 (UTC): give a COUNT or UNTIL that ends it sooner',
    );
  }
  return lastOccurrenceEndsAt;
}

/** A time window whose end, when given, is not before its start. */
export function timeWindow(
  field: string,
  window: { from?: Date | null; to?: Date | null } | null | undefined,
): { from: Date | null; to: Date | null } {
  const from = window?.from ?? null;
  const to = window?.to ?? null;
  if (from && to && to.getTime() < from.getTime())
    throw new InvalidValueError(`${field}.to`, 'must not be before from');
  return { from, to };
}

/** Refuses any spelling but the canonical one, and says what it is. */
function requireSpelling(field: string, value: string, canonical: string, rule: string): void {
  if (value !== canonical) throw new InvalidValueError(field, `${rule} ${canonical}`);
}

/** The UTF-16 index of the first surrogate that is not half of a pair. */
function loneSurrogateIndex(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else if (unit >= 0xd800 && unit <= 0xdfff) return i;
  }
  return -1;
}

/** The 1-based position, in Unicode characters, of the UTF-16 index. */
function characterNumber(value: string, index: number): number {
  return [...value.slice(0, index)].length + 1;
}

function hex(codeUnit: number): string {
  return codeUnit.toString(16).toUpperCase().padStart(4, '0');
}

function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
