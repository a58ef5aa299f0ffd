/**
 * The Redis relay between two processes' worth of relays on a Redis of the test's own: what one process
 * changes in one turn of its event loop travels as one message, in order; what it changed just before it
 * closes still goes out; and whatever else appears on the channel is dropped without harm.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../server/operations/logger.ts';
import type { EventRelay } from '../../server/services/event-relay.ts';
import { connectRedisRelay } from '../../server/services/redis-relay.ts';
import type { RelayedEvent } from '../../server/services/relayed-event.ts';
import { eventually } from '../support/eventually.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';

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

async function connectPair() {
  const prefix = `relay-test-${++prefixes}:`;
  logged = [];
  const logger = createLogger(
    'warn',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
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

const summary = (tenantId: number): RelayedEvent => ({ kind: 'summary', tenantId });
const changed = (id: number): RelayedEvent => ({ kind: 'migrationChanged', tenantId: 1, id });

test('the changes of one turn go out as one message and arrive in order; the next turn sends another', async () => {
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
