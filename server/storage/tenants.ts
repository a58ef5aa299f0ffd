import type { TeamsUpgradeMode, Tenant, TenantSettings } from '../domain/model.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { tenantFromRow, tenantToRow, toFlag } from './rows.ts';

export type NewTenant = Omit<Tenant, 'id' | 'createdAt'>;

export function tenantStore(db: Db) {
  return {
    async insert(tenant: NewTenant, now: Date): Promise<Tenant> {
      const row = await db
        .insertInto('tenants')
        .values(tenantToRow(tenant, now))
        .returningAll()
        .executeTakeFirstOrThrow();
      return tenantFromRow(row);
    },

    async byIds(ids: readonly number[]): Promise<Tenant[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('tenants').selectAll().where('id', 'in', ids).execute();
      return rows.map(tenantFromRow);
    },

    async byPrimaryDomain(domain: string): Promise<Tenant | null> {
      const row = await db
        .selectFrom('tenants')
        .selectAll()
        .where('primary_domain', '=', domain)
        .executeTakeFirst();
      return row ? tenantFromRow(row) : null;
    },

    /**
     * A tenant whose primary domain is this domain, one it lies under, or one under it. Domains are stored in
     * lower case and have no LIKE wildcards.
     */
    async withOverlappingDomain(domain: string): Promise<Tenant | null> {
      const labels = domain.split('.');
      const parents = labels.map((_, i) => labels.slice(i).join('.'));
      const row = await db
        .selectFrom('tenants')
        .selectAll()
        .where((eb) =>
          eb.or([eb('primary_domain', 'in', parents), eb('primary_domain', 'like', `%.${domain}`)]),
        )
        .executeTakeFirst();
      return row ? tenantFromRow(row) : null;
    },

    async list(page: PageRequest): Promise<Tenant[]> {
      const rows = await keysetPage(
        db.selectFrom('tenants').selectAll(),
        { key: 'id', id: 'id', direction: 'asc' },
        page,
      ).execute();
      return rows.map(tenantFromRow);
    },

    async count(): Promise<number> {
      const row = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async update(
      id: number,
      changes: Partial<TenantSettings> & { meetingUrl?: string; teamsUpgradeMode?: TeamsUpgradeMode },
    ): Promise<Tenant> {
      const row = await db
        .updateTable('tenants')
        .set({
          meeting_url: changes.meetingUrl,
          teams_upgrade_mode: changes.teamsUpgradeMode,
          meeting_migration_enabled: flagOrUndefined(changes.meetingMigrationEnabled),
          automatically_migrate_user_meetings: flagOrUndefined(changes.automaticallyMigrateUserMeetings),
          automatically_replace_acp_provider: flagOrUndefined(changes.automaticallyReplaceAcpProvider),
          automatically_send_emails_to_users: flagOrUndefined(changes.automaticallySendEmailsToUsers),
          pin_length: changes.pinLength,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return tenantFromRow(row);
    },
  };
}

const flagOrUndefined = (value: boolean | undefined) => (value === undefined ? undefined : toFlag(value));
