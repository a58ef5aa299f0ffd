/**
 * Work queued through an API process reaches the workers through Redis at once (SPEC §8). The worker here
 * looks for work by itself once a minute (MMS_POLL_MS), so a migration that starts within seconds was
 * announced. While Redis is away nothing reaches the worker; once Redis is back, the worker looks for work
 * at once and the API process announces what it could not before (whichever of the two reconnects first).
 */
import { randomUUID } from 'node:crypto';
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
  startMigration as startMigrationThrough,
  startWorker,
  type WorkerProcess,
} from '../support/cluster.ts';
import { queryGraphQL } from '../support/http.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';

const WORKER_POLL_MS = 60_000;

let dir: string;
let redis: PrivateRedis;
let api: ApiProcess;
let worker: WorkerProcess;
let token: string;
let users: string[];

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  queryGraphQL(api.url, token, query, variables);

type Migration = { state: string; createdAt: string; startedAt: string | null };

async function migration(id: string): Promise<Migration> {
  const { node } = await gql(
    'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state createdAt startedAt } } }',
    { id },
  );
  return node;
}

const startMigration = (userId: string) => startMigrationThrough(api, token, userId);

/** Waits until the migration has ended, for at most `timeoutMs`; returns it as stored. */
async function ended(id: string, timeoutMs: number): Promise<Migration> {
  for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const stored = await migration(id);
    if (stored.state !== 'PENDING' && stored.state !== 'IN_PROGRESS') return stored;
    if (Date.now() - started > timeoutMs) throw new Error(`still ${stored.state} after ${timeoutMs} ms`);
  }
}

const secondsBetween = (from: string, to: string | null) => (Date.parse(to ?? '') - Date.parse(from)) / 1000;

beforeAll(async () => {
  redis = await startPrivateRedis();
  dir = mkdtempSync(join(tmpdir(), 'mms-wake-'));
  const env = {
    ...(await deploymentEnv(dir)),
    MMS_REDIS_URL: redis.url,
    MMS_REDIS_PREFIX: `mms-test-${randomUUID()}:`,
    MMS_POLL_MS: String(WORKER_POLL_MS),
  };
  await seedDemo(env, 4, 2);
  api = await startApiProcess(env);
  token = await demoOperatorToken(api);
  // Its first look for work is at its start; the next one a minute later.
  worker = await startWorker(env);
  users = (await gql('{ tenant { users(first: 4) { edges { node { id } } } } }')).tenant.users.edges.map(
    (edge: { node: { id: string } }) => edge.node.id,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([worker?.process.stop(), api?.process.stop()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a migration started through an API process without an engine starts at once, not at the worker’s next poll', async () => {
  for (const user of users.slice(0, 2)) {
    const done = await ended(await startMigration(user), WORKER_POLL_MS / 4);
    expect(secondsBetween(done.createdAt, done.startedAt)).toBeLessThan(5);
  }
});

test('work queued while Redis was away starts once Redis is back, not at the next poll', async () => {
  await redis.kill();
  // The request succeeds without Redis; its announcement is lost.
  const id = await startMigration(users[2] as string);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await migration(id)).state).toBe('PENDING');
  await redis.start();
  const back = Date.now();
  const done = await ended(id, WORKER_POLL_MS / 4);
  // Started after Redis came back (ioredis retries every 2 s at most), long before the poll.
  expect(Date.parse(done.startedAt ?? '') - back).toBeLessThan(5_000);
  // And announcements reach it again.
  const next = await ended(await startMigration(users[3] as string), WORKER_POLL_MS / 4);
  expect(secondsBetween(next.createdAt, next.startedAt)).toBeLessThan(5);
});
