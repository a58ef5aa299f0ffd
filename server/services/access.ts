/** API tokens: generated with enough entropy, stored only as SHA-256 hashes, compared by hash. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { operatorTokenState } from '../domain/model.ts';
import type { Store } from '../storage/store.ts';
import type { Viewer } from './viewer.ts';

/** The hash of the service-admin token generated at first start, when none was configured. */
const GENERATED_ADMIN_TOKEN_HASH = 'admin_token_hash';
/** Set once an admin token was configured: unsetting MMS_ADMIN_TOKEN then leaves no admin token at all. */
const ADMIN_TOKEN_CONFIGURED = 'admin_token_configured';

/** A token's last use is written at most this often: a write per request would cost more than it tells. */
const LAST_USE_PRECISION_MS = 60_000;

export function generateToken(prefix: 'mms_admin' | 'mms_op'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The service-admin token's hash: the configured token's; else, where none was ever configured, one
 * generated at first start (returned so it can be shown once); else none (it was configured, and is no
 * longer). Only hashes are kept.
 */
export async function ensureAdminToken(
  store: Store,
  configured: string | null,
): Promise<{ adminTokenHash: string | null; generatedToken: string | null }> {
  if (configured) {
    await store.tokens.setServiceSetting(ADMIN_TOKEN_CONFIGURED, 'true');
    await store.tokens.deleteServiceSetting(GENERATED_ADMIN_TOKEN_HASH);
    return { adminTokenHash: hashToken(configured), generatedToken: null };
  }
  if (await store.tokens.serviceSetting(ADMIN_TOKEN_CONFIGURED)) {
    return { adminTokenHash: null, generatedToken: null };
  }
  const stored = await store.tokens.serviceSetting(GENERATED_ADMIN_TOKEN_HASH);
  if (stored) return { adminTokenHash: stored, generatedToken: null };
  const generatedToken = generateToken('mms_admin');
  const adminTokenHash = hashToken(generatedToken);
  await store.tokens.setServiceSetting(GENERATED_ADMIN_TOKEN_HASH, adminTokenHash);
  return { adminTokenHash, generatedToken };
}

export interface Authenticated {
  viewer: Viewer;
  /** When an operator token stops being valid by itself (a WebSocket it opened is closed then). */
  expiresAt: Date | null;
}

/**
 * Who bearer tokens stand for: the service admin, or an operator whose token is neither revoked nor
 * expired. Records each operator token's last use, to the minute.
 */
export function tokenAuthority(store: Store, adminTokenHash: string | null, now: () => Date) {
  const lastUseWritten = new Map<number, number>();
  return {
    async authenticate(token: string | null): Promise<Authenticated | null> {
      if (!token) return null;
      const hash = hashToken(token);
      if (adminTokenHash && timingSafeEqual(Buffer.from(hash), Buffer.from(adminTokenHash))) {
        return { viewer: { kind: 'serviceAdmin' }, expiresAt: null };
      }
      const operator = await store.tokens.operatorTokenByHash(hash);
      const at = now();
      if (!operator || operatorTokenState(operator, at) !== 'ACTIVE') return null;
      const written = lastUseWritten.get(operator.id) ?? operator.lastUsedAt?.getTime() ?? -Infinity;
      if (at.getTime() - written >= LAST_USE_PRECISION_MS) {
        lastUseWritten.set(operator.id, at.getTime());
        // Not awaited: the request does not wait for a record of itself (a failure is the next use's to mend).
        store.tokens.recordOperatorTokenUse(operator.id, at).catch(() => lastUseWritten.delete(operator.id));
      }
      return {
        viewer: { kind: 'operator', tenantId: operator.tenantId, tokenId: operator.id },
        expiresAt: operator.expiresAt,
      };
    },
  };
}

/** The token of an `Authorization: Bearer …` header or a connection_init payload. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? null;
}
