/**
 * SPEC §7: an operator token sees one tenant. To it, an object of another tenant behaves exactly as one that
 * does not exist — in node lookups, root fields, list filters and every mutation that names an object.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  addBridge,
  createTenantWithOperator,
  createUser,
  mutate,
  rowCounts,
  runMutation,
  scheduleMeeting,
  startMeetingMigration,
  tenantSnapshot,
  unknownId,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

interface World {
  domain: string;
  tenantId: string;
  token: string;
  /** Licensed, ONLINE, with a PENDING migration from the license. */
  aliceId: string;
  /** ON_PREMISES, unlicensed, with a CANCELLED (so retryable) migration. */
  bobId: string;
  bridgeId: string;
  /** The bridge's numbers (toll, toll-free) and their IDs. */
  numbers: [string, string];
  numberIds: string[];
  meetingId: string;
  /** Alice's PENDING migration. */
  pendingMigrationId: string;
  /** Bob's CANCELLED migration. */
  cancelledMigrationId: string;
  triggerEvaluationId: string;
}

let server: TestServer;
let A: World;
let B: World;

async function makeWorld(domain: string, numbers: [string, string]): Promise<World> {
  const { tenantId, token } = await createTenantWithOperator(server, domain);
  const { bridgeId, numberIds } = await addBridge(server, token, {
    name: 'Main',
    numbers: [{ number: numbers[0] }, { number: numbers[1], tollFree: true }],
  });
  const aliceId = await createUser(server, token, { userPrincipalName: `alice@${domain}`, licensed: true });
  const bobId = await createUser(server, token, {
    userPrincipalName: `bob@${domain}`,
    skypeHosting: 'ON_PREMISES',
  });
  const meetingId = await scheduleMeeting(server, token, aliceId, { subject: `Planning at ${domain}` });
  const pending = await startMeetingMigration(server, token, aliceId);
  const cancelled = await startMeetingMigration(server, token, bobId);
  await mutate(server, token, 'cancelMeetingMigration', { migrationId: cancelled.migrationId }, '__typename');
  return {
    domain,
    tenantId,
    token,
    aliceId,
    bobId,
    bridgeId,
    numbers,
    numberIds,
    meetingId,
    pendingMigrationId: pending.migrationId,
    cancelledMigrationId: cancelled.migrationId,
    triggerEvaluationId: pending.triggerEvaluationId,
  };
}

/** Every `id` value anywhere in a response. */
function idsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) idsIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id' && typeof item === 'string') into.add(item);
      else idsIn(item, into);
    }
  }
  return into;
}

function nodeIdsOf(world: World): Record<string, string> {
  return {
    Tenant: world.tenantId,
    User: world.aliceId,
    Bridge: world.bridgeId,
    BridgeNumber: world.numberIds[0] as string,
    Meeting: world.meetingId,
    MeetingMigration: world.pendingMigrationId,
    TriggerEvaluation: world.triggerEvaluationId,
  };
}

const NODE = `query($id: ID!) { node(id: $id) {
  __typename id
  ... on Tenant { name primaryDomain }
  ... on User { userPrincipalName }
  ... on Bridge { name }
  ... on BridgeNumber { number }
  ... on Meeting { subject }
  ... on MeetingMigration { state }
  ... on TriggerEvaluation { kind }
} }`;

const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

beforeAll(async () => {
  server = await startServer();
  A = await makeWorld('contoso.com', ['+14255550100', '+18005550100']);
  B = await makeWorld('fabrikam.com', ['+442071234567', '+448001234567']);
});
afterAll(() => server.stop());

describe('node and nodes', () => {
  const TYPES = [
    'Tenant',
    'User',
    'Bridge',
    'BridgeNumber',
    'Meeting',
    'MeetingMigration',
    'TriggerEvaluation',
  ] as const;

  test('each of B’s objects is a node to B’s own token (so the checks below can fail)', async () => {
    for (const [type, id] of Object.entries(nodeIdsOf(B))) {
      const { node } = await server.gql(B.token, NODE, { id });
      expect(node, type).toMatchObject({ __typename: type, id });
    }
  });

  test.each(TYPES)(
    'node(id) of B’s %s is null for A, exactly as for an unknown ID of that type',
    async (type) => {
      const id = nodeIdsOf(B)[type];
      const ofB = await server.request(A.token, NODE, { id });
      const unknown = await server.request(A.token, NODE, { id: unknownId(type) });
      expect(ofB).toEqual({ status: 200, data: { node: null } });
      expect(ofB).toEqual(unknown);
      // A's own object of the same type does resolve.
      const own = await server.gql(A.token, NODE, { id: nodeIdsOf(A)[type] });
      expect(own.node).toMatchObject({ __typename: type });
    },
  );

  test('nodes(ids) gives null in the place of each of B’s objects, exactly as for unknown IDs', async () => {
    const ofB = TYPES.map((type) => nodeIdsOf(B)[type]);
    const unknown = TYPES.map((type) => unknownId(type));
    const ownUser = A.aliceId;
    const withB = await server.request(A.token, NODES, { ids: [...ofB, ownUser] });
    const withUnknown = await server.request(A.token, NODES, { ids: [...unknown, ownUser] });
    expect(withB.errors).toBeUndefined();
    expect(withB.data?.nodes).toEqual([...TYPES.map(() => null), { __typename: 'User', id: ownUser }]);
    expect(withB).toEqual(withUnknown);
  });
});

describe('root fields', () => {
  test('viewer is A’s tenant, and nothing reachable from it belongs to B', async () => {
    const snapshot = await tenantSnapshot(server, A.token);
    expect(snapshot.viewer).toMatchObject({ kind: 'OPERATOR', tenant: { id: A.tenantId } });
    const seen = idsIn(snapshot);
    // The snapshot does reach A's objects of every type…
    for (const id of Object.values(nodeIdsOf(A))) expect(seen).toContain(id);
    // …and none of B's.
    const bIds = idsIn(await tenantSnapshot(server, B.token));
    expect([...seen].filter((id) => bIds.has(id))).toEqual([]);
    expect(JSON.stringify(snapshot)).not.toContain('fabrikam');
  });

  test('tenant(id:) of B is null, exactly as for an unknown tenant; without id it is A’s', async () => {
    const QUERY = `query($id: ID) { tenant(id: $id) { id name } }`;
    const ofB = await server.request(A.token, QUERY, { id: B.tenantId });
    expect(ofB).toEqual({ status: 200, data: { tenant: null } });
    expect(ofB).toEqual(await server.request(A.token, QUERY, { id: unknownId('Tenant') }));
    expect((await server.gql(A.token, QUERY, {})).tenant).toEqual({ id: A.tenantId, name: 'contoso.com' });
    expect((await server.gql(B.token, QUERY, { id: B.tenantId })).tenant).toMatchObject({ id: B.tenantId });
  });

  test('tenants is forbidden to an operator: an error and no data', async () => {
    const result = await server.request(A.token, '{ tenants { edges { node { id name } } } }');
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result)).not.toContain('fabrikam');
  });

  test('meetingMigrations names none of B’s: B’s tenant or user reads as unknown ones', async () => {
    const QUERY = `query($t: ID, $u: ID) { meetingMigrations(tenantId: $t, userId: $u) {
      edges { node { id user { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } }`;
    const ownIds = (await server.gql(A.token, QUERY, {})).meetingMigrations.edges.map((e: any) => e.node.id);
    expect(ownIds.sort()).toEqual([A.pendingMigrationId, A.cancelledMigrationId].sort());
    const bSees = await server.gql(B.token, QUERY, { u: B.aliceId });
    expect(bSees.meetingMigrations.edges).toHaveLength(1);

    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ t: B.tenantId }, { t: unknownId('Tenant') }],
      [{ u: B.aliceId }, { u: unknownId('User') }],
      [
        { t: B.tenantId, u: B.aliceId },
        { t: unknownId('Tenant'), u: unknownId('User') },
      ],
    ];
    for (const [ofB, unknown] of cases) {
      const result = await server.request(A.token, QUERY, ofB);
      expect(result.data?.meetingMigrations.edges, JSON.stringify(ofB)).toEqual([]);
      expect(result).toEqual(await server.request(A.token, QUERY, unknown));
    }
  });

  test('meetingMigrationSummary of B’s tenant counts nothing, exactly as for an unknown tenant', async () => {
    const QUERY = `query($t: ID) { meetingMigrationSummary(tenantId: $t) { pending inProgress succeeded failed cancelled } }`;
    const ownOfB = await server.gql(B.token, QUERY, {});
    expect(ownOfB.meetingMigrationSummary).toMatchObject({ pending: 1, cancelled: 1 });
    const ofB = await server.request(A.token, QUERY, { t: B.tenantId });
    expect(ofB.data?.meetingMigrationSummary).toEqual({
      pending: 0,
      inProgress: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(ofB).toEqual(await server.request(A.token, QUERY, { t: unknownId('Tenant') }));
  });

  test('A’s meetings and trigger evaluations filtered by B’s user read as filtered by an unknown one', async () => {
    const QUERY = `query($u: ID) { viewer { tenant {
      meetings(organizerId: $u, timing: ALL) { edges { node { id } } }
      triggerEvaluations(userId: $u) { edges { node { id } } }
    } } }`;
    const ofB = await server.request(A.token, QUERY, { u: B.aliceId });
    expect(ofB.data?.viewer.tenant).toEqual({ meetings: { edges: [] }, triggerEvaluations: { edges: [] } });
    expect(ofB).toEqual(await server.request(A.token, QUERY, { u: unknownId('User') }));
    const own = await server.gql(A.token, QUERY, { u: A.aliceId });
    expect(own.viewer.tenant.meetings.edges).toEqual([{ node: { id: A.meetingId } }]);
  });
});

describe('mutations naming one of B’s objects', () => {
  /** [mutation, the input naming B's object, the same input naming an unknown one, the field]. */
  type Case = [string, () => Record<string, unknown>, () => Record<string, unknown>, string];
  const user = (
    name: string,
    rest: Record<string, unknown> = {},
    who: () => string = () => B.aliceId,
  ): Case => [
    name,
    () => ({ ...rest, userId: who() }),
    () => ({ ...rest, userId: unknownId('User') }),
    'userId',
  ];
  const tenant = (name: string, rest: Record<string, unknown>): Case => [
    name,
    () => ({ ...rest, tenantId: B.tenantId }),
    () => ({ ...rest, tenantId: unknownId('Tenant') }),
    'tenantId',
  ];
  const newNumber = { number: '+14255550199', city: 'Seattle', country: 'US', language: 'en-US' };
  const meeting = {
    subject: 'Hijack',
    startsAt: '2030-05-01T10:00:00.000Z',
    endsAt: '2030-05-01T11:00:00.000Z',
    timeZone: 'Europe/London',
    attendees: [{ email: 'eve@example.com' }],
  };

  const CASES: Case[] = [
    user('moveUser', { target: 'ON_PREMISES' }),
    user('moveUser', { target: 'ONLINE', moveToTeams: true }, () => B.bobId),
    user('grantTeamsUpgradePolicy', { mode: 'TEAMS_ONLY' }),
    user('assignAudioConferencingLicense', {}, () => B.bobId),
    user('removeAudioConferencingLicense'),
    user('setAudioConferencingProvider', { provider: 'NONE' }),
    user('setDialInConferencing', { enabled: false }),
    user('setConferenceId', { conferenceId: '12345678' }),
    user('resetConferenceId'),
    [
      'moveUserToBridge',
      () => ({ userId: B.aliceId, bridgeId: A.bridgeId }),
      () => ({ userId: unknownId('User'), bridgeId: A.bridgeId }),
      'userId',
    ],
    [
      'moveUserToBridge',
      () => ({ userId: A.aliceId, bridgeId: B.bridgeId }),
      () => ({ userId: A.aliceId, bridgeId: unknownId('Bridge') }),
      'bridgeId',
    ],
    user('setUserSipAddress', { sipAddress: 'sip:eve@example.com' }),
    user('setMailboxLocation', { mailboxLocation: 'EXCHANGE_ON_PREMISES' }),
    user('startMeetingMigration', { sourceMeetingType: 'ALL', targetMeetingType: 'TEAMS' }, () => B.bobId),
    [
      'addBridgeNumber',
      () => ({ ...newNumber, bridgeId: B.bridgeId }),
      () => ({ ...newNumber, bridgeId: unknownId('Bridge') }),
      'bridgeId',
    ],
    [
      'unassignBridgeNumber',
      () => ({ bridgeNumberId: B.numberIds[0] }),
      () => ({ bridgeNumberId: unknownId('BridgeNumber') }),
      'bridgeNumberId',
    ],
    [
      'retryMeetingMigration',
      () => ({ migrationId: B.cancelledMigrationId }),
      () => ({ migrationId: unknownId('MeetingMigration') }),
      'migrationId',
    ],
    [
      'cancelMeetingMigration',
      () => ({ migrationId: B.pendingMigrationId }),
      () => ({ migrationId: unknownId('MeetingMigration') }),
      'migrationId',
    ],
    [
      'scheduleMeeting',
      () => ({ ...meeting, organizerId: B.aliceId }),
      () => ({ ...meeting, organizerId: unknownId('User') }),
      'organizerId',
    ],
    tenant('createUser', { userPrincipalName: 'eve@fabrikam.com', displayName: 'Eve' }),
    tenant('createBridge', { name: 'Rogue' }),
    tenant('setTenantMigrationConfiguration', { meetingMigrationEnabled: false }),
    tenant('setDialInConferencingTenantSettings', { pinLength: 9, automaticallyReplaceAcpProvider: true }),
    tenant('updateTenantMeetingUrl', { meetingUrl: 'https://meet.evil.example' }),
    tenant('grantTenantTeamsUpgradePolicy', { mode: 'TEAMS_ONLY' }),
  ];

  test.each(CASES)(
    '%s: NotFoundError, as for an unknown ID, and B is unchanged',
    async (name, ofB, unknown, field) => {
      const bBefore = await tenantSnapshot(server, B.token);
      const rowsBefore = await rowCounts(server);
      const result = await runMutation(server, A.token, name, ofB());
      expect(result).toEqual({
        __typename: 'NotFoundError',
        field,
        message: expect.stringMatching(/not found/),
      });
      expect(result).toEqual(await runMutation(server, A.token, name, unknown()));
      expect(await tenantSnapshot(server, B.token)).toEqual(bBefore);
      expect(await rowCounts(server)).toEqual(rowsBefore);
    },
  );

  test('the same inputs naming B’s own objects do work with B’s token (so the cases above can fail)', async () => {
    const before = await tenantSnapshot(server, B.token);
    const result = await runMutation(server, B.token, 'setConferenceId', {
      userId: B.aliceId,
      conferenceId: '12345678',
    });
    expect(result.__typename).toBe('SetConferenceIdPayload');
    expect(await tenantSnapshot(server, B.token)).not.toEqual(before);
  });

  test('uniqueness is per tenant: A may reuse B’s phone number and meeting UID without learning of them', async () => {
    const scheduled = await mutate(
      server,
      B.token,
      'scheduleMeeting',
      { ...meeting, organizerId: B.aliceId },
      'meeting { uid }',
    );
    // A UPN lies in its tenant's domain, so A cannot reuse B's; the refusal names only A's own domain.
    const upn = await runMutation(server, A.token, 'createUser', {
      userPrincipalName: `alice@${B.domain}`,
      displayName: 'Another Alice',
    });
    expect(upn).toMatchObject({ __typename: 'InvalidValueError', field: 'userPrincipalName' });
    expect(upn.message).toMatch(new RegExp(`not in the tenant's domain ${A.domain.replace('.', '\\.')}`));
    expect(upn.message).not.toMatch(/exists/);
    const number = await runMutation(server, A.token, 'addBridgeNumber', {
      ...newNumber,
      number: B.numbers[0],
      bridgeId: A.bridgeId,
    });
    expect(number.__typename).toBe('AddBridgeNumberPayload');
    const uid = await runMutation(server, A.token, 'scheduleMeeting', {
      ...meeting,
      organizerId: A.aliceId,
      uid: scheduled.meeting.uid,
    });
    expect(uid.__typename).toBe('ScheduleMeetingPayload');
  });
});

describe('operators and the service admin', () => {
  test('an operator may not create tenants or tokens, not even for its own tenant', async () => {
    const rowsBefore = await rowCounts(server);
    const attempts = [
      [
        `mutation { createTenant(input: { name: "Evil", primaryDomain: "evil.example" }) { __typename } }`,
        {},
      ],
      [
        `mutation($t: ID!) { createOperatorToken(input: { tenantId: $t, name: "mine" }) { __typename ... on CreateOperatorTokenPayload { token } } }`,
        { t: B.tenantId },
      ],
      [
        `mutation($t: ID!) { createOperatorToken(input: { tenantId: $t, name: "mine" }) { __typename ... on CreateOperatorTokenPayload { token } } }`,
        { t: A.tenantId },
      ],
    ] as const;
    for (const [query, variables] of attempts) {
      const result = await server.request(A.token, query, variables);
      expect(result.data ?? null, query).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(/service-admin/);
    }
    expect(await rowCounts(server)).toEqual(rowsBefore);
  });
});

describe('authentication', () => {
  /** True when a response carries no value other than null anywhere in data. */
  const noData = (data: unknown): boolean =>
    data === null ||
    data === undefined ||
    (typeof data === 'object' && Object.values(data as object).every((value) => noData(value)));

  test('no token: HTTP 401 and an error, never data — for queries and mutations alike', async () => {
    const rowsBefore = await rowCounts(server);
    const operations: [string, Record<string, unknown>][] = [
      ['{ viewer { kind tenant { id } } }', {}],
      ['{ tenant { id name } }', {}],
      [NODE, { id: A.aliceId }],
      ['{ meetingMigrationSummary { pending } }', {}],
      [`mutation { createBridge(input: { name: "Anon" }) { __typename } }`, {}],
      [
        `mutation($u: ID!) { setConferenceId(input: { userId: $u, conferenceId: "99999999" }) { __typename } }`,
        { u: A.aliceId },
      ],
    ];
    for (const [query, variables] of operations) {
      const result = await server.request(null, query, variables);
      expect(result.status, query).toBe(401);
      expect(result.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/Not authenticated/),
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(noData(result.data), JSON.stringify(result.data)).toBe(true);
    }
    expect(await rowCounts(server)).toEqual(rowsBefore);
  });

  test('a bad token: HTTP 401 "Invalid token", no data', async () => {
    for (const token of ['nope', `${A.token}x`, A.token.slice(0, -1), server.adminToken.toUpperCase()]) {
      const result = await server.request(token, NODE, { id: A.aliceId });
      expect(result.status).toBe(401);
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: 'Invalid token: unknown, revoked or expired',
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      ]);
      expect(result.data).toBeUndefined();
    }
  });

  test('a header that is not a bearer token is no token: HTTP 401, no data', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Basic ${A.token}`,
      },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(noData(body.data)).toBe(true);
    expect(body.errors).toHaveLength(1);
  });

  test('tokens are stored hashed: no row of any table holds a plain token', async () => {
    const { db } = server.app.database;
    const tokens = [A.token, B.token, server.adminToken];
    const tables = await db.introspection.getTables();
    const rowsOf = async (table: string) => (await sql`select * from ${sql.table(table)}`.execute(db)).rows;
    const everything = (
      await Promise.all(tables.map(async ({ name }) => JSON.stringify(await rowsOf(name))))
    ).join('\n');
    const tokenRows = JSON.stringify([
      ...(await rowsOf('operator_tokens')),
      ...(await rowsOf('service_settings')),
    ]);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['operator_tokens', 'service_settings']),
    );
    for (const token of tokens) {
      expect(everything).not.toContain(token);
      // What is kept of an operator token is its hash (so the rows looked at are the right ones); of a
      // configured admin token, nothing: it is in the configuration.
      const hash = createHash('sha256').update(token).digest('hex');
      if (token === server.adminToken) expect(everything).not.toContain(hash);
      else expect(tokenRows).toContain(hash);
    }
  });
});
