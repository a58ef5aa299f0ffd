import type { Db } from './database.ts';
import { toTime } from './rows.ts';

export interface StoredOperatorToken {
  id: number;
  tenantId: number;
  name: string;
  createdAt: Date;
}

/** Operator tokens are stored as hashes only; the plain token is shown once, when it is created. */
export function tokenStore(db: Db) {
  return {
    async insertOperatorToken(
      tenantId: number,
      name: string,
      tokenHash: string,
      now: Date,
    ): Promise<StoredOperatorToken> {
      const row = await db
        .insertInto('operator_tokens')
        .values({ tenant_id: tenantId, name, token_hash: tokenHash, created_at: toTime(now) })
        .returning(['id', 'tenant_id', 'name', 'created_at'])
        .executeTakeFirstOrThrow();
      return { id: row.id, tenantId: row.tenant_id, name: row.name, createdAt: new Date(row.created_at) };
    },

    async operatorTokenByHash(tokenHash: string): Promise<StoredOperatorToken | null> {
      const row = await db
        .selectFrom('operator_tokens')
        .select(['id', 'tenant_id', 'name', 'created_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row
        ? { id: row.id, tenantId: row.tenant_id, name: row.name, createdAt: new Date(row.created_at) }
        : null;
    },

    async serviceSetting(key: string): Promise<string | null> {
      const row = await db
        .selectFrom('service_settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value ?? null;
    },

    async setServiceSetting(key: string, value: string): Promise<void> {
      await db
        .insertInto('service_settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
