/** Every SQL statement of MMS lives behind this store; the services above it see only domain objects. */
import { bridgeStore } from './bridges.ts';
import type { Db } from './database.ts';
import { engineStore } from './engine-store.ts';
import { invitationStore } from './invitations.ts';
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
  /** Runs the work in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
}

export function createStore(db: Db): Store {
  return {
    tenants: tenantStore(db),
    bridges: bridgeStore(db),
    users: userStore(db),
    meetings: meetingStore(db),
    migrations: migrationStore(db),
    tokens: tokenStore(db),
    engine: engineStore(db),
    invitations: invitationStore(db),
    transaction: (work) => db.transaction().execute((trx) => work(createStore(trx))),
  };
}
