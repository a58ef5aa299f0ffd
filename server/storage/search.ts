/** Case-insensitive "contains" matching of users by principal name or display name. */
import { type RawBuilder, sql } from 'kysely';

/** The LIKE pattern for text containing the search, with LIKE's own characters escaped; null for none. */
export function containsPattern(search: string | null | undefined): string | null {
  // Searched as given: a leading or trailing space is part of what is looked for.
  const lower = search?.toLowerCase();
  return lower ? `%${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}

/** A condition on the users table: its principal name or display name matches the pattern. */
export function userMatches(pattern: string): RawBuilder<boolean> {
  return sql<boolean>`(lower(user_principal_name) like ${pattern} escape '\\' or lower(display_name) like ${pattern} escape '\\')`;
}
