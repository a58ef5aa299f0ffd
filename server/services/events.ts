/**
 * Live events (SPEC §5). Callers publish only after their transaction has committed. Every state change
 * goes out at once; progress of one migration at most ten times a second, the latest always last.
 */
import { setMaxListeners } from 'node:events';
import { createPubSub } from 'graphql-yoga';
import type { MeetingMigration, Tenant, TriggerEvaluation } from '../domain/model.ts';
import type { MigrationSummary } from '../storage/migrations-store.ts';

export type EventChannels = {
  meetingMigration: [tenantId: number, migration: MeetingMigration];
  meetingMigrationSummary: [tenantId: number, summary: MigrationSummary];
  tenantSettings: [tenantId: number, tenant: Tenant];
  triggerEvaluation: [tenantId: number, evaluation: TriggerEvaluation];
};

const PROGRESS_INTERVAL_MS = 100;

export type Events = ReturnType<typeof createEvents>;

export function createEvents(options: { summaryOf: (tenantId: number) => Promise<MigrationSummary> }) {
  // Every subscriber listens on this target: lift Node's leak warning, which assumes ten at most.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<EventChannels>({ eventTarget: eventTarget as never });
  const progress = new Map<number, { lastAt: number; timer?: NodeJS.Timeout; latest?: MeetingMigration }>();
  const summaries = new Map<number, { lastAt: number; timer?: NodeJS.Timeout }>();
  /** Subscribers of each tenant's summary: nobody watching, nothing to recompute. */
  const summaryWatchers = new Map<number, number>();

  function sendMigration(migration: MeetingMigration) {
    pubsub.publish('meetingMigration', migration.tenantId, migration);
  }

  async function sendSummary(tenantId: number) {
    const entry = summaries.get(tenantId);
    if (entry) entry.lastAt = Date.now();
    pubsub.publish('meetingMigrationSummary', tenantId, await options.summaryOf(tenantId));
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

  return {
    pubsub,

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
    migrationProgressed(migration: MeetingMigration) {
      const entry = progress.get(migration.id) ?? { lastAt: 0 };
      progress.set(migration.id, entry);
      entry.latest = migration;
      const wait = entry.lastAt + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0 && !entry.timer) {
        entry.lastAt = Date.now();
        entry.latest = undefined;
        sendMigration(migration);
        return;
      }
      entry.timer ??= setTimeout(
        () => {
          entry.timer = undefined;
          if (!entry.latest) return;
          entry.lastAt = Date.now();
          sendMigration(entry.latest);
          entry.latest = undefined;
        },
        Math.max(0, wait),
      );
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
      pubsub.publish('tenantSettings', tenant.id, tenant);
    },

    triggerEvaluated(evaluation: TriggerEvaluation) {
      pubsub.publish('triggerEvaluation', evaluation.tenantId, evaluation);
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
