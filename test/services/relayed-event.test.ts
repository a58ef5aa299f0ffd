/** How a live event travels between processes: what is encoded comes back as it was sent. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MeetingMigration } from '../../server/domain/model.ts';
import { decodeEvent, encodeEvent, type RelayedEvent } from '../../server/services/relayed-event.ts';

const migration: MeetingMigration = {
  id: 42,
  correlationId: 'c0ffee00-0000-4000-8000-000000000000',
  tenantId: 7,
  userId: 9,
  state: 'IN_PROGRESS',
  stateChanges: 2,
  sourceMeetingType: 'ALL',
  targetMeetingType: 'TEAMS',
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
  modifiedAt: new Date('2026-12-01T10:00:01.234Z'),
  notBefore: new Date('2026-12-01T10:00:00.000Z'),
  startedAt: new Date('2026-12-01T10:00:01.000Z'),
  finishedAt: null,
  retryCount: 1,
  nextAttemptAt: null,
  lastMessage: 'a "quoted" message\nover two lines 🙂',
  totalMeetings: 10,
  succeededMeetings: 3,
  failedMeetings: 1,
  skippedMeetings: 0,
  invitesUpdated: 12,
  invitationsPending: 4,
  invitationsDelivered: 8,
  invitationsFailed: 0,
};

/** Through JSON, as both the database feed and Redis carry it. */
const carried = (event: RelayedEvent) => decodeEvent(JSON.parse(JSON.stringify(encodeEvent(event))));

describe('round trip', () => {
  test.each<RelayedEvent>([
    { kind: 'migration', tenantId: 7, migration },
    { kind: 'migrationChanged', tenantId: 7, id: 42 },
    { kind: 'summary', tenantId: 7 },
    { kind: 'tenantSettings', tenantId: 7 },
    { kind: 'triggerEvaluation', tenantId: 7, id: 1234 },
  ])('$kind comes back equal, dates as dates', (event) => {
    expect(carried(event)).toEqual(event);
  });

  test('any migration comes back equal, whatever its dates, nulls and text', () => {
    const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
    fc.assert(
      fc.property(
        fc.record({
          modifiedAt: date,
          startedAt: fc.option(date),
          finishedAt: fc.option(date),
          nextAttemptAt: fc.option(date),
          lastMessage: fc.option(fc.string({ unit: 'grapheme' })),
          state: fc.constantFrom('PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELLED'),
        }),
        (changes) => {
          const event: RelayedEvent = {
            kind: 'migration',
            tenantId: 7,
            migration: { ...migration, ...(changes as Partial<MeetingMigration>) },
          };
          const back = carried(event);
          expect(back).toEqual(event);
          if (back?.kind === 'migration') expect(back.migration.modifiedAt).toBeInstanceOf(Date);
        },
      ),
    );
  });
});

describe('what cannot be decoded is dropped, not thrown', () => {
  test('an unknown kind (from a newer version)', () => {
    expect(decodeEvent({ kind: 'somethingNew', tenantId: 7, subjectId: 1, payload: null })).toBeNull();
  });

  test('a migration without its state, or with a state that is not JSON', () => {
    expect(decodeEvent({ kind: 'migration', tenantId: 7, subjectId: 42, payload: null })).toBeNull();
    expect(decodeEvent({ kind: 'migration', tenantId: 7, subjectId: 42, payload: '{"id": 42,' })).toBeNull();
  });
});
