import type { User } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { userChangesToRow, userFromRow, userToRow } from './rows.ts';
import { containsPattern, userMatches } from './search.ts';

export type NewUser = Omit<User, 'id' | 'createdAt'>;

export interface UserFilter {
  /** Case-insensitive part of the user principal name or display name. */
  search?: string | null;
}

export function userStore(db: Db) {
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

    async list(tenantId: number, filter: UserFilter, page: PageRequest): Promise<User[]> {
      let query = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
      const pattern = containsPattern(filter.search);
      if (pattern) query = query.where(userMatches(pattern));
      const rows = await keysetPage(
        query,
        { key: 'user_principal_name', id: 'id', direction: 'asc' },
        page,
      ).execute();
      return rows.map(userFromRow);
    },

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
