import { ONE_RUNNING_MIGRATION_PER_USER } from '../schema/postgres.ts';
import type { ClaimHelper } from './index.ts';

/** Claims that lose this many races in a row give up until the next poll. */
const MAX_CLAIM_RACES = 10;

function isRaceForUser(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === ONE_RUNNING_MIGRATION_PER_USER;
}

export const postgresClaim: ClaimHelper = {
  // Rows locked by another claim's statement are passed over instead of waited for: two workers never
  // take the same row, and neither waits for the other.
  skipLocked: (candidates) => candidates.forUpdate().skipLocked(),

  // Two workers may each pick a different run of one user in the same instant (neither sees the other's
  // uncommitted claim); the unique index lets one through and fails the other, which then looks again and
  // sees the user busy.
  async claimingOnePerUser(claim) {
    for (let race = 1; ; race++) {
      try {
        return await claim();
      } catch (error) {
        if (!isRaceForUser(error) || race >= MAX_CLAIM_RACES) throw error;
      }
    }
  },
};
