/** A migration for tests without a database (domain rules, live events): migration 7 of tenant 1, user 3. */
import type { MeetingMigration, MigrationState } from '../../server/domain/model.ts';

const created = new Date('2026-12-02T12:00:00Z');

/** After `stateChanges` state changes, the last one to `state`, made `modifiedMs` after its creation. */
export function migrationAt(
  state: MigrationState,
  stateChanges: number,
  modifiedMs: number,
): MeetingMigration {
  return {
    id: 7,
    correlationId: '00000000-0000-4000-8000-000000000007',
    tenantId: 1,
    userId: 3,
    state,
    stateChanges,
    sourceMeetingType: 'ALL',
    targetMeetingType: 'CURRENT',
    createdAt: created,
    modifiedAt: new Date(created.getTime() + modifiedMs),
    notBefore: created,
    startedAt: null,
    finishedAt: null,
    retryCount: 0,
    nextAttemptAt: null,
    lastMessage: null,
    totalMeetings: 10,
    succeededMeetings: state === 'SUCCEEDED' ? 10 : 0,
    failedMeetings: 0,
    skippedMeetings: 0,
    invitesUpdated: 0,
    invitationsPending: 0,
    invitationsDelivered: 0,
    invitationsFailed: 0,
  };
}
