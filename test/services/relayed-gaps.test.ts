/**
 * A process that re-reads a quiet migration from the database may find it further on than the changes other
 * processes have told of so far. Those changes may only be slow to come (two busy cores, a slow relay): the
 * state changes in between are still passed on, in order, and only a change that never comes is skipped.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { MeetingMigration } from '../../server/domain/model.ts';
import type { EventRelay } from '../../server/services/event-relay.ts';
import { createEvents } from '../../server/services/events.ts';
import type { RelayedEvent } from '../../server/services/relayed-event.ts';
import { migrationAt } from '../support/migration.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-02T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const pending = migrationAt('PENDING', 1, 0);
const started = migrationAt('IN_PROGRESS', 2, 100);
const succeeded = migrationAt('SUCCEEDED', 3, 200);

/** A relay that sends nowhere and delivers what the test tells, once the process receives. */
function relayToldBy() {
  let receiver: (events: RelayedEvent[]) => Promise<void> = () => Promise.resolve();
  const relay: EventRelay = {
    send: () => {},
    receive: (deliver) => {
      receiver = deliver;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { relay, deliver: (events: RelayedEvent[]) => receiver(events) };
}

/**
 * One API process that has sent the new migration (PENDING, unless told otherwise) and whose database holds
 * `stored` from then on, with a relay the test delivers through.
 */
async function apiProcessAfterPending(stored: MeetingMigration, sentPending = true) {
  const { relay, deliver } = relayToldBy();
  const events = createEvents({
    relay,
    summaryOf: () => Promise.reject(new Error('no summary subscriber here')),
    tenant: () => Promise.resolve(null),
    triggerEvaluations: () => Promise.resolve([]),
    migrations: (ids) => Promise.resolve(ids.includes(stored.id) ? [stored] : []),
  });
  await events.receiveFromOtherProcesses();
  const seen: string[] = [];
  const stream = events.stream('meetingMigration', 1);
  const reading = (async () => {
    for await (const each of stream) seen.push(`${each.state}@${each.stateChanges}`);
  })();
  if (sentPending) events.migrationStateChanged(pending);
  const told = (change: MeetingMigration) => deliver([{ kind: 'migration', tenantId: 1, migration: change }]);
  const toldLate = (id: number) => deliver([{ kind: 'migrationChanged', tenantId: 1, id }]);
  const end = async () => {
    await stream.return();
    await reading;
    await events.close();
  };
  return { seen, told, toldLate, end, sendPending: () => events.migrationStateChanged(pending) };
}

test('a re-read that finds the migration finished waits for the slow start before it', async () => {
  const api = await apiProcessAfterPending(succeeded);
  // The worker's start and end are still on their way when the quiet migration is read again.
  await vi.advanceTimersByTimeAsync(2_500);
  expect(api.seen).toEqual(['PENDING@1']);
  await api.told(started);
  await api.told(succeeded);
  await vi.advanceTimersByTimeAsync(0);
  const states = api.seen.filter((state, i, all) => state !== all[i - 1]);
  expect(states).toEqual(['PENDING@1', 'IN_PROGRESS@2', 'SUCCEEDED@3']);
  await api.end();
});

test('a change that never comes is skipped once the wait is over, and the stored state is passed on', async () => {
  const api = await apiProcessAfterPending(succeeded);
  await vi.advanceTimersByTimeAsync(2_500);
  expect(api.seen).toEqual(['PENDING@1']);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(api.seen).toEqual(['PENDING@1', 'SUCCEEDED@3']);
  // The worker's own word, arriving after all, is not older than what was sent: it changes nothing.
  await api.told(started);
  await vi.advanceTimersByTimeAsync(0);
  expect(api.seen).toEqual(['PENDING@1', 'SUCCEEDED@3']);
  await api.end();
});

test('a re-read that finds the very next state change passes it on at once', async () => {
  const api = await apiProcessAfterPending(started);
  await vi.advanceTimersByTimeAsync(2_100);
  expect(api.seen).toEqual(['PENDING@1', 'IN_PROGRESS@2']);
  await api.end();
});

test('the worker’s changes heard before this process told of its own start follow it at once', async () => {
  const api = await apiProcessAfterPending(succeeded, false);
  // Busy sending, the API process that started the migration reads the worker's start and end first.
  await api.told(started);
  await api.told(succeeded);
  expect(api.seen).toEqual([]);
  api.sendPending();
  await vi.advanceTimersByTimeAsync(0);
  expect(api.seen).toEqual(['PENDING@1', 'IN_PROGRESS@2', 'SUCCEEDED@3']);
  await api.end();
});

test('a migration never heard of, told late by two processes, is passed on once as stored', async () => {
  const api = await apiProcessAfterPending(succeeded, false);
  // The API process that started it and the worker that ran it could not publish; back, both tell of it.
  await api.toldLate(succeeded.id);
  await api.toldLate(succeeded.id);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(api.seen).toEqual(['SUCCEEDED@3']);
  await api.toldLate(succeeded.id);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(api.seen).toEqual(['SUCCEEDED@3']);
  await api.end();
});

test('a process where nobody watches a tenant reads nothing of its relayed or quiet changes from the database', async () => {
  const { relay, deliver } = relayToldBy();
  const read = { evaluations: [] as number[], tenants: [] as number[], migrations: [] as number[] };
  const events = createEvents({
    relay,
    summaryOf: () => Promise.reject(new Error('no summary subscriber here')),
    tenant: (id) => {
      read.tenants.push(id);
      return Promise.resolve(null);
    },
    triggerEvaluations: (ids) => {
      read.evaluations.push(...ids);
      return Promise.resolve([]);
    },
    migrations: (ids) => {
      read.migrations.push(...ids);
      return Promise.resolve(ids.includes(pending.id) ? [pending] : []);
    },
  });
  await events.receiveFromOtherProcesses();
  // A worker's changes, as an API process whose subscribers are all elsewhere hears them.
  await deliver([
    { kind: 'migration', tenantId: 1, migration: pending },
    { kind: 'triggerEvaluation', tenantId: 1, id: 5 },
    { kind: 'tenantSettings', tenantId: 1 },
  ]);
  await vi.advanceTimersByTimeAsync(10_000);
  expect(read).toEqual({ evaluations: [], tenants: [], migrations: [] });

  // A subscriber of the summary alone: what a re-read finds changes the counts it is shown.
  const summary = events.stream('meetingMigrationSummary', 1);
  await vi.advanceTimersByTimeAsync(1_100);
  expect(read.migrations).toEqual([pending.id]);
  await summary.return();

  // Someone subscribes to the migrations: what is told from now on is read.
  const stream = events.stream('meetingMigration', 1);
  const evaluations = events.stream('triggerEvaluation', 1);
  const settings = events.stream('tenantSettings', 1);
  void stream.next();
  void evaluations.next();
  void settings.next();
  await vi.advanceTimersByTimeAsync(60_000);
  expect(read.migrations.length).toBeGreaterThan(1);
  await deliver([
    { kind: 'triggerEvaluation', tenantId: 1, id: 6 },
    { kind: 'tenantSettings', tenantId: 1 },
  ]);
  expect(read).toMatchObject({ evaluations: [6], tenants: [1] });
  await Promise.all([stream.return(), evaluations.return(), settings.return()]);
  await events.close();
});
