/**
 * Live events (SPEC §5). Callers publish only after their transaction has committed. Every state change
 * goes out at once; progress of one migration at most ten times a second, the latest always last. A change
 * made here is handed to the other processes before this process's own subscribers: sending to hundreds of
 * them takes tens of milliseconds, which the others need not wait for.
 */
import type { MeetingMigration, OperatorToken, Tenant, TriggerEvaluation } from '../domain/model.ts';
import type { MigrationSummary } from '../storage/migrations-store.ts';
import type { EventRelay, RelayInterruption } from './event-relay.ts';
import { LiveStream, type LiveStreamOptions } from './live-stream.ts';
import type { RelayedEvent } from './relayed-event.ts';

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

/** What a process loads when another process tells it about a change (see event-relay.ts). */
export interface EventSources {
  summaryOf: (tenantId: number) => Promise<MigrationSummary>;
  tenant: (id: number) => Promise<Tenant | null>;
  triggerEvaluations: (ids: number[]) => Promise<TriggerEvaluation[]>;
  migrations: (ids: number[]) => Promise<MeetingMigration[]>;
}

/** Migrations whose last sent change is remembered, to tell a late one from another process. */
const SENT_MIGRATIONS_KEPT = 10_000;
/**
 * How long a change waits for a state change before it that another process has not told of yet. On two
 * busy cores an API process told of the start of a migration up to 0.7 s after the worker told of its claim
 * (scale-out test); the wait costs only when the earlier change never comes (its process died before
 * telling), and once per running migration for a process that has just started.
 */
const HOLD_MS = 2_000;
/**
 * An open migration nothing was heard of for this long is read again from the database: the process that
 * changed it may have died between its commit and telling the others (a worker killed), or been cut off from
 * them for a while. Each read that finds nothing new doubles the wait, up to READ_AGAIN_MAX_MS, so that
 * migrations waiting out a long hold cost little. What a read finds is taken as a change told by another
 * process: when state changes are missing before it, they may only be slow to arrive, and it waits for
 * them as long as such a change would (HOLD_MS) instead of jumping over them. A process where nobody
 * watches the migration's tenant (its migrations or their summary) reads nothing: it has nobody to tell (a worker, an API process whose
 * subscribers are elsewhere), and a subscriber who comes later starts from what is stored.
 */
const READ_AGAIN_AFTER_MS = 2_000;
const READ_AGAIN_MAX_MS = 60_000;
const READ_AGAIN_BATCH = 1_000;
/**
 * How long the read of what new streams start with waits for more streams asking the same. Sharing only
 * the streams that asked in one turn of the event loop, 3,000 subscribers connecting took 1.22–1.45× the
 * fan-out floor's time (`npm run bench`): about three per read. Waiting this long, 0.94–1.0×; a stream
 * starts at most this much later.
 */
export const INITIAL_READ_WINDOW_MS = 5;

export function createEvents(options: EventSources & { relay?: EventRelay | null }) {
  const relay = options.relay ?? null;
  /** Listeners by channel and tenant; each is called in turn with the same payload object. */
  const listeners = new Map<string, Set<Listener>>();
  const topic = (channel: Channel, tenantId: number) => `${channel}:${tenantId}`;
  /** Whether anyone here listens to the channel for the tenant: with nobody, nothing is read to tell them. */
  const watched = (channel: Channel, tenantId: number) => listeners.has(topic(channel, tenantId));

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

  /** Every subscriber's stream still open. */
  const streams = new Set<{ return(): Promise<unknown> }>();

  /**
   * Each migration's last change sent here: how many state changes it had, and when it was made; while it is
   * open, when to read it again if nothing is heard of it meanwhile.
   */
  const sentMigrations = new Map<
    number,
    {
      tenantId: number;
      stateChanges: number;
      modified: number;
      open: boolean;
      wait: number;
      readAgainAt: number;
    }
  >();
  let readAgainTimer: NodeJS.Timeout | undefined;
  /**
   * Changes other processes told of before a state change they follow (the process that made that one
   * was slower to tell): held until it comes, or for HOLD_MS at most.
   */
  const heldMigrations = new Map<number, { changes: MeetingMigration[]; timer: NodeJS.Timeout }>();

  const isLate = (migration: MeetingMigration, last: { stateChanges: number; modified: number }) =>
    migration.stateChanges < last.stateChanges ||
    (migration.stateChanges === last.stateChanges && migration.modifiedAt.getTime() < last.modified);

  /** Notes the change as the last one sent here, unless a later one was; says whether it is to be sent. */
  function noteSent(migration: MeetingMigration): boolean {
    if (relay) {
      const last = sentMigrations.get(migration.id);
      if (last && isLate(migration, last)) return false;
      sentMigrations.delete(migration.id);
      sentMigrations.set(migration.id, {
        tenantId: migration.tenantId,
        stateChanges: migration.stateChanges,
        modified: migration.modifiedAt.getTime(),
        open: migration.state === 'PENDING' || migration.state === 'IN_PROGRESS',
        wait: READ_AGAIN_AFTER_MS,
        readAgainAt: Date.now() + READ_AGAIN_AFTER_MS,
      });
      if (sentMigrations.size > SENT_MIGRATIONS_KEPT) {
        sentMigrations.delete(sentMigrations.keys().next().value as number);
      }
    }
    return true;
  }

  /** Publishes here, unless a later change of the migration was sent already; says whether it did. */
  function publishMigration(migration: MeetingMigration): boolean {
    if (!noteSent(migration)) return false;
    publish('meetingMigration', migration.tenantId, migration);
    return true;
  }

  /**
   * A change another process told of (or the database showed): passed on in the order of its state changes.
   * Says whether it is on its way: passed on now, or held for the changes before it.
   */
  function receiveMigration(migration: MeetingMigration): boolean {
    const held = heldMigrations.get(migration.id);
    if (held) held.changes.push(migration);
    else if (migration.stateChanges > (sentMigrations.get(migration.id)?.stateChanges ?? 0) + 1) {
      const timer = setTimeout(() => releaseHeld(migration.id, true), HOLD_MS);
      heldMigrations.set(migration.id, { changes: [migration], timer });
      return true;
    } else {
      return publishMigration(migration);
    }
    releaseHeld(migration.id, false);
    return true;
  }

  /** Passes on the held changes that now follow on; all of them once the wait is over. */
  function releaseHeld(id: number, waitedEnough: boolean) {
    const held = heldMigrations.get(id);
    if (!held) return;
    held.changes.sort(
      (a, b) => a.stateChanges - b.stateChanges || a.modifiedAt.getTime() - b.modifiedAt.getTime(),
    );
    while (held.changes.length > 0) {
      const next = held.changes[0] as MeetingMigration;
      const expected = (sentMigrations.get(id)?.stateChanges ?? 0) + 1;
      if (!waitedEnough && next.stateChanges > expected) return;
      held.changes.shift();
      publishMigration(next);
    }
    clearTimeout(held.timer);
    heldMigrations.delete(id);
  }

  /** Sends the stored state of the open migrations gone quiet, where it is newer than the last one sent. */
  async function readAgainQuiet() {
    const now = Date.now();
    const due: number[] = [];
    for (const [id, sent] of sentMigrations) {
      if (!sent.open || sent.readAgainAt > now) continue;
      // The summary counts what the read may find changed.
      if (!watched('meetingMigration', sent.tenantId) && !watched('meetingMigrationSummary', sent.tenantId))
        continue;
      sent.wait = Math.min(sent.wait * 2, READ_AGAIN_MAX_MS);
      sent.readAgainAt = now + sent.wait;
      due.push(id);
      if (due.length === READ_AGAIN_BATCH) break;
    }
    await passOnStored(due);
  }

  /**
   * Reads the migrations as stored and passes on those newer than the last change sent here (or never sent),
   * as changes told by another process, with their tenants' summaries.
   */
  async function passOnStored(ids: readonly number[]) {
    const changedTenants = new Set<number>();
    for (let start = 0; start < ids.length; start += READ_AGAIN_BATCH) {
      for (const migration of await options.migrations(ids.slice(start, start + READ_AGAIN_BATCH))) {
        // Held changes count as known: two processes telling of the same change late read the same state.
        const known = [
          sentMigrations.get(migration.id),
          ...(heldMigrations.get(migration.id)?.changes ?? []).map((held) => ({
            stateChanges: held.stateChanges,
            modified: held.modifiedAt.getTime(),
          })),
        ];
        const newer = known.every(
          (last) =>
            !last ||
            migration.stateChanges > last.stateChanges ||
            (migration.stateChanges === last.stateChanges && migration.modifiedAt.getTime() > last.modified),
        );
        if (newer && receiveMigration(migration)) changedTenants.add(migration.tenantId);
      }
    }
    for (const tenantId of changedTenants) summaryChangedHere(tenantId);
  }

  function sendMigration(migration: MeetingMigration) {
    if (!noteSent(migration)) return;
    relay?.send({ kind: 'migration', tenantId: migration.tenantId, migration });
    publish('meetingMigration', migration.tenantId, migration);
    // Other processes' changes that follow this one, heard first (this process was busy), wait no longer.
    releaseHeld(migration.id, false);
  }

  async function sendSummary(tenantId: number) {
    const entry = summaries.get(tenantId);
    if (entry) entry.lastAt = Date.now();
    publish('meetingMigrationSummary', tenantId, await options.summaryOf(tenantId));
  }

  /** The summary changes with every state change, here or in another process. */
  function summaryChanged(tenantId: number) {
    relay?.send({ kind: 'summary', tenantId });
    summaryChangedHere(tenantId);
  }

  /** Recomputed at most ten times a second per tenant, and only while someone here watches it. */
  function summaryChangedHere(tenantId: number) {
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

  /**
   * Changes announced by other processes, oldest first: each migration change as it was sent (a late one
   * dropped), or as stored when told late; the summary recomputed, settings and evaluations loaded as stored
   * (each where someone here watches them).
   */
  async function deliverRelayed(events: RelayedEvent[]) {
    const toldLate: number[] = [];
    const evaluationIds: number[] = [];
    const summaryTenants = new Set<number>();
    const settingsTenants = new Set<number>();
    for (const event of events) {
      if (event.kind === 'migration') receiveMigration(event.migration);
      else if (event.kind === 'migrationChanged') toldLate.push(event.id);
      else if (event.kind === 'triggerEvaluation') {
        if (watched('triggerEvaluation', event.tenantId)) evaluationIds.push(event.id);
      } else if (event.kind === 'summary') summaryTenants.add(event.tenantId);
      else if (event.kind === 'operatorTokenRevoked') tokenRevoked(event.id);
      else if (watched('tenantSettings', event.tenantId)) settingsTenants.add(event.tenantId);
    }
    for (const tenantId of settingsTenants) {
      const tenant = await options.tenant(tenantId);
      if (tenant) publish('tenantSettings', tenant.id, tenant);
    }
    const evaluations = await options.triggerEvaluations(evaluationIds);
    for (const evaluation of evaluations.sort((a, b) => a.id - b.id)) {
      publish('triggerEvaluation', evaluation.tenantId, evaluation);
    }
    for (const tenantId of summaryTenants) summaryChangedHere(tenantId);
    // After the changes sent with their state: what is stored is as new as any of them.
    await passOnStored(toldLate);
  }

  const revocationListeners = new Set<(tokenId: number) => void>();
  function tokenRevoked(tokenId: number) {
    for (const listener of revocationListeners) listener(tokenId);
  }

  /** Reads of what streams start with, not begun yet, by channel, tenant and what is read. */
  const initialReads = new Map<string, Promise<readonly unknown[]>>();

  /**
   * What streams asking the same start with, read once for all of them: a read begins INITIAL_READ_WINDOW_MS
   * after the first stream asked, so every stream that asks before then shares it. Each of them listened
   * before it asked, hence before the read began, and misses nothing (a change published meanwhile may be
   * older than what the read then finds: see `staleAfterInitial`); the objects are shared, and so is
   * executing them (shared-events.ts). With thousands of subscribers connecting, one read per subscriber was
   * most of the work of a connection.
   */
  function sharedInitial<T>(key: string, read: () => Promise<readonly T[]>): Promise<readonly T[]> {
    let shared = initialReads.get(key);
    if (!shared) {
      shared = new Promise((resolve, reject) =>
        setTimeout(() => {
          initialReads.delete(key);
          read().then(resolve, reject);
        }, INITIAL_READ_WINDOW_MS),
      );
      initialReads.set(key, shared);
    }
    return shared as Promise<readonly T[]>;
  }

  return {
    /**
     * A subscriber's stream of one tenant's channel, listening from now on. Streams given the same
     * `initialKey` at about the same time share one read of what they start with (`initial`).
     */
    stream<C extends Channel>(
      channel: C,
      tenantId: number,
      options: Omit<LiveStreamOptions<EventChannels[C]>, 'listen'> & { initialKey?: string } = {},
    ): LiveStream<EventChannels[C]> {
      const { initialKey, initial } = options;
      const stream: LiveStream<EventChannels[C]> = new LiveStream({
        ...options,
        initial:
          initial && initialKey !== undefined
            ? () => sharedInitial(JSON.stringify([channel, tenantId, initialKey]), initial)
            : initial,
        listen: (push) => listen(channel, tenantId, push),
        onEnd: () => {
          streams.delete(stream);
          options.onEnd?.();
        },
      });
      streams.add(stream);
      return stream;
    },

    /** Ends every subscriber's stream: their clients subscribe again, and start from the current state. */
    endStreams() {
      for (const stream of [...streams]) void stream.return();
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
     * goes out throttled like progress, and the summary of each tenant once. A migration not sent lately
     * waits PROGRESS_INTERVAL_MS too: deliveries come in bursts, and the state change that often comes with
     * them (the run that superseded its invitations ending) goes ahead of it to every subscriber, instead of
     * sharing the moment with it.
     */
    invitationsCounted(migrations: MeetingMigration[]) {
      for (const migration of migrations) {
        if (!progress.has(migration.id)) progress.set(migration.id, { lastAt: Date.now() });
        progressed(migration);
      }
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
      relay?.send({ kind: 'tenantSettings', tenantId: tenant.id });
      publish('tenantSettings', tenant.id, tenant);
    },

    /** A token was revoked: whoever holds connections it opened closes them, here and in other processes. */
    operatorTokenRevoked(token: OperatorToken) {
      relay?.send({ kind: 'operatorTokenRevoked', tenantId: token.tenantId, id: token.id });
      tokenRevoked(token.id);
    },

    /** Hears of every revoked token, in whichever process it was revoked. */
    onOperatorTokenRevoked(listener: (tokenId: number) => void) {
      revocationListeners.add(listener);
    },

    triggerEvaluated(evaluation: TriggerEvaluation) {
      relay?.send({ kind: 'triggerEvaluation', tenantId: evaluation.tenantId, id: evaluation.id });
      publish('triggerEvaluation', evaluation.tenantId, evaluation);
    },

    /**
     * Delivers here, from now on, the changes other processes announce; `interrupted` hears when some may
     * have been lost in transit, and when they arrive again (see EventRelay).
     */
    receiveFromOtherProcesses(interrupted?: (change: RelayInterruption) => void): Promise<void> {
      if (!relay) return Promise.resolve();
      let reading = false;
      readAgainTimer = setInterval(() => {
        if (reading) return;
        reading = true;
        readAgainQuiet()
          // A database that went away is told by the requests and the engine; the next round tries again.
          .catch(() => {})
          .finally(() => {
            reading = false;
          });
      }, READ_AGAIN_AFTER_MS / 2);
      readAgainTimer.unref();
      return relay.receive(deliverRelayed, interrupted);
    },

    /** Stops pending timers and the relay (at shutdown). */
    async close() {
      clearInterval(readAgainTimer);
      await relay?.close();
      for (const entry of [...progress.values(), ...summaries.values(), ...heldMigrations.values()])
        if (entry.timer) clearTimeout(entry.timer);
      heldMigrations.clear();
      progress.clear();
      summaries.clear();
    },
  };
}
