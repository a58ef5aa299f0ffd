/**
 * A change a process committed but never told the others of (it was killed between the two, or cut off from
 * Redis) still reaches subscribers: an API process reads again the open migrations it has heard nothing of
 * for a while, and a process cut off from Redis tells the others what it changed once it is back. Here the
 * ways to Redis of a worker and of a second API process are cut while the others keep theirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  type ApiProcess,
  demoOperatorToken,
  deploymentEnv,
  seedDemo,
  startApiProcess,
  startMigration as startMigrationThrough,
  startWorker,
  type WorkerProcess,
} from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';
import { queryGraphQL } from '../support/http.ts';
import { subscribeOverWebSocket } from '../support/live.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const FIELDS =
  'id state totalMeetings succeededMeetings failedMeetings skippedMeetings modifiedAt finishedAt';
type Migration = { id: string; state: string; modifiedAt: string };

let dir: string;
let redis: PrivateRedis;
let workerToRedis: TcpProxy;
let apiBToRedis: TcpProxy;
let api: ApiProcess;
/** A second API process, its way to Redis through apiBToRedis. */
let apiB: ApiProcess;
/** Another, through the same way, that keeps one change at most while cut off (MMS_REDIS_UNSENT_LIMIT). */
let apiC: ApiProcess;
let worker: WorkerProcess;
let token: string;
let users: string[];

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  queryGraphQL(api.url, token, query, variables);

const startMigration = (userId: string, through = api) => startMigrationThrough(through, token, userId);

/** Waits until the migration has run to its end, as stored, and returns it. */
async function finished(id: string): Promise<Migration> {
  for (;;) {
    const migration = await stored(id);
    if (migration.state !== 'PENDING' && migration.state !== 'IN_PROGRESS') return migration;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A subscriber on the first API process, listening once the one finished migration it replays arrives. */
async function subscriberOnA(finishedId: string) {
  const subscriber = subscribeOverWebSocket<{ meetingMigrationUpdated: Migration }>(
    api.url,
    token,
    `subscription { meetingMigrationUpdated(since: "2000-01-01T00:00:00Z") { ${FIELDS} } }`,
  );
  await subscriber.until((e) => e.meetingMigrationUpdated.id === finishedId);
  return subscriber;
}

async function stored(id: string): Promise<Migration> {
  return (await gql(`query($id: ID!) { node(id: $id) { ... on MeetingMigration { ${FIELDS} } } }`, { id }))
    .node;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-quiet-'));
  redis = await startPrivateRedis();
  const redisPort = Number(new URL(redis.url).port);
  workerToRedis = await startTcpProxy({ host: '127.0.0.1', port: redisPort });
  apiBToRedis = await startTcpProxy({ host: '127.0.0.1', port: redisPort });
  const env = { ...(await deploymentEnv(dir)), MMS_REDIS_URL: redis.url };
  await seedDemo(env, 8, 4);
  api = await startApiProcess(env);
  token = await demoOperatorToken(api);
  worker = await startWorker({ ...env, MMS_REDIS_URL: `redis://127.0.0.1:${workerToRedis.port}` });
  const cutOff = { ...env, MMS_REDIS_URL: `redis://127.0.0.1:${apiBToRedis.port}` };
  [apiB, apiC] = await Promise.all([
    startApiProcess({ ...cutOff, MMS_CREDENTIALS_FILE: join(dir, 'b.json') }),
    startApiProcess({ ...cutOff, MMS_CREDENTIALS_FILE: join(dir, 'c.json'), MMS_REDIS_UNSENT_LIMIT: '1' }),
  ]);
  users = (await gql('{ tenant { users(first: 8) { edges { node { id } } } } }')).tenant.users.edges.map(
    (e: { node: { id: string } }) => e.node.id,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([worker, api, apiB, apiC].map((started) => started?.process.stop()));
  await Promise.all([workerToRedis?.close(), apiBToRedis?.close()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a migration a worker ran while cut off from Redis reaches subscribers as stored', async () => {
  const before = await startMigration(users[0] as string);
  await finished(before);
  const subscriber = await subscriberOnA(before);

  workerToRedis.cut();
  await worker.process.line((line) => line.includes('cannot publish through Redis'));
  // The API process tells of the start itself; the worker's claim, progress and end reach no one.
  const id = await startMigration(users[1] as string);
  const end = await finished(id);
  await subscriber.until(
    (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.modifiedAt === end.modifiedAt,
  );
  const seen = subscriber.events.map((e) => e.meetingMigrationUpdated).filter((m) => m.id === id);
  expect(seen[0]?.state).toBe('PENDING');
  expect(seen.at(-1)).toEqual(end);
  await subscriber.close();
  workerToRedis.restore();
  await worker.process.line((line) => line.includes('publishing through Redis again'));
});

test('what processes changed while they could not publish reaches subscribers once they can, as stored', async () => {
  const before = await startMigration(users[2] as string);
  await finished(before);
  const subscriber = await subscriberOnA(before);
  const cutOff = [worker, apiB, apiC];
  const logged = cutOff.map((started) => started.process.stdout.length);

  // API process B starts a migration and the worker runs it, neither able to tell anyone: the process
  // serving the subscriber never hears of it, so it has nothing to read again of its own accord.
  workerToRedis.cut();
  apiBToRedis.cut();
  await Promise.all(
    cutOff.map((started, i) =>
      started.process.line((line) => line.includes('cannot publish through Redis'), 15_000, logged[i]),
    ),
  );
  const id = await startMigration(users[3] as string, apiB);
  const end = await finished(id);
  expect(subscriber.events.some((e) => e.meetingMigrationUpdated.id === id)).toBe(false);

  workerToRedis.restore();
  apiBToRedis.restore();
  await subscriber.until(
    (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.modifiedAt === end.modifiedAt,
  );
  expect(
    subscriber.events
      .filter((e) => e.meetingMigrationUpdated.id === id)
      .map((e) => e.meetingMigrationUpdated),
  ).toEqual([end]);
  // Told without asking anyone to reconnect.
  expect(subscriber.closeCodes).toEqual([]);
  await subscriber.close();
  await Promise.all(
    cutOff.map((started, i) =>
      started.process.line((line) => line.includes('publishing through Redis again'), 15_000, logged[i]),
    ),
  );
});

test('a process that changed more than it keeps while cut off has the subscribers asked to reconnect', async () => {
  const before = await startMigration(users[4] as string);
  await finished(before);
  const subscriber = await subscriberOnA(before);
  const logged = [api, apiC, apiB].map((started) => started.process.stdout.length);

  apiBToRedis.cut();
  await apiC.process.line((line) => line.includes('cannot publish through Redis'), 15_000, logged[1]);
  // Two migrations started through C, which keeps one change: once back, it says changes were lost.
  await startMigration(users[5] as string, apiC);
  await startMigration(users[6] as string, apiC);
  apiBToRedis.restore();
  await eventually(() => subscriber.closeCodes.includes(1012), 'the subscriber is asked to reconnect');
  await api.process.line((line) => line.includes('could not tell of all it changed'), 15_000, logged[0]);
  await subscriber.close();
  await Promise.all(
    [apiC, apiB].map((started, i) =>
      started.process.line((line) => line.includes('publishing through Redis again'), 15_000, logged[i + 1]),
    ),
  );
});

test('a token revoked through a process that could not publish has its sockets elsewhere closed once it can', async () => {
  const adminLine = api.process.stdout.findIndex((line) => line.includes('Service-admin token'));
  const adminToken = api.process.stdout[adminLine + 1]?.trim() as string;
  const { tenant } = await gql('{ tenant { id } }');
  const created = await queryGraphQL(
    api.url,
    adminToken,
    'mutation($i: CreateOperatorTokenInput!) { createOperatorToken(input: $i) { ... on CreateOperatorTokenPayload { token operatorToken { id } } } }',
    { i: { tenantId: tenant.id, name: 'revoked while cut off' } },
  );
  const { token: doomed, operatorToken } = created.createOperatorToken;

  // A socket on the first API process, authenticated with the token and subscribed.
  const socket = new WebSocket(api.url.replace('http', 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const received: string[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()).type));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${doomed}` } }));
  // Subscribing before the server has acknowledged the connection would be refused (4401).
  await eventually(() => received.includes('connection_ack'), 'the connection is acknowledged');
  socket.send(
    JSON.stringify({
      id: 'summary',
      type: 'subscribe',
      payload: { query: 'subscription { meetingMigrationSummaryUpdated { pending } }' },
    }),
  );
  await eventually(() => received.includes('next'), 'the socket is subscribed');

  const logged = apiB.process.stdout.length;
  apiBToRedis.cut();
  await apiB.process.line((line) => line.includes('cannot publish through Redis'), 15_000, logged);
  const revoked = await queryGraphQL(
    apiB.url,
    token,
    'mutation($i: RevokeOperatorTokenInput!) { revokeOperatorToken(input: $i) { __typename } }',
    { i: { operatorTokenId: operatorToken.id } },
  );
  expect(revoked.revokeOperatorToken.__typename).toBe('RevokeOperatorTokenPayload');
  // The first API process has not heard of it: its socket stays open until B can tell.
  expect(socket.readyState).toBe(WebSocket.OPEN);
  apiBToRedis.restore();
  expect(await closed).toBe(4403);
  await apiB.process.line((line) => line.includes('publishing through Redis again'), 15_000, logged);
});
