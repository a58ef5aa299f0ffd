/** Every SQL statement of MMS lives behind this store; the services above it see only domain objects. */
import { bridgeStore } from './bridges.ts';
import type { Db, OpenedDatabase } from './database.ts';
import { engineStore } from './engine-store.ts';
import { invitationStore } from './invitations.ts';
import { liveEventStore } from './live-events.ts';
import { meetingStore } from './meetings.ts';
import { migrationStore } from './migrations-store.ts';
import { tenantStore } from './tenants.ts';
import { tokenStore } from './tokens.ts';
import { userStore } from './users.ts';

export interface Store {
  tenants: ReturnType<typeof tenantStore>;
  bridges: ReturnType<typeof bridgeStore>;
  users: ReturnType<typeof userStore>;
  meetings: ReturnType<typeof meetingStore>;
  migrations: ReturnType<typeof migrationStore>;
  tokens: ReturnType<typeof tokenStore>;
  engine: ReturnType<typeof engineStore>;
  invitations: ReturnType<typeof invitationStore>;
  liveEvents: ReturnType<typeof liveEventStore>;
  /** Runs the work in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
}

export function createStore(database: Pick<OpenedDatabase, 'db' | 'sqlite' | 'prepare'>): Store {
  return storeOver(database.db, database);
}

/** `db` is Kysely over `driver` (a transaction of it, inside `transaction`). */
function storeOver(db: Db, driver: Pick<OpenedDatabase, 'sqlite' | 'prepare'>): Store {
  return {
    tenants: tenantStore(db),
    bridges: bridgeStore(db),
    users: userStore(db),
    meetings: meetingStore(db),
    migrations: migrationStore(db),
    tokens: tokenStore(db),
    engine: engineStore(db, driver.prepare),
    invitations: invitationStore(db),
    liveEvents: liveEventStore(db),
    async transaction(work) {
      let failure: { error: unknown } | null = null;
      try {
        return await db.transaction().execute(async (trx) => {
          try {
            return await work(storeOver(trx, driver));
          } catch (error) {
            failure = { error };
            throw error;
          }
        });
      } catch (error) {
        // Some errors (a full disk, for one) make SQLite roll the transaction back itself; the ROLLBACK that
        // follows then fails, and its error would hide the one that says what happened.
        if (failure && !driver.sqlite.inTransaction) throw (failure as { error: unknown }).error;
        throw error;
      }
    },
  };
}
