/** Who is calling: the service admin (every tenant) or an operator of one tenant. */
import { InvalidValueError, NotFoundError } from '../domain/errors.ts';

export type Viewer = { kind: 'serviceAdmin' } | { kind: 'operator'; tenantId: number; tokenId: number };

/** The tenant a viewer may see, or null for all of them. */
export function tenantFilter(viewer: Viewer): number | null {
  return viewer.kind === 'operator' ? viewer.tenantId : null;
}

/**
 * The tenant a command acts on: an operator's own (naming another behaves as if it did not exist);
 * the service admin must name one.
 */
export function targetTenantId(viewer: Viewer, tenantId: number | null | undefined): number {
  if (viewer.kind === 'operator') {
    if (tenantId !== null && tenantId !== undefined && tenantId !== viewer.tenantId) {
      throw new NotFoundError('Tenant', 'tenantId');
    }
    return viewer.tenantId;
  }
  if (tenantId === null || tenantId === undefined) {
    throw new InvalidValueError('tenantId', 'is required for the service admin');
  }
  return tenantId;
}
