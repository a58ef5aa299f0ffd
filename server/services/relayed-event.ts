/**
 * How a live event travels between processes (see event-relay.ts), whatever carries it (the database's
 * feed, Redis): a migration with its full state as sent, other changes by kind and id only, loaded again
 * from the shared database by whoever receives them. A migration told of late (its process could not tell
 * at the time) goes by id too: its state then is stale, and the receiver reads the stored one.
 */
import type { MeetingMigration } from '../domain/model.ts';
import type { FeedEntry } from '../storage/live-events.ts';

/** A change made in some process, named by its kind and id. */
export type RelayedEvent =
  | { kind: 'migration'; tenantId: number; migration: MeetingMigration }
  | { kind: 'migrationChanged'; tenantId: number; id: number }
  | { kind: 'summary'; tenantId: number }
  | { kind: 'tenantSettings'; tenantId: number }
  | { kind: 'triggerEvaluation'; tenantId: number; id: number }
  | { kind: 'operatorTokenRevoked'; tenantId: number; id: number };

/** A relayed event as plain data: numbers and strings only. */
export type EncodedEvent = FeedEntry;

/** The same change told late: a migration by id, read again by the receiver; the others as they are. */
export function toldLate(event: RelayedEvent): RelayedEvent {
  return event.kind === 'migration'
    ? { kind: 'migrationChanged', tenantId: event.tenantId, id: event.migration.id }
    : event;
}

/** JSON carries dates as strings: these fields of a migration are turned back into dates. */
const MIGRATION_DATES = ['createdAt', 'modifiedAt', 'notBefore', 'startedAt', 'finishedAt', 'nextAttemptAt'];

export function encodeEvent(event: RelayedEvent): EncodedEvent {
  const { kind, tenantId } = event;
  if (kind === 'migration') {
    return { kind, tenantId, subjectId: event.migration.id, payload: JSON.stringify(event.migration) };
  }
  return { kind, tenantId, subjectId: 'id' in event ? event.id : tenantId, payload: null };
}

/** The event, or null for one this version does not know, or a migration without a readable state. */
export function decodeEvent(entry: EncodedEvent): RelayedEvent | null {
  const { kind, tenantId, subjectId, payload } = entry;
  switch (kind) {
    case 'migration': {
      if (payload === null) return null;
      try {
        const migration = JSON.parse(payload, (key, value) =>
          MIGRATION_DATES.includes(key) && typeof value === 'string' ? new Date(value) : value,
        ) as MeetingMigration;
        return { kind, tenantId, migration };
      } catch {
        return null;
      }
    }
    case 'migrationChanged':
    case 'triggerEvaluation':
    case 'operatorTokenRevoked':
      return { kind, tenantId, id: subjectId };
    case 'summary':
    case 'tenantSettings':
      return { kind, tenantId };
    default:
      return null;
  }
}
