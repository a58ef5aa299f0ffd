/** Operator controls on existing migrations (SPEC §6): retry a failed one, cancel an open one. */
import { NotAllowedError } from '../domain/errors.ts';
import { announceMigrations, requireMigration, type ServiceDeps } from './deps.ts';
import type { Viewer } from './viewer.ts';

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

    /** Stops a PENDING or IN_PROGRESS migration; a running one stops between two batches. */
    async cancelMeetingMigration(viewer: Viewer, input: { migrationId: number }) {
      const cancelled = await deps.store.transaction(async (tx) => {
        const now = deps.now();
        const migration = await requireMigration(tx, viewer, input.migrationId, 'migrationId');
        if (migration.state !== 'PENDING' && migration.state !== 'IN_PROGRESS') {
          throw new NotAllowedError(
            `only a PENDING or IN_PROGRESS migration can be cancelled; this one is ${migration.state}`,
          );
        }
        return tx.migrations.update(
          migration.id,
          {
            state: 'CANCELLED',
            finishedAt: now,
            nextAttemptAt: null,
            lastMessage: 'cancelled by an operator',
          },
          now,
        );
      });
      announceMigrations(deps, [cancelled]);
      return cancelled;
    },
  };
}
