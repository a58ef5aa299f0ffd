/** The outbox of invitation updates: listing, and the claims and outcomes of the delivery loop. */
import type { ExpressionBuilder, UpdateObject } from 'kysely';
import type { ResendSelector } from '../domain/delivery-outcome.ts';
import type { InvitationUpdate } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import { type DueQueue, invitationFromRow } from './engine-store.ts';
import type { StorageHelpers } from './helpers/index.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { fromTime, toTime } from './rows.ts';
import type { Database } from './tables.ts';

type InvitationSet = UpdateObject<Database, 'invitation_updates'>;
type MigrationSet = UpdateObject<Database, 'meeting_migrations'>;

export function invitationStore(db: Db, helpers: Pick<StorageHelpers, 'claim'>) {
  /** Ends a send attempt of an update that is still SENDING; false when it no longer is. */
  async function settle(
    update: Pick<InvitationUpdate, 'id'>,
    changes: (eb: ExpressionBuilder<Database, 'invitation_updates'>) => InvitationSet,
  ): Promise<boolean> {
    if (!db.isTransaction) throw new Error('an outcome must be recorded in a transaction with its counters');
    const result = await db
      .updateTable('invitation_updates')
      .set(changes)
      .where('id', '=', update.id)
      .where('state', '=', 'SENDING')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Moves a migration's invitation counters; a change subscribers replaying `since` should see. */
  async function countOn(
    migrationId: number,
    now: Date,
    changes: (eb: ExpressionBuilder<Database, 'meeting_migrations'>) => MigrationSet,
  ): Promise<void> {
    await db
      .updateTable('meeting_migrations')
      .set((eb) => ({ ...changes(eb), modified_at: toTime(now) }))
      .where('id', '=', migrationId)
      .execute();
  }

  return {
    async byIds(tenant: TenantFilter, ids: readonly number[]): Promise<InvitationUpdate[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('invitation_updates').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(invitationFromRow);
    },

    /** The outbox of one meeting or one migration, oldest first. */
    async list(
      filter: { meetingId?: number; migrationId?: number },
      page: PageRequest,
    ): Promise<InvitationUpdate[]> {
      let query = db.selectFrom('invitation_updates').selectAll();
      if (filter.meetingId !== undefined) query = query.where('meeting_id', '=', filter.meetingId);
      if (filter.migrationId !== undefined) query = query.where('migration_id', '=', filter.migrationId);
      const rows = await keysetPage(query, { key: 'id', id: 'id', direction: 'asc' }, page).execute();
      return rows.map(invitationFromRow);
    },

    /**
     * Claims due updates for sending: QUEUED ones past their backoff, and SENDING ones whose sender's
     * claim ran out (it died). While SENDING, next_attempt_at is the end of the claim.
     */
    /** Updates waiting to be sent by `now` (QUEUED and due), and since when the longest waiting is due. */
    async dueQueue(now: Date): Promise<DueQueue> {
      const at = toTime(now);
      const row = await db
        .selectFrom('invitation_updates')
        .select((eb) => [
          eb.fn.countAll<number>().as('depth'),
          eb.fn.min(eb.fn.coalesce('next_attempt_at', 'created_at')).as('oldest'),
        ])
        .where('state', '=', 'QUEUED')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', at)]))
        .executeTakeFirstOrThrow();
      return { depth: Number(row.depth), oldestDueAt: row.oldest ? fromTime(row.oldest) : null };
    },

    async claimDue(now: Date, claimUntil: Date, limit: number): Promise<InvitationUpdate[]> {
      const at = toTime(now);
      const rows = await db
        .updateTable('invitation_updates')
        .set({ state: 'SENDING', next_attempt_at: toTime(claimUntil) })
        .where(
          'id',
          'in',
          helpers.claim.skipLocked(
            db
              .selectFrom('invitation_updates')
              .select('id')
              .where((eb) =>
                eb.or([
                  eb.and([
                    eb('state', '=', 'QUEUED'),
                    eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', at)]),
                  ]),
                  eb.and([eb('state', '=', 'SENDING'), eb('next_attempt_at', '<=', at)]),
                ]),
              )
              .orderBy('id')
              .limit(limit),
          ),
        )
        .returningAll()
        .execute();
      return rows.map(invitationFromRow).sort((a, b) => a.id - b.id);
    },

    /** Hands claimed updates back to the queue, due at once; the counts stay as they are. */
    async releaseClaims(ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('invitation_updates')
        .set({ state: 'QUEUED', next_attempt_at: null })
        .where('id', 'in', ids)
        .where('state', '=', 'SENDING')
        .execute();
    },

    /*
     * The outcomes of a send. Each runs in the transaction that also moves the counters of the update's
     * migration, and only while the update is still SENDING: a sender whose claim ran out and was taken
     * over changes nothing, so no outcome is counted twice. Each returns whether it changed the update.
     */

    async recordSent(update: Pick<InvitationUpdate, 'id' | 'migrationId'>, now: Date): Promise<boolean> {
      const changed = await settle(update, (eb) => ({
        state: 'SENT',
        sent_at: toTime(now),
        next_attempt_at: null,
        last_error: null,
        attempts: eb('attempts', '+', 1),
      }));
      if (changed) {
        await countOn(update.migrationId, now, (eb) => ({
          invitations_pending: eb('invitations_pending', '-', 1),
          invitations_delivered: eb('invitations_delivered', '+', 1),
        }));
      }
      return changed;
    },

    /** A transient failure: back to the queue until the next attempt; the counts stay as they are. */
    async recordRetry(
      update: Pick<InvitationUpdate, 'id' | 'migrationId'>,
      reply: string,
      nextAttemptAt: Date,
    ): Promise<boolean> {
      return settle(update, (eb) => ({
        state: 'QUEUED',
        last_error: reply,
        next_attempt_at: toTime(nextAttemptAt),
        attempts: eb('attempts', '+', 1),
      }));
    },

    /** Failed for good: the reply is kept on the update and, as the latest failure, on its migration. */
    async recordFailed(
      update: Pick<InvitationUpdate, 'id' | 'migrationId'>,
      reply: string,
      now: Date,
    ): Promise<boolean> {
      const changed = await settle(update, (eb) => ({
        state: 'FAILED',
        last_error: reply,
        next_attempt_at: null,
        attempts: eb('attempts', '+', 1),
      }));
      if (changed) {
        await countOn(update.migrationId, now, (eb) => ({
          invitations_pending: eb('invitations_pending', '-', 1),
          invitations_failed: eb('invitations_failed', '+', 1),
          last_invitation_failure: reply,
        }));
      }
      return changed;
    },

    /** A later update of the meeting replaced this one before it went out. */
    async recordSuperseded(
      update: Pick<InvitationUpdate, 'id' | 'migrationId'>,
      now: Date,
    ): Promise<boolean> {
      const changed = await settle(update, () => ({ state: 'SUPERSEDED', next_attempt_at: null }));
      if (changed) {
        await countOn(update.migrationId, now, (eb) => ({
          invitations_pending: eb('invitations_pending', '-', 1),
        }));
      }
      return changed;
    },

    /**
     * Queues a tenant's FAILED updates again (those the selector names), for the delivery loop to send with
     * their own Message-ID and SEQUENCE; SENT and SUPERSEDED ones are left alone. Their attempts start
     * again from 0, so the retry schedule applies afresh. Returns how many were queued, and the migrations
     * they belong to. Must run in a transaction, with the counters.
     */
    async requeueFailed(
      tenantId: number,
      selector: ResendSelector,
      now: Date,
    ): Promise<{ queued: number; migrationIds: number[] }> {
      if (!db.isTransaction) throw new Error('requeueFailed must run in a transaction');
      let query = db
        .updateTable('invitation_updates')
        .set({ state: 'QUEUED', attempts: 0, next_attempt_at: null })
        .where('tenant_id', '=', tenantId)
        .where('state', '=', 'FAILED');
      if ('invitationUpdateId' in selector) query = query.where('id', '=', selector.invitationUpdateId);
      if ('meetingId' in selector) query = query.where('meeting_id', '=', selector.meetingId);
      if ('migrationId' in selector) query = query.where('migration_id', '=', selector.migrationId);
      const rows = await query.returning('migration_id').execute();
      const byMigration = new Map<number, number>();
      for (const row of rows) byMigration.set(row.migration_id, (byMigration.get(row.migration_id) ?? 0) + 1);
      for (const [migrationId, queued] of byMigration) {
        await countOn(migrationId, now, (eb) => ({
          invitations_failed: eb('invitations_failed', '-', queued),
          invitations_pending: eb('invitations_pending', '+', queued),
        }));
      }
      return { queued: rows.length, migrationIds: [...byMigration.keys()] };
    },
  };
}
