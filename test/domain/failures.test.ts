import { describe, expect, test } from 'vitest';
import { bulkSelection, failureReason, mergeFailureGroups, planBulk } from '../../server/domain/failures.ts';
import type { MeetingMigration } from '../../server/domain/model.ts';

const migration = (id: number, userId: number, state: MeetingMigration['state'], counts = {}) =>
  ({
    id,
    userId,
    state,
    totalMeetings: 0,
    succeededMeetings: 0,
    failedMeetings: 0,
    skippedMeetings: 0,
    ...counts,
  }) as MeetingMigration;

describe('failureReason', () => {
  test('drops the attempt counter, so retrying and given-up runs of one cause share a group', () => {
    expect(failureReason('transient failure, retry 2 of 9: connect ECONNREFUSED')).toBe(
      'connect ECONNREFUSED',
    );
    expect(failureReason('gave up after 9 retries: connect ECONNREFUSED')).toBe('connect ECONNREFUSED');
    expect(failureReason('not eligible: x')).toBe('not eligible: x');
    expect(failureReason(null)).toBe('failed without a message');
  });

  test('groups of one reason merge, the largest first', () => {
    expect(
      mergeFailureGroups([
        { reason: 'b', failedMigrations: 1, retryingMigrations: 0, meetings: 1 },
        { reason: 'a', failedMigrations: 0, retryingMigrations: 1, meetings: 2 },
        { reason: 'a', failedMigrations: 1, retryingMigrations: 0, meetings: 3 },
      ]),
    ).toEqual([
      { reason: 'a', failedMigrations: 1, retryingMigrations: 1, meetings: 5 },
      { reason: 'b', failedMigrations: 1, retryingMigrations: 0, meetings: 1 },
    ]);
  });
});

describe('planBulk', () => {
  test('retries the newest failure of each user, none of a user with a pending migration', () => {
    const plan = planBulk(
      'retry',
      [
        migration(1, 10, 'FAILED', { totalMeetings: 5, succeededMeetings: 2 }),
        migration(2, 10, 'CANCELLED', { totalMeetings: 4, succeededMeetings: 1 }),
        migration(3, 11, 'FAILED'),
        migration(4, 12, 'SUCCEEDED'),
      ],
      new Set([11]),
    );
    expect(plan.apply.map((m) => m.id)).toEqual([2]);
    expect(plan.meetings).toBe(3);
    expect(plan.skipped.map((s) => [s.migration.id, s.reason])).toEqual([
      [1, 'a newer migration of the same user is retried'],
      [3, 'the user already has a pending migration'],
      [4, 'only a FAILED or CANCELLED migration can be retried; this one is SUCCEEDED'],
    ]);
  });

  test('cancels open migrations, counting the meetings left undone', () => {
    const plan = planBulk('cancel', [
      migration(1, 10, 'IN_PROGRESS', {
        totalMeetings: 10,
        succeededMeetings: 3,
        failedMeetings: 1,
        skippedMeetings: 1,
      }),
      migration(2, 11, 'PENDING'),
      migration(3, 12, 'FAILED'),
    ]);
    expect(plan.apply.map((m) => m.id)).toEqual([1, 2]);
    expect(plan.meetings).toBe(5);
    expect(plan.skipped.map((s) => s.migration.id)).toEqual([3]);
  });
});

describe('bulkSelection', () => {
  test('one of a reason or ids, ids without repeats, at most 100', () => {
    expect(bulkSelection({ migrationIds: [1, 1, 2] })).toEqual({ migrationIds: [1, 2] });
    expect(bulkSelection({ failureReason: 'x', migrationIds: null })).toEqual({ failureReason: 'x' });
    expect(() => bulkSelection({})).toThrow('input: give failureReason or migrationIds');
    expect(() => bulkSelection({ migrationIds: [] })).toThrow('at least one');
    expect(() => bulkSelection({ migrationIds: Array.from({ length: 101 }, (_, i) => i) })).toThrow(
      'at most 100',
    );
    expect(() => bulkSelection({ failureReason: 'x', migrationIds: [1] })).toThrow('not both');
  });
});
