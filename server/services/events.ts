/**
 * Live events (SPEC §5). Callers publish only after their transaction has committed. Every state change
 * goes out at once; progress of one migration at most ten times a second, the latest always last.
 */
import type { MeetingMigration, Tenant, TriggerEvaluation } from '../domain/model.ts';
import type { MigrationSummary } from '../storage/migrations-store.ts';
import { LiveStream, type LiveStreamOptions } from './live-stream.ts';

/** What each channel carries; every channel is per tenant. */
export type EventChannels = {
  meetingMigration: MeetingMigration;
  meetingMigrationSummary: MigrationSummary;
  tenantSettings: Tenant;
  triggerEvaluation: TriggerEvaluation;
};
type Channel = keyof EventChannels;
type Listener = (payload: never) => void;

const PROGRESS_INTERVAL_MS = 100;

export type Events = ReturnType<typeof createEvents>;

export function createEvents(options: { summaryOf: (tenantId: number) => Promise<MigrationSummary> }) {
  /** Listeners by channel and tenant; each is called in turn with the same payload object. */
  const listeners = new Map<string, Set<Listener>>();
  const topic = (channel: Channel, tenantId: number) => `${channel}:${tenantId}`;

  function publish<C extends Channel>(channel: C, tenantId: number, payload: EventChannels[C]) {
    const subscribed = listeners.get(topic(channel, tenantId));
    if (!subscribed) return;
    for (const listener of [...subscribed]) (listener as (payload: EventChannels[C]) => void)(payload);
  }

  function listen<C extends Channel>(
    channel: C,
    tenantId: number,
    listener: (payload: EventChannels[C]) => void,
  ): () => void {
    const key = topic(channel, tenantId);
    let subscribed = listeners.get(key);
    if (!subscribed) {
      subscribed = new Set();
      listeners.set(key, subscribed);
    }
    subscribed.add(listener as Listener);
    return () => {
      subscribed.delete(listener as Listener);
      if (subscribed.size === 0 && listeners.get(key) === subscribed) listeners.delete(key);
    };
  }
  type ProgressEntry = { lastAt: number; timer?: NodeJS.Timeout; latest?: MeetingMigration };
  const progress = new Map<number, ProgressEntry>();
  const summaries = new Map<number, { lastAt: number; timer?: NodeJS.Timeout }>();
  /** Subscribers of each tenant's summary: nobody watching, nothing to recompute. */
  const summaryWatchers = new Map<number, number>();

  function sendMigration(migration: MeetingMigration) {
    publish('meetingMigration', migration.tenantId, migration);
  }

  async function sendSummary(tenantId: number) {
    const entry = summaries.get(tenantId);
    if (entry) entry.lastAt = Date.now();
    publish('meetingMigrationSummary', tenantId, await options.summaryOf(tenantId));
  }

  /** The summary changes with every state change; recomputed at most ten times a second per tenant. */
  function summaryChanged(tenantId: number) {
    if (!summaryWatchers.get(tenantId)) return;
    const entry = summaries.get(tenantId) ?? { lastAt: 0 };
    summaries.set(tenantId, entry);
    if (entry.timer) return;
    const wait = Math.max(0, entry.lastAt + PROGRESS_INTERVAL_MS - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void sendSummary(tenantId);
    }, wait);
  }

  /** Sends a migration at most ten times a second, the latest value always last. */
  function progressed(migration: MeetingMigration) {
    const entry = progress.get(migration.id) ?? { lastAt: 0 };
    progress.set(migration.id, entry);
    entry.latest = migration;
    if (entry.timer) return;
    const wait = entry.lastAt + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) sendLatest(migration.id, entry);
    else
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        sendLatest(migration.id, entry);
      }, wait);
  }

  function sendLatest(id: number, entry: ProgressEntry) {
    const latest = entry.latest;
    entry.latest = undefined;
    if (!latest) return;
    entry.lastAt = Date.now();
    sendMigration(latest);
    if (latest.state === 'PENDING' || latest.state === 'IN_PROGRESS') return;
    // A finished run's invitation counts still move; once they rest, its entry goes.
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.latest) sendLatest(id, entry);
      else if (progress.get(id) === entry) progress.delete(id);
    }, PROGRESS_INTERVAL_MS);
  }

  return {
    /** A subscriber's stream of one tenant's channel, listening from now on. */
    stream<C extends Channel>(
      channel: C,
      tenantId: number,
      options: Omit<LiveStreamOptions<EventChannels[C]>, 'listen'> = {},
    ): LiveStream<EventChannels[C]> {
      return new LiveStream({ ...options, listen: (push) => listen(channel, tenantId, push) });
    },

    /** A migration was created or changed state: published at once, with the summary after it. */
    migrationStateChanged(migration: MeetingMigration) {
      const entry = progress.get(migration.id);
      if (entry?.timer) clearTimeout(entry.timer);
      if (migration.state === 'PENDING' || migration.state === 'IN_PROGRESS') {
        progress.set(migration.id, { lastAt: Date.now() });
      } else {
        progress.delete(migration.id);
      }
      sendMigration(migration);
      summaryChanged(migration.tenantId);
    },

    /** A running migration's counters moved on: throttled, and the latest value is always sent. */
    migrationProgressed: progressed,

    /**
     * Invitation updates of these migrations were delivered, failed, re-queued or superseded: each migration
     * goes out throttled like progress, and the summary of each tenant once.
     */
    invitationsCounted(migrations: MeetingMigration[]) {
      for (const migration of migrations) progressed(migration);
      for (const tenantId of new Set(migrations.map((m) => m.tenantId))) summaryChanged(tenantId);
    },

    /** Counts a summary subscriber until the returned function is called. */
    watchSummary(tenantId: number): () => void {
      summaryWatchers.set(tenantId, (summaryWatchers.get(tenantId) ?? 0) + 1);
      return () => {
        const left = (summaryWatchers.get(tenantId) ?? 1) - 1;
        if (left > 0) summaryWatchers.set(tenantId, left);
        else summaryWatchers.delete(tenantId);
      };
    },

    tenantSettingsChanged(tenant: Tenant) {
      publish('tenantSettings', tenant.id, tenant);
    },

    triggerEvaluated(evaluation: TriggerEvaluation) {
      publish('triggerEvaluation', evaluation.tenantId, evaluation);
    },

    /** Stops pending timers (at shutdown). */
    close() {
      for (const entry of [...progress.values(), ...summaries.values()])
        if (entry.timer) clearTimeout(entry.timer);
      progress.clear();
      summaries.clear();
    },
  };
}
