import type { UpdateQueryBuilder } from 'kysely';
import type { MeetingMigration } from '../../../domain/model.ts';
import type { Db } from '../../database.ts';
import type { MeetingOutcomeRecord } from '../../engine-store.ts';
import type { Database, MeetingMigrationRow } from '../../tables.ts';

/**
 * The batch's update of its own run (counters, lease, and the run's end when the batch is its last), which
 * returns the run's row only while the claim still holds it.
 */
export type RunUpdate = UpdateQueryBuilder<
  Database,
  'meeting_migrations',
  'meeting_migrations',
  MeetingMigrationRow
>;

/**
 * The writes of a migration batch that run once per meeting and per attendee: the bulk of the engine's
 * work, written the fastest way each database has. They run on the connection of the transaction `db` is.
 */
export interface BatchWrites {
  /**
   * Updates the run (`runUpdate`), records each meeting's result and writes the rewrites: bodies,
   * overridden occurrences, earlier updates superseded, and one invitation update per attendee. Returns the
   * run's row and the runs whose superseded updates it uncounted, or null when the claim no longer holds
   * the run: then the caller rolls back whatever was written. A rewrite is written only over the SEQUENCE
   * it was decided from (the one before its own): when another writer moved a meeting on since, this
   * throws MeetingsChangedError naming every such one.
   */
  recordOutcomes(
    migration: Pick<MeetingMigration, 'id' | 'tenantId'>,
    runUpdate: RunUpdate,
    outcomes: readonly MeetingOutcomeRecord[],
    at: string,
  ): Promise<{ run: MeetingMigrationRow; supersededIn: number[] } | null>;
  /**
   * Earlier updates of meetings whose text changed that have not gone out (queued, or failed) would carry
   * stale text: they are superseded, and the runs that queued them count them no more. Returns those runs.
   */
  supersedeOutstanding(meetingIds: readonly number[], at: string): Promise<number[]>;
}

export type BatchHelper = (db: Db) => BatchWrites;

/**
 * Meetings of a batch that changed after the engine read them (an organizer's edit): their rewrites were
 * decided from text that is no longer there, and are not written. Thrown inside the batch's transaction,
 * which then writes nothing; the engine reads those meetings again and decides anew.
 */
export class MeetingsChangedError extends Error {
  readonly meetingIds: number[];
  constructor(meetingIds: number[]) {
    super(`meetings ${meetingIds.join(', ')} changed since they were read`);
    this.meetingIds = meetingIds;
  }
}

/** Superseded updates by the run that queued them: how many were pending and how many had failed. */
export function countByMigration(updates: readonly { migrationId: number; state: string }[]) {
  const counts = new Map<number, { pending: number; failed: number }>();
  for (const update of updates) {
    const entry = counts.get(update.migrationId) ?? { pending: 0, failed: 0 };
    if (update.state === 'FAILED') entry.failed += 1;
    else entry.pending += 1;
    counts.set(update.migrationId, entry);
  }
  return counts;
}
