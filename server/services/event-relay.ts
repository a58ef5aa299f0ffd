/**
 * Live events between processes that share one database (SPEC §8): an API process beside `npm run worker`
 * processes on the same SQLite file. Each process delivers its own events to its own subscribers at once,
 * and appends what changed to a feed table in the database: a migration with its state as sent (each state
 * change counts), other changes by kind and id. Processes that serve subscribers tail the feed and pass each
 * change to their subscribers in the same shape as a local event.
 *
 * Nothing is written while no other process serves subscribers (a lone `npm start` pays nothing). A reader
 * on SQLite wakes on every change of the database's write-ahead log, with a slow poll behind it; on
 * PostgreSQL it polls (Redis, when configured, carries events at once instead).
 */
import { randomUUID } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../operations/logger.ts';
import type { FeedEntry } from '../storage/live-events.ts';
import type { Store } from '../storage/store.ts';
import type { DatabaseHealth } from './database-health.ts';
import { decodeEvent, encodeEvent, type RelayedEvent } from './relayed-event.ts';

export type RelayInterruption = 'lost' | 'restored';

export interface EventRelay {
  /** Tells the other processes about a change this process made (after its commit). */
  send(event: RelayedEvent): void;
  /**
   * Starts delivering the other processes' changes, in the order they were sent, in batches. A relay that
   * can lose changes in transit (Redis) calls `interrupted` when it may have ('lost'), and again once it
   * receives again ('restored'): what was delivered in between may be incomplete.
   */
  receive(
    deliver: (events: RelayedEvent[]) => Promise<void>,
    interrupted?: (change: RelayInterruption) => void,
  ): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseRelayOptions {
  store: Store;
  /** A file that changes with every commit (SQLite's write-ahead log), watched to read at once; else polls alone. */
  watchFile: string | null;
  now: () => Date;
  logger: Logger;
  health: DatabaseHealth;
  /** How long sent events gather before one write carries them all. */
  flushMs?: number;
  /** How often a reader looks at the feed when the log did not wake it. */
  pollMs?: number;
}

/** A reader says it is alive this often, and counts as gone after READER_TTL_MS of silence. */
const READER_HEARTBEAT_MS = 5_000;
const READER_TTL_MS = 15_000;
/** Whether anyone reads is asked again after this long. */
const READERS_CACHE_MS = 1_000;
/** Feed entries are kept this long (readers take them within milliseconds), then pruned. */
const FEED_RETENTION_MS = 5 * 60_000;
const PRUNE_EVERY_MS = 60_000;
const READ_BATCH = 1_000;

export function databaseRelay(options: DatabaseRelayOptions): EventRelay {
  const { store, now, logger, health } = options;
  const flushMs = options.flushMs ?? 20;
  const pollMs = options.pollMs ?? 250;
  const origin = randomUUID();
  let pending: FeedEntry[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let readers: { known: boolean; askedAt: number } = { known: false, askedAt: -Infinity };
  let closed = false;

  /**
   * One log line per kind of failure until it recovers: a database that went away must not flood the log
   * (and is told once for the whole process by `health`).
   */
  const failing = new Set<string>();
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
      failing.delete(what);
      health.succeeded();
    } catch (error) {
      if (!health.failed(error, `${what} of live events`) && !failing.has(what)) {
        logger.error({ err: error }, `live events: could not ${what}`);
      }
      failing.add(what);
    }
  };

  async function anyoneReads(): Promise<boolean> {
    if (Date.now() - readers.askedAt < READERS_CACHE_MS) return readers.known;
    const known = await store.liveEvents.otherReaders(origin, new Date(now().getTime() - READER_TTL_MS));
    readers = { known, askedAt: Date.now() };
    return known;
  }

  function flush(): Promise<void> {
    flushTimer = undefined;
    const entries = pending;
    pending = [];
    if (entries.length === 0) return flushing;
    flushing = flushing.then(() =>
      attempt('write the feed', async () => {
        if (await anyoneReads()) await store.liveEvents.append(origin, entries, now());
      }),
    );
    return flushing;
  }

  let reading: { stop: () => Promise<void> } | null = null;

  return {
    send(event) {
      if (closed) return;
      pending.push(encodeEvent(event));
      flushTimer ??= setTimeout(() => void flush(), flushMs);
    },

    async receive(deliver) {
      let lastId = await store.liveEvents.lastId();
      let active: Promise<void> | null = null;
      let again = false;
      const read = async () => {
        for (;;) {
          const rows = await store.liveEvents.after(lastId, READ_BATCH);
          const last = rows.at(-1);
          if (!last) return;
          lastId = last.id;
          const events = rows
            .filter((row) => row.origin !== origin)
            .map(decodeEvent)
            .filter((event) => event !== null);
          if (events.length > 0) await deliver(events);
          if (rows.length < READ_BATCH) return;
        }
      };
      /** One read at a time; a wake-up during a read makes one more. */
      const wake = () => {
        if (closed) return;
        if (active) {
          again = true;
          return;
        }
        active = attempt('read the feed', read).finally(() => {
          active = null;
          if (again) {
            again = false;
            wake();
          }
        });
      };
      const heartbeat = () =>
        attempt('mark this process a reader', () => store.liveEvents.markReader(origin, now()));
      const prune = () =>
        attempt('prune the feed', () =>
          store.liveEvents.pruneBefore(new Date(now().getTime() - FEED_RETENTION_MS)),
        );
      await heartbeat();
      let watcher: FSWatcher | null = null;
      if (options.watchFile) {
        try {
          watcher = watch(options.watchFile, { persistent: false }, wake);
          watcher.on('error', () => watcher?.close());
        } catch {
          // No log file to watch: the poll alone finds the changes.
        }
      }
      const timers = [
        setInterval(wake, pollMs),
        setInterval(() => void heartbeat(), READER_HEARTBEAT_MS),
        setInterval(() => void prune(), PRUNE_EVERY_MS),
      ];
      for (const timer of timers) timer.unref();
      reading = {
        async stop() {
          for (const timer of timers) clearInterval(timer);
          watcher?.close();
          await active;
          await store.liveEvents.removeReader(origin).catch(() => {});
        },
      };
    },

    async close() {
      closed = true;
      clearTimeout(flushTimer);
      await flush();
      await reading?.stop();
    },
  };
}
