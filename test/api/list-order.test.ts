/**
 * meetingMigrations and a tenant's users over HTTP: totalCount with filters, every order both ways paged
 * forward and back in small pages against the whole list sorted here, cursors of one order refused by
 * another, and hostile orders and cursors.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATION_ORDER_FIELDS } from '../../server/storage/migrations-store.ts';
import { USER_ORDER_FIELDS } from '../../server/storage/users.ts';
import { createTenantWithOperator, createUser, parseGlobalId } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let clock = new Date('2026-05-01T08:00:00.000Z');
let token: string;
let otherToken: string;
const userIds: string[] = [];

const MIGRATIONS = `query($first: Int, $last: Int, $after: String, $before: String, $orderBy: MeetingMigrationOrder,
    $states: [MeetingMigrationState!], $userSearch: String, $userId: ID, $from: DateTime, $to: DateTime) {
  meetingMigrations(first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy,
      states: $states, userSearch: $userSearch, userId: $userId, from: $from, to: $to) {
    totalCount
    edges { cursor node { id state migrationType modifiedAt totalMeetings failedMeetings user { userPrincipalName } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const USERS = `query($first: Int, $last: Int, $after: String, $before: String, $orderBy: UserOrder, $search: String) {
  tenant { users(first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy, search: $search) {
    totalCount
    edges { cursor node { id userPrincipalName displayName skypeHosting teamsUpgradeMode mailboxLocation
      audioConferencing { provider } latestMeetingMigration { state createdAt } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }
}`;

type Node = Record<string, any> & { id: string };
interface Page {
  totalCount: number;
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
}

async function migrationsPage(variables: Record<string, unknown>, as = token): Promise<Page> {
  return (await server.gql(as, MIGRATIONS, variables)).meetingMigrations;
}
async function usersPage(variables: Record<string, unknown>): Promise<Page> {
  return (await server.gql(token, USERS, variables)).tenant.users;
}

/** Each order's sort value of a node, as the API shows it. */
const MIGRATION_VALUES: Record<(typeof MIGRATION_ORDER_FIELDS)[number], (node: Node) => string | number> = {
  CREATED_AT: (node) => parseGlobalId(node.id).id,
  MODIFIED_AT: (node) => node.modifiedAt,
  STATE: (node) => node.state,
  USER: (node) => node.user.userPrincipalName,
  TOTAL_MEETINGS: (node) => node.totalMeetings,
  FAILED_MEETINGS: (node) => node.failedMeetings,
  TYPE: (node) => node.migrationType,
};
const USER_VALUES: Record<(typeof USER_ORDER_FIELDS)[number], (node: Node) => string | number> = {
  USER_PRINCIPAL_NAME: (node) => node.userPrincipalName,
  DISPLAY_NAME: (node) => node.displayName,
  LATEST_MIGRATION_STATE: (node) => node.latestMeetingMigration?.state ?? '',
  LATEST_MIGRATION_CREATED_AT: (node) => node.latestMeetingMigration?.createdAt ?? '',
  SKYPE_HOSTING: (node) => node.skypeHosting,
  TEAMS_UPGRADE_MODE: (node) => node.teamsUpgradeMode,
  AUDIO_CONFERENCING_PROVIDER: (node) => node.audioConferencing.provider,
  MAILBOX_LOCATION: (node) => node.mailboxLocation,
};

/** The nodes sorted by the value, ties by id, both reversed for DESC (every test value is ASCII). */
function sortedHere(nodes: Node[], value: (node: Node) => string | number, direction: 'ASC' | 'DESC') {
  const sign = direction === 'ASC' ? 1 : -1;
  return [...nodes]
    .sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      const byValue = x < y ? -1 : x > y ? 1 : 0;
      return sign * (byValue || parseGlobalId(a.id).id - parseGlobalId(b.id).id);
    })
    .map((node) => node.id);
}

/** Every id of the list, page by page from the start (`first`/`after`) or from the end (`last`/`before`). */
async function paged(
  read: (variables: Record<string, unknown>) => Promise<Page>,
  size: number,
  from: 'start' | 'end',
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await read(
      from === 'start' ? { first: size, after: cursor } : { last: size, before: cursor },
    );
    const pageIds = page.edges.map((edge) => edge.node.id);
    if (from === 'start') ids.push(...pageIds);
    else ids.unshift(...pageIds);
    const more = from === 'start' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return ids;
    cursor = from === 'start' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
  }
}

const HOSTINGS = ['ONLINE', 'ON_PREMISES'] as const;
const MODES = ['ISLANDS', 'TEAMS_ONLY', 'SFB_WITH_TEAMS_COLLAB'] as const;
const MAILBOXES = ['EXCHANGE_ONLINE', 'EXCHANGE_ON_PREMISES'] as const;
const PROVIDERS = ['NONE', 'MICROSOFT', 'THIRD_PARTY'];
const STATES = ['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const SOURCES = ['ALL', 'SKYPE_FOR_BUSINESS', 'TEAMS'];
const TARGETS = ['CURRENT', 'TEAMS'];
const USER_COUNT = 13;
const MIGRATION_COUNT = 31;

beforeAll(async () => {
  server = await startServer({ now: () => clock });
  ({ token } = await createTenantWithOperator(server, 'fabrikam.com', 'Fabrikam'));
  ({ token: otherToken } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  await createUser(server, otherToken, { userPrincipalName: 'zed@contoso.com' });
  // Names repeat (ties) and do not follow the principal names.
  for (let i = 0; i < USER_COUNT; i++) {
    userIds.push(
      await createUser(server, token, {
        userPrincipalName: `user${String((i * 7) % USER_COUNT).padStart(2, '0')}@fabrikam.com`,
        displayName: ['Kim', 'Ann', 'Bo', 'Ann'][i % 4],
        skypeHosting: HOSTINGS[i % 2],
        teamsUpgradeMode: MODES[i % 3],
        mailboxLocation: MAILBOXES[(i >> 1) % 2],
      }),
    );
  }
  const { db } = server.app.database;
  for (const [index, id] of userIds.entries()) {
    await sql`update users set provider = ${PROVIDERS[index % 3]} where id = ${parseGlobalId(id).id}`.execute(
      db,
    );
  }
  // Migrations of all but the last two users (who have none), with values that repeat in every column.
  const { migrations } = server.app.services.store;
  const tenantId = parseGlobalId((await server.gql(token, '{ tenant { id } }')).tenant.id).id;
  for (let i = 0; i < MIGRATION_COUNT; i++) {
    clock = new Date(Date.parse('2026-05-01T09:00:00.000Z') + i * 60_000);
    const made = await migrations.insert(
      {
        correlationId: `c-${i}`,
        tenantId,
        userId: parseGlobalId(userIds[i % (USER_COUNT - 2)] ?? '').id,
        sourceMeetingType: SOURCES[i % 3] as 'ALL',
        targetMeetingType: TARGETS[(i >> 1) % 2] as 'TEAMS',
        notBefore: clock,
      },
      clock,
    );
    await sql`update meeting_migrations set state = ${STATES[(i * 3) % 5]}, total_meetings = ${(i * 5) % 7},
      failed_meetings = ${i % 3}, modified_at = ${new Date(Date.parse('2026-05-02T00:00:00.000Z') + (i % 6) * 1000).toISOString()}
      where id = ${made.id}`.execute(db);
  }
});
afterAll(() => server.stop());

describe('totalCount', () => {
  test('counts every migration the filters match, whatever the page', async () => {
    const all = await migrationsPage({ first: 500 });
    expect(all.totalCount).toBe(MIGRATION_COUNT);
    expect(all.edges).toHaveLength(MIGRATION_COUNT);
    const small = await migrationsPage({ first: 2 });
    expect(small.totalCount).toBe(MIGRATION_COUNT);
    const later = await migrationsPage({ first: 2, after: small.pageInfo.endCursor });
    expect(later.totalCount).toBe(MIGRATION_COUNT);

    const filters: Record<string, unknown>[] = [
      { states: ['FAILED', 'PENDING'] },
      { userSearch: 'user03' },
      { userId: userIds[1] },
      { from: '2026-05-01T09:05:00.000Z', to: '2026-05-01T09:20:00.000Z' },
      { states: ['SUCCEEDED'], from: '2026-05-01T09:10:00.000Z' },
      { userSearch: 'nobody' },
    ];
    for (const filter of filters) {
      const page = await migrationsPage({ ...filter, first: 500 });
      expect(page.totalCount, JSON.stringify(filter)).toBe(page.edges.length);
      expect((await migrationsPage({ ...filter, first: 1 })).totalCount).toBe(page.edges.length);
    }
    expect((await migrationsPage({ states: ['FAILED', 'PENDING'], first: 1 })).totalCount).toBeGreaterThan(1);
  });

  test('counts every user the search matches, and only the tenant’s own', async () => {
    expect((await usersPage({ first: 1 })).totalCount).toBe(USER_COUNT);
    expect((await usersPage({ first: 1, search: 'ANN' })).totalCount).toBe(
      (await usersPage({ first: 500, search: 'ann' })).edges.length,
    );
    expect((await usersPage({ first: 1, search: 'zed' })).totalCount).toBe(0);
    expect((await migrationsPage({ first: 1 }, otherToken)).totalCount).toBe(0);
  });

  test('is counted in the database only when asked for', async () => {
    const counting = (statement: string) => /count\(\*\)/i.test(statement);
    let from = server.queries.length;
    await server.gql(token, '{ meetingMigrations(first: 3) { edges { node { id } } } }');
    await server.gql(token, '{ tenant { users(first: 3) { edges { node { id } } } } }');
    expect(server.queries.slice(from).filter(counting)).toEqual([]);
    from = server.queries.length;
    await server.gql(token, '{ meetingMigrations(first: 3) { totalCount } }');
    await server.gql(token, '{ tenant { users(first: 3) { totalCount } } }');
    expect(server.queries.slice(from).filter(counting)).toHaveLength(2);
  });
});

describe('orderBy', () => {
  test('without orderBy, or with null, migrations are newest first and users by principal name', async () => {
    const nodes = (await migrationsPage({ first: 500 })).edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id)).toEqual(sortedHere(nodes, MIGRATION_VALUES.CREATED_AT, 'DESC'));
    expect((await migrationsPage({ first: 500, orderBy: null })).edges.map((edge) => edge.node.id)).toEqual(
      nodes.map((node) => node.id),
    );
    const users = (await usersPage({ first: 500, orderBy: null })).edges.map((edge) => edge.node);
    expect(users.map((node) => node.id)).toEqual(sortedHere(users, USER_VALUES.USER_PRINCIPAL_NAME, 'ASC'));
  });

  test.each(
    MIGRATION_ORDER_FIELDS.flatMap((field) =>
      (['ASC', 'DESC'] as const).map((direction) => [field, direction] as const),
    ),
  )('meetingMigrations by %s %s, paged forward and back by 4', async (field, direction) => {
    const orderBy = { field, direction };
    const everyMigration = (await migrationsPage({ first: 500 })).edges.map((edge) => edge.node);
    const expected = sortedHere(everyMigration, MIGRATION_VALUES[field], direction);
    const whole = await migrationsPage({ first: 500, orderBy });
    expect(whole.edges.map((edge) => edge.node.id)).toEqual(expected);
    const read = (page: Record<string, unknown>) => migrationsPage({ ...page, orderBy });
    expect(await paged(read, 4, 'start')).toEqual(expected);
    expect(await paged(read, 4, 'end')).toEqual(expected);
    // With a filter, the same order over fewer rows.
    const failed = await migrationsPage({ first: 500, orderBy, states: ['FAILED', 'SUCCEEDED'] });
    expect(failed.edges.map((edge) => edge.node.id)).toEqual(
      expected.filter((id) => failed.edges.some((edge) => edge.node.id === id)),
    );
    expect(failed.totalCount).toBe(failed.edges.length);
  });

  test.each(
    USER_ORDER_FIELDS.flatMap((field) =>
      (['ASC', 'DESC'] as const).map((direction) => [field, direction] as const),
    ),
  )('users by %s %s, paged forward and back by 3', async (field, direction) => {
    const orderBy = { field, direction };
    const everyUser = (await usersPage({ first: 500 })).edges.map((edge) => edge.node);
    const expected = sortedHere(everyUser, USER_VALUES[field], direction);
    expect((await usersPage({ first: 500, orderBy })).edges.map((edge) => edge.node.id)).toEqual(expected);
    const read = (page: Record<string, unknown>) => usersPage({ ...page, orderBy });
    expect(await paged(read, 3, 'start')).toEqual(expected);
    expect(await paged(read, 3, 'end')).toEqual(expected);
  });
});

describe('cursors and hostile orders', () => {
  const errorOf = async (query: string, variables: Record<string, unknown>) => {
    const result = await server.request(token, query, variables);
    expect(result.data?.meetingMigrations ?? result.data?.tenant?.users ?? null).toBeNull();
    return result.errors?.[0];
  };
  /** A cursor as the server writes them for a list with orders: base64url of [sort key, id, order]. */
  const cursor = (...position: unknown[]) => Buffer.from(JSON.stringify(position)).toString('base64url');

  test('a cursor of one order is refused by another, naming the argument', async () => {
    const byState = await migrationsPage({ first: 2, orderBy: { field: 'STATE', direction: 'ASC' } });
    const newest = await migrationsPage({ first: 2 });
    const mismatches: [Record<string, unknown>, string][] = [
      [{ orderBy: { field: 'STATE', direction: 'DESC' } }, byState.pageInfo.endCursor],
      [{}, byState.pageInfo.endCursor],
      [{ orderBy: { field: 'STATE', direction: 'ASC' } }, newest.pageInfo.endCursor],
      [{ orderBy: { field: 'TOTAL_MEETINGS', direction: 'ASC' } }, newest.pageInfo.endCursor],
    ];
    for (const [order, after] of mismatches) {
      for (const argument of ['after', 'before'] as const) {
        const error = await errorOf(MIGRATIONS, { ...order, first: 2, [argument]: after });
        expect(error?.message).toMatch(/another order/);
        expect(error?.extensions).toEqual({ code: 'INVALID_VALUE', field: argument });
      }
    }
    const users = await usersPage({ first: 2, orderBy: { field: 'DISPLAY_NAME', direction: 'ASC' } });
    const error = await errorOf(USERS, { first: 2, after: users.pageInfo.endCursor });
    expect(error?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'after' });
    // One list's cursor in the other: the order names differ.
    const crossed = await errorOf(MIGRATIONS, {
      first: 2,
      after: (await usersPage({ first: 1 })).pageInfo.endCursor,
    });
    expect(crossed?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'after' });
  });

  test.each([
    [
      'a text key for a count order',
      { field: 'TOTAL_MEETINGS', direction: 'ASC' },
      cursor('3', 1, 'TOTAL_MEETINGS ASC'),
    ],
    ['a number key for a text order', { field: 'USER', direction: 'ASC' }, cursor(3, 1, 'USER ASC')],
    ['a NUL in a text key', { field: 'USER', direction: 'ASC' }, cursor('a\u0000', 1, 'USER ASC')],
    [
      'a lone surrogate in a text key',
      { field: 'TYPE', direction: 'DESC' },
      cursor('\ud800', 1, 'TYPE DESC'),
    ],
    [
      'an instant not written as the list writes it',
      { field: 'MODIFIED_AT', direction: 'ASC' },
      cursor('2026-05-02', 1, 'MODIFIED_AT ASC'),
    ],
    [
      'an id beyond 32 bits',
      { field: 'CREATED_AT', direction: 'DESC' },
      cursor(1, 2 ** 31, 'CREATED_AT DESC'),
    ],
    [
      'an order name that is an object',
      { field: 'STATE', direction: 'ASC' },
      cursor('FAILED', 1, { field: 'STATE' }),
    ],
    ['the default order’s cursor without its name', null, cursor(5, 5)],
    ['one element too many', { field: 'STATE', direction: 'ASC' }, cursor('FAILED', 1, 'STATE ASC', 'x')],
  ])('a forged cursor with %s is refused as not a cursor of this list', async (_what, orderBy, forged) => {
    const error = await errorOf(MIGRATIONS, { first: 2, orderBy, after: forged });
    expect(error?.message).toMatch(/not a cursor of this list/);
    expect(error?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'after' });
  });

  test('a forged cursor of the right shape reads from its position, never another list’s rows', async () => {
    const orderBy = { field: 'USER', direction: 'ASC' };
    const page = await migrationsPage({
      first: 500,
      orderBy,
      after: cursor("user05@fabrikam.com'); --", 0, 'USER ASC'),
    });
    expect(page.edges.length).toBeGreaterThan(0);
    expect(page.edges.every((edge) => edge.node.user.userPrincipalName > 'user05@fabrikam.com')).toBe(true);
    expect((await migrationsPage({ first: 500, orderBy, after: cursor('~', 0, 'USER ASC') })).edges).toEqual(
      [],
    );
  });

  test.each([
    ['an unknown field', { field: 'PASSWORD', direction: 'ASC' }],
    ['a field of the other list', { field: 'DISPLAY_NAME', direction: 'ASC' }],
    ['a direction in lower case', { field: 'STATE', direction: 'asc' }],
    ['no direction', { field: 'STATE' }],
    ['a field that is SQL', { field: 'id; drop table users', direction: 'ASC' }],
    ['a string for the order', 'STATE ASC'],
    ['an extra member', { field: 'STATE', direction: 'ASC', raw: 'id' }],
  ])('orderBy with %s is refused before anything is read', async (_what, orderBy) => {
    const from = server.queries.length;
    const result = await server.request(token, MIGRATIONS, { first: 2, orderBy });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/orderBy|MeetingMigrationOrder/);
    expect(server.queries.slice(from).filter((statement) => /meeting_migrations/.test(statement))).toEqual(
      [],
    );
    expect(server.loggedErrors).toEqual([]);
  });
});
