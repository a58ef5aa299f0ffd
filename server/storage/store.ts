/** Every SQL statement of MMS lives behind this store; the services above it see only domain objects. */
import { bridgeStore } from './bridges.ts';
import type { Db, OpenedDatabase } from './database.ts';
import { engineStore } from './engine-store.ts';
import type { StorageHelpers } from './helpers/index.ts';
import type { TransactionOptions } from './helpers/transaction/index.ts';
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
  transaction<T>(work: (store: Store) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export function createStore(database: Pick<OpenedDatabase, 'db' | 'helpers'>): Store {
  return storeOver(database.db, database.helpers);
}

/** `db` is Kysely over the database (a transaction of it, inside `transaction`). */
function storeOver(db: Db, helpers: StorageHelpers): Store {
  return {
    tenants: tenantStore(db),
    bridges: bridgeStore(db),
    users: userStore(db),
    meetings: meetingStore(db),
    migrations: migrationStore(db),
    tokens: tokenStore(db),
    engine: engineStore(db, helpers),
    invitations: invitationStore(db, helpers),
    liveEvents: liveEventStore(db),
    transaction: (work, options) => helpers.transaction(db, (trx) => work(storeOver(trx, helpers)), options),
  };
}
