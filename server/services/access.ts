/** API tokens: generated with enough entropy, stored only as SHA-256 hashes, compared by hash. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../storage/store.ts';
import type { Viewer } from './viewer.ts';

const ADMIN_TOKEN_HASH = 'admin_token_hash';

export function generateToken(prefix: 'mms_admin' | 'mms_op'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The service-admin token: the configured one, or else one generated at first start (returned so it can
 * be shown once). Only its hash is kept.
 */
export async function ensureAdminToken(
  store: Store,
  configured: string | null,
): Promise<{ adminTokenHash: string; generatedToken: string | null }> {
  if (configured) {
    const adminTokenHash = hashToken(configured);
    await store.tokens.setServiceSetting(ADMIN_TOKEN_HASH, adminTokenHash);
    return { adminTokenHash, generatedToken: null };
  }
  const stored = await store.tokens.serviceSetting(ADMIN_TOKEN_HASH);
  if (stored) return { adminTokenHash: stored, generatedToken: null };
  const generatedToken = generateToken('mms_admin');
  const adminTokenHash = hashToken(generatedToken);
  await store.tokens.setServiceSetting(ADMIN_TOKEN_HASH, adminTokenHash);
  return { adminTokenHash, generatedToken };
}

/** The viewer a bearer token stands for, or null when it stands for nobody. */
export async function authenticate(
  store: Store,
  adminTokenHash: string,
  token: string | null,
): Promise<Viewer | null> {
  if (!token) return null;
  const hash = hashToken(token);
  if (timingSafeEqual(Buffer.from(hash), Buffer.from(adminTokenHash))) return { kind: 'serviceAdmin' };
  const operator = await store.tokens.operatorTokenByHash(hash);
  return operator ? { kind: 'operator', tenantId: operator.tenantId, tokenId: operator.id } : null;
}

/** The token of an `Authorization: Bearer …` header or a connection_init payload. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? null;
}
