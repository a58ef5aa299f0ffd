/**
 * Operator controls on existing migrations (SPEC §4.4, §6): retry a failed one, cancel an open one, send
 * failed invitation updates again.
 */
import type { ResendSelector } from '../domain/delivery-outcome.ts';
import { InvalidValueError, NotAllowedError, NotFoundError } from '../domain/errors.ts';
import type { MeetingMigration } from '../domain/model.ts';
import type { Store } from '../storage/store.ts';
import { announceMigrations, requireMeeting, requireMigration, type ServiceDeps } from './deps.ts';
import { targetTenantId, tenantFilter, type Viewer } from './viewer.ts';

/** The tenant whose failed invitations the selector names, once the object it names is found. */
async function resendTenant(
  store: Store,
  viewer: Viewer,
  selector: ResendSelector,
  tenantId: number | null | undefined,
): Promise<number> {
  if ('allFailed' in selector) return targetTenantId(viewer, tenantId);
  if (tenantId !== null && tenantId !== undefined) {
    throw new InvalidValueError('tenantId', 'is only for allFailed: the other selectors name their tenant');
  }
  if ('meetingId' in selector)
    return (await requireMeeting(store, viewer, selector.meetingId, 'meetingId')).tenantId;
  if ('migrationId' in selector) {
    return (await requireMigration(store, viewer, selector.migrationId, 'migrationId')).tenantId;
  }
  const [update] = await store.invitations.byIds(tenantFilter(viewer), [selector.invitationUpdateId]);
  if (!update) throw new NotFoundError('InvitationUpdate', 'invitationUpdateId');
  if (update.state !== 'FAILED') {
    throw new NotAllowedError(
      `only a FAILED invitation update can be sent again; this one is ${update.state}`,
    );
  }
  return update.tenantId;
}

export function migrationControl(deps: ServiceDeps) {
  return {
    /**
     * Puts a FAILED or CANCELLED migration back in the queue. Meetings it already updated stay updated;
     * the others are looked at again.
     */
    async retryMeetingMigration(viewer: Viewer, input: { migrationId: number }) {
      const retried = await deps.store.transaction(async (tx) => {
        const now = deps.now();
        const migration = await requireMigration(tx, viewer, input.migrationId, 'migrationId');
        if (migration.state !== 'FAILED' && migration.state !== 'CANCELLED') {
          throw new NotAllowedError(
            `only a FAILED or CANCELLED migration can be retried; this one is ${migration.state}`,
          );
        }
        const open = await tx.migrations.openForUser(migration.userId);
        if (open.pending) {
          throw new NotAllowedError(`the user already has pending migration ${open.pending.correlationId}`);
        }
        return tx.migrations.requeueForRetry(migration.id, 'retry requested by an operator', now);
      });
      announceMigrations(deps, [retried]);
      return retried;
    },

    /**
     * Queues the FAILED invitation updates the selector names for delivery again, with their own Message-ID
     * and SEQUENCE; delivered (SENT) and superseded ones are never sent again.
     */
    async resendInvitationUpdates(
      viewer: Viewer,
      input: { selector: ResendSelector; tenantId?: number | null },
    ): Promise<{ queued: number; migrations: MeetingMigration[] }> {
      const resent = await deps.store.transaction(
        async (tx) => {
          const tenantId = await resendTenant(tx, viewer, input.selector, input.tenantId);
          const { queued, migrationIds } = await tx.invitations.requeueFailed(
            tenantId,
            input.selector,
            deps.now(),
          );
          return { queued, migrations: await tx.migrations.byIds(null, migrationIds) };
        },
        // Requeues only what is still FAILED and moves the counters relatively: it waits for a batch of a
        // running migration rather than losing to it.
        { perStatement: true },
      );
      if (resent.migrations.length > 0) deps.events.invitationsCounted(resent.migrations);
      return resent;
    },

    /** Stops a PENDING or IN_PROGRESS migration; a running one stops between two batches. */
    async cancelMeetingMigration(viewer: Viewer, input: { migrationId: number }) {
      const { store } = deps;
      const migration = await requireMigration(store, viewer, input.migrationId, 'migrationId');
      // One conditional statement, not a transaction: a running engine updates the row with every batch,
      // and a transaction that had read it first would lose to each of them in turn (PostgreSQL).
      const cancelled = await store.migrations.cancelOpen(
        migration.id,
        'cancelled by an operator',
        deps.now(),
      );
      if (!cancelled) {
        const [now] = await store.migrations.byIds(null, [migration.id]);
        throw new NotAllowedError(
          `only a PENDING or IN_PROGRESS migration can be cancelled; this one is ${now?.state ?? migration.state}`,
        );
      }
      announceMigrations(deps, [cancelled]);
      return cancelled;
    },
  };
}
