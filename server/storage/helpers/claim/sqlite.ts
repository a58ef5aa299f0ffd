import type { ClaimHelper } from './index.ts';

/** SQLite has one writer at a time: a claim statement never races another, so it needs nothing more. */
export const sqliteClaim: ClaimHelper = {
  skipLocked: (candidates) => candidates,
  claimingOnePerUser: (db, claim) => claim(db),
};
