/**
 * Several processes on one database (SPEC §8): an API process and two worker processes on one SQLite file
 * (or one PostgreSQL database), with clients mutating and querying throughout. No request fails, and
 * subscribers on the API process see every state change the workers make, and their final counts.
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
import { postGraphQL, queryGraphQL } from '../support/http.ts';
import { type LiveSubscription, subscribeOverWebSocket } from '../support/live.ts';

const USERS = 100;
const MEETINGS_PER_USER = 50;
const CLIENTS = 20;

let dir: string;
let api: ApiProcess;
const workers: WorkerProcess[] = [];
let url: string;
let token: string;

const post = (query: string, variables: Record<string, unknown> = {}) =>
  postGraphQL(url, token, query, variables);
const gql = (query: string, variables: Record<string, unknown> = {}) =>
  queryGraphQL(url, token, query, variables);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-processes-'));
  const env = await deploymentEnv(dir);
  await seedDemo(env, USERS, MEETINGS_PER_USER);
  api = await startApiProcess(env);
  url = api.url;
  token = await demoOperatorToken(api);
  for (let i = 0; i < 2; i++) workers.push(await startWorker(env));
}, 120_000);

afterAll(async () => {
  await Promise.all([...workers, api].map((process) => process?.process.stop()));
  rmSync(dir, { recursive: true, force: true });
});

interface MigrationEvent {
  meetingMigrationUpdated: {
    id: string;
    state: string;
    totalMeetings: number;
    succeededMeetings: number;
    failedMeetings: number;
    skippedMeetings: number;
    invitesUpdated: number;
  };
}
const MIGRATION_FIELDS =
  'id state totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated';
const SUMMARY_FIELDS = 'pending inProgress succeeded failed cancelled';

test('an API process and two workers on one database: no request fails, subscribers see every change', async () => {
  const users: string[] = (
    await gql(`{ tenant { users(first: ${USERS}) { edges { node { id } } } } }`)
  ).tenant.users.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(users).toHaveLength(USERS);

  const migrations: LiveSubscription<MigrationEvent> = subscribeOverWebSocket(
    url,
    token,
    `subscription { meetingMigrationUpdated { ${MIGRATION_FIELDS} } }`,
  );
  const summaries = subscribeOverWebSocket<{ meetingMigrationSummaryUpdated: Record<string, number> }>(
    url,
    token,
    `subscription { meetingMigrationSummaryUpdated { ${SUMMARY_FIELDS} } }`,
  );
  // Both subscriptions start with the current state: the summary's first event says they are registered.
  await summaries.until(() => true);

  let requests = 0;
  const failures: unknown[] = [];
  let done = false;
  /** One client: writes and reads in turn until the migrations are over. */
  const client = async (n: number) => {
    for (let i = 0; !done; i++) {
      const userId = users[(n * 7 + i) % users.length] as string;
      const result =
        i % 3 === 0
          ? await post(
              'mutation($i: SetUserSipAddressInput!) { setUserSipAddress(input: $i) { __typename ... on Error { message } } }',
              { i: { userId, sipAddress: `sip:client${n}.${i}@contoso.com` } },
            )
          : i % 3 === 1
            ? await post(`{ meetingMigrations(first: 20) { edges { node { ${MIGRATION_FIELDS} } } } }`)
            : await post(`{ meetingMigrationSummary { ${SUMMARY_FIELDS} } }`);
      requests++;
      const typename = result.data?.setUserSipAddress?.__typename;
      if (result.status !== 200 || result.errors || (typename && typename !== 'SetUserSipAddressPayload')) {
        failures.push(result);
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

  const started: string[] = [];
  for (const userId of users) {
    const result = await post(
      'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } ... on Error { message } } }',
      { u: userId },
    );
    requests++;
    const id = result.data?.startMeetingMigration?.meetingMigration?.id;
    if (id) started.push(id);
    else failures.push(result);
  }
  const open = () =>
    gql(`{ meetingMigrationSummary { pending inProgress } }`).then(
      ({ meetingMigrationSummary: s }) => s.pending + s.inProgress,
    );
  for (let left = await open(); left > 0; left = await open()) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  done = true;
  await Promise.all(clients);

  expect(failures).toEqual([]);
  expect(requests).toBeGreaterThan(USERS + CLIENTS * 3);

  // Every migration's changes reached the API process's subscriber, ending in the state stored.
  const stored = new Map<string, MigrationEvent['meetingMigrationUpdated']>();
  for (let after: string | null = null; ; ) {
    const page: Record<string, any> = await gql(
      `query($after: String) { meetingMigrations(first: 100, after: $after) {
        edges { node { ${MIGRATION_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    for (const { node } of page.meetingMigrations.edges) stored.set(node.id, node);
    if (!page.meetingMigrations.pageInfo.hasNextPage) break;
    after = page.meetingMigrations.pageInfo.endCursor;
  }
  expect([...stored.keys()].sort()).toEqual([...started].sort());
  const total = [...stored.values()].reduce((sum, m) => sum + m.totalMeetings, 0);
  expect(total).toBeGreaterThan(USERS * MEETINGS_PER_USER * 0.3);
  const seenFinal = () =>
    [...stored].every(([id, final]) =>
      migrations.events.some(
        (e) => e.meetingMigrationUpdated.id === id && e.meetingMigrationUpdated.state === final.state,
      ),
    );
  for (let waited = 0; !seenFinal() && waited < 10_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const [id, final] of stored) {
    const seen = migrations.events.map((e) => e.meetingMigrationUpdated).filter((m) => m.id === id);
    expect(seen.at(-1)).toEqual(final);
    const states = seen.map((m) => m.state).filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['PENDING', 'IN_PROGRESS', final.state]);
  }

  // The summary's last event equals the stored counts.
  const { meetingMigrationSummary } = await gql(`{ meetingMigrationSummary { ${SUMMARY_FIELDS} } }`);
  await summaries.until(
    (e) => JSON.stringify(e.meetingMigrationSummaryUpdated) === JSON.stringify(meetingMigrationSummary),
  );
  expect(summaries.events.at(-1)?.meetingMigrationSummaryUpdated).toEqual(meetingMigrationSummary);
  await Promise.all([migrations.close(), summaries.close()]);
}, 180_000);
