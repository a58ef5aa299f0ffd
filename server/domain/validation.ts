/** Checks for every value an admin can send. Each failure names the field it is about. */
import { InvalidValueError } from './errors.ts';

export const MAX_NAME_LENGTH = 256;
export const MAX_TEXT_LENGTH = 4096;
export const MAX_BODY_LENGTH = 200_000;
export const MAX_ATTENDEES = 5_000;

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const DOMAIN =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const CONFERENCE_ID = /^\d{4,15}$/;
const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;

/** Trims and bounds a required line of text; line breaks are refused since they end up in invitations. */
export function requiredName(field: string, value: string, max = MAX_NAME_LENGTH): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InvalidValueError(field, 'must not be empty');
  if (trimmed.length > max) throw new InvalidValueError(field, `must be at most ${max} characters`);
  if (trimmed.includes('\r') || trimmed.includes('\n') || trimmed.includes('\u0000'))
    throw new InvalidValueError(field, 'must be a single line');
  return trimmed;
}

export function optionalName(
  field: string,
  value: string | null | undefined,
  max = MAX_NAME_LENGTH,
): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requiredName(field, value, max);
}

export function boundedText(field: string, value: string, max = MAX_TEXT_LENGTH): string {
  if (value.length > max) throw new InvalidValueError(field, `must be at most ${max} characters`);
  if (value.includes('\u0000')) throw new InvalidValueError(field, 'must not contain NUL characters');
  return value;
}

export function emailAddress(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) {
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid e-mail address`);
  }
  return trimmed;
}

/** A user principal name has the form of an e-mail address (alias@domain). */
export function userPrincipalName(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not a valid user principal name (alias@domain)`,
    );
  }
  return trimmed.toLowerCase();
}

export function sipAddress(field: string, value: string): string {
  const trimmed = value.trim().replace(/^sip:/i, '');
  if (!EMAIL.test(trimmed))
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid SIP address`);
  return `sip:${trimmed.toLowerCase()}`;
}

export function domainName(field: string, value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed.length > 253 || !DOMAIN.test(trimmed)) {
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid domain name`);
  }
  return trimmed;
}

export function httpsUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidValueError(field, `"${truncate(value)}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidValueError(field, 'must be an http or https URL');
  }
  if (value.length > 2048) throw new InvalidValueError(field, 'must be at most 2048 characters');
  return url.href.replace(/\/$/, '');
}

export function e164(field: string, value: string): string {
  const compact = value.trim();
  if (!E164.test(compact)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not an E.164 phone number (such as +14255550100)`,
    );
  }
  return compact;
}

export function conferenceId(field: string, value: string): string {
  const trimmed = value.trim();
  if (!CONFERENCE_ID.test(trimmed)) throw new InvalidValueError(field, 'must be 4 to 15 digits');
  return trimmed;
}

export function pinLength(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 4 || value > 12) {
    throw new InvalidValueError(field, 'must be a whole number from 4 to 12');
  }
  return value;
}

export function countryCode(field: string, value: string): string {
  const upper = value.trim().toUpperCase();
  if (!COUNTRY.test(upper)) throw new InvalidValueError(field, 'must be a two-letter ISO 3166 country code');
  return upper;
}

export function languageTag(field: string, value: string): string {
  const trimmed = value.trim();
  if (!LANGUAGE.test(trimmed)) throw new InvalidValueError(field, 'must be a language tag such as en-US');
  return trimmed;
}

export function timeZone(field: string, value: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidValueError(field, `"${truncate(value)}" is not an IANA time zone`);
  }
  // A bare offset such as +02:00 has no daylight saving rules: occurrences would drift by an hour.
  if (/^[+-]/.test(resolved)) {
    throw new InvalidValueError(
      field,
      `"${truncate(value)}" is not an IANA time zone (an offset has no daylight saving rules; use a name such as Europe/Berlin)`,
    );
  }
  return resolved;
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

function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
