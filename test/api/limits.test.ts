/**
 * Limits (README "Security and limits"): each is refused before work is done, with a 4xx and a code naming
 * it, and the server keeps answering other clients.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { TEST_BACKEND } from '../support/backend.ts';
import { createTenantWithOperator, createUser, globalId, runMutation } from '../support/fixtures.ts';
import { sendLargeBody, sendLargeMessage } from '../support/http.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let userId: string;
beforeAll(async () => {
  server = await startServer({
    limits: { maxSubscriptionsPerSocket: 3, connectionInitMs: 300, maxReplayEvents: 3 },
  });
  ({ token } = await createTenantWithOperator(server, 'limits.example.com'));
  userId = await createUser(server, token, {
    userPrincipalName: 'alice@limits.example.com',
    sipAddress: 'sip:alice@limits.example.com',
    licensed: true,
  });
});
afterAll(() => server.stop());

/** Another client's plain query still gets its answer. */
async function expectServerWell() {
  const answer = await server.request(token, '{ viewer { kind tenant { name } } }');
  expect(answer).toEqual({
    status: 200,
    data: { viewer: { kind: 'OPERATOR', tenant: { name: 'limits.example.com' } } },
  });
}

/** Posts with a plain `accept: application/json`, as most clients send it. */
async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function refusal(code: string, message: RegExp = /./) {
  return {
    errors: [
      expect.objectContaining({
        message: expect.stringMatching(message),
        extensions: expect.objectContaining({ code }),
      }),
    ],
  };
}

describe('page sizes', () => {
  const usersQuery = 'query($n: Int) { tenant { users(first: $n) { edges { node { id } } } } }';

  test.each([
    ['written in the query', '{ tenant { users(first: 501) { edges { node { id } } } } }', {}],
    ['passed as a variable', usersQuery, { n: 100_000 }],
    ['as last', 'query($n: Int) { tenant { users(last: $n) { edges { node { id } } } } }', { n: 501 }],
    [
      'nested, by a variable default',
      'query($n: Int = 1000) { tenant { meetings { edges { node { attendees(first: $n) { edges { cursor } } } } } } }',
      {},
    ],
  ])(
    'over 500 %s is refused with PAGE_SIZE_LIMIT, before any database work',
    async (_name, query, variables) => {
      const queries = server.queries.length;
      const answer = await post(JSON.stringify({ query, variables }));
      expect(answer).toEqual({ status: 400, body: refusal('PAGE_SIZE_LIMIT', /at most 500 items a page/) });
      expect(server.queries.slice(queries).filter((sql) => /users|meetings|attendees/.test(sql))).toEqual([]);
      await expectServerWell();
    },
  );

  test('500, the most a page holds, is accepted by the cost limit, in the query or as a variable', async () => {
    const literal = await post(
      JSON.stringify({
        query:
          '{ tenant { users(first: 500) { edges { cursor node { id userPrincipalName displayName sipAddress createdAt skypeHosting teamsUpgradeMode mailboxLocation } } pageInfo { hasNextPage } } } }',
      }),
    );
    expect(literal.status).toBe(200);
    expect(literal.body.data.tenant.users.edges).toHaveLength(1);
    const variable = await post(JSON.stringify({ query: usersQuery, variables: { n: 500 } }));
    expect(variable).toMatchObject({ status: 200, body: { data: { tenant: { users: { edges: [{}] } } } } });
  });
});

describe('cost', () => {
  const nested = `query($outer: Int, $inner: Int) { tenants(first: $outer) { edges { node {
    users(first: $inner) { edges { node { id displayName userPrincipalName sipAddress } } } } } } }`;

  test('nested pages multiply, with variables applied: refused with COST_LIMIT before any work', async () => {
    const queries = server.queries.length;
    const answer = await post(JSON.stringify({ query: nested, variables: { outer: 500, inner: 500 } }), {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(answer).toEqual({
      status: 400,
      body: refusal('COST_LIMIT', /costs 1[0-9]{6}, over the limit of 50000/),
    });
    expect(server.queries.slice(queries).filter((sql) => /tenants|users/.test(sql))).toEqual([]);
    await expectServerWell();
  });

  test('the same document with small pages runs', async () => {
    const answer = await post(JSON.stringify({ query: nested, variables: { outer: 10, inner: 10 } }), {
      authorization: `Bearer ${server.adminToken}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.tenants.edges.length).toBeGreaterThan(0);
  });

  test('a fragment spread many times counts each time', async () => {
    const fragment =
      'fragment U on Tenant { users(first: 500) { edges { node { id displayName sipAddress } } } }';
    const spreads = Array.from({ length: 20 }, (_, i) => `t${i}: tenant { ...U }`).join(' ');
    const answer = await post(JSON.stringify({ query: `{ ${spreads} } ${fragment}` }));
    expect(answer).toEqual({ status: 400, body: refusal('COST_LIMIT') });
  });
});

describe('nodes(ids:)', () => {
  test('more than 100 ids are refused with NODES_LIMIT before any database work', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => globalId('User', i + 1));
    const queries = server.queries.length;
    const answer = await post(
      JSON.stringify({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } }),
    );
    expect(answer).toEqual({ status: 400, body: refusal('NODES_LIMIT', /at most 100 ids, not 101/) });
    expect(server.queries.slice(queries).filter((sql) => /from "?users/.test(sql))).toEqual([]);
    await expectServerWell();
  });

  test('50,000 ids (just under the body limit) are refused without the memory they would take', async () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => globalId('User', i + 1));
    const body = JSON.stringify({
      query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      variables: { ids },
    });
    expect(body.length).toBeLessThan(1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const answers = await Promise.all(Array.from({ length: 3 }, () => post(body)));
    for (const answer of answers) expect(answer).toEqual({ status: 400, body: refusal('NODES_LIMIT') });
    // Before the limits, 200,000 ids took 1.25 GB. What remains is reading three bodies of nearly 1 MiB, on
    // both sides (client and server share this process), garbage not yet collected included.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    await expectServerWell();
  });

  test('100 ids are answered', async () => {
    const ids = [userId, ...Array.from({ length: 99 }, (_, i) => globalId('User', 100_000 + i))];
    const answer = await post(
      JSON.stringify({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.nodes).toHaveLength(100);
    expect(answer.body.data.nodes[0]).toEqual({ id: userId });
  });
});

describe('documents', () => {
  test.each([
    ['deeper than 12', `{ ${'viewer { tenant { '.repeat(7)}id${' } }'.repeat(7)} }`, 'DEPTH_LIMIT'],
    [
      'with more than 30 aliases',
      `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
      'ALIAS_LIMIT',
    ],
    [
      'with more than 50 directives',
      `{ viewer { ${'kind @include(if: true) '.repeat(51)} } }`,
      'DIRECTIVE_LIMIT',
    ],
    ['of more than 5000 tokens', `{ viewer { ${'kind '.repeat(5000)} } }`, 'TOKEN_LIMIT'],
  ])('a document %s is refused with 400 and its code', async (_name, query, code) => {
    const answer = await post(JSON.stringify({ query }));
    expect(answer).toEqual({ status: 400, body: refusal(code) });
    expect(answer.body.errors[0].message).not.toMatch(/Syntax Error/);
    await expectServerWell();
  });
});

describe('request bodies', () => {
  test.each([
    ['a Content-Length', false],
    ['chunks', true],
  ])('over 1 MiB, sent with %s, is refused with 413 before authentication', async (_name, chunked) => {
    const rssBefore = process.memoryUsage().rss;
    const outcome = await sendLargeBody(server.url, 20 * 1024 * 1024, {
      chunked,
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(outcome).toMatchObject({
      status: 413,
      connection: 'close',
      body: refusal('BODY_TOO_LARGE', /larger than 1048576 bytes/),
    });
    // The server closed the connection after its answer rather than read the rest of the 20 MB (a
    // connection kept alive would have it read and throw away every byte first).
    expect(outcome.sent).toBeLessThan(10 * 1024 * 1024);
    // The 20 MB were never held (client and server share this process).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(15 * 1024 * 1024);
    await expectServerWell();
  });

  test('a body just under 1 MiB is taken', async () => {
    const size = 1024 * 1024 - 100;
    const outcome = await sendLargeBody(server.url, size, {
      chunked: true,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(outcome).toMatchObject({
      status: 200,
      sent: size,
      body: { data: { viewer: { kind: 'OPERATOR' } } },
    });
  });
});

describe.skipIf(TEST_BACKEND !== 'sqlite')('MMS_MAX_BODY_BYTES', () => {
  test('npm start with 4096 refuses a larger body and WebSocket message, and takes a smaller body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-body-limit-'));
    const started = run('server/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      MMS_DB: join(dir, 'mms.sqlite'),
      MMS_DATABASE_URL: '',
      MMS_REDIS_URL: '',
      MMS_ADMIN_TOKEN: '',
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      MMS_MAX_BODY_BYTES: '4096',
    });
    try {
      const url = (await started.line((line) => line.includes('GraphQL API'), 60_000))
        .split(/\s+/)
        .at(-1) as string;
      await started.line((line) => line.includes('Terminal UI'));
      const demoToken = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'))
        .operatorToken as string;
      const headers = { authorization: `Bearer ${demoToken}` };
      expect(await sendLargeBody(url, 4097, { headers })).toMatchObject({
        status: 413,
        body: refusal('BODY_TOO_LARGE', /larger than 4096 bytes/),
      });
      expect(await sendLargeBody(url, 4097, { chunked: true, headers })).toMatchObject({ status: 413 });
      expect(await sendLargeBody(url, 4096, { headers })).toMatchObject({
        status: 200,
        body: { data: { viewer: { kind: 'OPERATOR' } } },
      });
      expect((await sendLargeMessage(url, 4097)).closeCode).toBe(1009);
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('input strings', () => {
  test('a 1 MB SIP address is refused naming the field, and nothing changes', async () => {
    const result = await runMutation(server, token, 'setUserSipAddress', {
      userId,
      sipAddress: `sip:${'a'.repeat(1_000_000)}@limits.example.com`,
    });
    expect(result).toEqual({
      __typename: 'InvalidValueError',
      field: 'sipAddress',
      message: 'sipAddress: must be at most 258 characters',
    });
    const { node } = await server.gql(token, `{ node(id: "${userId}") { ... on User { sipAddress } } }`);
    expect(node).toEqual({ sipAddress: 'sip:alice@limits.example.com' });
  });

  test('a string nested in a list is named with its index', async () => {
    const result = await runMutation(server, token, 'scheduleMeeting', {
      organizerId: userId,
      subject: 'Long attendee',
      startsAt: '2027-01-04T09:00:00.000Z',
      endsAt: '2027-01-04T10:00:00.000Z',
      timeZone: 'Europe/Berlin',
      attendees: [{ email: 'bob@example.com' }, { email: `${'b'.repeat(300)}@example.com` }],
    });
    expect(result).toMatchObject({ __typename: 'InvalidValueError', field: 'attendees[1].email' });
  });

  test.each([
    ['a search term', `{ tenant { users(search: "${'x'.repeat(257)}") { edges { cursor } } } }`, 'search'],
    ['an ID', `{ meetingMigrations(userId: "${'x'.repeat(257)}") { edges { cursor } } }`, 'userId'],
    ['a cursor', `{ tenant { users(after: "${'x'.repeat(2049)}") { edges { cursor } } } }`, 'after'],
  ])('%s over its limit is refused naming the argument', async (_name, query, field) => {
    const answer = await server.request(token, query);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/at most \d+ characters/),
        extensions: expect.objectContaining({ code: 'INVALID_VALUE', field }),
      }),
    ]);
  });
});

/** A graphql-transport-ws socket spoken to by hand, to see each message the server sends. */
async function openSocket(options: { init?: boolean } = {}) {
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: any[] = [];
  const waiters: (() => void)[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const next = async (predicate: (message: any) => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(messages)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  if (options.init !== false) {
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
    await next((m) => m.type === 'connection_ack', 'connection_ack');
  }
  return {
    socket,
    messages,
    closed,
    next,
    subscribe(id: string, query: string, variables?: Record<string, unknown>) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
  };
}

const settingsSubscription =
  'subscription { tenantSettingsUpdated { migrationConfiguration { meetingMigrationEnabled } } }';

async function setMigrationEnabled(enabled: boolean) {
  const result = await runMutation(server, token, 'setTenantMigrationConfiguration', {
    meetingMigrationEnabled: enabled,
  });
  expect(result.__typename).toBe('SetTenantMigrationConfigurationPayload');
}

describe('WebSocket', () => {
  test('a message over 1 MiB closes the socket (1009) before authentication; the server stays well', async () => {
    const printed = vi.spyOn(console, 'error');
    const logged = server.logLines.length;
    const { socket, closed } = await openSocket({ init: false });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect((await closed).code).toBe(1009);
    await expectServerWell();
    // Logged once as the refusal it is, not printed as an internal error with its stack.
    expect(printed).not.toHaveBeenCalled();
    printed.mockRestore();
    expect(server.logLines.slice(logged)).toContainEqual(
      expect.objectContaining({ level: 30, code: 'BODY_TOO_LARGE', msg: expect.stringMatching(/1009/) }),
    );
    expect(server.loggedErrors).toEqual([]);
  });

  test('a message that goes on sending past 1009 is cut off rather than read to its end', async () => {
    const outcome = await sendLargeMessage(server.url, 20 * 1024 * 1024);
    expect(outcome.closeCode).toBe(1009);
    expect(outcome.closedByServer).toBe(true);
    // Waiting for the client's close frame, the server would read and throw away all 20 MB.
    expect(outcome.sent).toBeLessThan(10 * 1024 * 1024);
    await expectServerWell();
  });

  test('a socket that sends no connection_init is closed 4408', async () => {
    const started = Date.now();
    const { closed } = await openSocket({ init: false });
    expect(await closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('an invalid operation gets an error of its own; the socket and its live subscription go on', async () => {
    const ws = await openSocket();
    ws.subscribe('live', settingsSubscription);
    await ws.next((m) => m.id === 'live' && m.type === 'next', 'first settings event');
    // One at a time: the socket's limit (3 at once) counts them while they are answered.
    ws.subscribe('syntax', 'subscription {');
    const syntax = await ws.next((m) => m.id === 'syntax', 'an answer to the syntax error');
    expect(syntax).toMatchObject({
      type: 'error',
      payload: [{ message: expect.stringMatching(/Syntax Error/) }],
    });
    ws.subscribe('deep', `{ ${'viewer { tenant { '.repeat(7)}id${' } }'.repeat(7)} }`);
    const deep = await ws.next((m) => m.id === 'deep', 'an answer to the deep query');
    expect(deep).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'DEPTH_LIMIT' } }] });
    ws.subscribe('unknown', '{ noSuchField }');
    const unknown = await ws.next((m) => m.id === 'unknown', 'an answer to the unknown field');
    expect(unknown).toMatchObject({ type: 'error' });
    ws.subscribe('tokens', `{ viewer { ${'kind '.repeat(5000)} } }`);
    const tokens = await ws.next((m) => m.id === 'tokens', 'an answer to the long document');
    expect(tokens).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'TOKEN_LIMIT' } }] });
    await setMigrationEnabled(false);
    await ws.next(
      (m) =>
        m.id === 'live' &&
        m.payload?.data?.tenantSettingsUpdated.migrationConfiguration.meetingMigrationEnabled === false,
      'the live subscription receiving the change',
    );
    await setMigrationEnabled(true);
    ws.socket.close();
  });

  test('a subscription argument over its length is refused naming it', async () => {
    const ws = await openSocket();
    ws.subscribe('long', 'subscription($u: ID) { triggerEvaluated(userId: $u) { kind } }', {
      u: 'x'.repeat(257),
    });
    expect(await ws.next((m) => m.id === 'long', 'an answer')).toMatchObject({
      payload: {
        errors: [
          {
            message: 'userId: must be at most 256 characters',
            extensions: { code: 'INVALID_VALUE', field: 'userId' },
          },
        ],
      },
    });
    ws.socket.close();
  });

  test('an operation over a limit over graphql-ws is refused alone', async () => {
    const ws = await openSocket();
    ws.subscribe('big', 'query($n: Int) { tenant { users(first: $n) { edges { cursor } } } }', {
      n: 100_000,
    });
    const answer = await ws.next((m) => m.id === 'big' && m.type !== 'complete', 'an answer');
    expect(answer).toMatchObject({ payload: { errors: [{ extensions: { code: 'PAGE_SIZE_LIMIT' } }] } });
    ws.subscribe('ok', '{ viewer { kind } }');
    expect(await ws.next((m) => m.id === 'ok', 'an answer')).toMatchObject({
      type: 'next',
      payload: { data: { viewer: { kind: 'OPERATOR' } } },
    });
    ws.socket.close();
  });

  test('more subscriptions than the limit on one socket: the extra one is refused, the others keep running', async () => {
    const ws = await openSocket();
    for (const id of ['s1', 's2', 's3']) ws.subscribe(id, settingsSubscription);
    for (const id of ['s1', 's2', 's3'])
      await ws.next((m) => m.id === id && m.type === 'next', `first event of ${id}`);
    ws.subscribe('s4', settingsSubscription);
    const refused = await ws.next((m) => m.id === 's4', 'an answer to the fourth');
    expect(refused).toMatchObject({
      type: 'error',
      payload: [{ extensions: { code: 'SUBSCRIPTION_LIMIT', limit: 3 } }],
    });
    await setMigrationEnabled(false);
    for (const id of ['s1', 's2', 's3']) {
      await ws.next(
        (m) =>
          m.id === id &&
          m.payload?.data?.tenantSettingsUpdated.migrationConfiguration.meetingMigrationEnabled === false,
        `the change on ${id}`,
      );
    }
    await setMigrationEnabled(true);
    // One completed makes room for another.
    ws.socket.send(JSON.stringify({ id: 's1', type: 'complete' }));
    ws.subscribe('s5', settingsSubscription);
    expect(await ws.next((m) => m.id === 's5', 'an answer to the fifth')).toMatchObject({ type: 'next' });
    ws.socket.close();
  });
});

describe('replays', () => {
  test('more evaluations since `since` than the replay limit are refused with REPLAY_LIMIT, telling to page', async () => {
    const replayed = await createUser(server, token, {
      userPrincipalName: 'replayed@limits.example.com',
      licensed: true,
    });
    const query =
      'subscription($since: DateTime, $user: ID) { triggerEvaluated(since: $since, userId: $user) { kind } }';
    // Each change of the conference ID is evaluated as a trigger; the replay starts with the first.
    const changes = [];
    for (const conferenceId of ['1111111', '2222222', '3333333']) {
      const result = await runMutation(
        server,
        token,
        'setConferenceId',
        { userId: replayed, conferenceId },
        'triggerEvaluation { occurredAt }',
      );
      expect(result.__typename).toBe('SetConferenceIdPayload');
      changes.push(result.triggerEvaluation.occurredAt as string);
    }
    const variables = { since: changes[0], user: replayed };
    const ws = await openSocket();
    ws.subscribe('three', query, variables);
    const first = await ws.next((m) => m.id === 'three', 'the replay of three');
    expect(first).toMatchObject({
      type: 'next',
      payload: { data: { triggerEvaluated: { kind: 'CONFERENCE_ID_CHANGED' } } },
    });
    await runMutation(server, token, 'setConferenceId', { userId: replayed, conferenceId: '4444444' });
    ws.subscribe('four', query, variables);
    const refused = await ws.next((m) => m.id === 'four', 'an answer to the replay of four');
    expect(refused).toMatchObject({
      payload: {
        errors: [
          {
            message: expect.stringMatching(/More than 3 evaluations.*page by page/),
            extensions: { code: 'REPLAY_LIMIT', limit: 3 },
          },
        ],
      },
    });
    // The earlier subscription keeps receiving.
    await runMutation(server, token, 'setConferenceId', { userId: replayed, conferenceId: '5555555' });
    await eventuallyCount(ws, 'three', 5);
    ws.socket.close();
  });

  test('more open migrations than the replay limit are refused with REPLAY_LIMIT', async () => {
    const users = await Promise.all(
      ['m1', 'm2', 'm3', 'm4'].map((alias) =>
        createUser(server, token, { userPrincipalName: `${alias}@limits.example.com` }),
      ),
    );
    for (const user of users) {
      const result = await runMutation(server, token, 'startMeetingMigration', { userId: user });
      expect(result.__typename).toBe('StartMeetingMigrationPayload');
    }
    const ws = await openSocket();
    ws.subscribe('open', 'subscription { meetingMigrationUpdated { state } }');
    expect(await ws.next((m) => m.id === 'open', 'an answer')).toMatchObject({
      payload: { errors: [{ extensions: { code: 'REPLAY_LIMIT' } }] },
    });
    ws.subscribe('one', 'subscription($u: ID) { meetingMigrationUpdated(userId: $u) { state } }', {
      u: users[0],
    });
    expect(await ws.next((m) => m.id === 'one', 'an answer')).toMatchObject({
      type: 'next',
      payload: { data: { meetingMigrationUpdated: { state: 'PENDING' } } },
    });
    ws.socket.close();
  });
});

async function eventuallyCount(ws: Awaited<ReturnType<typeof openSocket>>, id: string, count: number) {
  await ws.next(
    () => ws.messages.filter((m) => m.id === id && m.type === 'next').length >= count,
    `${count} events of ${id}`,
  );
}
