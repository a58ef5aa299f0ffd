/**
 * A change a process committed but never told the others of (it was killed between the two, or cut off from
 * Redis) still reaches subscribers: an API process reads again the open migrations it has heard nothing of
 * for a while. Here a worker's way to Redis is cut while it runs a migration to its end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiProcess,
  demoOperatorToken,
  deploymentEnv,
  seedDemo,
  startApiProcess,
  startWorker,
  type WorkerProcess,
} from '../support/cluster.ts';
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
let api: ApiProcess;
let worker: WorkerProcess;
let token: string;
let users: string[];

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  queryGraphQL(api.url, token, query, variables);

async function startMigration(userId: string): Promise<string> {
  const data = await gql(
    'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } } }',
    { u: userId },
  );
  return data.startMeetingMigration.meetingMigration.id;
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
  const env = { ...(await deploymentEnv(dir)), MMS_REDIS_URL: redis.url };
  await seedDemo(env, 4, 4);
  api = await startApiProcess(env);
  token = await demoOperatorToken(api);
  worker = await startWorker({ ...env, MMS_REDIS_URL: `redis://127.0.0.1:${workerToRedis.port}` });
  users = (await gql('{ tenant { users(first: 4) { edges { node { id } } } } }')).tenant.users.edges.map(
    (e: { node: { id: string } }) => e.node.id,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([worker?.process.stop(), api?.process.stop()]);
  await workerToRedis?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a migration a worker ran while cut off from Redis reaches subscribers as stored', async () => {
  // One finished migration, replayed first: once it arrives, the subscription listens.
  const before = await startMigration(users[0] as string);
  const subscriber = subscribeOverWebSocket<{ meetingMigrationUpdated: Migration }>(
    api.url,
    token,
    `subscription { meetingMigrationUpdated(since: "2000-01-01T00:00:00Z") { ${FIELDS} } }`,
  );
  await subscriber.until(
    (e) => e.meetingMigrationUpdated.id === before && e.meetingMigrationUpdated.state !== 'PENDING',
  );

  workerToRedis.cut();
  await worker.process.line((line) => line.includes('cannot publish through Redis'));
  // The API process tells of the start itself; the worker's claim, progress and end reach no one.
  const id = await startMigration(users[1] as string);
  for (let state = 'PENDING'; state === 'PENDING' || state === 'IN_PROGRESS'; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = (await stored(id)).state;
  }
  const end = await stored(id);
  await subscriber.until(
    (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.modifiedAt === end.modifiedAt,
  );
  const seen = subscriber.events.map((e) => e.meetingMigrationUpdated).filter((m) => m.id === id);
  expect(seen[0]?.state).toBe('PENDING');
  expect(seen.at(-1)).toEqual(end);
  await subscriber.close();
});
