import { sql } from 'kysely';
import type { User } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import {
  countRows,
  type ListOrder,
  type PageRequest,
  type Sorted,
  type SortKey,
  sortedPage,
} from './pages.ts';
import { userChangesToRow, userFromRow, userToRow } from './rows.ts';
import { containsPattern, userMatches } from './search.ts';

export type NewUser = Omit<User, 'id' | 'createdAt'>;

export interface UserFilter {
  /** Case-insensitive part of the user principal name or display name. */
  search?: string | null;
}

/** What the users list can be sorted by: each column the users table shows. */
export const USER_ORDER_FIELDS = [
  'USER_PRINCIPAL_NAME',
  'DISPLAY_NAME',
  'LATEST_MIGRATION_STATE',
  'LATEST_MIGRATION_CREATED_AT',
  'SKYPE_HOSTING',
  'TEAMS_UPGRADE_MODE',
  'AUDIO_CONFERENCING_PROVIDER',
  'MAILBOX_LOCATION',
] as const;
export type UserOrderField = (typeof USER_ORDER_FIELDS)[number];

/**
 * A column of the user's latest migration (the newest, as User.latestMeetingMigration), joined as `latest`
 * for the orders by it; '' for a user with none: they sort first.
 */
const latestMigrationColumn = (column: 'state' | 'created_at') =>
  sql<string>`coalesce(${sql.ref(`latest.${column}`)}, '')`;

const BY_LATEST_MIGRATION: readonly UserOrderField[] = [
  'LATEST_MIGRATION_STATE',
  'LATEST_MIGRATION_CREATED_AT',
];

const USER_SORT_KEYS: Record<UserOrderField, SortKey> = {
  USER_PRINCIPAL_NAME: { key: sql.ref('user_principal_name'), kind: 'text' },
  DISPLAY_NAME: { key: sql.ref('display_name'), kind: 'text' },
  LATEST_MIGRATION_STATE: { key: latestMigrationColumn('state'), kind: 'text' },
  LATEST_MIGRATION_CREATED_AT: { key: latestMigrationColumn('created_at'), kind: 'text' },
  SKYPE_HOSTING: { key: sql.ref('skype_hosting'), kind: 'text' },
  TEAMS_UPGRADE_MODE: { key: sql.ref('teams_upgrade_mode'), kind: 'text' },
  AUDIO_CONFERENCING_PROVIDER: { key: sql.ref('provider'), kind: 'text' },
  MAILBOX_LOCATION: { key: sql.ref('mailbox_location'), kind: 'text' },
};

export const userSortKind = (field: UserOrderField) => USER_SORT_KEYS[field].kind;

export function userStore(db: Db) {
  /**
   * The tenant's users that pass the filter. Columns meeting_migrations also has are named with their table:
   * the list joins each user's latest migration to sort by it.
   */
  function matching(tenantId: number, filter: UserFilter) {
    let query = db.selectFrom('users').where('users.tenant_id', '=', tenantId);
    const pattern = containsPattern(filter.search);
    if (pattern) query = query.where(userMatches(pattern));
    return query;
  }

  return {
    /**
     * Writes the user's row without changing it, for the transaction that evaluates a trigger of theirs: it
     * then holds the row to its end. On PostgreSQL a second such transaction for the same user waits for it,
     * loses (40001) and runs again, and sees the first one's pending migration; otherwise each would see
     * none and start one of its own. (SQLite runs its transactions one at a time.)
     */
    async holdForTrigger(userId: number): Promise<void> {
      await db
        .updateTable('users')
        .set((eb) => ({ created_at: eb.ref('created_at') }))
        .where('id', '=', userId)
        .execute();
    },

    async insert(user: NewUser, now: Date): Promise<User> {
      const row = await db
        .insertInto('users')
        .values(userToRow(user, now))
        .returningAll()
        .executeTakeFirstOrThrow();
      return userFromRow(row);
    },

    async byIds(tenant: TenantFilter, ids: readonly number[]): Promise<User[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('users').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(userFromRow);
    },

    async byUserPrincipalName(tenantId: number, upn: string): Promise<User | null> {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_principal_name', '=', upn)
        .executeTakeFirst();
      return row ? userFromRow(row) : null;
    },

    async list(
      tenantId: number,
      filter: UserFilter,
      order: ListOrder<UserOrderField>,
      page: PageRequest,
    ): Promise<Sorted<User>[]> {
      const matched = matching(tenantId, filter);
      // The id of each user's newest migration, read in one pass over the tenant's migrations, then its row.
      const latestIds = db
        .selectFrom('meeting_migrations')
        .select(['user_id', (eb) => eb.fn.max('id').as('latest_id')])
        .where('tenant_id', '=', tenantId)
        .groupBy('user_id')
        .as('latest_ids');
      // Joined, the query reads the same columns of users: only its type says otherwise.
      const query = BY_LATEST_MIGRATION.includes(order.field)
        ? (matched
            .leftJoin(latestIds, 'latest_ids.user_id', 'users.id')
            .leftJoin(
              'meeting_migrations as latest',
              'latest.id',
              'latest_ids.latest_id',
            ) as unknown as typeof matched)
        : matched;
      return sortedPage(
        query.selectAll('users'),
        USER_SORT_KEYS[order.field],
        order.direction,
        page,
        userFromRow,
        'users.id',
      );
    },

    /** How many users match the filter, on every page. */
    count: (tenantId: number, filter: UserFilter): Promise<number> => countRows(matching(tenantId, filter)),

    /** Users whose default toll or toll-free number is this one. */
    async withDefaultNumber(numberId: number): Promise<User[]> {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('default_toll_number_id', '=', numberId),
            eb('default_toll_free_number_id', '=', numberId),
          ]),
        )
        .orderBy('id')
        .execute();
      return rows.map(userFromRow);
    },

    async update(id: number, changes: Partial<User>): Promise<User> {
      const row = await db
        .updateTable('users')
        .set(userChangesToRow(changes))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return userFromRow(row);
    },
  };
}
