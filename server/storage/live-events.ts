/** The change feed that carries live events between processes sharing the database, and its readers. */
import type { Db } from './database.ts';
import { toTime } from './rows.ts';

export interface FeedEntry {
  kind: string;
  tenantId: number;
  subjectId: number;
  payload: string | null;
}

export interface FeedRow extends FeedEntry {
  id: number;
  origin: string;
}

export function liveEventStore(db: Db) {
  return {
    /** Appends entries in one statement (one commit): a publisher flushes what a moment gathered. */
    async append(origin: string, entries: readonly FeedEntry[], now: Date): Promise<void> {
      if (entries.length === 0) return;
      const at = toTime(now);
      await db
        .insertInto('live_events')
        .values(
          entries.map((e) => ({
            origin,
            kind: e.kind,
            tenant_id: e.tenantId,
            subject_id: e.subjectId,
            payload: e.payload,
            created_at: at,
          })),
        )
        .execute();
    },

    /** Entries after this id, oldest first. */
    async after(id: number, limit: number): Promise<FeedRow[]> {
      const rows = await db
        .selectFrom('live_events')
        .selectAll()
        .where('id', '>', id)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        origin: row.origin,
        kind: row.kind,
        tenantId: row.tenant_id,
        subjectId: row.subject_id,
        payload: row.payload,
      }));
    },

    /** The newest entry's id (0 for none): a reader starts there. */
    async lastId(): Promise<number> {
      const row = await db
        .selectFrom('live_events')
        .select((eb) => eb.fn.max('id').as('last'))
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },

    /** Forgets entries, and readers silent, since before the cutoff. */
    async pruneBefore(cutoff: Date): Promise<void> {
      await db.deleteFrom('live_events').where('created_at', '<', toTime(cutoff)).execute();
      await db.deleteFrom('live_event_readers').where('seen_at', '<', toTime(cutoff)).execute();
    },

    /** This process serves subscribers (said again every few seconds while it does). */
    async markReader(origin: string, now: Date): Promise<void> {
      await db
        .insertInto('live_event_readers')
        .values({ origin, seen_at: toTime(now) })
        .onConflict((oc) => oc.column('origin').doUpdateSet({ seen_at: toTime(now) }))
        .execute();
    },

    async removeReader(origin: string): Promise<void> {
      await db.deleteFrom('live_event_readers').where('origin', '=', origin).execute();
    },

    /** Whether another process has said since `since` that it serves subscribers. */
    async otherReaders(origin: string, since: Date): Promise<boolean> {
      const row = await db
        .selectFrom('live_event_readers')
        .select('origin')
        .where('origin', '!=', origin)
        .where('seen_at', '>=', toTime(since))
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
