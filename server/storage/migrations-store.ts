import { sql, type Updateable } from 'kysely';
import type { MeetingMigration, MeetingResult, MigrationState, TriggerEvaluation } from '../domain/model.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import { keysetPage, type PageRequest } from './pages.ts';
import { migrationFromRow, toTime, triggerEvaluationFromRow } from './rows.ts';
import { containsPattern, userMatches } from './search.ts';
import type { MeetingMigrationTable } from './tables.ts';

export type NewMigration = Pick<
  MeetingMigration,
  'correlationId' | 'tenantId' | 'userId' | 'sourceMeetingType' | 'targetMeetingType' | 'notBefore'
>;

export interface MigrationFilter {
  userId?: number | null;
  states?: readonly MigrationState[] | null;
  /** Created within [from, to]. */
  from?: Date | null;
  to?: Date | null;
  /** Changed at or after this instant. */
  modifiedSince?: Date | null;
  /** Part of the user principal name or display name of the migration's user, any case. */
  userSearch?: string | null;
  /** true: only migrations with failed invitation updates; false: only those without. */
  withFailedInvitations?: boolean | null;
}

/** Users per migration state, and the invitation updates of those migrations by outcome. */
export type MigrationSummary = Record<MigrationState, number> & {
  invitationsPending: number;
  invitationsDelivered: number;
  invitationsFailed: number;
  migrationsWithFailedInvitations: number;
};

export function migrationStore(db: Db) {
  return {
    async insert(migration: NewMigration, now: Date): Promise<MeetingMigration> {
      const row = await db
        .insertInto('meeting_migrations')
        .values({
          correlation_id: migration.correlationId,
          tenant_id: migration.tenantId,
          user_id: migration.userId,
          state: 'PENDING',
          source_meeting_type: migration.sourceMeetingType,
          target_meeting_type: migration.targetMeetingType,
          created_at: toTime(now),
          modified_at: toTime(now),
          not_before: toTime(migration.notBefore),
          started_at: null,
          finished_at: null,
          retry_count: 0,
          next_attempt_at: null,
          last_message: null,
          total_meetings: 0,
          succeeded_meetings: 0,
          failed_meetings: 0,
          skipped_meetings: 0,
          invites_updated: 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return migrationFromRow(row);
    },

    async byIds(tenant: TenantFilter, ids: readonly number[]): Promise<MeetingMigration[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('meeting_migrations').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(migrationFromRow);
    },

    /** The user's PENDING migration, if any, and whether one is IN_PROGRESS. */
    async openForUser(userId: number): Promise<{ pending: MeetingMigration | null; inProgress: boolean }> {
      const rows = await db
        .selectFrom('meeting_migrations')
        .selectAll()
        .where('user_id', '=', userId)
        .where('state', 'in', ['PENDING', 'IN_PROGRESS'])
        .orderBy('id')
        .execute();
      const pending = rows.find((row) => row.state === 'PENDING');
      return {
        pending: pending ? migrationFromRow(pending) : null,
        inProgress: rows.some((row) => row.state === 'IN_PROGRESS'),
      };
    },

    async latestForUsers(userIds: readonly number[]): Promise<MeetingMigration[]> {
      if (userIds.length === 0) return [];
      const rows = await db
        .selectFrom('meeting_migrations')
        .selectAll()
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('meeting_migrations')
            .select((e) => e.fn.max('id').as('id'))
            .where('user_id', 'in', userIds)
            .groupBy('user_id'),
        )
        .execute();
      return rows.map(migrationFromRow);
    },

    async update(
      id: number,
      changes: Partial<
        Pick<
          MeetingMigration,
          | 'state'
          | 'sourceMeetingType'
          | 'targetMeetingType'
          | 'notBefore'
          | 'lastMessage'
          | 'nextAttemptAt'
          | 'finishedAt'
        >
      >,
      now: Date,
    ): Promise<MeetingMigration> {
      const set: Updateable<MeetingMigrationTable> = { modified_at: toTime(now) };
      const counted = changes.state !== undefined ? { state_changes: sql<number>`state_changes + 1` } : {};
      if (changes.state !== undefined) set.state = changes.state;
      if (changes.sourceMeetingType !== undefined) set.source_meeting_type = changes.sourceMeetingType;
      if (changes.targetMeetingType !== undefined) set.target_meeting_type = changes.targetMeetingType;
      if (changes.notBefore !== undefined) set.not_before = toTime(changes.notBefore);
      if (changes.lastMessage !== undefined) set.last_message = changes.lastMessage;
      if (changes.nextAttemptAt !== undefined)
        set.next_attempt_at = changes.nextAttemptAt ? toTime(changes.nextAttemptAt) : null;
      if (changes.finishedAt !== undefined)
        set.finished_at = changes.finishedAt ? toTime(changes.finishedAt) : null;
      const row = await db
        .updateTable('meeting_migrations')
        .set({ ...set, ...counted })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return migrationFromRow(row);
    },

    /**
     * Cancels the migration if it is still open, in one statement: it waits for a batch that holds the row
     * and then wins, where a transaction that read the row first would lose to every later batch. Null when
     * it is no longer open. The batch it waited for may have been stamped after `now`: modified_at never goes
     * back, so that a change is never older than the one before it (subscribers' order, `since` replays).
     */
    async cancelOpen(id: number, lastMessage: string, now: Date): Promise<MeetingMigration | null> {
      const at = toTime(now);
      const row = await db
        .updateTable('meeting_migrations')
        .set({
          state: 'CANCELLED',
          state_changes: sql<number>`state_changes + 1`,
          finished_at: at,
          next_attempt_at: null,
          last_message: lastMessage,
          // Written the same for every database (SQLite's max() is PostgreSQL's greatest()).
          modified_at: sql<string>`case when modified_at > ${at} then modified_at else ${at} end`,
        })
        .where('id', '=', id)
        .where('state', 'in', ['PENDING', 'IN_PROGRESS'])
        .returningAll()
        .executeTakeFirst();
      return row ? migrationFromRow(row) : null;
    },

    /** Back to PENDING for another run: results other than UPDATED are dropped, so those meetings are redone. */
    async requeueForRetry(id: number, lastMessage: string, now: Date): Promise<MeetingMigration> {
      await db
        .deleteFrom('meeting_results')
        .where('migration_id', '=', id)
        .where('outcome', '!=', 'UPDATED')
        .execute();
      const row = await db
        .updateTable('meeting_migrations')
        .set({
          state: 'PENDING',
          state_changes: sql<number>`state_changes + 1`,
          not_before: toTime(now),
          next_attempt_at: null,
          started_at: null,
          finished_at: null,
          retry_count: 0,
          failed_meetings: 0,
          skipped_meetings: 0,
          last_message: lastMessage,
          lease_owner: null,
          lease_expires_at: null,
          modified_at: toTime(now),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return migrationFromRow(row);
    },

    /** Deletes finished migrations created before the cutoff (with their results and outbox) and old trigger records. */
    async purgeOlderThan(cutoff: Date): Promise<{ migrations: number; triggerEvaluations: number }> {
      const at = toTime(cutoff);
      const migrations = await db
        .deleteFrom('meeting_migrations')
        .where('created_at', '<', at)
        .where('state', 'not in', ['PENDING', 'IN_PROGRESS'])
        .executeTakeFirst();
      const evaluations = await db
        .deleteFrom('trigger_evaluations')
        .where('occurred_at', '<', at)
        .executeTakeFirst();
      return {
        migrations: Number(migrations.numDeletedRows),
        triggerEvaluations: Number(evaluations.numDeletedRows),
      };
    },

    async list(tenantId: number, filter: MigrationFilter, page: PageRequest): Promise<MeetingMigration[]> {
      let query = db.selectFrom('meeting_migrations').selectAll().where('tenant_id', '=', tenantId);
      if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
      if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
      if (filter.from) query = query.where('created_at', '>=', toTime(filter.from));
      if (filter.to) query = query.where('created_at', '<=', toTime(filter.to));
      if (filter.modifiedSince) query = query.where('modified_at', '>=', toTime(filter.modifiedSince));
      // Written as the partial index's condition, so SQLite reads that index.
      if (filter.withFailedInvitations === true) query = query.where('invitations_failed', '>', sql.lit(0));
      if (filter.withFailedInvitations === false) query = query.where('invitations_failed', '=', 0);
      const pattern = containsPattern(filter.userSearch);
      if (pattern) {
        query = query.where('user_id', 'in', (eb) =>
          eb.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where(userMatches(pattern)),
        );
      }
      const rows = await keysetPage(query, { key: 'id', id: 'id', direction: 'desc' }, page).execute();
      return rows.map(migrationFromRow);
    },

    /** Migrations of every tenant by state (each state present, 0 where none). */
    async countByState(): Promise<Record<MigrationState, number>> {
      const rows = await db
        .selectFrom('meeting_migrations')
        .select((eb) => ['state', eb.fn.countAll<number>().as('migrations')])
        .groupBy('state')
        .execute();
      const counts: Record<MigrationState, number> = {
        PENDING: 0,
        IN_PROGRESS: 0,
        SUCCEEDED: 0,
        FAILED: 0,
        CANCELLED: 0,
      };
      for (const row of rows) counts[row.state as MigrationState] = Number(row.migrations);
      return counts;
    },

    /**
     * How many distinct users have a migration in each state, and the invitation updates of those
     * migrations by outcome (created within the window, when given). Reads the migrations' counters, never
     * the outbox.
     */
    async summary(
      tenantId: number,
      window: { from: Date | null; to: Date | null },
    ): Promise<MigrationSummary> {
      let query = db
        .selectFrom('meeting_migrations')
        .select((eb) => [
          'state',
          eb.fn.count<number>('user_id').distinct().as('users'),
          eb.fn.sum<number>('invitations_pending').as('pending'),
          eb.fn.sum<number>('invitations_delivered').as('delivered'),
          eb.fn.sum<number>('invitations_failed').as('failed'),
          eb.fn.countAll<number>().filterWhere('invitations_failed', '>', 0).as('withFailed'),
        ])
        .where('tenant_id', '=', tenantId)
        .groupBy('state');
      if (window.from) query = query.where('created_at', '>=', toTime(window.from));
      if (window.to) query = query.where('created_at', '<=', toTime(window.to));
      const summary: MigrationSummary = {
        PENDING: 0,
        IN_PROGRESS: 0,
        SUCCEEDED: 0,
        FAILED: 0,
        CANCELLED: 0,
        invitationsPending: 0,
        invitationsDelivered: 0,
        invitationsFailed: 0,
        migrationsWithFailedInvitations: 0,
      };
      for (const row of await query.execute()) {
        summary[row.state as MigrationState] = Number(row.users);
        summary.invitationsPending += Number(row.pending);
        summary.invitationsDelivered += Number(row.delivered);
        summary.invitationsFailed += Number(row.failed);
        summary.migrationsWithFailedInvitations += Number(row.withFailed);
      }
      return summary;
    },

    async insertTriggerEvaluation(evaluation: Omit<TriggerEvaluation, 'id'>): Promise<TriggerEvaluation> {
      const row = await db
        .insertInto('trigger_evaluations')
        .values({
          tenant_id: evaluation.tenantId,
          user_id: evaluation.userId,
          kind: evaluation.kind,
          detail: evaluation.detail,
          occurred_at: toTime(evaluation.occurredAt),
          outcome: evaluation.outcome,
          message: evaluation.message,
          migration_id: evaluation.migrationId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return triggerEvaluationFromRow(row);
    },

    async triggerEvaluationsByIds(
      tenant: TenantFilter,
      ids: readonly number[],
    ): Promise<TriggerEvaluation[]> {
      if (ids.length === 0) return [];
      let query = db.selectFrom('trigger_evaluations').selectAll().where('id', 'in', ids);
      if (tenant !== null) query = query.where('tenant_id', '=', tenant);
      return (await query.execute()).map(triggerEvaluationFromRow);
    },

    /** The triggers each migration absorbed, newest first. */
    async triggerEvaluationsOfMigrations(migrationIds: readonly number[]): Promise<TriggerEvaluation[]> {
      if (migrationIds.length === 0) return [];
      const rows = await db
        .selectFrom('trigger_evaluations')
        .selectAll()
        .where('migration_id', 'in', migrationIds)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(triggerEvaluationFromRow);
    },

    /** Trigger evaluations, newest first. */
    async triggerEvaluations(
      tenantId: number,
      filter: { userId?: number | null; migrationId?: number | null },
      page: PageRequest,
    ): Promise<TriggerEvaluation[]> {
      let query = db.selectFrom('trigger_evaluations').selectAll().where('tenant_id', '=', tenantId);
      if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
      if (filter.migrationId != null) query = query.where('migration_id', '=', filter.migrationId);
      const rows = await keysetPage(query, { key: 'id', id: 'id', direction: 'desc' }, page).execute();
      return rows.map(triggerEvaluationFromRow);
    },

    /** A tenant's evaluations at or after an instant, in the order they were recorded. */
    async triggerEvaluationsSince(
      tenantId: number,
      since: Date,
      filter: { userId?: number | null },
      limit: number,
    ): Promise<TriggerEvaluation[]> {
      let query = db
        .selectFrom('trigger_evaluations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('occurred_at', '>=', toTime(since));
      if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
      const rows = await query.orderBy('id').limit(limit).execute();
      return rows.map(triggerEvaluationFromRow);
    },

    async meetingResults(migrationId: number, page: PageRequest): Promise<MeetingResult[]> {
      const rows = await keysetPage(
        db.selectFrom('meeting_results').selectAll().where('migration_id', '=', migrationId),
        { key: 'meeting_id', id: 'meeting_id', direction: 'asc' },
        page,
      ).execute();
      return rows.map((row) => ({
        migrationId: row.migration_id,
        meetingId: row.meeting_id,
        outcome: row.outcome as MeetingResult['outcome'],
        reason: row.reason,
        recordedAt: new Date(row.recorded_at),
      }));
    },
  };
}
