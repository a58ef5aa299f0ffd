/**
 * True numbers and failures in bulk over GraphQL HTTP and WebSocket: the summary counts each user by their
 * latest migration, failures grouped by reason, and retryMeetingMigrations / cancelMeetingMigrations with a
 * dry run, across tenants and with bad selections.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadedConnection } from '../../server/schema/common.ts';
import { LARGEST_GROUP_FIRST } from '../../server/schema/mutations/bulk.ts';
import {
  createTenantWithOperator,
  createUser,
  globalId,
  mutate,
  runMutation,
  scheduleMeeting,
  startMeetingMigration,
  tenantSnapshot,
  unknownId,
} from '../support/fixtures.ts';
import { type LiveSubscription, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { untilSubscriptionsOpen } from '../support/subscriptions.ts';

const METRICS_TOKEN = 'metrics-token-of-the-failures-suite-0123456789';
let server: TestServer;
let token: string;
let otherToken: string;
let tenantId: string;
const migrationIds: Record<string, string> = {};
type Summary = { pending: number; inProgress: number; succeeded: number; failed: number; cancelled: number };
let summaries: LiveSubscription<{ meetingMigrationSummaryUpdated: Summary }>;

const INELIGIBLE = 'not eligible: the user’s mailbox is on Exchange on-premises, which MMS cannot update';
const CROWDED = '5 participants (organizer included) exceed the limit of 3';

async function stateOf(migrationId: string | undefined): Promise<string> {
  const data = await server.gql(
    token,
    'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state } } }',
    {
      id: migrationId,
    },
  );
  return data.node.state;
}

/** Waits for the engine to finish the migration, and says how it ended. */
async function finished(migrationId: string): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 15_000; ) {
    const state = await stateOf(migrationId);
    if (state !== 'PENDING' && state !== 'IN_PROGRESS') return state;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`migration ${migrationId} did not finish`);
}

async function run(label: string, userId: string): Promise<string> {
  const { migrationId } = await startMeetingMigration(server, token, userId);
  migrationIds[label] = migrationId;
  return finished(migrationId);
}

const summaryIs = (expected: Partial<Summary>) => (event: { meetingMigrationSummaryUpdated: Summary }) =>
  Object.entries(expected).every(
    ([key, value]) => event.meetingMigrationSummaryUpdated[key as keyof Summary] === value,
  );

const SUMMARY = '{ meetingMigrationSummary { pending inProgress succeeded failed cancelled } }';
const GROUPS = `query($tenantId: ID) { meetingMigrationFailureGroups(tenantId: $tenantId) {
  edges { node { reason failedMigrations retryingMigrations meetings } }
} }`;
type Group = { reason: string; failedMigrations: number; retryingMigrations: number; meetings: number };

/** A tenant's failure groups, the first page of them (every one, in these tests). */
async function groupsOf(operatorToken: string, variables: { tenantId?: string } = {}): Promise<Group[]> {
  const data = await server.gql(operatorToken, GROUPS, variables);
  return data.meetingMigrationFailureGroups.edges.map((edge: { node: Group }) => edge.node);
}
const BULK = `dryRun migrations meetings skipped meetingMigrations { id state }
  changedMeetingMigrations { id state } skippedMeetingMigrations { meetingMigration { id state } reason }`;

beforeAll(async () => {
  server = await startServer({ engine: { maxParticipants: 3 }, holdSeconds: 0, metricsToken: METRICS_TOKEN });
  ({ token, tenantId } = await createTenantWithOperator(server, 'contoso.com'));
  ({ token: otherToken } = await createTenantWithOperator(server, 'fabrikam.com'));
  summaries = subscribeOverWebSocket(
    server.url,
    token,
    'subscription { meetingMigrationSummaryUpdated { pending inProgress succeeded failed cancelled } }',
  );
  await summaries.until(summaryIs({ pending: 0, failed: 0, succeeded: 0 }));
});
afterAll(async () => {
  await summaries.close();
  await server.stop();
});

describe('the summary counts each user by their latest migration', () => {
  test('a failure followed by a success counts as a success, over HTTP and live over WebSocket', async () => {
    const fixed = await createUser(server, token, {
      userPrincipalName: 'fixed@contoso.com',
      mailboxLocation: 'EXCHANGE_ON_PREMISES',
    });
    await scheduleMeeting(server, token, fixed);
    expect(await run('fixed-first', fixed)).toBe('FAILED');
    await summaries.until(summaryIs({ failed: 1, succeeded: 0 }));
    expect((await server.gql(token, SUMMARY)).meetingMigrationSummary).toMatchObject({ failed: 1 });

    await mutate(
      server,
      token,
      'setMailboxLocation',
      { userId: fixed, mailboxLocation: 'EXCHANGE_ONLINE' },
      'user { id }',
    );
    expect(await run('fixed-again', fixed)).toBe('SUCCEEDED');
    await summaries.until(summaryIs({ failed: 0, succeeded: 1, pending: 0, inProgress: 0 }));
    expect((await server.gql(token, SUMMARY)).meetingMigrationSummary).toEqual({
      pending: 0,
      inProgress: 0,
      succeeded: 1,
      failed: 0,
      cancelled: 0,
    });
  });

  test('the rest of the tenant: two ineligible users, one with a crowded meeting, one that succeeds', async () => {
    for (const name of ['onprem1', 'onprem2']) {
      const user = await createUser(server, token, {
        userPrincipalName: `${name}@contoso.com`,
        mailboxLocation: 'EXCHANGE_ON_PREMISES',
      });
      expect(await run(name, user)).toBe('FAILED');
    }
    const crowded = await createUser(server, token, { userPrincipalName: 'crowded@contoso.com' });
    await scheduleMeeting(server, token, crowded);
    const attendees = ['a', 'b', 'c', 'd'].map((name) => ({ email: `${name}@example.com` }));
    await scheduleMeeting(server, token, crowded, { attendees });
    expect(await run('crowded', crowded)).toBe('FAILED');
    const fine = await createUser(server, token, { userPrincipalName: 'fine@contoso.com' });
    await scheduleMeeting(server, token, fine);
    expect(await run('fine', fine)).toBe('SUCCEEDED');
    await summaries.until(summaryIs({ failed: 3, succeeded: 2, pending: 0, inProgress: 0 }));
  });

  test('latestPerUser lists only the failures no later run replaced', async () => {
    const query = `query($latest: Boolean) { meetingMigrations(states: [FAILED], latestPerUser: $latest) {
      edges { node { id } } } }`;
    const all = await server.gql(token, query, { latest: null });
    const latest = await server.gql(token, query, { latest: true });
    const ids = (data: Record<string, any>) =>
      data.meetingMigrations.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids(all)).toContain(migrationIds['fixed-first']);
    expect(ids(latest)).toEqual([migrationIds.crowded, migrationIds.onprem2, migrationIds.onprem1]);
  });
});

describe('failures grouped by reason', () => {
  test('counts migrations and meetings per reason, largest group first', async () => {
    expect(await groupsOf(token)).toEqual([
      { reason: INELIGIBLE, failedMigrations: 2, retryingMigrations: 0, meetings: 0 },
      { reason: CROWDED, failedMigrations: 1, retryingMigrations: 0, meetings: 1 },
    ]);
  });

  test('meetingMigrations(failureReason:) lists the migrations of a group', async () => {
    const query = `query($reason: String) { meetingMigrations(failureReason: $reason) { edges { node { id } } } }`;
    const ids = async (reason: string) =>
      (await server.gql(token, query, { reason })).meetingMigrations.edges.map(
        (e: { node: { id: string } }) => e.node.id,
      );
    expect(await ids(INELIGIBLE)).toEqual([migrationIds.onprem2, migrationIds.onprem1]);
    expect(await ids(CROWDED)).toEqual([migrationIds.crowded]);
    expect(await ids('no such reason')).toEqual([]);
    // Not text: refused naming the argument (PostgreSQL would not even take it as a parameter).
    const refused = await server.request(token, query, { reason: 'a\u0000' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_VALUE', field: 'failureReason' });
  });

  test('another tenant’s groups read as an empty tenant’s', async () => {
    expect(await groupsOf(otherToken)).toEqual([]);
    expect(await groupsOf(otherToken, { tenantId })).toEqual([]);
  });

  test('the groups page as a connection, forwards and backwards, with their count', async () => {
    const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
      meetingMigrationFailureGroups(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { reason } } pageInfo { hasNextPage hasPreviousPage }
      } }`;
    const page = async (variables: Record<string, unknown>) =>
      (await server.gql(token, PAGE, variables)).meetingMigrationFailureGroups;
    const first = await page({ first: 1 });
    expect(first.totalCount).toBe(2);
    expect(first.edges.map((edge: { node: Group }) => edge.node.reason)).toEqual([INELIGIBLE]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
    const second = await page({ first: 1, after: first.edges[0].cursor });
    expect(second.edges.map((edge: { node: Group }) => edge.node.reason)).toEqual([CROWDED]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const last = await page({ last: 1 });
    expect(last.edges.map((edge: { node: Group }) => edge.node.reason)).toEqual([CROWDED]);
    const before = await page({ last: 1, before: last.edges[0].cursor });
    expect(before.edges.map((edge: { node: Group }) => edge.node.reason)).toEqual([INELIGIBLE]);
    // A cursor of another list, or none at all, is refused naming the argument.
    const users = await server.gql(token, '{ tenant { users(first: 1) { edges { cursor } } } }');
    for (const after of [users.tenant.users.edges[0].cursor, 'not a cursor']) {
      const refused = await server.request(token, PAGE, { first: 1, after });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_VALUE', field: 'after' });
    }
    // Past the page-size limit: refused before any work, as on every list.
    const tooMany = await server.request(token, PAGE, { first: 501 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('PAGE_SIZE_LIMIT');
  });
});

describe('retry and cancel in bulk', () => {
  test('a dry run answers how many migrations and meetings, and changes nothing', async () => {
    const before = await tenantSnapshot(server, token);
    const crowded = await mutate(
      server,
      token,
      'retryMeetingMigrations',
      { failureReason: CROWDED, dryRun: true },
      BULK,
    );
    expect(crowded).toMatchObject({
      dryRun: true,
      migrations: 1,
      meetings: 1,
      skipped: 0,
      meetingMigrations: [{ id: migrationIds.crowded, state: 'FAILED' }],
      changedMeetingMigrations: [{ id: migrationIds.crowded, state: 'FAILED' }],
    });
    const ineligible = await mutate(
      server,
      token,
      'retryMeetingMigrations',
      { failureReason: INELIGIBLE, dryRun: true },
      BULK,
    );
    expect(ineligible).toMatchObject({ dryRun: true, migrations: 2, meetings: 0, skipped: 0 });
    expect(await tenantSnapshot(server, token)).toEqual(before);
  });

  test('a group is retried, and the summary and the groups follow live', async () => {
    // The retried migrations stay PENDING while the engine is stopped.
    await server.app.engine?.stop();
    const retried = await mutate(
      server,
      token,
      'retryMeetingMigrations',
      { failureReason: INELIGIBLE },
      BULK,
    );
    expect(retried).toMatchObject({ dryRun: false, migrations: 2, meetings: 0, skipped: 0 });
    expect(retried.meetingMigrations.map((m: { state: string }) => m.state)).toEqual(['PENDING', 'PENDING']);
    await summaries.until(summaryIs({ pending: 2, failed: 1, succeeded: 2 }));
    expect(await groupsOf(token)).toEqual([
      { reason: CROWDED, failedMigrations: 1, retryingMigrations: 0, meetings: 1 },
    ]);
  });

  test('a list mixing applicable and finished migrations changes the first and says why not the others', async () => {
    const ids = [migrationIds.onprem1, migrationIds.onprem2, migrationIds.fine];
    const dry = await mutate(
      server,
      token,
      'cancelMeetingMigrations',
      { migrationIds: ids, dryRun: true },
      BULK,
    );
    expect(dry).toMatchObject({ dryRun: true, migrations: 2, skipped: 1 });
    expect(dry.skippedMeetingMigrations).toEqual([
      {
        meetingMigration: { id: migrationIds.fine, state: 'SUCCEEDED' },
        reason: 'only a PENDING or IN_PROGRESS migration can be cancelled; this one is SUCCEEDED',
      },
    ]);
    expect(await stateOf(migrationIds.onprem1)).toBe('PENDING');
    const done = await mutate(server, token, 'cancelMeetingMigrations', { migrationIds: ids }, BULK);
    expect(done).toMatchObject({ dryRun: false, migrations: 2, skipped: 1 });
    expect(await stateOf(migrationIds.onprem1)).toBe('CANCELLED');
    await summaries.until(summaryIs({ pending: 0, cancelled: 2 }));
    server.app.engine?.start();
  });

  test('a failure retried after a later success is the user’s current migration again, while it is open', async () => {
    await server.app.engine?.stop();
    const ids = [migrationIds['fixed-first']];
    expect(await mutate(server, token, 'retryMeetingMigrations', { migrationIds: ids }, BULK)).toMatchObject({
      migrations: 1,
    });
    await summaries.until(summaryIs({ pending: 1, succeeded: 1 }));
    expect((await server.gql(token, SUMMARY)).meetingMigrationSummary).toMatchObject({
      pending: 1,
      succeeded: 1,
    });
    expect(await mutate(server, token, 'cancelMeetingMigrations', { migrationIds: ids }, BULK)).toMatchObject(
      {
        migrations: 1,
      },
    );
    // Cancelled, it is no longer open: the newest run, which succeeded, counts again.
    await summaries.until(summaryIs({ pending: 0, succeeded: 2 }));
    server.app.engine?.start();
  });

  test('repeated ids count once', async () => {
    const ids = [migrationIds.crowded, migrationIds.crowded, migrationIds.fine];
    const result = await mutate(
      server,
      token,
      'retryMeetingMigrations',
      { migrationIds: ids, dryRun: true },
      BULK,
    );
    expect(result).toMatchObject({ migrations: 1, meetings: 1, skipped: 1 });
    expect(result.skippedMeetingMigrations[0].reason).toBe(
      'only a FAILED or CANCELLED migration can be retried; this one is SUCCEEDED',
    );
  });
});

describe('meetingMigrationUpdated(states: [FAILED])', () => {
  test('starts with nothing, however many failures there are, and then sends each new one', async () => {
    const failures = subscribeOverWebSocket<{ meetingMigrationUpdated: { id: string; state: string } }>(
      server.url,
      token,
      'subscription { meetingMigrationUpdated(states: [FAILED]) { id state } }',
    );
    try {
      // The summary subscription of the suite and this one.
      await untilSubscriptionsOpen(server, METRICS_TOKEN, 2);
      const user = await createUser(server, token, {
        userPrincipalName: 'onprem3@contoso.com',
        mailboxLocation: 'EXCHANGE_ON_PREMISES',
      });
      expect(await run('onprem3', user)).toBe('FAILED');
      await failures.until((event) => event.meetingMigrationUpdated.id === migrationIds.onprem3);
      expect(failures.events).toEqual([
        { meetingMigrationUpdated: { id: migrationIds.onprem3, state: 'FAILED' } },
      ]);
    } finally {
      await failures.close();
    }
  });
});

describe('bad selections are typed errors and change nothing', () => {
  const cases: [string, Record<string, unknown>, string, string | RegExp][] = [
    ['neither a reason nor ids', {}, 'InvalidValueError', 'input: give failureReason or migrationIds'],
    ['both', { failureReason: CROWDED, migrationIds: ['x'] }, 'InvalidValueError', /not both/],
    ['an empty list', { migrationIds: [] }, 'InvalidValueError', 'migrationIds: give at least one id'],
    ['an empty reason', { failureReason: ' ' }, 'InvalidValueError', 'failureReason: must not be empty'],
    [
      'a reason with a NUL',
      { failureReason: `${CROWDED}\u0000` },
      'InvalidValueError',
      /^failureReason: has the control character U\+0000/,
    ],
    [
      'more than 100 ids',
      { migrationIds: Array.from({ length: 101 }, (_, i) => globalId('MeetingMigration', i + 1)) },
      'InvalidValueError',
      'migrationIds: at most 100 ids, not 101',
    ],
    [
      'an unknown id',
      { migrationIds: [unknownId('MeetingMigration')] },
      'NotFoundError',
      'MeetingMigration not found',
    ],
    ['a malformed id', { migrationIds: ['garbage'] }, 'NotFoundError', 'MeetingMigration not found'],
    [
      'an id of another type',
      { migrationIds: [globalId('Tenant', 1)] },
      'NotFoundError',
      'MeetingMigration not found',
    ],
  ];
  for (const [what, input, typename, message] of cases) {
    test(what, async () => {
      const before = await tenantSnapshot(server, token);
      for (const name of ['retryMeetingMigrations', 'cancelMeetingMigrations']) {
        const result = await runMutation(server, token, name, input);
        expect(result.__typename).toBe(typename);
        expect(result.message).toMatch(message);
      }
      expect(await tenantSnapshot(server, token)).toEqual(before);
    });
  }

  test('a known id with an unknown one changes nothing', async () => {
    const result = await runMutation(server, token, 'retryMeetingMigrations', {
      migrationIds: [migrationIds.crowded, unknownId('MeetingMigration')],
    });
    expect(result).toMatchObject({ __typename: 'NotFoundError', field: 'migrationIds' });
    expect(await stateOf(migrationIds.crowded)).toBe('FAILED');
  });

  test('another tenant’s operator cannot touch this tenant’s migrations, by id, by tenant or by reason', async () => {
    const before = await tenantSnapshot(server, token);
    const byIds = await runMutation(server, otherToken, 'retryMeetingMigrations', {
      migrationIds: [migrationIds.crowded],
    });
    expect(byIds).toMatchObject({ __typename: 'NotFoundError', field: 'migrationIds' });
    const byTenant = await runMutation(server, otherToken, 'retryMeetingMigrations', {
      tenantId,
      failureReason: CROWDED,
    });
    expect(byTenant).toMatchObject({ __typename: 'NotFoundError', field: 'tenantId' });
    const byReason = await mutate(
      server,
      otherToken,
      'retryMeetingMigrations',
      { failureReason: CROWDED },
      BULK,
    );
    expect(byReason).toMatchObject({ migrations: 0, skipped: 0 });
    expect(await tenantSnapshot(server, token)).toEqual(before);
  });

  test('the service admin names the tenant', async () => {
    const without = await runMutation(server, server.adminToken, 'retryMeetingMigrations', {
      failureReason: CROWDED,
      dryRun: true,
    });
    expect(without).toMatchObject({ __typename: 'InvalidValueError', field: 'tenantId' });
    const named = await mutate(
      server,
      server.adminToken,
      'retryMeetingMigrations',
      { tenantId, failureReason: CROWDED, dryRun: true },
      BULK,
    );
    expect(named).toMatchObject({ migrations: 1, meetings: 1 });
  });
});

test('a group larger than one transaction is retried whole, in steps, listed up to 100 and every one by id', async () => {
  const { token: bigToken } = await createTenantWithOperator(server, 'northwind.com');
  const started: string[] = [];
  for (let i = 0; i < 150; i++) {
    const user = await createUser(server, bigToken, {
      userPrincipalName: `u${i}@northwind.com`,
      mailboxLocation: 'EXCHANGE_ON_PREMISES',
    });
    started.push((await startMeetingMigration(server, bigToken, user)).migrationId);
  }
  const groups = () => groupsOf(bigToken);
  for (let start = Date.now(); (await groups())[0]?.failedMigrations !== 150; ) {
    if (Date.now() - start > 20_000) throw new Error(`not all failed: ${JSON.stringify(await groups())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await server.app.engine?.stop();
  try {
    const retried = await mutate(
      server,
      bigToken,
      'retryMeetingMigrations',
      { failureReason: INELIGIBLE },
      BULK,
    );
    expect(retried).toMatchObject({ migrations: 150, skipped: 0 });
    expect(retried.meetingMigrations).toHaveLength(100);
    // Every one of them by id and state, to be followed live.
    const changed = retried.changedMeetingMigrations as { id: string; state: string }[];
    expect(changed.map((m) => m.id).sort()).toEqual([...started].sort());
    expect(new Set(changed.map((m) => m.state))).toEqual(new Set(['PENDING']));
    expect(changed.slice(0, 100)).toEqual(retried.meetingMigrations);
    const { meetingMigrationSummary } = await server.gql(bigToken, SUMMARY);
    expect(meetingMigrationSummary).toMatchObject({ pending: 150, failed: 0 });
    expect(await groups()).toEqual([]);
  } finally {
    server.app.engine?.start();
  }
}, 60_000);

describe('the failure groups connection', () => {
  test('pages past a reason longer than a cursor can carry, largest group first', async () => {
    const long = `gave up after 2 retries: ${'a detailed driver error. '.repeat(200)}`;
    const group = (reason: string, failedMigrations: number, retryingMigrations = 0) => ({
      reason,
      failedMigrations,
      retryingMigrations,
      meetings: 0,
    });
    const groups = [group('b', 1), group(long, 3), group('a', 1, 1), group('c', 1)];
    const pageAfter = (after: string | null) =>
      loadedConnection({ first: 1, after }, Promise.resolve(groups), LARGEST_GROUP_FIRST);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await pageAfter(after);
      const edge = page.edges[0];
      if (!edge) break;
      seen.push(edge.node.reason);
      // Within what a cursor argument may be (input-limits.ts), whatever the reason's length.
      expect(edge.cursor.length).toBeLessThan(2048);
      if (!page.pageInfo.hasNextPage) break;
      after = edge.cursor;
    }
    expect(seen.slice(0, 2)).toEqual([long, 'a']);
    expect(seen.slice(2).sort()).toEqual(['b', 'c']);
  });
});
