/** The application services: every command and query the API offers, free of GraphQL and of SQL. */
import type { ServiceDeps } from './deps.ts';
import { migrationControl } from './migration-control.ts';
import { preview } from './preview.ts';
import { scheduling } from './scheduling.ts';
import { tenancy } from './tenancy.ts';
import { userAdmin } from './user-admin.ts';

export type Services = ReturnType<typeof createServices>;

export function createServices(deps: ServiceDeps) {
  return {
    ...deps,
    tenancy: tenancy(deps),
    users: userAdmin(deps),
    scheduling: scheduling(deps),
    migrations: migrationControl(deps),
    preview: preview(deps),
  };
}
