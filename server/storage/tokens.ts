import type { OperatorToken } from '../domain/model.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { fromTime, toTime } from './rows.ts';
import type { OperatorTokenTable } from './tables.ts';

type OperatorTokenRow = Omit<OperatorTokenTable, 'id' | 'token_hash'> & { id: number };

const COLUMNS = [
  'id',
  'tenant_id',
  'name',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
] as const;

function operatorTokenFromRow(row: OperatorTokenRow): OperatorToken {
  const time = (value: string | null) => (value === null ? null : fromTime(value));
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    createdAt: fromTime(row.created_at),
    expiresAt: time(row.expires_at),
    lastUsedAt: time(row.last_used_at),
    revokedAt: time(row.revoked_at),
  };
}

/** Operator tokens are stored as hashes only; the plain token is shown once, when it is created. */
export function tokenStore(db: Db) {
  return {
    async insertOperatorToken(
      token: { tenantId: number; name: string; expiresAt: Date | null },
      tokenHash: string,
      now: Date,
    ): Promise<OperatorToken> {
      const row = await db
        .insertInto('operator_tokens')
        .values({
          tenant_id: token.tenantId,
          name: token.name,
          token_hash: tokenHash,
          created_at: toTime(now),
          expires_at: token.expiresAt ? toTime(token.expiresAt) : null,
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return operatorTokenFromRow(row);
    },

    async operatorTokenByHash(tokenHash: string): Promise<OperatorToken | null> {
      const row = await db
        .selectFrom('operator_tokens')
        .select(COLUMNS)
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? operatorTokenFromRow(row) : null;
    },

    /** Tokens of a tenant, the revoked and expired ones too, oldest first. */
    async operatorTokensOfTenant(tenantId: number, page: PageRequest): Promise<OperatorToken[]> {
      const rows = await keysetPage(
        db.selectFrom('operator_tokens').select(COLUMNS).where('tenant_id', '=', tenantId),
        { key: 'id', id: 'id', direction: 'asc' },
        page,
      ).execute();
      return rows.map(operatorTokenFromRow);
    },

    async operatorTokensByIds(tenantId: number | null, ids: readonly number[]): Promise<OperatorToken[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('operator_tokens').select(COLUMNS).where('id', 'in', ids);
      if (tenantId !== null) query = query.where('tenant_id', '=', tenantId);
      return (await query.execute()).map(operatorTokenFromRow);
    },

    /** Revokes a token not revoked yet; null when it was (or is not there). */
    async revokeOperatorToken(id: number, now: Date): Promise<OperatorToken | null> {
      const row = await db
        .updateTable('operator_tokens')
        .set({ revoked_at: toTime(now) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning(COLUMNS)
        .executeTakeFirst();
      return row ? operatorTokenFromRow(row) : null;
    },

    async recordOperatorTokenUse(id: number, now: Date): Promise<void> {
      await db
        .updateTable('operator_tokens')
        .set({ last_used_at: toTime(now) })
        .where('id', '=', id)
        .execute();
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

    async deleteServiceSetting(key: string): Promise<void> {
      await db.deleteFrom('service_settings').where('key', '=', key).execute();
    },
  };
}
