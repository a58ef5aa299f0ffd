/**
 * Invitation counts that move without a state change (deliveries, failures, invitations superseded by a
 * later run) go out at most ten times a second per migration, the latest last, and always a moment after
 * they moved: a state change made with them reaches every subscriber first.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { MeetingMigration } from '../../server/domain/model.ts';
import { createEvents, type Events } from '../../server/services/events.ts';
import { migrationAt } from '../support/migration.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-02T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Migration 8, finished earlier, counted again with `pending` of its invitations still to go out. */
const earlierWith = (pending: number): MeetingMigration => ({
  ...migrationAt('SUCCEEDED', 3, 0),
  id: 8,
  invitationsPending: pending,
});

/** Runs `body` with one process's events and what a subscriber of tenant 1's migrations has received so far. */
async function withSubscriber(body: (events: Events, seen: string[]) => Promise<void>) {
  const events = createEvents({
    summaryOf: () => Promise.reject(new Error('no summary subscriber here')),
    tenant: () => Promise.resolve(null),
    triggerEvaluations: () => Promise.resolve([]),
    migrations: () => Promise.resolve([]),
  });
  const stream = events.stream('meetingMigration', 1);
  await stream.started;
  const seen: string[] = [];
  const reading = (async () => {
    for await (const each of stream) seen.push(`${each.id} ${each.state} ${each.invitationsPending}`);
  })();
  try {
    await body(events, seen);
  } finally {
    await stream.return();
    await reading;
    await events.close();
  }
}

/** What was received just before a tenth of a second has passed, and once it has. */
async function overATenth(seen: string[], before: string[], after: string[]) {
  await vi.advanceTimersByTimeAsync(99);
  expect(seen).toEqual(before);
  await vi.advanceTimersByTimeAsync(1);
  expect(seen).toEqual(after);
}

test('a run’s end goes out at once; the counts of the earlier migration whose invitations it superseded follow', () =>
  withSubscriber(async (events, seen) => {
    events.migrationStateChanged(migrationAt('SUCCEEDED', 3, 200));
    events.invitationsCounted([earlierWith(5)]);
    await overATenth(seen, ['7 SUCCEEDED 0'], ['7 SUCCEEDED 0', '8 SUCCEEDED 5']);
  }));

test('counts moving in a burst go out once per tenth of a second, the latest last', () =>
  withSubscriber(async (events, seen) => {
    events.invitationsCounted([earlierWith(1)]);
    await vi.advanceTimersByTimeAsync(40);
    events.invitationsCounted([earlierWith(2)]);
    await vi.advanceTimersByTimeAsync(60);
    expect(seen).toEqual(['8 SUCCEEDED 2']);
    events.invitationsCounted([earlierWith(3)]);
    events.invitationsCounted([earlierWith(4)]);
    await overATenth(seen, ['8 SUCCEEDED 2'], ['8 SUCCEEDED 2', '8 SUCCEEDED 4']);
    // At rest for a while: the next count waits its tenth of a second again.
    await vi.advanceTimersByTimeAsync(1_000);
    events.invitationsCounted([earlierWith(5)]);
    await overATenth(
      seen,
      ['8 SUCCEEDED 2', '8 SUCCEEDED 4'],
      ['8 SUCCEEDED 2', '8 SUCCEEDED 4', '8 SUCCEEDED 5'],
    );
  }));

test('a state change sent while counts wait carries them, and the wait sends nothing more', () =>
  withSubscriber(async (events, seen) => {
    events.invitationsCounted([earlierWith(1)]);
    await vi.advanceTimersByTimeAsync(50);
    events.migrationStateChanged({ ...earlierWith(1), state: 'PENDING', stateChanges: 4 });
    await vi.advanceTimersByTimeAsync(500);
    expect(seen).toEqual(['8 PENDING 1']);
  }));
