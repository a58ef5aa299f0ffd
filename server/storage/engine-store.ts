/**
 * The statements of the migration engine: claiming work with a lease, reading a user's meetings in
 * batches, and writing each batch — rewrites, results, invitation updates and counters — in one transaction.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type {
  Attendee,
  InvitationUpdate,
  MeetingMigration,
  MeetingResultOutcome,
  OnlineMeetingProperties,
} from '../domain/model.ts';
import type { Db } from './database.ts';
import type { StorageHelpers } from './helpers/index.ts';
import { fromTime, meetingFromRow, migrationFromRow, toTime } from './rows.ts';
import type { Database, InvitationUpdateRow } from './tables.ts';

/** Work waiting to be taken: how much, and since when the longest waiting item has been due. */
export interface DueQueue {
  depth: number;
  oldestDueAt: Date | null;
}

export interface CandidateMeeting {
  id: number;
  uid: string;
  body: string;
  sequence: number;
  onlineMeeting: OnlineMeetingProperties | null;
  attendeeCount: number;
  /** The bodies of the series' overridden occurrences, by original start. */
  overriddenOccurrences: { recurrenceId: Date; body: string }[];
  /** This run already recorded a result for the meeting (a resumed run skips it). */
  done: boolean;
}

export interface MeetingOutcomeRecord {
  meetingId: number;
  outcome: MeetingResultOutcome;
  reason: string;
  /** For UPDATED meetings: the rewrite and who to tell. */
  rewrite?: {
    body: string;
    sequence: number;
    onlineMeeting: OnlineMeetingProperties;
    attendees: Attendee[];
    /** Rewritten bodies of overridden occurrences; those not listed stay as they are. */
    overriddenOccurrences: { recurrenceId: Date; body: string }[];
  };
}

/** The database ended the transaction: the error that made it, in `cause`. */
export class TransactionEnded extends Error {
  constructor(cause: unknown) {
    super('the transaction was ended by the database', { cause });
  }
}

export function invitationFromRow(row: InvitationUpdateRow): InvitationUpdate {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    migrationId: row.migration_id,
    meetingId: row.meeting_id,
    sequence: row.sequence,
    attendee: { email: row.attendee_email, name: row.attendee_name },
    state: row.state as InvitationUpdate['state'],
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at ? fromTime(row.next_attempt_at) : null,
    lastError: row.last_error,
    sentAt: row.sent_at ? fromTime(row.sent_at) : null,
    createdAt: fromTime(row.created_at),
  };
}

/** How a run ends: its final state, the message it ends with, and its total when it was counted. */
export interface RunEnd {
  state: 'SUCCEEDED' | 'FAILED';
  lastMessage: string | null;
  totalMeetings?: number;
}

/** The columns a run's end sets: its state, and its lease let go. */
function endOfRun(end: RunEnd, at: string) {
  return {
    state: end.state,
    state_changes: sql<number>`state_changes + 1`,
    ...(end.totalMeetings === undefined ? {} : { total_meetings: end.totalMeetings }),
    last_message: end.lastMessage,
    finished_at: at,
    lease_owner: null,
    lease_expires_at: null,
    next_attempt_at: null,
  };
}

/**
 * The run is still held by this claim: running, and its lease not taken over (nor the run cancelled). The
 * holder names one claim of one worker, so a run taken over is lost to its earlier claim also when the
 * same worker took it.
 */
function heldBy(migrationId: number, holder: string) {
  return (eb: ExpressionBuilder<Database, 'meeting_migrations'>) =>
    eb.and([eb('id', '=', migrationId), eb('state', '=', 'IN_PROGRESS'), eb('lease_owner', '=', holder)]);
}

export function engineStore(db: Db, helpers: Pick<StorageHelpers, 'batch' | 'claim' | 'singleWriter'>) {
  /**
   * Claims the next due migration: a running one whose worker's lease expired (the longest expired first),
   * else the first PENDING one past its hold and backoff whose user has none running. One statement, so two
   * workers never claim the same. Each kind is looked for apart, in its own index's order: asked for
   * together, the database gathered and sorted every PENDING migration (with its user's check) at each
   * claim, however long the queue.
   */
  async function claimNext(holder: string, now: Date, leaseUntil: Date): Promise<MeetingMigration | null> {
    const at = toTime(now);
    const candidates = db.selectFrom('meeting_migrations as m').select('m.id').limit(1);
    const lapsed = candidates
      .where('m.state', '=', 'IN_PROGRESS')
      .where('m.lease_expires_at', '<', at)
      .orderBy('m.lease_expires_at');
    const due = candidates
      .orderBy('m.not_before')
      .orderBy('m.id')
      .where('m.state', '=', 'PENDING')
      .where('m.not_before', '<=', at)
      .where((eb) =>
        eb.and([
          eb.or([eb('m.next_attempt_at', 'is', null), eb('m.next_attempt_at', '<=', at)]),
          eb.not(
            eb.exists(
              eb
                .selectFrom('meeting_migrations as running')
                .select('running.id')
                .whereRef('running.user_id', '=', 'm.user_id')
                .where('running.state', '=', 'IN_PROGRESS'),
            ),
          ),
        ]),
      );
    const claim = (connection: Db) =>
      connection
        .updateTable('meeting_migrations')
        .set({
          state: 'IN_PROGRESS',
          state_changes: sql<number>`state_changes + 1`,
          lease_owner: holder,
          lease_expires_at: toTime(leaseUntil),
          started_at: sql<string>`coalesce(started_at, ${at})`,
          modified_at: at,
        })
        .where((eb) =>
          eb('id', '=', eb.fn.coalesce(helpers.claim.skipLocked(lapsed), helpers.claim.skipLocked(due))),
        )
        .returningAll()
        .executeTakeFirst();
    const row = await helpers.claim.claimingOnePerUser(db, claim);
    return row ? migrationFromRow(row) : null;
  }

  return {
    claimNext,

    /** Whether runs share transactions (see StorageHelpers.singleWriter). */
    sharesTransactions: helpers.singleWriter,

    /**
     * Claims the next due migration in the transaction that ends a run, where runs share transactions: the
     * run ends and the next starts with one commit. Null where they do not; the caller then claims on its
     * own after the commit.
     */
    async claimNextAlongside(holder: string, now: Date, leaseUntil: Date): Promise<MeetingMigration | null> {
      if (!db.isTransaction) throw new Error('claimNextAlongside must run in a transaction');
      return helpers.singleWriter ? claimNext(holder, now, leaseUntil) : null;
    },

    /** PENDING migrations due by `now`, and when the longest waiting of them became due. */
    async dueQueue(now: Date): Promise<DueQueue> {
      const at = toTime(now);
      const row = await db
        .selectFrom('meeting_migrations')
        .select((eb) => [
          eb.fn.countAll<number>().as('depth'),
          eb.fn
            .min(sql<string>`case when next_attempt_at > not_before then next_attempt_at else not_before end`)
            .as('oldest'),
        ])
        .where('state', '=', 'PENDING')
        .where('not_before', '<=', at)
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', at)]))
        .executeTakeFirstOrThrow();
      return { depth: Number(row.depth), oldestDueAt: row.oldest ? fromTime(row.oldest) : null };
    },

    /** When the next PENDING migration becomes due, if any. */
    async nextDueAt(): Promise<Date | null> {
      const row = await db
        .selectFrom('meeting_migrations')
        .select((eb) =>
          // The later of the two, written the same for every database (SQLite's max() is PostgreSQL's greatest()).
          eb.fn
            .min(sql<string>`case when next_attempt_at > not_before then next_attempt_at else not_before end`)
            .as('due'),
        )
        .where('state', '=', 'PENDING')
        .executeTakeFirst();
      return row?.due ? fromTime(row.due) : null;
    },

    /** The meetings a run looks at, in id order: the user's, not ended at the cutoff. */
    async candidateMeetings(
      migrationId: number,
      organizerId: number,
      cutoff: Date,
      afterId: number,
      limit: number,
    ): Promise<CandidateMeeting[]> {
      const rows = await db
        .selectFrom('meetings')
        .leftJoin('meeting_results', (join) =>
          join
            .onRef('meeting_results.meeting_id', '=', 'meetings.id')
            .on('meeting_results.migration_id', '=', migrationId),
        )
        .selectAll('meetings')
        .select('meeting_results.outcome as done_outcome')
        .where('meetings.organizer_id', '=', organizerId)
        .where('meetings.id', '>', afterId)
        .where((eb) =>
          eb.or([
            eb('meetings.last_occurrence_ends_at', 'is', null),
            eb('meetings.last_occurrence_ends_at', '>', toTime(cutoff)),
          ]),
        )
        .orderBy('meetings.id')
        .limit(limit)
        .execute();
      // Only a series has overridden occurrences: one query for those of the batch.
      const overrides = new Map<number, { recurrenceId: Date; body: string }[]>();
      const seriesIds = rows.filter((row) => row.recurrence !== null).map((row) => row.id);
      if (seriesIds.length > 0) {
        const overrideRows = await db
          .selectFrom('meeting_overridden_occurrences')
          .select(['meeting_id', 'recurrence_id', 'body'])
          .where('meeting_id', 'in', seriesIds)
          .orderBy('meeting_id')
          .orderBy('recurrence_id')
          .execute();
        for (const row of overrideRows) {
          const list = overrides.get(row.meeting_id) ?? [];
          list.push({ recurrenceId: fromTime(row.recurrence_id), body: row.body });
          overrides.set(row.meeting_id, list);
        }
      }
      return rows.map((row) => {
        const meeting = meetingFromRow(row);
        return {
          id: meeting.id,
          uid: meeting.uid,
          body: meeting.body,
          sequence: meeting.sequence,
          onlineMeeting: meeting.onlineMeeting,
          attendeeCount: meeting.attendeeCount,
          overriddenOccurrences: overrides.get(meeting.id) ?? [],
          done: row.done_outcome !== null,
        };
      });
    },

    /**
     * Runs `work` in a savepoint of the caller's transaction: when it throws, what it wrote is undone and
     * the rest of the transaction stands. When the database ended the whole transaction instead (SQLite
     * does after some errors), throws TransactionEnded: nothing more may run in it.
     */
    async inSavepoint<T>(work: () => Promise<T>): Promise<T> {
      if (!db.isTransaction) throw new Error('inSavepoint must run in a transaction');
      await sql`savepoint batch`.execute(db);
      let result: T;
      try {
        result = await work();
      } catch (error) {
        try {
          await sql`rollback to savepoint batch`.execute(db);
          await sql`release savepoint batch`.execute(db);
        } catch {
          throw new TransactionEnded(error);
        }
        throw error;
      }
      await sql`release savepoint batch`.execute(db);
      return result;
    },

    /**
     * Writes one batch and, with `end`, ends its run in the same statement. Must run in a transaction,
     * which the caller rolls back when this returns null: the run was cancelled or taken over, and nothing
     * of the batch may stay. Returns the updated migration and the other runs whose invitation counts
     * changed (their updates of a rewritten meeting were superseded).
     */
    async recordBatch(
      run: { migration: Pick<MeetingMigration, 'id' | 'tenantId'>; holder: string; totalMeetings: number },
      outcomes: MeetingOutcomeRecord[],
      leaseUntil: Date,
      now: Date,
      end?: RunEnd,
    ): Promise<{ migration: MeetingMigration; supersededIn: number[] } | null> {
      // The batch writes run on the connection the transaction holds: outside one, on SQLite they would run
      // in whatever another caller has open.
      if (!db.isTransaction) throw new Error('recordBatch must run in a transaction');
      const at = toTime(now);
      const count = (outcome: MeetingResultOutcome) => outcomes.filter((o) => o.outcome === outcome).length;
      const invitesUpdated = outcomes.reduce((sum, o) => sum + (o.rewrite?.attendees.length ?? 0), 0);
      const runUpdate = db
        .updateTable('meeting_migrations')
        .set((eb) => ({
          total_meetings: run.totalMeetings,
          succeeded_meetings: eb('succeeded_meetings', '+', count('UPDATED')),
          failed_meetings: eb('failed_meetings', '+', count('FAILED')),
          skipped_meetings: eb('skipped_meetings', '+', count('SKIPPED')),
          invites_updated: eb('invites_updated', '+', invitesUpdated),
          invitations_pending: eb('invitations_pending', '+', invitesUpdated),
          lease_expires_at: toTime(leaseUntil),
          modified_at: at,
          ...(end ? endOfRun(end, at) : {}),
        }))
        .where(heldBy(run.migration.id, run.holder))
        .returningAll();
      const recorded = await helpers.batch(db).recordOutcomes(run.migration, runUpdate, outcomes, at);
      return recorded && { migration: migrationFromRow(recorded.run), supersededIn: recorded.supersededIn };
    },

    /** The organizer changed the meeting's text: its outstanding updates are superseded (see above). */
    async supersedeOutstanding(meetingId: number, now: Date): Promise<number[]> {
      if (!db.isTransaction) throw new Error('supersedeOutstanding must run in a transaction');
      return helpers.batch(db).supersedeOutstanding([meetingId], toTime(now));
    },

    /** Ends a run; only the worker holding it may. */
    async finish(
      migrationId: number,
      holder: string,
      end: RunEnd,
      now: Date,
    ): Promise<MeetingMigration | null> {
      const row = await db
        .updateTable('meeting_migrations')
        .set({ ...endOfRun(end, toTime(now)), modified_at: toTime(now) })
        .where(heldBy(migrationId, holder))
        .returningAll()
        .executeTakeFirst();
      return row ? migrationFromRow(row) : null;
    },

    /** Extends the lease of a run still held (no takeover, no cancel); false when it is not held any more. */
    async renewLease(migrationId: number, holder: string, leaseUntil: Date): Promise<boolean> {
      const renewed = await db
        .updateTable('meeting_migrations')
        .set({ lease_expires_at: toTime(leaseUntil) })
        .where(heldBy(migrationId, holder))
        .returning('id')
        .executeTakeFirst();
      return renewed !== undefined;
    },

    /** Lets the run go at once (a graceful stop): its lease expires now, so any worker may resume it. */
    async release(migrationId: number, holder: string, now: Date): Promise<void> {
      await db
        .updateTable('meeting_migrations')
        .set({ lease_expires_at: toTime(new Date(now.getTime() - 1)) })
        .where(heldBy(migrationId, holder))
        .execute();
    },

    /** A transient failure: back to the queue after a backoff, counting the retry. */
    async reschedule(
      migrationId: number,
      holder: string,
      nextAttemptAt: Date,
      lastMessage: string,
      now: Date,
    ): Promise<MeetingMigration | null> {
      const row = await db
        .updateTable('meeting_migrations')
        .set((eb) => ({
          state: 'PENDING',
          state_changes: eb('state_changes', '+', 1),
          retry_count: eb('retry_count', '+', 1),
          next_attempt_at: toTime(nextAttemptAt),
          last_message: lastMessage,
          modified_at: toTime(now),
          lease_owner: null,
          lease_expires_at: null,
        }))
        .where(heldBy(migrationId, holder))
        .returningAll()
        .executeTakeFirst();
      return row ? migrationFromRow(row) : null;
    },

    /** The reasons of a run's failed meetings, most common first. */
    async failureReasons(migrationId: number): Promise<{ reason: string; meetings: number }[]> {
      const rows = await db
        .selectFrom('meeting_results')
        .select(['reason', (eb) => eb.fn.countAll<number>().as('meetings')])
        .where('migration_id', '=', migrationId)
        .where('outcome', '=', 'FAILED')
        .groupBy('reason')
        .orderBy('meetings', 'desc')
        .execute();
      return rows.map((row) => ({ reason: row.reason, meetings: Number(row.meetings) }));
    },
  };
}
