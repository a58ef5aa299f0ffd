import type { Db } from '../../database.ts';
import { ONE_RUNNING_MIGRATION_PER_USER } from '../schema/postgres.ts';
import type { ClaimHelper } from './index.ts';

/** Claims that lose this many races in a row give up until the next poll. */
const MAX_CLAIM_RACES = 10;

/**
 * The session setting of the connections claims run on. The claim reads the queue in its index's order
 * and stops at the first migration it may take. Left to choose, the planner judges the queue by statistics
 * gathered before the last wave of triggers (a handful waiting, say, where thousands now are), gathers
 * every waiting migration and sorts them, at each claim: with 2,000 waiting that was 40 % of PostgreSQL's
 * work. Set on connections of their own, it holds for claims alone, and a claim is one statement.
 */
export const CLAIM_SESSION_SETTING = 'set enable_sort = off';

function isRaceForUser(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === ONE_RUNNING_MIGRATION_PER_USER;
}

/** `claimDb` reaches the same database on connections set with CLAIM_SESSION_SETTING. */
export function postgresClaim(claimDb: Db): ClaimHelper {
  return {
    // Rows locked by another claim's statement are passed over instead of waited for: two workers never
    // take the same row, and neither waits for the other.
    skipLocked: (candidates) => candidates.forUpdate().skipLocked(),

    // Two workers may each pick a different run of one user in the same instant (neither sees the other's
    // uncommitted claim); the unique index lets one through and fails the other, which then looks again and
    // sees the user busy.
    async claimingOnePerUser(db, claim) {
      if (db.isTransaction) throw new Error('a claim runs in a transaction of its own');
      for (let race = 1; ; race++) {
        try {
          return await claim(claimDb);
        } catch (error) {
          if (!isRaceForUser(error) || race >= MAX_CLAIM_RACES) throw error;
        }
      }
    },
  };
}
