import { type ExpressionBuilder, sql, type Updateable } from 'kysely';
import {
  type MeetingMigration,
  type MeetingResult,
  type MigrationState,
  SOURCE_MEETING_TYPES,
  TARGET_MEETING_TYPES,
  type TriggerEvaluation,
} from '../domain/model.ts';
import { migrationTypeOf } from '../domain/triggers.ts';
import type { TenantFilter } from './bridges.ts';
import type { Db } from './database.ts';
import {
  countRows,
  keysetPage,
  type ListOrder,
  type PageRequest,
  type Sorted,
  type SortKey,
  sortedPage,
} from './pages.ts';
import { migrationFromRow, toTime, triggerEvaluationFromRow } from './rows.ts';
import { containsPattern, userMatches } from './search.ts';
import type { Database, MeetingMigrationTable } from './tables.ts';

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
  /** Part of the user principal name or display name of the migration's user, any case. */
  userSearch?: string | null;
  /** true: only migrations with failed invitation updates; false: only those without. */
  withFailedInvitations?: boolean | null;
  /** Only each user's latest migration: the one the summary counts the user by. */
  latestPerUser?: boolean | null;
  /** Only the users' latest migrations that failed for this reason. */
  failure?: FailureSelector | null;
}

/** Users per migration state, and the invitation updates of those migrations by outcome. */
export type MigrationSummary = Record<MigrationState, number> & {
  invitationsPending: number;
  invitationsDelivered: number;
  invitationsFailed: number;
  migrationsWithFailedInvitations: number;
};

/** A run-level failure message and how many of the users' latest migrations carry it. */
export interface RunFailureRow {
  state: MigrationState;
  lastMessage: string | null;
  migrations: number;
  /** Meetings these runs had not updated. */
  meetings: number;
}

/** A reason meetings failed with in the users' latest FAILED migrations. */
export interface MeetingFailureRow {
  reason: string;
  migrations: number;
  meetings: number;
}

/**
 * The id of each user's current migration of the tenant (among those created within the window, when
 * given): the one running, else the one waiting, else the newest — so a later run replaces what an earlier
 * one said about the user, and a failure retried is the user's again. The same text on both databases.
 */
function latestPerUser(db: Db, tenantId: number, window: { from?: Date | null; to?: Date | null } = {}) {
  let latest = db
    .selectFrom('meeting_migrations')
    .select(
      sql<number>`coalesce(max(case when state = 'IN_PROGRESS' then id end), max(case when state = 'PENDING' then id end), max(id))`.as(
        'id',
      ),
    )
    .where('tenant_id', '=', tenantId);
  if (window.from) latest = latest.where('created_at', '>=', toTime(window.from));
  if (window.to) latest = latest.where('created_at', '<=', toTime(window.to));
  return latest.groupBy('user_id');
}

/**
 * A user's latest migration that failed at run level: FAILED with no failed meeting, or waiting out a
 * transient failure.
 */
const isRunFailure = (eb: ExpressionBuilder<Database, 'meeting_migrations'>) =>
  eb.or([
    eb.and([eb('state', '=', 'FAILED'), eb('failed_meetings', '=', 0)]),
    eb.and([eb('state', '=', 'PENDING'), eb('retry_count', '>', 0), eb('next_attempt_at', 'is not', null)]),
  ]);

/** One failure reason as stored: the run-level messages it stands for, and a meeting-level reason. */
export interface FailureSelector {
  lastMessages: readonly (string | null)[];
  meetingReason: string;
}

/** A migration that failed at run level with one of the messages, or has a meeting that failed with the reason. */
function failedWith(eb: ExpressionBuilder<Database, 'meeting_migrations'>, failure: FailureSelector) {
  const messages = failure.lastMessages.filter((message) => message !== null);
  const withoutMessage = failure.lastMessages.includes(null);
  return eb.or([
    eb.and([
      isRunFailure(eb),
      eb.or([
        ...(messages.length > 0 ? [eb('last_message', 'in', messages)] : []),
        ...(withoutMessage ? [eb('last_message', 'is', null)] : [sql<boolean>`1 = 0`]),
      ]),
    ]),
    eb.and([
      eb('state', '=', 'FAILED'),
      eb.exists(
        eb
          .selectFrom('meeting_results')
          .select('meeting_results.migration_id')
          .whereRef('meeting_results.migration_id', '=', 'meeting_migrations.id')
          .where('meeting_results.outcome', '=', 'FAILED')
          .where('meeting_results.reason', '=', failure.meetingReason),
      ),
    ]),
  ]);
}

/** What the migrations list can be sorted by. */
export const MIGRATION_ORDER_FIELDS = [
  'CREATED_AT',
  'MODIFIED_AT',
  'STATE',
  'USER',
  'TOTAL_MEETINGS',
  'FAILED_MEETINGS',
  'TYPE',
] as const;
export type MigrationOrderField = (typeof MIGRATION_ORDER_FIELDS)[number];

/** The list's order unless another is asked for. */
export const NEWEST_FIRST: ListOrder<MigrationOrderField> = { field: 'CREATED_AT', direction: 'desc' };

/** The migration type of each source and target pair, as migrationTypeOf names it, in SQL. */
const migrationTypeSql = sql<string>`(case ${sql.join(
  SOURCE_MEETING_TYPES.flatMap((source) =>
    TARGET_MEETING_TYPES.map(
      (target) =>
        sql`when source_meeting_type = ${sql.lit(source)} and target_meeting_type = ${sql.lit(target)} then ${sql.lit(
          migrationTypeOf({ sourceMeetingType: source, targetMeetingType: target }),
        )}`,
    ),
  ),
  sql` `,
)} end)`;

/**
 * Each order's sort value. Creation order is the id's (ids are handed out as migrations are created), so
 * the default order reads the index by tenant and id. The user's principal name comes from the users table,
 * joined for that order alone; the type is worked out for each row.
 */
const MIGRATION_SORT_KEYS: Record<MigrationOrderField, SortKey> = {
  CREATED_AT: { key: sql.ref('meeting_migrations.id'), kind: 'id' },
  MODIFIED_AT: { key: sql.ref('modified_at'), kind: 'time' },
  STATE: { key: sql.ref('state'), kind: 'text' },
  USER: { key: sql.ref('users.user_principal_name'), kind: 'text' },
  TOTAL_MEETINGS: { key: sql.ref('total_meetings'), kind: 'id' },
  FAILED_MEETINGS: { key: sql.ref('failed_meetings'), kind: 'id' },
  TYPE: { key: migrationTypeSql, kind: 'text' },
};

export const migrationSortKind = (field: MigrationOrderField) => MIGRATION_SORT_KEYS[field].kind;

/** Ids bound in one statement: well under what SQLite and PostgreSQL take as parameters. */
const USERS_PER_QUERY = 1_000;

export function migrationStore(db: Db) {
  /**
   * The tenant's migrations that pass the filter. Columns the users table also has are named with their
   * table: the list joins users to sort by their principal names.
   */
  function matching(tenantId: number, filter: MigrationFilter) {
    let query = db.selectFrom('meeting_migrations').where('meeting_migrations.tenant_id', '=', tenantId);
    if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
    if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
    if (filter.from) query = query.where('meeting_migrations.created_at', '>=', toTime(filter.from));
    if (filter.to) query = query.where('meeting_migrations.created_at', '<=', toTime(filter.to));
    // Written as the partial index's condition, so SQLite reads that index.
    if (filter.withFailedInvitations === true) query = query.where('invitations_failed', '>', sql.lit(0));
    if (filter.withFailedInvitations === false) query = query.where('invitations_failed', '=', 0);
    if (filter.latestPerUser || filter.failure) {
      query = query.where('meeting_migrations.id', 'in', latestPerUser(db, tenantId));
    }
    const { failure } = filter;
    if (failure) query = query.where((eb) => failedWith(eb, failure));
    const pattern = containsPattern(filter.userSearch);
    if (pattern) {
      query = query.where('user_id', 'in', (eb) =>
        eb.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where(userMatches(pattern)),
      );
    }
    return query;
  }

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
     * Cancels those of the migrations still open, in one statement: it waits for a batch that holds a row
     * and then wins, where a transaction that read the row first would lose to every later batch. Returns
     * those it cancelled. The batch it waited for may have been stamped after `now`: modified_at never goes
     * back, so that a change is never older than the one before it (subscribers' order, `since` replays).
     */
    async cancelOpen(ids: readonly number[], lastMessage: string, now: Date): Promise<MeetingMigration[]> {
      if (ids.length === 0) return [];
      const at = toTime(now);
      const rows = await db
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
        .where('id', 'in', ids)
        .where('state', 'in', ['PENDING', 'IN_PROGRESS'])
        .returningAll()
        .execute();
      return rows.map(migrationFromRow);
    },

    /**
     * Back to PENDING for another run, those of the migrations still FAILED or CANCELLED whose user has no
     * PENDING one: results other than UPDATED are dropped, so those meetings are redone. Returns those it
     * requeued.
     */
    async requeueForRetry(
      ids: readonly number[],
      lastMessage: string,
      now: Date,
    ): Promise<MeetingMigration[]> {
      if (ids.length === 0) return [];
      const rows = await db
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
        .where('id', 'in', ids)
        .where('state', 'in', ['FAILED', 'CANCELLED'])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('meeting_migrations as pending')
                .select('pending.id')
                .whereRef('pending.user_id', '=', 'meeting_migrations.user_id')
                .where('pending.state', '=', 'PENDING'),
            ),
          ),
        )
        .returningAll()
        .execute();
      const requeued = rows.map((row) => row.id);
      if (requeued.length > 0) {
        await db
          .deleteFrom('meeting_results')
          .where('migration_id', 'in', requeued)
          .where('outcome', '!=', 'UPDATED')
          .execute();
      }
      return rows.map(migrationFromRow);
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

    async list(
      tenantId: number,
      filter: MigrationFilter,
      order: ListOrder<MigrationOrderField>,
      page: PageRequest,
    ): Promise<Sorted<MeetingMigration>[]> {
      const matched = matching(tenantId, filter);
      // Joined, the query reads the same columns of meeting_migrations: only its type says otherwise.
      const query =
        order.field === 'USER'
          ? (matched.innerJoin(
              'users',
              'users.id',
              'meeting_migrations.user_id',
            ) as unknown as typeof matched)
          : matched;
      return sortedPage(
        query.selectAll('meeting_migrations'),
        MIGRATION_SORT_KEYS[order.field],
        order.direction,
        page,
        migrationFromRow,
        'meeting_migrations.id',
      );
    },

    /** How many migrations match the filter, on every page. */
    count: (tenantId: number, filter: MigrationFilter): Promise<number> =>
      countRows(matching(tenantId, filter)),

    /**
     * A tenant's migrations changed at or after an instant, oldest change first: read from the index by
     * tenant and change time, so that a subscriber catching up reads what changed, not every migration.
     */
    async changedSince(
      tenantId: number,
      since: Date,
      filter: { userId?: number | null; states?: readonly MigrationState[] | null },
      limit: number,
    ): Promise<MeetingMigration[]> {
      let query = db
        .selectFrom('meeting_migrations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('modified_at', '>=', toTime(since));
      if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
      if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
      const rows = await query.orderBy('modified_at').orderBy('id').limit(limit).execute();
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
     * How many users are in each state, each counted once by their latest migration (so a user whose failed
     * run was followed by one that succeeded counts as succeeded), and the invitation updates of all the
     * migrations by outcome; within the window, when given, the latest migration created in it. Reads the
     * migrations' counters, never the outbox.
     */
    async summary(
      tenantId: number,
      window: { from: Date | null; to: Date | null },
    ): Promise<MigrationSummary> {
      let invitations = db
        .selectFrom('meeting_migrations')
        .select((eb) => [
          eb.fn.sum<number>('invitations_pending').as('pending'),
          eb.fn.sum<number>('invitations_delivered').as('delivered'),
          eb.fn.sum<number>('invitations_failed').as('failed'),
          eb.fn.countAll<number>().filterWhere('invitations_failed', '>', 0).as('withFailed'),
        ])
        .where('tenant_id', '=', tenantId);
      if (window.from) invitations = invitations.where('created_at', '>=', toTime(window.from));
      if (window.to) invitations = invitations.where('created_at', '<=', toTime(window.to));
      const users = db
        .selectFrom('meeting_migrations')
        .select((eb) => ['state', eb.fn.countAll<number>().as('users')])
        .where('id', 'in', latestPerUser(db, tenantId, window))
        .groupBy('state');
      const totals = await invitations.executeTakeFirst();
      const summary: MigrationSummary = {
        PENDING: 0,
        IN_PROGRESS: 0,
        SUCCEEDED: 0,
        FAILED: 0,
        CANCELLED: 0,
        invitationsPending: Number(totals?.pending ?? 0),
        invitationsDelivered: Number(totals?.delivered ?? 0),
        invitationsFailed: Number(totals?.failed ?? 0),
        migrationsWithFailedInvitations: Number(totals?.withFailed ?? 0),
      };
      for (const row of await users.execute()) summary[row.state as MigrationState] = Number(row.users);
      return summary;
    },

    /** The users' latest migrations that failed at run level, by state and message. */
    async runFailures(tenantId: number): Promise<RunFailureRow[]> {
      const rows = await db
        .selectFrom('meeting_migrations')
        .where(isRunFailure)
        .select((eb) => [
          'state',
          'last_message',
          eb.fn.countAll<number>().as('migrations'),
          eb.fn.sum<number>(eb('total_meetings', '-', eb.ref('succeeded_meetings'))).as('meetings'),
        ])
        .where('id', 'in', latestPerUser(db, tenantId))
        .groupBy(['state', 'last_message'])
        .execute();
      return rows.map((row) => ({
        state: row.state as MigrationState,
        lastMessage: row.last_message,
        migrations: Number(row.migrations),
        meetings: Math.max(0, Number(row.meetings ?? 0)),
      }));
    },

    /** The reasons meetings failed with in the users' latest FAILED migrations. */
    async meetingFailures(tenantId: number): Promise<MeetingFailureRow[]> {
      const rows = await db
        .selectFrom('meeting_results')
        .innerJoin('meeting_migrations', 'meeting_migrations.id', 'meeting_results.migration_id')
        .select((eb) => [
          'meeting_results.reason',
          eb.fn.count<number>('meeting_migrations.id').distinct().as('migrations'),
          eb.fn.countAll<number>().as('meetings'),
        ])
        .where('meeting_migrations.id', 'in', latestPerUser(db, tenantId))
        .where('meeting_migrations.state', '=', 'FAILED')
        .where('meeting_results.outcome', '=', 'FAILED')
        .groupBy('meeting_results.reason')
        .execute();
      return rows.map((row) => ({
        reason: row.reason ?? '',
        migrations: Number(row.migrations),
        meetings: Number(row.meetings),
      }));
    },

    /**
     * The users' latest migrations that failed with one of these run-level messages, or that have a
     * meeting that failed with this reason.
     */
    async withFailure(tenantId: number, failure: FailureSelector): Promise<MeetingMigration[]> {
      const rows = await db
        .selectFrom('meeting_migrations')
        .selectAll()
        .where('id', 'in', latestPerUser(db, tenantId))
        .where((eb) => failedWith(eb, failure))
        .orderBy('id')
        .execute();
      return rows.map(migrationFromRow);
    },

    /** Of these users, those with a PENDING migration (asked in slices, however many users there are). */
    async usersWithPending(userIds: readonly number[]): Promise<Set<number>> {
      const pending = new Set<number>();
      for (let start = 0; start < userIds.length; start += USERS_PER_QUERY) {
        const rows = await db
          .selectFrom('meeting_migrations')
          .select('user_id')
          .distinct()
          .where('user_id', 'in', userIds.slice(start, start + USERS_PER_QUERY))
          .where('state', '=', 'PENDING')
          .execute();
        for (const row of rows) pending.add(row.user_id);
      }
      return pending;
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
