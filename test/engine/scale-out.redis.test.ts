/**
 * Scaling out (SPEC §8) on PostgreSQL and Redis, with real processes: two API processes and two workers
 * migrate 20,000 meetings while a worker is killed (SIGKILL) three times, each at a random point and while it
 * holds migrations, and API process B, where the operator's mutations go, is killed under 20 clients and
 * started again. Every meeting is rewritten once and every invitation queued once; a subscriber on API
 * process A sees every change the workers and B made; B's clients carry on with A, and every client ends
 * with what the database holds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { replayFrom } from '../../tui/connection.ts';
import { newPostgresDatabase, TEST_BACKEND } from '../support/backend.ts';
import {
  type ApiProcess,
  crash,
  startApiProcess,
  startWorker,
  type WorkerProcess,
} from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';
import {
  eachMigrationPage,
  type FailoverClient,
  failoverClient,
  type Migration,
} from '../support/failover-client.ts';
import { postGraphQL, queryGraphQL } from '../support/http.ts';
import { type LiveSubscription, subscribeOverWebSocket } from '../support/live.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis.ts';

const USERS = 200;
const MEETINGS_PER_USER = 100;
const ATTENDEES = 2;
const MEETINGS = USERS * MEETINGS_PER_USER;
const WORKER_CRASHES = 3;
const CLIENTS = 20;
/** Migrations cancelled and retried as they start, through B before it is killed, and after. */
const CANCELLED_BEFORE = 6;
const CANCELLED_AFTER = 6;
/** Migrations started through B once it is back. */
const STARTED_BY_NEW_B = 10;

const MIGRATION_FIELDS = `id state correlationId totalMeetings succeededMeetings failedMeetings skippedMeetings
  invitesUpdated invitationsPending invitationsDelivered invitationsFailed retryCount lastMessage createdAt
  modifiedAt startedAt finishedAt nextAttemptAt`;
const SUMMARY_FIELDS = 'pending inProgress succeeded failed cancelled invitationsPending';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(TEST_BACKEND !== 'postgres')('scaling out on PostgreSQL and Redis', () => {
  let dir: string;
  let redis: PrivateRedis;
  let sql: pg.Pool;
  let env: Record<string, string>;
  let apiA: ApiProcess;
  let apiB: ApiProcess;
  let workers: WorkerProcess[] = [];
  let token: string;
  let users: string[];
  /** On A: every migration change, and the summary. */
  let watcher: LiveSubscription<{ meetingMigrationUpdated: Migration }> | undefined;
  let summaries: LiveSubscription<{ meetingMigrationSummaryUpdated: Record<string, number> }> | undefined;
  let clients: FailoverClient[] = [];

  /** What happened when, with the progress then: printed when a test fails. */
  const timeline: string[] = [];
  let began = 0;
  const mark = (what: string) =>
    progress().then((rewritten) => {
      const seconds = ((performance.now() - began) / 1000).toFixed(1);
      timeline.push(`${seconds} s, ${rewritten} meetings rewritten: ${what}`);
    });
  beforeEach(({ onTestFailed }) =>
    onTestFailed(() =>
      console.error(`${timeline.join('\n')}\nAPI process A's log:\n${apiA.process.stdout.join('\n')}`),
    ),
  );

  /** Each migration started, and the state each mutation left it in. */
  const changedByMutations = new Map<string, string[]>();
  /** Where the operator's mutations go: B, or A while B is down (as a load balancer would send them). */
  let bIsDown = false;
  const mutationsUrl = () => (bIsDown ? apiA.url : apiB.url);
  /** The migrations started through B once it was back. */
  const startedThroughNewB: string[] = [];
  /** The worker killed each time, and the migrations it held when it died. */
  const crashes: { worker: string; held: number[] }[] = [];
  let killedUrl: string;

  const gql = (url: string, query: string, variables: Record<string, unknown> = {}) =>
    queryGraphQL(url, token, query, variables);
  const count = async (query: string) => Number((await sql.query(query)).rows[0].n);
  const progress = () => count(`select count(*) as n from meeting_results where outcome = 'UPDATED'`);

  beforeAll(async () => {
    began = performance.now();
    dir = mkdtempSync(join(tmpdir(), 'mms-scale-out-'));
    redis = await startPrivateRedis();
    const database = await newPostgresDatabase();
    sql = new pg.Pool({ connectionString: database, max: 2 });
    const adminToken = randomBytes(16).toString('hex');
    env = {
      MMS_DATABASE_URL: database,
      MMS_REDIS_URL: redis.url,
      MMS_ADMIN_TOKEN: adminToken,
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      // Migrations that triggers start wait an hour (startMeetingMigration's do not): the first one stays
      // PENDING until the subscriber on A has it.
      MMS_HOLD_SECONDS: '3600',
      MMS_POLL_MS: '50',
      // Short, so that a dead worker's migrations are taken over within the test.
      MMS_LEASE_SECONDS: '2',
      // Two batches per user: a worker may die between them, and the one taking over resumes.
      MMS_BATCH_SIZE: '50',
    };
    const seed = async () => {
      const seeded = await openDatabase(database);
      const size = { users: USERS, meetingsPerUser: MEETINGS_PER_USER, attendees: ATTENDEES };
      await writeDataset(seeded, size, new Date());
      await seeded.close();
      // Not before: on an empty database an API process would add the demo tenant.
      [apiA, apiB] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    };
    [, ...workers] = await Promise.all([seed(), startWorker(env), startWorker(env)]);
    await mark('seeded; API processes and workers started');
    const admin = (query: string, variables: Record<string, unknown> = {}) =>
      queryGraphQL(apiA.url, adminToken, query, variables);
    const tenantId = (await admin('{ tenants(first: 1) { edges { node { id } } } }')).tenants.edges[0].node
      .id;
    token = (
      await admin(
        'mutation($t: ID!) { createOperatorToken(input: { tenantId: $t, name: "scale-out" }) { ... on CreateOperatorTokenPayload { token } } }',
        { t: tenantId },
      )
    ).createOperatorToken.token;
    users = (
      await gql(apiA.url, `{ tenant { users(first: ${USERS}) { edges { node { id } } } } }`)
    ).tenant.users.edges.map((e: { node: { id: string } }) => e.node.id);
    await migrateWhileProcessesDie().catch((error: Error) => {
      error.message += `\n${timeline.join('\n')}`;
      throw error;
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...clients, watcher, summaries].map((listener) => listener?.close()));
    await Promise.all([apiA, apiB, ...workers].map((api) => api?.process.stop()));
    await sql?.end();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function note(id: string, state: string) {
    changedByMutations.set(id, [...(changedByMutations.get(id) ?? []), state]);
  }

  async function start(url: string, userId: string): Promise<string> {
    const data = await gql(
      url,
      'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id state } } } }',
      { u: userId },
    );
    const { id, state } = data.startMeetingMigration.meetingMigration;
    note(id, state);
    return id;
  }

  /** Cancels and, if the cancel took (it had not finished), retries: stopped and started again. */
  async function cancelAndRetry(url: string, id: string) {
    const cancelled = await postGraphQL(
      url,
      token,
      'mutation($m: ID!) { cancelMeetingMigration(input: { migrationId: $m }) { ... on CancelMeetingMigrationPayload { meetingMigration { state } } ... on Error { message } } }',
      { m: id },
    );
    const state = cancelled.data?.cancelMeetingMigration.meetingMigration?.state;
    if (!state) return;
    note(id, state);
    const retried = await gql(
      url,
      'mutation($m: ID!) { retryMeetingMigration(input: { migrationId: $m }) { ... on RetryMeetingMigrationPayload { meetingMigration { state } } } }',
      { m: id },
    );
    note(id, retried.retryMeetingMigration.meetingMigration.state);
  }

  /**
   * Starts these users' migrations, eight at a time, each through the API process `url()` names then; a few
   * are cancelled and retried at once, through the same process.
   */
  async function startAll(userIds: string[], cancelled: number, url: () => string): Promise<string[]> {
    const toCancel = new Set([...userIds].sort(() => Math.random() - 0.5).slice(0, cancelled));
    const queue = [...userIds];
    const started: string[] = [];
    const sender = async () => {
      for (let userId = queue.shift(); userId; userId = queue.shift()) {
        const through = url();
        const id = await start(through, userId);
        started.push(id);
        if (toCancel.has(userId)) await cancelAndRetry(through, id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    return started;
  }

  /** The run the tests below look at. */
  async function migrateWhileProcessesDie() {
    // The first migration is held: the subscriber on A starts with it, and so is listening once it has it.
    const held = await gql(
      apiB.url,
      'mutation($u: ID!) { resetConferenceId(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id state } } } }',
      { u: users[0] },
    );
    const first = held.resetConferenceId.meetingMigration;
    note(first.id, first.state);
    watcher = subscribeOverWebSocket(
      apiA.url,
      token,
      `subscription { meetingMigrationUpdated { ${MIGRATION_FIELDS} } }`,
    );
    summaries = subscribeOverWebSocket(
      apiA.url,
      token,
      `subscription { meetingMigrationSummaryUpdated { ${SUMMARY_FIELDS} } }`,
    );
    await Promise.all([watcher.until(() => true), summaries.until(() => true)]);
    // Half the clients are A's, half B's; each replays from a few minutes back whenever it connects.
    const since = replayFrom(Date.now());
    clients = Array.from({ length: CLIENTS }, (_, n) =>
      failoverClient({
        urls: n % 2 === 0 ? [apiA.url, apiB.url] : [apiB.url, apiA.url],
        token,
        fields: MIGRATION_FIELDS,
        since,
        readEveryMs: 500,
      }),
    );
    // Released from its hold.
    await cancelAndRetry(apiB.url, first.id);

    const crashPoints = Array.from({ length: WORKER_CRASHES }, () => 0.1 + Math.random() * 0.7).sort();
    const startedBeforeRestart = Math.floor(USERS * (0.25 + Math.random() * 0.4));
    await mark(
      `subscribed; workers to be killed at ${crashPoints.map((p) => p.toFixed(2)).join(', ')} of the ` +
        `meetings, B after starting ${startedBeforeRestart} migrations`,
    );

    const restartingB = (async () => {
      await startAll(users.slice(1, startedBeforeRestart), CANCELLED_BEFORE, () => apiB.url);
      await mark('migrations started through B');
      killedUrl = apiB.url;
      await crash(apiB.process);
      bIsDown = true;
      await mark('API process B killed');
      const restarted = startApiProcess(env).then((api) => {
        apiB = api;
        bIsDown = false;
        return mark('API process B started again');
      });
      // The last few wait for the new B, which starts them whenever it is back.
      await startAll(users.slice(startedBeforeRestart, -STARTED_BY_NEW_B), CANCELLED_AFTER, mutationsUrl);
      await mark('more migrations started, through A while B was down');
      await restarted;
      startedThroughNewB.push(...(await startAll(users.slice(-STARTED_BY_NEW_B), 1, () => apiB.url)));
      await mark('the last migrations started through the new B');
    })();

    const replacements: Promise<void>[] = [];
    const crashingWorkers = (async () => {
      for (const point of crashPoints) {
        while ((await progress()) < point * MEETINGS) await sleep(50);
        const victim = await workerHoldingMigrations(point);
        await crash(victim.process);
        // What it held when it died: only a takeover can finish these.
        const { rows } = await sql.query(
          `select id from meeting_migrations where state = 'IN_PROGRESS' and lease_owner like $1`,
          [`${victim.id}#%`],
        );
        crashes.push({ worker: victim.id, held: rows.map((row) => row.id) });
        await mark(`worker ${victim.id} killed holding ${rows.length} migrations`);
        workers = workers.filter((worker) => worker !== victim);
        // The next crash does not wait for the new worker: it may hit the other one meanwhile.
        replacements.push(
          startWorker(env).then((worker) => {
            workers.push(worker);
            return mark(`worker ${worker.id} started`);
          }),
        );
      }
      await Promise.all(replacements);
    })();

    await Promise.all([restartingB, crashingWorkers]);
    const open = () =>
      count(`select count(*) as n from meeting_migrations where state in ('PENDING', 'IN_PROGRESS')`);
    while ((await open()) > 0) await sleep(100);
    await mark(`all migrations finished; ${watcher.events.length} changes reached the subscriber on A`);
    await Promise.all(clients.map((client) => client.stopReading()));
  }

  /** A running worker that holds migrations now, at random. */
  async function workerHoldingMigrations(point: number): Promise<WorkerProcess> {
    for (;;) {
      const { rows } = await sql.query(
        `select lease_owner from meeting_migrations where state = 'IN_PROGRESS'`,
      );
      const holding = workers.filter((worker) =>
        rows.some((row) => row.lease_owner.startsWith(`${worker.id}#`)),
      );
      if (holding.length > 0) return holding[Math.floor(Math.random() * holding.length)] as WorkerProcess;
      if ((await progress()) === MEETINGS) throw new Error(`the run ended before the crash at ${point}`);
      await sleep(20);
    }
  }

  /** Every migration as stored, read through A. */
  async function storedMigrations(): Promise<Map<string, Migration>> {
    const stored = new Map<string, Migration>();
    await eachMigrationPage(
      (query, variables) => gql(apiA.url, query, variables),
      MIGRATION_FIELDS,
      (nodes) => {
        for (const node of nodes) stored.set(node.id, node);
      },
    );
    return stored;
  }

  test('every meeting is rewritten once and every invitation queued once; counters match the results; no claim is left', async () => {
    expect(crashes).toHaveLength(WORKER_CRASHES);
    expect(await count('select count(*) as n from meetings')).toBe(MEETINGS);
    // Rewritten once: each meeting went from sequence 0 to 1, with one result, of one migration.
    expect(await count('select count(*) as n from meetings where sequence <> 1')).toBe(0);
    expect(await count(`select count(*) as n from meeting_results where outcome = 'UPDATED'`)).toBe(MEETINGS);
    expect(await count('select count(*) as n from meeting_results')).toBe(MEETINGS);
    // Queued once: one update per attendee of each meeting, for its new sequence, none taken by a sender.
    expect(await count('select count(*) as n from invitation_updates')).toBe(MEETINGS * ATTENDEES);
    expect(
      await count(`select count(*) as n from (select 1 from invitation_updates
        group by meeting_id, attendee_email, sequence having count(*) > 1) twice`),
    ).toBe(0);
    expect(
      await count(`select count(*) as n from invitation_updates u join meetings m on m.id = u.meeting_id
        where u.sequence <> m.sequence or u.state <> 'QUEUED'`),
    ).toBe(0);
    // Each migration SUCCEEDED, and its counters are its results and its outbox.
    expect(await count('select count(*) as n from meeting_migrations')).toBe(USERS);
    const mismatched = await sql.query(`
      select m.id, m.state, m.total_meetings, m.succeeded_meetings, m.failed_meetings, m.skipped_meetings,
        m.invites_updated, m.invitations_pending, r.total, r.updated, r.failed, r.skipped, u.queued
      from meeting_migrations m
      left join (select migration_id, count(*) as total,
          count(*) filter (where outcome = 'UPDATED') as updated,
          count(*) filter (where outcome = 'FAILED') as failed,
          count(*) filter (where outcome = 'SKIPPED') as skipped
        from meeting_results group by migration_id) r on r.migration_id = m.id
      left join (select migration_id, count(*) as queued from invitation_updates group by migration_id) u
        on u.migration_id = m.id
      where m.state <> 'SUCCEEDED' or m.total_meetings <> coalesce(r.total, 0)
        or m.succeeded_meetings <> coalesce(r.updated, 0) or m.failed_meetings <> coalesce(r.failed, 0)
        or m.skipped_meetings <> coalesce(r.skipped, 0) or m.invites_updated <> coalesce(u.queued, 0)
        or m.invitations_pending <> coalesce(u.queued, 0)`);
    expect(mismatched.rows).toEqual([]);
    // No lease is left, and the dead workers' migrations were taken over (they SUCCEEDED above).
    expect(
      await count(
        'select count(*) as n from meeting_migrations where lease_owner is not null or lease_expires_at is not null',
      ),
    ).toBe(0);
    expect(crashes.flatMap((crash) => crash.held).length).toBeGreaterThan(0);
  });

  test('a subscriber on A sees every change the workers and the mutations through B made, in order, ending as stored', async () => {
    const stored = await storedMigrations();
    expect([...stored.keys()].sort()).toEqual([...changedByMutations.keys()].sort());
    expect(startedThroughNewB).toHaveLength(STARTED_BY_NEW_B);
    const seen = (id: string) =>
      (watcher?.events ?? []).map((e) => e.meetingMigrationUpdated).filter((m) => m.id === id);
    // The last changes may still be on their way.
    const behind = () => [...stored.values()].filter((m) => seen(m.id).at(-1)?.modifiedAt !== m.modifiedAt);
    await eventually(() => behind().length === 0, 'A has the last change of every migration').catch(
      (error: Error) => {
        const missed = behind().map((m) => ({ stored: m, seen: seen(m.id) }));
        error.message += `: ${JSON.stringify(missed, null, 1)}`;
        throw error;
      },
    );
    for (const [id, migration] of stored) {
      const events = seen(id);
      expect(events.at(-1)).toEqual(migration);
      // Every state in order: those the mutations made (a cancel before or after a worker claimed it), then
      // the workers' run to its end. A takeover is IN_PROGRESS again.
      const seenHere = `${id}: ${events.map((m) => `${m.state} ${m.succeededMeetings} ${m.modifiedAt}`).join(', ')}`;
      const states = events.map((m) => m.state).filter((state, i, all) => state !== all[i - 1]);
      const byMutations = (changedByMutations.get(id) ?? [])
        .map((state) => (state === 'CANCELLED' ? '(IN_PROGRESS )?CANCELLED' : state))
        .join(' ');
      expect(states.join(' '), seenHere).toMatch(new RegExp(`^${byMutations} IN_PROGRESS SUCCEEDED$`));
      const times = events.map((m) => Date.parse(m.modifiedAt as string));
      expect(times, seenHere).toEqual([...times].sort((a, b) => a - b));
      const succeeded = events.map((m) => m.succeededMeetings as number);
      expect(succeeded, seenHere).toEqual([...succeeded].sort((a, b) => a - b));
    }
    const { meetingMigrationSummary } = await gql(
      apiA.url,
      `{ meetingMigrationSummary { ${SUMMARY_FIELDS} } }`,
    );
    const summary = JSON.stringify(meetingMigrationSummary);
    await summaries?.until((e) => JSON.stringify(e.meetingMigrationSummaryUpdated) === summary);
    expect(summaries?.events.at(-1)?.meetingMigrationSummaryUpdated).toEqual(meetingMigrationSummary);
  });

  test("B's clients carry on with A when B is killed, and every client ends with what the database holds", async () => {
    const stored = await storedMigrations();
    const same = (client: FailoverClient) =>
      client.migrations.size === stored.size &&
      [...stored].every(([id, m]) => JSON.stringify(client.migrations.get(id)) === JSON.stringify(m));
    await eventually(() => clients.every(same), 'every client has the stored state of every migration').catch(
      () => {},
    );
    for (const client of clients) {
      expect(client.errors).toEqual([]);
      expect(Object.fromEntries(client.migrations)).toEqual(Object.fromEntries(stored));
    }
    const ofB = clients.filter((_, n) => n % 2 === 1);
    for (const client of ofB) {
      expect(client.connections[0]).toBe(killedUrl);
      expect(client.connections.slice(1)).toContain(apiA.url);
    }
  });
});
