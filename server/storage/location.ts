/** The database setting: a SQLite file, ":memory:", or a postgres:// URL. */

/** Whether the database setting names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
const MAX_CONNECT_TIMEOUT_SECONDS = 600;

/** What is wrong with the URL's `connect_timeout`, in one line; null when it is absent or right. */
export function connectTimeoutProblem(url: string): string | null {
  const given = URL.parse(url)?.searchParams.get('connect_timeout');
  if (given == null) return null;
  const seconds = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  return seconds >= 1 && seconds <= MAX_CONNECT_TIMEOUT_SECONDS
    ? null
    : `MMS_DATABASE_URL's connect_timeout must be whole seconds from 1 to ${MAX_CONNECT_TIMEOUT_SECONDS}, not "${given}"`;
}

/**
 * Seconds a connection attempt to PostgreSQL may take before it fails: the URL's `connect_timeout`, as in
 * libpq, else 10. Never unbounded: a server that accepts and never answers would hold a start, or a query,
 * for ever.
 */
export function connectTimeoutSeconds(url: string): number {
  const problem = connectTimeoutProblem(url);
  if (problem) throw new Error(problem);
  return Number(URL.parse(url)?.searchParams.get('connect_timeout') ?? DEFAULT_CONNECT_TIMEOUT_SECONDS);
}

/** The database for people to read: a PostgreSQL URL without its password. */
export function describeDatabase(location: string): string {
  if (!isPostgresUrl(location)) return location;
  if (!URL.canParse(location)) return 'a postgres:// URL that does not parse';
  const url = new URL(location);
  if (url.password) url.password = '***';
  return url.toString();
}

/** The environment variable a database location is given in. */
export function databaseSetting(location: string): 'MMS_DATABASE_URL' | 'MMS_DB' {
  return isPostgresUrl(location) ? 'MMS_DATABASE_URL' : 'MMS_DB';
}

/** Why an error happened, in one line (a connection refused on every address has no message of its own). */
function reasonOf(error: unknown): string {
  const { message, code, errors } = (error ?? {}) as { message?: string; code?: string; errors?: unknown[] };
  if (message) return message.replace(/\s+/g, ' ').trim();
  if (Array.isArray(errors) && errors.length > 0) return [...new Set(errors.map(reasonOf))].join('; ');
  return code ?? String(error);
}

/** The database cannot be opened at all: unreachable, refused, or not a place a database can be. */
export class DatabaseUnavailableError extends Error {
  constructor(location: string, cause: unknown) {
    super(
      `cannot open the database at ${databaseSetting(location)} (${describeDatabase(location)}): ${reasonOf(cause)}`,
      { cause },
    );
  }
}
