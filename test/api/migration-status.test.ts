/** Get-CsMeetingMigrationStatus over HTTP: the summary, the list and its filters, paging, retry and cancel. */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let clock = new Date('2026-05-01T08:00:00.000Z');
let token: string;
const users: string[] = [];
/** Migration global IDs by label, and the moment each was created. */
const migrations = new Map<string, { id: string; createdAt: string }>();

const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);
const at = (iso: string) => {
  clock = new Date(iso);
};

async function settle(label: string, state: string) {
  const id = Number(
    Buffer.from(migrations.get(label)?.id ?? '', 'base64')
      .toString()
      .split(':')[1],
  );
  await sql`update meeting_migrations set state = ${state} where id = ${id}`.execute(server.app.database.db);
}

async function start(label: string, user: number) {
  const result = await gql(
    `mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id createdAt } } } }`,
    { u: users[user] },
  );
  migrations.set(label, result.startMeetingMigration.meetingMigration);
}

beforeAll(async () => {
  server = await startServer({ now: () => clock });
  ({ token } = await createTenantWithOperator(server, 'fabrikam.com', 'Fabrikam'));
  for (let i = 0; i < 4; i++) {
    const made = await gql(
      `mutation($u: String!) { createUser(input: { userPrincipalName: $u, displayName: "U" }) { ... on CreateUserPayload { user { id } } } }`,
      { u: `user${i}@fabrikam.com` },
    );
    users.push(made.createUser.user.id);
  }
  // Day 1: user 0 succeeds twice, user 1 fails. Day 2: user 2 is cancelled, user 1 retried and in progress.
  // Day 3: users 0 and 3 pending.
  at('2026-05-01T09:00:00.000Z');
  await start('u0-a', 0);
  await settle('u0-a', 'SUCCEEDED');
  at('2026-05-01T10:00:00.000Z');
  await start('u0-b', 0);
  await settle('u0-b', 'SUCCEEDED');
  at('2026-05-01T11:00:00.000Z');
  await start('u1-a', 1);
  await settle('u1-a', 'FAILED');
  at('2026-05-02T09:00:00.000Z');
  await start('u2-a', 2);
  await settle('u2-a', 'CANCELLED');
  at('2026-05-02T10:00:00.000Z');
  await start('u1-b', 1);
  await settle('u1-b', 'IN_PROGRESS');
  at('2026-05-03T09:00:00.000Z');
  await start('u0-c', 0);
  at('2026-05-03T10:00:00.000Z');
  await start('u3-a', 3);
});
afterAll(() => server.stop());

const SUMMARY = `query($from: DateTime, $to: DateTime) {
  meetingMigrationSummary(from: $from, to: $to) { pending inProgress succeeded failed cancelled from to }
}`;

describe('meetingMigrationSummary', () => {
  test('counts each user once, by their latest migration', async () => {
    // User 0's earlier successes and user 1's failure were replaced by later runs.
    const { meetingMigrationSummary } = await gql(SUMMARY);
    expect(meetingMigrationSummary).toEqual({
      pending: 2,
      inProgress: 1,
      succeeded: 0,
      failed: 0,
      cancelled: 1,
      from: null,
      to: null,
    });
  });

  test('within a time window counts each user by their latest migration created in it', async () => {
    const { meetingMigrationSummary } = await gql(SUMMARY, {
      from: '2026-05-01T09:30:00.000Z',
      to: '2026-05-02T09:00:00.000Z',
    });
    expect(meetingMigrationSummary).toMatchObject({
      pending: 0,
      inProgress: 0,
      succeeded: 1,
      failed: 1,
      cancelled: 1,
    });
  });

  test('a window whose end precedes its start is an error naming it', async () => {
    const result = await server.request(token, SUMMARY, {
      from: '2026-05-02T00:00:00Z',
      to: '2026-05-01T00:00:00Z',
    });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: 'window.to: must not be before from',
      extensions: { code: 'INVALID_VALUE', field: 'window.to' },
    });
  });
});

const LIST = `query($userId: ID, $userSearch: String, $states: [MeetingMigrationState!], $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
  meetingMigrations(userId: $userId, userSearch: $userSearch, states: $states, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id state createdAt user { userPrincipalName } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function list(variables: Record<string, unknown> = {}) {
  const { meetingMigrations } = await gql(LIST, variables);
  return meetingMigrations as {
    edges: { cursor: string; node: { id: string; state: string; createdAt: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string; startCursor: string };
  };
}
const idsOf = (labels: string[]) => labels.map((label) => migrations.get(label)?.id);
const listed = async (variables: Record<string, unknown> = {}) =>
  (await list(variables)).edges.map((e) => e.node.id);

describe('meetingMigrations', () => {
  test('lists every migration newest first, with every field of the record', async () => {
    expect(await listed()).toEqual(idsOf(['u3-a', 'u0-c', 'u1-b', 'u2-a', 'u1-a', 'u0-b', 'u0-a']));
  });

  test('filters by user', async () => {
    expect(await listed({ userId: users[0] })).toEqual(idsOf(['u0-c', 'u0-b', 'u0-a']));
  });

  test('filters by states', async () => {
    expect(await listed({ states: ['FAILED', 'CANCELLED'] })).toEqual(idsOf(['u2-a', 'u1-a']));
  });

  test('filters by a time window, bounds included', async () => {
    expect(await listed({ from: '2026-05-01T10:00:00.000Z', to: '2026-05-02T10:00:00.000Z' })).toEqual(
      idsOf(['u1-b', 'u2-a', 'u1-a', 'u0-b']),
    );
  });

  test('filters by part of the user’s principal name, any case', async () => {
    expect(await listed({ userSearch: 'USER1@' })).toEqual(idsOf(['u1-b', 'u1-a']));
    expect(await listed({ userSearch: 'nobody' })).toEqual([]);
  });

  test('combines filters', async () => {
    expect(await listed({ userId: users[1], states: ['FAILED'] })).toEqual(idsOf(['u1-a']));
  });

  test('an unknown or malformed user ID matches nothing', async () => {
    expect(await listed({ userId: 'VXNlcjo5OTk5' })).toEqual([]);
    expect(await listed({ userId: 'garbage' })).toEqual([]);
  });

  test('pages forward with first/after to the end, and back with last/before', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list({ first: 3, after });
      seen.push(...page.edges.map((e) => e.node.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(await listed());

    const tail = await list({ last: 2 });
    expect(tail.edges.map((e) => e.node.id)).toEqual(idsOf(['u0-b', 'u0-a']));
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    const before = await list({ last: 2, before: tail.pageInfo.startCursor });
    expect(before.edges.map((e) => e.node.id)).toEqual(idsOf(['u2-a', 'u1-a']));
  });

  test('a cursor that is not one of this list is an error', async () => {
    const result = await server.request(token, LIST, { first: 2, after: 'not-a-cursor' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_VALUE', field: 'after' });
  });
});

describe('cancel and retry', () => {
  const CANCEL = `mutation($m: ID!) { cancelMeetingMigration(input: { migrationId: $m }) {
    __typename ... on CancelMeetingMigrationPayload { meetingMigration { state finishedAt lastMessage } } ... on Error { message }
  } }`;
  const RETRY = `mutation($m: ID!) { retryMeetingMigration(input: { migrationId: $m }) {
    __typename ... on RetryMeetingMigrationPayload { meetingMigration { state finishedAt lastMessage notBefore } } ... on Error { message }
  } }`;

  test('a pending migration can be cancelled; a finished one cannot', async () => {
    at('2026-05-04T09:00:00.000Z');
    const cancelled = await gql(CANCEL, { m: migrations.get('u3-a')?.id });
    expect(cancelled.cancelMeetingMigration).toEqual({
      __typename: 'CancelMeetingMigrationPayload',
      meetingMigration: {
        state: 'CANCELLED',
        finishedAt: '2026-05-04T09:00:00.000Z',
        lastMessage: 'cancelled by an operator',
      },
    });
    const refused = await gql(CANCEL, { m: migrations.get('u0-a')?.id });
    expect(refused.cancelMeetingMigration).toEqual({
      __typename: 'NotAllowedError',
      message: 'only a PENDING or IN_PROGRESS migration can be cancelled; this one is SUCCEEDED',
    });
  });

  test('a failed migration can be retried; a pending one cannot', async () => {
    at('2026-05-04T10:00:00.000Z');
    const retried = await gql(RETRY, { m: migrations.get('u1-a')?.id });
    expect(retried.retryMeetingMigration).toEqual({
      __typename: 'RetryMeetingMigrationPayload',
      meetingMigration: {
        state: 'PENDING',
        finishedAt: null,
        lastMessage: 'retry requested by an operator',
        notBefore: '2026-05-04T10:00:00.000Z',
      },
    });
    const refused = await gql(RETRY, { m: migrations.get('u0-c')?.id });
    expect(refused.retryMeetingMigration.__typename).toBe('NotAllowedError');
  });
});
