import type { Bridge, BridgeNumber } from '../domain/model.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { bridgeFromRow, bridgeNumberFromRow, bridgeNumberToRow, toFlag } from './rows.ts';

/** Restricts a lookup to one tenant; null means every tenant (the service admin). */
export type TenantFilter = number | null;

export function bridgeStore(db: Db) {
  return {
    async insert(bridge: Omit<Bridge, 'id'>): Promise<Bridge> {
      if (bridge.isDefault) {
        await db
          .updateTable('bridges')
          .set({ is_default: 0 })
          .where('tenant_id', '=', bridge.tenantId)
          .execute();
      }
      const row = await db
        .insertInto('bridges')
        .values({ tenant_id: bridge.tenantId, name: bridge.name, is_default: toFlag(bridge.isDefault) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return bridgeFromRow(row);
    },

    async byIds(tenant: TenantFilter, ids: readonly number[]): Promise<Bridge[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('bridges').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(bridgeFromRow);
    },

    async defaultForTenant(tenantId: number): Promise<Bridge | null> {
      const row = await db
        .selectFrom('bridges')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('is_default', 'desc')
        .orderBy('id')
        .executeTakeFirst();
      return row ? bridgeFromRow(row) : null;
    },

    async list(tenantId: number, page: PageRequest): Promise<Bridge[]> {
      const rows = await keysetPage(
        db.selectFrom('bridges').selectAll().where('tenant_id', '=', tenantId),
        { key: 'id', id: 'id', direction: 'asc' },
        page,
      ).execute();
      return rows.map(bridgeFromRow);
    },

    async insertNumber(number: Omit<BridgeNumber, 'id'>): Promise<BridgeNumber> {
      const row = await db
        .insertInto('bridge_numbers')
        .values(bridgeNumberToRow(number))
        .returningAll()
        .executeTakeFirstOrThrow();
      return bridgeNumberFromRow(row);
    },

    async numberExists(tenantId: number, number: string): Promise<boolean> {
      const row = await db
        .selectFrom('bridge_numbers')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('number', '=', number)
        .executeTakeFirst();
      return row !== undefined;
    },

    async numbersByIds(tenant: TenantFilter, ids: readonly number[]): Promise<BridgeNumber[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('bridge_numbers').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(bridgeNumberFromRow);
    },

    /** Every number of the given bridges, in the order they were added. */
    async numbersOfBridges(bridgeIds: readonly number[]): Promise<BridgeNumber[]> {
      if (bridgeIds.length === 0) return [];
      const rows = await db
        .selectFrom('bridge_numbers')
        .selectAll()
        .where('bridge_id', 'in', bridgeIds)
        .orderBy('id')
        .execute();
      return rows.map(bridgeNumberFromRow);
    },

    async deleteNumber(id: number): Promise<void> {
      await db.deleteFrom('bridge_numbers').where('id', '=', id).execute();
    },
  };
}
