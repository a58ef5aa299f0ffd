/** The outbox of invitation updates: listing, and the claims and outcomes of the delivery loop. */
import type { InvitationUpdate } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import { invitationFromRow } from './engine-store.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { toTime } from './rows.ts';

export function invitationStore(db: Db) {
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
    async claimDue(now: Date, claimUntil: Date, limit: number): Promise<InvitationUpdate[]> {
      const at = toTime(now);
      const rows = await db
        .updateTable('invitation_updates')
        .set({ state: 'SENDING', next_attempt_at: toTime(claimUntil) })
        .where(
          'id',
          'in',
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
        )
        .returningAll()
        .execute();
      return rows.map(invitationFromRow).sort((a, b) => a.id - b.id);
    },

    async markSent(id: number, now: Date): Promise<void> {
      await db
        .updateTable('invitation_updates')
        .set((eb) => ({
          state: 'SENT',
          sent_at: toTime(now),
          next_attempt_at: null,
          last_error: null,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
    },

    async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
      await db
        .updateTable('invitation_updates')
        .set((eb) => ({
          state: 'QUEUED',
          last_error: error,
          next_attempt_at: toTime(nextAttemptAt),
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
    },

    async markFailed(id: number, error: string): Promise<void> {
      await db
        .updateTable('invitation_updates')
        .set((eb) => ({
          state: 'FAILED',
          last_error: error,
          next_attempt_at: null,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
    },

    async markSuperseded(id: number): Promise<void> {
      await db
        .updateTable('invitation_updates')
        .set({ state: 'SUPERSEDED', next_attempt_at: null })
        .where('id', '=', id)
        .execute();
    },
  };
}
