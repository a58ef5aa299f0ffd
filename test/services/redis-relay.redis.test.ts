/**
 * The Redis relay between two processes' worth of relays on a Redis of the test's own: what one process
 * changes together travels as one message, in order, ahead of the promise reactions queued after it; what
 * it changed just before it closes still goes out; whatever else appears on the channel is dropped
 * without harm; and work announced in one turn goes out once, after this process's own subscribers have
 * the change that queued it, also when it was announced while Redis could not be reached; and a relay
 * closed while Redis has yet to answer a subscription leaves no rejection unhandled (one ends a process).
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { createLogger } from '../../server/operations/logger.ts';
import type { EventRelay } from '../../server/services/event-relay.ts';
import { createEvents } from '../../server/services/events.ts';
import { connectRedisRelay } from '../../server/services/redis-relay.ts';
import type { RelayedEvent } from '../../server/services/relayed-event.ts';
import { eventually } from '../support/eventually.ts';
import { migrationAt } from '../support/migration.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let redis: PrivateRedis;
/** Reads the channel as any subscriber would, to count what was published. */
let watcher: Redis;
let sender: EventRelay;
let receiver: EventRelay;
let batches: RelayedEvent[][];
let published: string[];
let logged: string[];
let prefixes = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await redis?.stop();
});

/** A logger whose lines land in `logged`, emptied first. */
function collectingLogger() {
  logged = [];
  return createLogger(
    'warn',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
}

async function connectPair() {
  const prefix = `relay-test-${++prefixes}:`;
  const logger = collectingLogger();
  const options = { url: redis.url, prefix, unsentLimit: 100, logger };
  sender = await connectRedisRelay(options);
  receiver = await connectRedisRelay(options);
  batches = [];
  await receiver.receive(async (events) => {
    batches.push(events);
  });
  published = [];
  watcher = new Redis(redis.url);
  watcher.on('message', (_channel: string, message: string) => published.push(message));
  await watcher.subscribe(`${prefix}live-events`);
  return `${prefix}live-events`;
}

afterEach(async () => {
  await Promise.all([sender?.close(), receiver?.close()]);
  watcher?.disconnect();
});

/** A process's live events, told to the others through `relay`; nothing is read from a database. */
const eventsRelayedBy = (relay: EventRelay) =>
  createEvents({
    relay,
    summaryOf: () => Promise.reject(new Error('no summary subscriber here')),
    tenant: () => Promise.resolve(null),
    triggerEvaluations: () => Promise.resolve([]),
    migrations: () => Promise.resolve([]),
  });
const summary = (tenantId: number): RelayedEvent => ({ kind: 'summary', tenantId });
const changed = (id: number): RelayedEvent => ({ kind: 'migrationChanged', tenantId: 1, id });

test('the changes made together go out as one message and arrive in order; a later change sends another', async () => {
  await connectPair();
  const first = [changed(1), summary(1), changed(2), summary(1), { kind: 'tenantSettings', tenantId: 1 }];
  for (const event of first) sender.send(event as RelayedEvent);
  await eventually(() => batches.flat().length === 5, 'the five changes');
  expect(batches.flat()).toEqual(first);
  sender.send(changed(3));
  await eventually(() => batches.flat().length === 6, 'the sixth change');
  expect(batches.flat().at(-1)).toEqual(changed(3));
  await eventually(() => published.length === 2, 'the second message');
  expect(JSON.parse(published[0] as string).events).toHaveLength(5);
});

test('a change goes out ahead of the promise reactions queued after it', async () => {
  await connectPair();
  const publish = vi.spyOn(Redis.prototype, 'publish');
  try {
    sender.send(changed(1));
    // Each a chain of promise reactions, as sending an event to one of this process's subscribers is.
    const publishedBefore = await Promise.all(
      Array.from({ length: 3 }, async () => {
        await null;
        await null;
        return publish.mock.calls.length;
      }),
    );
    expect(publishedBefore).toEqual([1, 1, 1]);
  } finally {
    publish.mockRestore();
  }
  await eventually(() => batches.flat().length === 1, 'the change');
});

test('a change made here goes to the other processes before this process’s own subscribers have it', async () => {
  await connectPair();
  const events = eventsRelayedBy(sender);
  const publish = vi.spyOn(Redis.prototype, 'publish');
  try {
    const streams = Array.from({ length: 3 }, () => events.stream('meetingMigration', 1));
    await Promise.all(streams.map((stream) => stream.started));
    const subscribers = streams.map(async (stream) => {
      for await (const migration of stream) {
        return { state: migration.state, publishedBefore: publish.mock.calls.length };
      }
    });
    events.migrationStateChanged(migrationAt('PENDING', 1, 0));
    expect(await Promise.all(subscribers)).toEqual(
      Array.from({ length: 3 }, () => ({ state: 'PENDING', publishedBefore: 1 })),
    );
  } finally {
    publish.mockRestore();
    await events.close();
  }
  await eventually(() => batches.flat().length === 2, 'the change and its summary');
  expect(batches.flat().map((event) => event.kind)).toEqual(['migration', 'summary']);
});

test('what a process sent just before it closes still reaches the others', async () => {
  await connectPair();
  sender.send(changed(7));
  sender.send(summary(1));
  await sender.close();
  await eventually(() => batches.flat().length === 2, 'the changes sent before closing');
  expect(batches.flat()).toEqual([changed(7), summary(1)]);
});

test('messages that are not a process’s changes are dropped; the changes after them arrive', async () => {
  const channel = await connectPair();
  const publisher = new Redis(redis.url);
  try {
    const foreign = [
      'not JSON {',
      'null',
      '42',
      JSON.stringify({ origin: 'x' }),
      JSON.stringify({ origin: 'x', events: 'not a list' }),
      JSON.stringify({
        origin: 'x',
        events: [{ kind: 'summary', tenantId: '1', subjectId: 1, payload: null }],
      }),
      // One malformed change spoils the message: a sender that wrote it cannot be trusted with the rest.
      JSON.stringify({
        origin: 'x',
        events: [{ kind: 'summary', tenantId: 1, subjectId: 1, payload: null }, { kind: 'summary' }],
      }),
      // The old form, one event per message: not this version's.
      JSON.stringify({ origin: 'x', event: { kind: 'summary', tenantId: 1, subjectId: 1, payload: null } }),
      // Well formed, of kinds or with states this version cannot read: dropped one by one.
      JSON.stringify({
        origin: 'x',
        events: [
          { kind: 'somethingNew', tenantId: 1, subjectId: 1, payload: null },
          { kind: 'migration', tenantId: 1, subjectId: 1, payload: '{broken' },
        ],
      }),
      'x'.repeat(1_000_000),
    ];
    for (const message of foreign) await publisher.publish(channel, message);
    sender.send(changed(9));
    await eventually(() => batches.flat().length > 0, 'the change after the foreign messages');
    expect(batches.flat()).toEqual([changed(9)]);
    expect(logged).toEqual([]);
  } finally {
    publisher.disconnect();
  }
});

/** Two processes' relays on one prefix, the first reaching Redis at `announcerUrl`; counts each one's wake-ups. */
async function workPair(announcerUrl: string) {
  const prefix = `relay-work-${++prefixes}:`;
  const logger = collectingLogger();
  const announcer = await connectRedisRelay({ url: announcerUrl, prefix, unsentLimit: 100, logger });
  const hearer = await connectRedisRelay({ url: redis.url, prefix, unsentLimit: 100, logger });
  const wakes = { announcer: 0, hearer: 0 };
  await announcer.hearWork(() => wakes.announcer++);
  await hearer.hearWork(() => wakes.hearer++);
  return { announcer, hearer, wakes, channel: `${prefix}work-due` };
}

test('work announced together goes out once and wakes the other processes’ engines, not the announcer’s own', async () => {
  const { announcer, hearer, wakes, channel } = await workPair(redis.url);
  const seen: string[] = [];
  const publisher = new Redis(redis.url);
  const listener = new Redis(redis.url);
  try {
    listener.on('message', (_channel: string, from: string) => seen.push(from));
    await listener.subscribe(channel);
    announcer.announceWork();
    announcer.announceWork();
    announcer.announceWork();
    await eventually(() => seen.length >= 1, 'the announcement');
    // Published after the announcement arrived: whatever the announcer sent came before it.
    await publisher.publish(channel, 'another process');
    await eventually(() => seen.includes('another process') && wakes.hearer === 2, 'the other announcement');
    expect(seen).toHaveLength(2);
    expect(wakes).toEqual({ announcer: 1, hearer: 2 });
  } finally {
    publisher.disconnect();
    listener.disconnect();
    await Promise.all([announcer.close(), hearer.close()]);
  }
});

test('work is announced once this process’s own subscribers have the change that queued it, once for the turn', async () => {
  const { announcer, hearer, wakes, channel } = await workPair(redis.url);
  const events = eventsRelayedBy(announcer);
  const publish = vi.spyOn(Redis.prototype, 'publish');
  const announcements = () => publish.mock.calls.filter(([to]) => to === channel).length;
  try {
    const streams = Array.from({ length: 3 }, () => events.stream('meetingMigration', 1));
    await Promise.all(streams.map((stream) => stream.started));
    const subscribers = streams.map(async (stream) => {
      for await (const migration of stream) {
        // Sending it on is a chain of promise reactions (executing it, graphql-ws, the socket's write).
        for (let step = 0; step < 20; step++) await null;
        return { state: migration.state, announcedBefore: announcements() };
      }
    });
    // As a start does: the migration's PENDING, then the word that work is due; more work queued by
    // promise reactions of the same turn goes in the same announcement.
    events.migrationStateChanged(migrationAt('PENDING', 1, 0));
    announcer.announceWork();
    await null;
    announcer.announceWork();
    expect(await Promise.all(subscribers)).toEqual(
      Array.from({ length: 3 }, () => ({ state: 'PENDING', announcedBefore: 0 })),
    );
    await eventually(() => wakes.hearer > 0, 'the announcement');
    expect(announcements()).toBe(1);
  } finally {
    publish.mockRestore();
    await events.close();
    await Promise.all([announcer.close(), hearer.close()]);
  }
});

test('work announced while the announcer cannot reach Redis is announced once it can', async () => {
  const { port } = new URL(redis.url);
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(port) });
  const { announcer, hearer, wakes } = await workPair(`redis://127.0.0.1:${proxy.port}`);
  try {
    proxy.cut();
    await eventually(
      () => logged.some((line) => line.includes('cannot publish through Redis')),
      'the announcer to notice',
    );
    announcer.announceWork();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wakes.hearer).toBe(0);
    proxy.restore();
    await eventually(() => wakes.hearer === 1, 'the announcement made while cut off', 10_000);
  } finally {
    await Promise.all([announcer.close(), hearer.close()]);
    await proxy.close();
  }
});

type Relay = Awaited<ReturnType<typeof connectRedisRelay>>;

/**
 * A relay on its own proxy, with each subscription it asks for (once written) seen by `onSubscribe`,
 * installed before it connects: the relay's connections keep the method they started with.
 */
async function relayBehindProxy(onSubscribe: (relay: Relay, proxy: TcpProxy) => void) {
  const { port } = new URL(redis.url);
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(port) });
  const subscribe = Redis.prototype.subscribe;
  let relay: Relay | null = null;
  // Not a vitest spy: it would handle the answer itself, to record how it settled.
  Redis.prototype.subscribe = function (this: Redis, ...channels: string[]) {
    const answer = subscribe.apply(this, channels);
    if (relay) onSubscribe(relay, proxy);
    return answer;
  } as typeof subscribe;
  relay = await connectRedisRelay({
    url: `redis://127.0.0.1:${proxy.port}`,
    prefix: `relay-closing-${++prefixes}:`,
    unsentLimit: 100,
    logger: collectingLogger(),
  });
  return {
    relay,
    proxy,
    restoreSubscribe: () => {
      Redis.prototype.subscribe = subscribe;
    },
  };
}

/** Rejections nobody handled while `during` ran, and for a moment after (their report comes a turn later). */
async function unhandledRejections(during: () => Promise<void>): Promise<string[]> {
  const unhandled: string[] = [];
  const collect = (reason: unknown) => unhandled.push(String(reason));
  process.on('unhandledRejection', collect);
  try {
    await during();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', collect);
  }
  return unhandled;
}

const listen = {
  receive: (relay: Relay) => relay.receive(async () => {}),
  hearWork: (relay: Relay) => relay.hearWork(() => {}),
};

/** Closes the relay, then drops its connections before Redis can answer what it just asked. */
const closeUnanswered = (relay: Relay, proxy: TcpProxy) => {
  const closing = relay.close();
  proxy.cut();
  return closing;
};

test.each(['receive', 'hearWork'] as const)(
  'a relay closed while Redis takes its subscription (%s, at the start) leaves nothing unhandled',
  async (role) => {
    let closing: Promise<void> | null = null;
    const { relay, proxy, restoreSubscribe } = await relayBehindProxy((relay, proxy) => {
      closing ??= closeUnanswered(relay, proxy);
    });
    try {
      const unhandled = await unhandledRejections(async () => {
        // Closed before it was subscribed: starting fails or stops, either way it settles.
        await listen[role](relay).catch(() => {});
        await closing;
      });
      expect(closing).not.toBeNull();
      expect(unhandled).toEqual([]);
    } finally {
      restoreSubscribe();
      await proxy.close();
    }
  },
);

test.each(['receive', 'hearWork'] as const)(
  'a relay closed while Redis takes its subscription again after a cut (%s) leaves nothing unhandled',
  async (role) => {
    let closeAtNextSubscription = false;
    let closing: Promise<void> | null = null;
    const { relay, proxy, restoreSubscribe } = await relayBehindProxy((relay, proxy) => {
      if (closeAtNextSubscription) closing ??= closeUnanswered(relay, proxy);
    });
    try {
      await listen[role](relay);
      const unhandled = await unhandledRejections(async () => {
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 50));
        closeAtNextSubscription = true;
        proxy.restore();
        await eventually(() => closing !== null, 'the subscription again', 10_000);
        await closing;
      });
      expect(unhandled).toEqual([]);
    } finally {
      restoreSubscribe();
      await relay.close();
      await proxy.close();
    }
  },
);

test.each(['receive', 'hearWork'] as const)(
  'a relay closed while it connects to listen (%s) leaves no connection open',
  async (role) => {
    const relay = await connectRedisRelay({
      url: redis.url,
      prefix: `relay-closing-${++prefixes}:`,
      unsentLimit: 100,
      logger: collectingLogger(),
    });
    const admin = new Redis(redis.url);
    try {
      const starting = listen[role](relay);
      await relay.close();
      await starting.catch(() => {});
      const name = role === 'receive' ? 'mms-subscriber' : 'mms-work-listener';
      const clients = async () => (await admin.client('LIST')) as string;
      // A closing connection takes a moment to leave the list; a leaked one never does.
      const deadline = Date.now() + 3_000;
      let open = await clients();
      while (open.includes(`name=${name} `) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        open = await clients();
      }
      expect(open).not.toContain(`name=${name} `);
    } finally {
      admin.disconnect();
    }
  },
);
