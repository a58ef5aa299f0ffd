/**
 * Live events between processes through Redis pub/sub (SPEC §8), when MMS_REDIS_URL is set: any number of
 * API processes and workers, on one host or many. Every process publishes the changes it makes (encoded as
 * in relayed-event.ts) on one channel under a key prefix, those made together (by the code running at the
 * time) in one message; processes that serve subscribers receive them through
 * `@graphql-yoga/redis-event-target` and pass on the changes of the others, in the order each process sent
 * them.
 *
 * Redis keeps nothing: a change published while a receiver is cut off never reaches it. So the relay never
 * stands in a request's way (publishing neither waits nor throws; failures are logged once until it works
 * again), and a receiver says when it lost Redis and when it has it back: its subscribers' view may have a
 * gap, and they are asked to subscribe again and read the current state (app.ts). The database holds every
 * change regardless.
 *
 * A process that cannot publish while the others still listen keeps what changed (each thing once, up to
 * MMS_REDIS_UNSENT_LIMIT) and tells them once it can again: the receivers read those changes as stored. When
 * more changed than it keeps, it tells them instead that changes were lost, and they ask their subscribers
 * to subscribe again, as when they lose Redis themselves.
 */
import { randomUUID } from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../operations/logger.ts';
import type { EventRelay } from './event-relay.ts';
import { decodeEvent, type EncodedEvent, encodeEvent, type RelayedEvent, toldLate } from './relayed-event.ts';

export interface RedisRelayConfig {
  url: string;
  /** Starts the channel's name, so that deployments (or test runs) sharing one Redis never see each other. */
  prefix: string;
  /** How many changes a process that cannot publish keeps to tell later (see above). */
  unsentLimit: number;
}

export interface RedisRelayOptions extends RedisRelayConfig {
  logger: Logger;
}

/** Redis could not be reached at start. */
export class RedisUnreachableError extends Error {}

/**
 * One published message: the process that sent it, and the changes it made together, in order. Each
 * message costs Redis and every receiving process a read and a parse, and a change seldom comes alone (a
 * state change and its summary; a run ended and the next claimed): a PostgreSQL run of `npm run bench` with
 * one worker published 6,080 messages where one per change made 14,180.
 */
interface RelayMessage {
  origin: string;
  events: EncodedEvent[];
}

/** How many changes a process that cannot publish keeps by default (MMS_REDIS_UNSENT_LIMIT). */
export const DEFAULT_UNSENT_LIMIT = 10_000;

/** What a process that could not keep every change it failed to publish sends instead of them. */
const CHANGES_LOST = 'changesLost';

const CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_MAX_WAIT_MS = 2_000;
/**
 * A Redis that stops answering without closing the connection (a stopped process, a network path that
 * drops packets) looks healthy to the socket. Each connection is asked every so often; one that does not
 * answer in time is dropped and reconnected, which tells subscribers as a dropped connection does.
 */
const LIVENESS_INTERVAL_MS = 2_000;
const LIVENESS_TIMEOUT_MS = 3_000;

function isEncodedEvent(value: unknown): value is EncodedEvent {
  const event = value as Partial<EncodedEvent> | null;
  return (
    typeof event?.kind === 'string' &&
    typeof event.tenantId === 'number' &&
    typeof event.subjectId === 'number' &&
    (typeof event.payload === 'string' || event.payload === null)
  );
}

function isRelayMessage(value: unknown): value is RelayMessage {
  const message = value as Partial<RelayMessage> | null;
  return (
    typeof message?.origin === 'string' &&
    Array.isArray(message.events) &&
    message.events.every(isEncodedEvent)
  );
}

/** A message that is not JSON reaches the listener as null (and is dropped) instead of throwing in ioredis. */
const tolerantJson = {
  stringify: (message: unknown) => JSON.stringify(message),
  parse: (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  },
};

/**
 * A connection that fails at once before it was ever up (a wrong URL stops the start), and after that
 * reconnects for ever with a growing wait. Commands fail at once while it is down rather than queue: a
 * change published late would come after the state its receivers read again.
 */
async function connect(url: string, role: 'publisher' | 'subscriber' | 'work-listener'): Promise<Redis> {
  let up = false;
  let lastError: Error | null = null;
  const redis = new Redis(url, {
    // Named for operators (CLIENT LIST) and tests.
    connectionName: `mms-${role}`,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => (up ? Math.min(attempt * 100, RECONNECT_MAX_WAIT_MS) : null),
  });
  // Without a listener ioredis prints every failed reconnection; the relay reports what matters itself.
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  // Every subscription's answer has a handler. ioredis subscribes again on its own after a reconnect, and
  // the event target subscribes, neither taking the answer: a relay closed while one was in flight rejected
  // it with nothing to handle it, which ends a Node process.
  const subscribe = redis.subscribe.bind(redis);
  redis.subscribe = ((...channels: string[]) => {
    const answer = subscribe(...channels);
    answer.catch(() => {});
    return answer;
  }) as typeof redis.subscribe;
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const { protocol, hostname, port } = new URL(url);
    throw new RedisUnreachableError(
      `cannot reach Redis at ${protocol}//${hostname || 'localhost'}:${port || 6379} (${(lastError ?? (error as Error)).message})`,
    );
  }
  up = true;
  return redis;
}

/** Drops and reconnects the connection when Redis stops answering it (see LIVENESS_INTERVAL_MS). */
function dropWhenUnresponsive(redis: Redis, onUnresponsive: () => void): () => void {
  let asking = false;
  const timer = setInterval(() => {
    if (asking || redis.status !== 'ready') return;
    asking = true;
    const deadline = setTimeout(() => {
      onUnresponsive();
      // Fails the commands waiting for an answer and reconnects (retryStrategy), as a dropped connection does.
      redis.disconnect(true);
    }, LIVENESS_TIMEOUT_MS);
    redis
      .ping()
      .catch(() => {})
      .finally(() => {
        clearTimeout(deadline);
        asking = false;
      });
  }, LIVENESS_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The relay, and the word that work may be due, from the process that queued it to the engines of the others. */
export interface RedisRelay extends EventRelay {
  /** Tells the engines of the other processes that a migration may have become due. */
  announceWork(): void;
  /**
   * Calls `wake` whenever another process announces work, and each time the connection comes back (what was
   * announced meanwhile did not reach it). Without it, an engine finds work at its next poll (MMS_POLL_MS).
   */
  hearWork(wake: () => void): Promise<void>;
}

/** Connects to Redis (failing when it cannot be reached) and returns the relay. */
export async function connectRedisRelay(options: RedisRelayOptions): Promise<RedisRelay> {
  const { logger } = options;
  const channel = `${options.prefix}live-events`;
  const workChannel = `${options.prefix}work-due`;
  const origin = randomUUID();
  const publisher = await connect(options.url, 'publisher');
  let subscriber: Redis | null = null;
  let workListener: Redis | null = null;
  let announcing = false;
  let closed = false;

  /** Changes not published, each to be told late once publishing works again, by what changed. */
  const unsent = new Map<string, EncodedEvent>();
  /** More changed than `unsent` keeps: the others are told that changes were lost. */
  let unsentOverflowed = false;
  const keepUnsent = (late: EncodedEvent) => {
    const key = `${late.kind}:${late.tenantId}:${late.subjectId}`;
    if (late.kind === CHANGES_LOST || (!unsent.has(key) && unsent.size >= options.unsentLimit)) {
      unsentOverflowed = true;
    } else unsent.set(key, late);
  };
  /** Publishes the events; when that fails, keeps the same changes told late (`late()`) for the next return. */
  const publishOrKeep = (events: EncodedEvent[], late: () => EncodedEvent[]) => {
    const message: RelayMessage = { origin, events };
    publisher.publish(channel, JSON.stringify(message)).then(canPublish, (error: unknown) => {
      cannotPublish((error as Error).message);
      for (const event of late()) keepUnsent(event);
    });
  };
  const sendUnsent = () => {
    const late: EncodedEvent[] = unsentOverflowed
      ? [{ kind: CHANGES_LOST, tenantId: 0, subjectId: 0, payload: null }]
      : [...unsent.values()];
    unsent.clear();
    unsentOverflowed = false;
    // Written before whatever is published next.
    if (late.length > 0) publishOrKeep(late, () => late);
  };

  /** Changes sent by the code running now, published together once it is done. */
  let outgoing: RelayedEvent[] = [];
  const publishOutgoing = () => {
    const events = outgoing;
    outgoing = [];
    if (events.length === 0) return;
    const late = () => events.map((event) => encodeEvent(toldLate(event)));
    if (publishing) publishOrKeep(events.map(encodeEvent), late);
    else for (const event of late()) keepUnsent(event);
  };

  /** Whether publishing works: its loss (a dropped connection or a failed publish) is logged once, and its return. */
  let publishing = true;
  const cannotPublish = (reason: string) => {
    if (closed || !publishing) return;
    publishing = false;
    logger.warn(
      `live events: cannot publish through Redis (${reason}); the other processes hear of changes made here once it can again`,
    );
  };
  const canPublish = () => {
    if (closed || publishing) return;
    publishing = true;
    logger.warn('live events: publishing through Redis again');
    sendUnsent();
    announceUnsentWork(false);
  };

  /**
   * Work announced while publishing failed is announced once it works again: the engines would otherwise
   * find it only at their next poll.
   */
  let workUnannounced = false;
  const announceUnsentWork = (queued: boolean) => {
    workUnannounced ||= queued;
    if (!workUnannounced || !publishing) return;
    workUnannounced = false;
    publisher.publish(workChannel, origin).then(canPublish, (error: unknown) => {
      cannotPublish((error as Error).message);
      workUnannounced = true;
    });
  };
  publisher.on('close', () => cannotPublish('lost the connection'));
  publisher.on('ready', canPublish);
  const unresponsive = `no answer from Redis in ${LIVENESS_TIMEOUT_MS / 1000} s`;
  const stopWatching = [dropWhenUnresponsive(publisher, () => cannotPublish(unresponsive))];

  return {
    send(event: RelayedEvent) {
      if (closed) return;
      outgoing.push(event);
      // Once the code running now is done: what it changes goes in the same message. A microtask, not the
      // end of the turn: sending an event to this process's own subscribers runs as promise reactions, and
      // with 500 of them the others heard of a change 20 ms late, after every one of those sends.
      if (outgoing.length === 1) queueMicrotask(publishOutgoing);
    },

    async receive(deliver, interrupted) {
      const redis = await connect(options.url, 'subscriber');
      if (closed) return redis.disconnect();
      subscriber = redis;
      // Publishing goes straight through `publisher` instead of the target's dispatchEvent, which drops the
      // promise of the publish: a Redis outage would end the process with an unhandled rejection.
      const target = createRedisEventTarget({
        publishClient: publisher,
        subscribeClient: redis,
        serializer: tolerantJson,
      });

      const queue: RelayedEvent[] = [];
      let draining = false;
      let deliveryFailing = false;
      /** Delivers one batch at a time, in arrival order: what arrives meanwhile makes the next batch. */
      const drain = async () => {
        while (queue.length > 0) {
          await deliver(queue.splice(0)).then(
            () => {
              deliveryFailing = false;
            },
            (error: unknown) => {
              // Once until it works again: a database that went away must not flood the log.
              if (!deliveryFailing)
                logger.error({ err: error }, 'live events: could not deliver changes from Redis');
              deliveryFailing = true;
            },
          );
        }
        draining = false;
      };
      target.addEventListener(channel, (event) => {
        const message = (event as CustomEvent).detail;
        if (!isRelayMessage(message) || message.origin === origin) return;
        for (const encoded of message.events) {
          if (encoded.kind === CHANGES_LOST) {
            logger.warn(
              'live events: another process could not tell of all it changed while it could not publish; subscribers are asked to reconnect',
            );
            interrupted?.('lost');
            continue;
          }
          const relayed = decodeEvent(encoded);
          if (relayed) queue.push(relayed);
        }
        if (draining || queue.length === 0) return;
        draining = true;
        // Messages read together are emitted together: delivered as one batch.
        queueMicrotask(() => void drain());
      });
      // The target subscribes without waiting; this answer comes once Redis has taken the subscription.
      await redis.subscribe(channel);

      let lost = false;
      let lostBecause = 'the connection closed';
      redis.on('close', () => {
        if (closed || lost) return;
        lost = true;
        logger.warn(
          `live events: lost the subscription to Redis (${lostBecause}); subscribers are asked to reconnect`,
        );
        lostBecause = 'the connection closed';
        interrupted?.('lost');
      });
      stopWatching.push(
        dropWhenUnresponsive(redis, () => {
          lostBecause = unresponsive;
        }),
      );
      redis.on('ready', () => {
        if (closed || !lost) return;
        // ioredis subscribes again on its own as it becomes ready; this answer says Redis has taken it.
        redis.subscribe(channel).then(
          () => {
            if (closed || !lost) return;
            lost = false;
            logger.warn('live events: subscribed to Redis again; subscribers are asked to reconnect');
            interrupted?.('restored');
          },
          // Lost again before it was taken: the next 'ready' tries again.
          () => {},
        );
      });
    },

    announceWork() {
      if (closed || announcing) return;
      announcing = true;
      // At the end of this turn of the event loop, once this process has sent the changes it made (the
      // migration's PENDING among them) to its own subscribers: those sends run as promise reactions, and a
      // worker told at once claimed the migration while they still ran, so that its IN_PROGRESS waited
      // behind them here and in every other API process (medians of three `npm run bench` runs, 1, 2 and 4
      // workers: p99 across processes 1.62x, 2x and 1.7x the fan-out floor's, against 1.12x, 1.35x and 1.36x
      // announced here). The start comes that much later; all the work queued in the turn goes in one
      // announcement.
      setImmediate(() => {
        announcing = false;
        if (!closed) announceUnsentWork(true);
      });
    },

    async hearWork(wake) {
      const redis = await connect(options.url, 'work-listener');
      if (closed) return redis.disconnect();
      workListener = redis;
      redis.on('message', (_channel: string, from: string) => {
        if (!closed && from !== origin) wake();
      });
      await redis.subscribe(workChannel);
      // Back after a loss: once Redis has taken the subscription again, whatever was announced meanwhile is
      // looked for (work queued later is announced to this subscription).
      redis.on('ready', () => {
        if (closed) return;
        redis.subscribe(workChannel).then(
          () => {
            if (!closed) wake();
          },
          // Lost again before it was taken: the next 'ready' tries again.
          () => {},
        );
      });
      stopWatching.push(dropWhenUnresponsive(redis, () => {}));
    },

    async close() {
      // What was sent just now goes before QUIT, as it would have a moment later.
      publishOutgoing();
      closed = true;
      for (const stop of stopWatching) stop();
      subscriber?.disconnect();
      workListener?.disconnect();
      // QUIT goes after the publishes still in flight; while Redis is away there is nothing to wait for.
      await publisher.quit().catch(() => publisher.disconnect());
    },
  };
}
