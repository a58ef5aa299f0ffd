/**
 * Live events through Redis (SPEC §8, MMS_REDIS_URL): two API processes and a worker on one database, and
 * a Redis server of this file's own that the tests kill and start again. A subscriber on either API process
 * sees the changes every process makes; when Redis goes away nothing fails and subscribers are told.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { liveClient } from '../../tui/connection.ts';
import { eventually } from '../support/eventually.ts';
import { postGraphQL, queryGraphQL } from '../support/http.ts';
import { subscribeOverSse, subscribeOverWebSocket } from '../support/live.ts';
import { type Running, run } from '../support/processes.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';

const USERS = 40;

let dir: string;
let redis: PrivateRedis;
let apiA: Running;
let apiB: Running;
let worker: Running;
let urlA: string;
let urlB: string;
let token: string;
let users: string[];

const post = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  postGraphQL(url, token, query, variables);
const gql = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  queryGraphQL(url, token, query, variables);

const MIGRATION_FIELDS = `id state correlationId migrationType sourceMeetingType targetMeetingType totalMeetings
  succeededMeetings failedMeetings skippedMeetings invitesUpdated invitationsPending invitationsDelivered
  invitationsFailed retryCount lastMessage createdAt modifiedAt notBefore startedAt finishedAt nextAttemptAt
  user { id userPrincipalName }`;
const EVALUATION_FIELDS = 'id kind outcome message detail occurredAt user { id } meetingMigration { id }';
const SUMMARY_FIELDS = 'pending inProgress succeeded failed cancelled';
type Migration = Record<string, any> & { id: string; state: string; modifiedAt: string };
type MigrationEvent = { meetingMigrationUpdated: Migration };
type EvaluationEvent = { triggerEvaluated: Record<string, any> & { id: string; user: { id: string } } };

async function startMigration(url: string, userId: string): Promise<string> {
  const result = await gql(
    url,
    'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } ... on Error { message } } }',
    { u: userId },
  );
  const id = result.startMeetingMigration?.meetingMigration?.id;
  if (!id) throw new Error(JSON.stringify(result));
  return id;
}

function setSipAddress(url: string, userId: string, sipAddress: string) {
  return post(
    url,
    'mutation($i: SetUserSipAddressInput!) { setUserSipAddress(input: $i) { __typename ... on Error { message } } }',
    { i: { userId, sipAddress } },
  );
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

async function openMigrations(): Promise<number> {
  const { meetingMigrationSummary: s } = await gql(
    urlA,
    '{ meetingMigrationSummary { pending inProgress } }',
  );
  return s.pending + s.inProgress;
}

/** Waits until the worker has finished every migration (as stored). */
async function allFinished() {
  while ((await openMigrations()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function storedMigrations(): Promise<Map<string, Migration>> {
  const stored = new Map<string, Migration>();
  for (let after: string | null = null; ; ) {
    const page: Record<string, any> = await gql(
      urlA,
      `query($after: String) { meetingMigrations(first: 100, after: $after) {
        edges { node { ${MIGRATION_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    for (const { node } of page.meetingMigrations.edges) stored.set(node.id, node);
    if (!page.meetingMigrations.pageInfo.hasNextPage) break;
    after = page.meetingMigrations.pageInfo.endCursor;
  }
  return stored;
}

/**
 * A migration subscription that is registered once it returns: it replays what changed since long ago
 * (at least one migration, for the user when given), and its first event can only come after it listens.
 */
async function registeredMigrationSubscription(url: string, userId?: string) {
  const subscription = subscribeOverWebSocket<MigrationEvent>(
    url,
    token,
    `subscription($u: ID) { meetingMigrationUpdated(userId: $u, since: "2000-01-01T00:00:00Z") { ${MIGRATION_FIELDS} } }`,
    { u: userId ?? null },
  );
  await subscription.until(() => true);
  return subscription;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  dir = mkdtempSync(join(tmpdir(), 'mms-redis-'));
  const env = {
    MMS_DB: join(dir, 'mms.sqlite'),
    MMS_HOLD_SECONDS: '0',
    MMS_POLL_MS: '50',
    MMS_ADMIN_TOKEN: '',
    MMS_REDIS_URL: redis.url,
    MMS_REDIS_PREFIX: `mms-test-${randomUUID()}:`,
  };
  const seed = run('server/cli/seed.ts', ['--users', `${USERS}`, '--meetings-per-user', '4'], env);
  expect(await seed.exited).toBe(0);
  const api = (name: string) =>
    run('server/main.ts', [], {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      MMS_ENGINE: 'off',
      MMS_CREDENTIALS_FILE: join(dir, `${name}.json`),
    });
  apiA = api('a');
  urlA = (await apiA.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
  token = (await apiA.line((l) => l.includes('Operator token'))).split(/\s+/).at(-1) as string;
  apiB = api('b');
  urlB = (await apiB.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
  worker = run('server/worker.ts', [], env);
  await worker.line((l) => l.startsWith('MMS worker'));
  users = (
    await gql(urlA, `{ tenant { users(first: ${USERS}) { edges { node { id } } } } }`)
  ).tenant.users.edges.map((e: { node: { id: string } }) => e.node.id);
  // One finished migration and its evaluation: what registered subscriptions replay first.
  await startMigration(urlB, users[0] as string);
  await allFinished();
}, 120_000);

afterAll(async () => {
  await Promise.all([worker, apiA, apiB].map((process) => process?.stop()));
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a subscriber on API A sees every change made by the worker and through API B, in order, as a local subscriber does', async () => {
  const onA = await registeredMigrationSubscription(urlA);
  const onB = await registeredMigrationSubscription(urlB);
  const evaluationsQuery = `subscription { triggerEvaluated(since: "2000-01-01T00:00:00Z") { ${EVALUATION_FIELDS} } }`;
  const evaluationsOnA = subscribeOverWebSocket<EvaluationEvent>(urlA, token, evaluationsQuery);
  const evaluationsOnB = subscribeOverWebSocket<EvaluationEvent>(urlB, token, evaluationsQuery);
  await Promise.all([evaluationsOnA.until(() => true), evaluationsOnB.until(() => true)]);
  const summaryOnA = subscribeOverWebSocket<{ meetingMigrationSummaryUpdated: Record<string, number> }>(
    urlA,
    token,
    `subscription { meetingMigrationSummaryUpdated { ${SUMMARY_FIELDS} } }`,
  );
  await summaryOnA.until(() => true);
  const before = new Set((await storedMigrations()).keys());

  // Through API B: migrations started, and SIP addresses changed (evaluated, and maybe migrations started).
  const started = await Promise.all(users.slice(1, 11).map((userId) => startMigration(urlB, userId)));
  const sipUsers = users.slice(11, 16);
  for (const userId of sipUsers) {
    const result = await setSipAddress(urlB, userId, `sip:${randomUUID()}@contoso.com`);
    expect(result.data?.setUserSipAddress.__typename).toBe('SetUserSipAddressPayload');
  }
  await allFinished();

  const stored = await storedMigrations();
  const changed = [...stored.values()].filter((migration) => !before.has(migration.id));
  expect(changed.map((m) => m.id)).toEqual(expect.arrayContaining(started));
  const seenOnA = (id: string) => onA.events.map((e) => e.meetingMigrationUpdated).filter((m) => m.id === id);
  // The last change may still be on its way.
  await eventually(
    () => changed.every((migration) => seenOnA(migration.id).at(-1)?.modifiedAt === migration.modifiedAt),
    'A has the last change of every migration',
  );
  for (const migration of changed) {
    const seen = seenOnA(migration.id);
    // In order: every state, each change no older than the one before, the last one as stored.
    expect(seen.map((m) => m.state).filter((state, i, all) => state !== all[i - 1])).toEqual([
      'PENDING',
      'IN_PROGRESS',
      migration.state,
    ]);
    const times = seen.map((m) => Date.parse(m.modifiedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual(migration);
    // The payload API B's own subscriber had of the change B made (PENDING) is the one A had through Redis.
    const pendingOnB = onB.events.find(
      (e) => e.meetingMigrationUpdated.id === migration.id,
    )?.meetingMigrationUpdated;
    expect(pendingOnB?.state).toBe('PENDING');
    expect(seen[0]).toEqual(pendingOnB);
  }

  // Evaluations made through B reach A with the same payload as B's own subscriber's.
  const evaluationsFor = (events: EvaluationEvent[]) =>
    events
      .map((e) => e.triggerEvaluated)
      .filter((e) => users.slice(1, 16).includes(e.user.id))
      .sort((a, b) => a.id.localeCompare(b.id));
  await evaluationsOnA.until((e) => e.triggerEvaluated.user.id === sipUsers.at(-1));
  const expectedEvaluations = evaluationsFor(evaluationsOnB.events);
  expect(expectedEvaluations.length).toBeGreaterThanOrEqual(started.length + sipUsers.length);
  expect(evaluationsFor(evaluationsOnA.events)).toEqual(expectedEvaluations);

  // The summary on A ends equal to the stored counts.
  const { meetingMigrationSummary } = await gql(urlA, `{ meetingMigrationSummary { ${SUMMARY_FIELDS} } }`);
  await summaryOnA.until(
    (e) => JSON.stringify(e.meetingMigrationSummaryUpdated) === JSON.stringify(meetingMigrationSummary),
  );
  expect(summaryOnA.events.at(-1)?.meetingMigrationSummaryUpdated).toEqual(meetingMigrationSummary);
  await Promise.all([onA, onB, evaluationsOnA, evaluationsOnB, summaryOnA].map((s) => s.close()));
}, 60_000);

test('a subscriber that reconnects to the other API process with `since` catches up on what it missed', async () => {
  const onA = await registeredMigrationSubscription(urlA);
  await onA.close();
  const leftAt = new Date().toISOString();
  const missed = await Promise.all(users.slice(16, 22).map((userId) => startMigration(urlA, userId)));
  await allFinished();
  const stored = await storedMigrations();

  const onB = subscribeOverWebSocket<MigrationEvent>(
    urlB,
    token,
    `subscription($since: DateTime) { meetingMigrationUpdated(since: $since) { ${MIGRATION_FIELDS} } }`,
    { since: leftAt },
  );
  await eventually(
    () => missed.every((id) => onB.events.some((e) => e.meetingMigrationUpdated.id === id)),
    'B replays every migration A missed',
  );
  // Each one as stored now, oldest change first.
  const replayed = onB.events.map((e) => e.meetingMigrationUpdated).filter((m) => missed.includes(m.id));
  const byId = (a: Migration, b: Migration) => a.id.localeCompare(b.id);
  expect([...replayed].sort(byId)).toEqual(missed.map((id) => stored.get(id) as Migration).sort(byId));
  const times = replayed.map((m) => Date.parse(m.modifiedAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  await onB.close();
}, 60_000);

test('Redis killed mid-run: every request succeeds, subscribers are told to reconnect, nothing is lost', async () => {
  const migrationsOnA = subscribeOverWebSocket<MigrationEvent>(
    urlA,
    token,
    `subscription { meetingMigrationUpdated { id state } }`,
  );
  const migrationsOnB = subscribeOverWebSocket<MigrationEvent>(
    urlB,
    token,
    `subscription { meetingMigrationUpdated { id state } }`,
  );
  const sseOnA = subscribeOverSse<MigrationEvent>(
    urlA,
    token,
    `subscription { meetingMigrationUpdated { id state } }`,
  );
  // The terminal UI's client: it retries the close and says when it is back (when it reads everything again).
  const tuiEvents: string[] = [];
  const tui = liveClient(
    { url: urlA, token },
    {
      connected: () => tuiEvents.push('connected'),
      reconnecting: () => tuiEvents.push('reconnecting'),
      refused: () => tuiEvents.push('refused'),
    },
  );
  await eventually(() => tuiEvents.includes('connected'), 'the TUI client connects');

  const failures: unknown[] = [];
  const started: string[] = [];
  const lastSip = new Map<string, string>();
  let requests = 0;
  let done = false;
  /** One client on one API process: starts migrations and changes SIP addresses until told to stop. */
  const client = async (n: number) => {
    const url = n % 2 === 0 ? urlA : urlB;
    const mine = users.slice(22 + n * 4, 26 + n * 4);
    for (let i = 0; !done; i++) {
      const userId = mine[i % mine.length] as string;
      if (i % 2 === 0) {
        const sipAddress = `sip:client${n}.${i}@contoso.com`;
        const result = await setSipAddress(url, userId, sipAddress);
        if (
          result.status !== 200 ||
          result.data?.setUserSipAddress.__typename !== 'SetUserSipAddressPayload'
        ) {
          failures.push(result);
        } else lastSip.set(userId, sipAddress);
      } else {
        const result = await post(
          url,
          'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } ... on Error { message } } }',
          { u: userId },
        );
        const id = result.data?.startMeetingMigration?.meetingMigration?.id;
        if (id) started.push(id);
        else failures.push(result);
      }
      requests++;
    }
  };
  const clients = Array.from({ length: 4 }, (_, n) => client(n));

  await eventually(() => requests >= 20, 'requests before the outage');
  await redis.kill();
  // Every WebSocket on both API processes is closed with 1012 ("service restart"); SSE streams end.
  const closedWith1012 = () =>
    migrationsOnA.closeCodes.includes(1012) && migrationsOnB.closeCodes.includes(1012);
  await eventually(closedWith1012, 'both processes close their sockets with 1012');
  await sseOnA.ended;
  // Requests go on while Redis is away, on both processes, and the worker runs what they start; the
  // terminal UI's client is back, reading everything again.
  const atOutage = requests;
  await eventually(
    () => requests >= atOutage + 40 && tuiEvents.at(-1) === 'connected',
    'requests go on and the TUI client reconnects during the outage',
  );
  expect(tuiEvents).toEqual(['connected', 'reconnecting', 'connected']);

  await redis.start();
  // Each process publishes again, and those serving subscribers ask them once more to reconnect.
  await Promise.all([
    ...[apiA, apiB, worker].map((process) =>
      process.line((l) => l.includes('publishing through Redis again')),
    ),
    ...[apiA, apiB].map((process) => process.line((l) => l.includes('subscribed to Redis again'))),
  ]);
  // The terminal UI's client is closed once more, and is back.
  await eventually(() => tuiEvents.length >= 5, 'the TUI client reconnects once more');
  expect(tuiEvents).toEqual(['connected', 'reconnecting', 'connected', 'reconnecting', 'connected']);
  done = true;
  await Promise.all(clients);
  expect(failures).toEqual([]);
  expect(started.length).toBeGreaterThan(5);

  // Each outage was logged in a line or two, not once per event.
  for (const process of [apiA, apiB, worker]) {
    const lines = process.stdout.filter((line) => line.includes('Redis'));
    expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(5);
  }

  // A fresh subscription on A sees the changes B and the worker make.
  const user = users[23] as string;
  await allFinished();
  const fresh = await registeredMigrationSubscription(urlA, user);
  const id = await startMigration(urlB, user);
  await fresh.until(
    (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.state === 'SUCCEEDED',
  );
  const states = fresh.events
    .map((e) => e.meetingMigrationUpdated)
    .filter((m) => m.id === id)
    .map((m) => m.state);
  expect(states.filter((state, i) => state !== states[i - 1])).toEqual([
    'PENDING',
    'IN_PROGRESS',
    'SUCCEEDED',
  ]);

  // The database holds every change: each migration started ran to its end, each SIP address is the last set.
  const stored = await storedMigrations();
  for (const startedId of started) {
    expect(['SUCCEEDED', 'FAILED', 'CANCELLED']).toContain(stored.get(startedId)?.state);
  }
  for (const [userId, sipAddress] of lastSip) {
    const { node } = await gql(urlA, 'query($id: ID!) { node(id: $id) { ... on User { sipAddress } } }', {
      id: userId,
    });
    expect(node.sipAddress).toBe(sipAddress);
  }
  await Promise.all([
    fresh.close(),
    migrationsOnA.close(),
    migrationsOnB.close(),
    sseOnA.close(),
    tui.dispose(),
  ]);
}, 90_000);

test('Redis that stops answering: subscribers are told within seconds, requests go on, and it is taken back', async () => {
  const onA = await registeredMigrationSubscription(urlA);
  const apis = [apiA, apiB];
  const before = apis.map((process) => process.stdout.length);
  redis.pause();
  try {
    // The connections stay open; only the missing answers tell. Meanwhile requests are answered as ever,
    // and the worker runs what they start.
    const id = await startMigration(urlB, users[38] as string);
    await eventually(() => onA.closeCodes.includes(1012), 'API A closes its sockets with 1012');
    await Promise.all(
      apis.map((process, i) =>
        process.line(
          (l) => l.includes('lost the subscription to Redis (no answer from Redis in 3 s)'),
          15_000,
          before[i],
        ),
      ),
    );
    while ((await storedMigrations()).get(id)?.state !== 'SUCCEEDED') await tick();
  } finally {
    redis.resume();
  }
  await Promise.all(
    apis.map((process, i) => process.line((l) => l.includes('subscribed to Redis again'), 15_000, before[i])),
  );
  // Live events flow again: a fresh subscriber on A sees what B starts (for the user of the run above).
  const user = users[38] as string;
  const fresh = await registeredMigrationSubscription(urlA, user);
  const id = await startMigration(urlB, user);
  await fresh.until(
    (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.state === 'SUCCEEDED',
  );
  await Promise.all([fresh.close(), onA.close()]);
}, 60_000);

test.each([
  ['not a URL', 'localhost:6379', 'MMS_REDIS_URL must be a URL such as redis://localhost:6379'],
  [
    'another scheme',
    'http://user:s3cret@localhost:6379',
    'MMS_REDIS_URL must be a URL such as redis://localhost:6379',
  ],
  [
    'nothing listening',
    'redis://:s3cret@127.0.0.1:1',
    'MMS_REDIS_URL: cannot reach Redis at redis://127.0.0.1:1 (connect ECONNREFUSED',
  ],
])(
  'MMS_REDIS_URL with %s stops the API process and the worker in one line',
  async (_case, url, message) => {
    const env = {
      MMS_DB: join(dir, 'bad-redis.sqlite'),
      MMS_CREDENTIALS_FILE: join(dir, 'bad-redis.json'),
      PORT: '0',
      MMS_REDIS_URL: url,
    };
    for (const script of ['server/main.ts', 'server/worker.ts']) {
      const process = run(script, [], env);
      expect(await process.exited).toBe(1);
      const lines = process.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(message);
      // The URL may hold a password: it is never repeated.
      expect(lines[0]).not.toContain('s3cret');
    }
  },
  30_000,
);
