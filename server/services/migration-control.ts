/**
 * Operator controls on existing migrations (SPEC §4.4, §6): retry a failed one, cancel an open one, send
 * failed invitation updates again; and the same in bulk, by failure reason or by a list (SPEC §9).
 */
import type { ResendSelector } from '../domain/delivery-outcome.ts';
import { InvalidValueError, NotAllowedError, NotFoundError } from '../domain/errors.ts';
import {
  type BulkAction,
  type BulkSelection,
  type FailureGroup,
  failureReason,
  meetingsTouched,
  mergeFailureGroups,
  planBulk,
} from '../domain/failures.ts';
import type { MeetingMigration } from '../domain/model.ts';
import type { FailureSelector } from '../storage/migrations-store.ts';
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

const RETRY_MESSAGE = 'retry requested by an operator';
const CANCEL_MESSAGE = 'cancelled by an operator';
/** Migrations changed per transaction by a bulk command: each commit is announced before the next. */
const BULK_CHUNK = 100;

/** What a bulk command did, or would do in a dry run. */
export interface BulkResult {
  dryRun: boolean;
  /** The migrations it changed (would change). */
  changed: MeetingMigration[];
  meetings: number;
  skipped: { migration: MeetingMigration; reason: string }[];
}

/** The reason groups of a tenant's failures (the users' latest migrations only). */
async function failureGroups(store: Store, tenantId: number): Promise<FailureGroup[]> {
  const [runs, meetings] = await Promise.all([
    store.migrations.runFailures(tenantId),
    store.migrations.meetingFailures(tenantId),
  ]);
  return mergeFailureGroups([
    ...runs.map((row) => ({
      reason: failureReason(row.lastMessage),
      failedMigrations: row.state === 'FAILED' ? row.migrations : 0,
      retryingMigrations: row.state === 'FAILED' ? 0 : row.migrations,
      meetings: row.meetings,
    })),
    ...meetings.map((row) => ({
      reason: row.reason,
      failedMigrations: row.migrations,
      retryingMigrations: 0,
      meetings: row.meetings,
    })),
  ]);
}

/** The migrations a selection names, all of the tenant (another tenant's id is one that does not exist). */
async function selectedMigrations(
  store: Store,
  tenantId: number,
  selection: BulkSelection,
): Promise<MeetingMigration[]> {
  if ('migrationIds' in selection) {
    const found = await store.migrations.byIds(tenantId, selection.migrationIds);
    if (found.length < selection.migrationIds.length)
      throw new NotFoundError('MeetingMigration', 'migrationIds');
    return found;
  }
  return store.migrations.withFailure(
    tenantId,
    await failureSelector(store, tenantId, selection.failureReason),
  );
}

/** How a reason is stored: the run-level messages that read as it (their attempt counters aside), and itself. */
async function failureSelector(store: Store, tenantId: number, reason: string): Promise<FailureSelector> {
  const lastMessages = (await store.migrations.runFailures(tenantId))
    .map((row) => row.lastMessage)
    .filter((message) => failureReason(message) === reason);
  return { lastMessages, meetingReason: reason };
}

export function migrationControl(deps: ServiceDeps) {
  /**
   * A bulk retry or cancel: planned from what is stored, then (unless a dry run) applied in chunks, each
   * committed and announced before the next, so that subscribers see it progress. A migration that changed
   * between the plan and its chunk is left alone and reported with the others skipped.
   */
  async function bulk(
    viewer: Viewer,
    action: BulkAction,
    input: { selection: BulkSelection; tenantId?: number | null; dryRun: boolean },
  ): Promise<BulkResult> {
    const tenantId = targetTenantId(viewer, input.tenantId);
    const selected = await selectedMigrations(deps.store, tenantId, input.selection);
    const pendingUsers =
      action === 'retry'
        ? await deps.store.migrations.usersWithPending([...new Set(selected.map((m) => m.userId))])
        : new Set<number>();
    const plan = planBulk(action, selected, pendingUsers);
    if (input.dryRun)
      return { dryRun: true, changed: plan.apply, meetings: plan.meetings, skipped: plan.skipped };
    const result: BulkResult = { dryRun: false, changed: [], meetings: 0, skipped: plan.skipped };
    for (let start = 0; start < plan.apply.length; start += BULK_CHUNK) {
      const chunk = plan.apply.slice(start, start + BULK_CHUNK);
      const ids = chunk.map((m) => m.id);
      const changed =
        action === 'retry'
          ? await deps.store.transaction((tx) =>
              tx.migrations.requeueForRetry(ids, RETRY_MESSAGE, deps.now()),
            )
          : await deps.store.migrations.cancelOpen(ids, CANCEL_MESSAGE, deps.now());
      announceMigrations(deps, changed);
      const changedIds = new Set(changed.map((m) => m.id));
      for (const planned of chunk) {
        if (changedIds.has(planned.id)) result.meetings += meetingsTouched(action, planned);
        else result.skipped.push({ migration: planned, reason: 'it changed meanwhile' });
      }
      result.changed.push(...changed);
    }
    return result;
  }

  return {
    /** The reasons a tenant's users' latest migrations failed with, largest group first. */
    failureGroups: (tenantId: number) => failureGroups(deps.store, tenantId),

    /** The stored form of a failure reason, to list the migrations of its group. */
    failureSelector: (tenantId: number, reason: string) => failureSelector(deps.store, tenantId, reason),

    /** Puts the FAILED and CANCELLED migrations of a selection back in the queue (see planBulk). */
    retryMeetingMigrations: (
      viewer: Viewer,
      input: { selection: BulkSelection; tenantId?: number | null; dryRun: boolean },
    ) => bulk(viewer, 'retry', input),

    /** Stops the PENDING and IN_PROGRESS migrations of a selection. */
    cancelMeetingMigrations: (
      viewer: Viewer,
      input: { selection: BulkSelection; tenantId?: number | null; dryRun: boolean },
    ) => bulk(viewer, 'cancel', input),

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
        const [requeued] = await tx.migrations.requeueForRetry([migration.id], RETRY_MESSAGE, now);
        if (!requeued) throw new Error(`migration ${migration.correlationId} could not be requeued`);
        return requeued;
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
      const [cancelled] = await store.migrations.cancelOpen([migration.id], CANCEL_MESSAGE, deps.now());
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
