/**
 * Operator tokens as cloud API keys (SPEC §7): named, optionally expiring, listed with their creation and
 * last use, revoked and rotated. A revoked or expired token is refused at once, and the WebSockets it opened
 * are closed 4403; other sockets carry on. Guessing is slowed per address.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';
import { createTenantWithOperator, mutate, runMutation, unknownId } from '../support/fixtures.ts';
import { sendLargeBody } from '../support/http.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let contoso: { tenantId: string; token: string };
let fabrikam: { tenantId: string; token: string };

beforeAll(async () => {
  server = await startServer();
  contoso = await createTenantWithOperator(server, 'contoso.com');
  fabrikam = await createTenantWithOperator(server, 'fabrikam.com');
});
afterAll(() => server.stop());

const TOKEN_FIELDS = 'id name state createdAt expiresAt lastUsedAt revokedAt';

async function newToken(tenantId: string, name: string, expiresAt?: string) {
  return mutate<{ token: string; operatorToken: Record<string, any> }>(
    server,
    server.adminToken,
    'createOperatorToken',
    { tenantId, name, ...(expiresAt ? { expiresAt } : {}) },
    `token operatorToken { ${TOKEN_FIELDS} }`,
  );
}

async function tokensOf(token: string): Promise<Record<string, any>[]> {
  const data = await server.gql(
    token,
    `{ tenant { operatorTokens(first: 100) { edges { node { ${TOKEN_FIELDS} } } } } }`,
  );
  return data.tenant.operatorTokens.edges.map((edge: { node: unknown }) => edge.node);
}

/** A graphql-ws socket authenticated with the token and holding a live subscription. */
async function openSocket(token: string) {
  const socket = new WebSocket(server.url.replace('http', 'ws'), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const messages: Record<string, any>[] = [];
  const arrived = (type: string) =>
    new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        if (JSON.parse(data.toString()).type === type) resolve();
      }),
    );
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await new Promise((resolve) => socket.once('open', resolve));
  const acknowledged = arrived('connection_ack');
  socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
  await acknowledged;
  const firstEvent = arrived('next');
  socket.send(
    JSON.stringify({
      id: 'summary',
      type: 'subscribe',
      payload: { query: 'subscription { meetingMigrationSummaryUpdated { pending } }' },
    }),
  );
  await firstEvent;
  return { socket, closed, messages };
}

describe('lifecycle', () => {
  test('a token is listed with its name, creation and last use, never with the token itself', async () => {
    const creating = Date.now();
    const created = await newToken(contoso.tenantId, 'nightly report');
    const madeBy = Date.now();
    expect(created.token).toMatch(/^mms_op_[A-Za-z0-9_-]{43}$/);
    expect(created.operatorToken).toMatchObject({
      name: 'nightly report',
      state: 'ACTIVE',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    const before = Date.now();
    await server.gql(created.token, '{ tenant { name } }');
    const listed = await tokensOf(contoso.token);
    const mine = listed.find((token) => token.id === created.operatorToken.id);
    expect(mine?.name).toBe('nightly report');
    // Stored to the millisecond (SQLite and PostgreSQL alike), and unchanged by the use.
    expect(Date.parse(mine?.createdAt)).toBeGreaterThanOrEqual(creating);
    expect(Date.parse(mine?.createdAt)).toBeLessThanOrEqual(madeBy);
    expect(mine?.createdAt).toBe(created.operatorToken.createdAt);
    expect(Date.parse(mine?.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    // Another tenant's tokens are not among them, and its operator cannot see these.
    expect((await tokensOf(fabrikam.token)).map((token) => token.id)).not.toContain(created.operatorToken.id);
  });

  test('a revoked token is refused at once, its socket is closed 4403, and another socket carries on', async () => {
    const doomed = await newToken(contoso.tenantId, 'to revoke');
    const doomedSocket = await openSocket(doomed.token);
    const otherSocket = await openSocket(contoso.token);
    const revoked = await mutate(
      server,
      contoso.token,
      'revokeOperatorToken',
      { operatorTokenId: doomed.operatorToken.id },
      `operatorToken { ${TOKEN_FIELDS} }`,
    );
    expect(revoked.operatorToken).toMatchObject({ state: 'REVOKED', revokedAt: expect.any(String) });
    expect(await doomedSocket.closed).toEqual({
      code: 4403,
      reason: 'Forbidden: the token was revoked or expired',
    });
    const refused = await server.request(doomed.token, '{ tenant { name } }');
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The other socket still answers.
    otherSocket.socket.send(
      JSON.stringify({ id: 'again', type: 'subscribe', payload: { query: '{ tenant { name } }' } }),
    );
    await expect
      .poll(() => otherSocket.messages.some((m) => m.id === 'again' && m.type === 'next'))
      .toBe(true);
    expect(otherSocket.socket.readyState).toBe(WebSocket.OPEN);
    otherSocket.socket.close();

    const again = await runMutation(server, contoso.token, 'revokeOperatorToken', {
      operatorTokenId: doomed.operatorToken.id,
    });
    expect(again).toMatchObject({
      __typename: 'NotAllowedError',
      message: 'the token is revoked already',
    });
  });

  test("another tenant's token cannot be revoked or rotated: it is not found, as one that does not exist", async () => {
    const theirs = await newToken(fabrikam.tenantId, 'theirs');
    for (const name of ['revokeOperatorToken', 'rotateOperatorToken']) {
      for (const operatorTokenId of [theirs.operatorToken.id, unknownId('OperatorToken')]) {
        expect(await runMutation(server, contoso.token, name, { operatorTokenId })).toMatchObject({
          __typename: 'NotFoundError',
          field: 'operatorTokenId',
        });
      }
    }
    // Still valid.
    expect((await server.request(theirs.token, '{ tenant { name } }')).status).toBe(200);
  });

  test('a token revoked while its socket is being let in: the socket is refused 4403 all the same', async () => {
    const doomed = await newToken(contoso.tenantId, 'revoked while connecting');
    const { tokens } = server.app.services.store;
    const lookUp = tokens.operatorTokenByHash;
    let readAsValid = () => {};
    const read = new Promise<void>((resolve) => {
      readAsValid = resolve;
    });
    let letIn = () => {};
    const held = new Promise<void>((resolve) => {
      letIn = resolve;
    });
    // The socket's lookup reads the token while it is valid, and is held there until the revocation is told.
    tokens.operatorTokenByHash = async (hash) => {
      const row = await lookUp.call(tokens, hash);
      readAsValid();
      await held;
      return row;
    };
    const socket = new WebSocket(server.url.replace('http', 'ws'), 'graphql-transport-ws');
    try {
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      const messages: string[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(data.toString()).type));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${doomed.token}` } }),
      );
      await read;
      tokens.operatorTokenByHash = lookUp;
      await mutate(
        server,
        contoso.token,
        'revokeOperatorToken',
        { operatorTokenId: doomed.operatorToken.id },
        'operatorToken { id }',
      );
      letIn();
      expect(await closed).toBe(4403);
      expect(messages).not.toContain('connection_ack');
    } finally {
      tokens.operatorTokenByHash = lookUp;
      letIn();
      socket.terminate();
    }
  });

  test('rotation gives a new token of the same name and expiry, and the old one stops at once', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const old = await newToken(contoso.tenantId, 'deploy bot', expiresAt);
    const rotated = await mutate<{ token: string; operatorToken: any; revokedOperatorToken: any }>(
      server,
      contoso.token,
      'rotateOperatorToken',
      { operatorTokenId: old.operatorToken.id },
      `token operatorToken { ${TOKEN_FIELDS} } revokedOperatorToken { id state }`,
    );
    expect(rotated.token).not.toBe(old.token);
    expect(rotated.operatorToken).toMatchObject({ name: 'deploy bot', state: 'ACTIVE', expiresAt });
    expect(rotated.revokedOperatorToken).toEqual({ id: old.operatorToken.id, state: 'REVOKED' });
    expect((await server.request(old.token, '{ tenant { name } }')).status).toBe(401);
    expect((await server.request(rotated.token, '{ tenant { name } }')).status).toBe(200);
  });

  test('an expired token is refused, and its socket is closed when it expires', async () => {
    const brief = await newToken(contoso.tenantId, 'brief', new Date(Date.now() + 1500).toISOString());
    const { closed } = await openSocket(brief.token);
    expect(await closed).toEqual({ code: 4403, reason: 'Forbidden: the token was revoked or expired' });
    const refused = await server.request(brief.token, '{ tenant { name } }');
    expect(refused.status).toBe(401);
    const listed = (await tokensOf(contoso.token)).find((token) => token.id === brief.operatorToken.id);
    expect(listed?.state).toBe('EXPIRED');
  });

  test.each([
    ['in the past', new Date(Date.now() - 60_000).toISOString(), 'expiresAt: must be in the future'],
    ['after 2199', '2200-01-01T00:00:01.000Z', 'expiresAt: must be before 2200-01-01 (UTC)'],
  ])('an expiry %s is refused and creates nothing', async (_case, expiresAt, message) => {
    const before = (await tokensOf(contoso.token)).length;
    expect(
      await runMutation(server, server.adminToken, 'createOperatorToken', {
        tenantId: contoso.tenantId,
        name: 'never',
        expiresAt,
      }),
    ).toMatchObject({ __typename: 'InvalidValueError', field: 'expiresAt', message });
    expect(await tokensOf(contoso.token)).toHaveLength(before);
  });

  test('an operator cannot create tokens: that is the service admin’s', async () => {
    const result = await server.request(
      contoso.token,
      'mutation($input: CreateOperatorTokenInput!) { createOperatorToken(input: $input) { __typename } }',
      { input: { tenantId: contoso.tenantId, name: 'self-made' } },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('HTTP answers', () => {
  test('401 says Bearer, without a token and with a wrong one', async () => {
    for (const authorization of [null, 'Bearer mms_op_not-a-token']) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query: '{ tenant { name } }' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="MMS"/);
    }
  });
});

/** Posts a query from a given local address (every 127.x address is this machine's). */
function postFrom(localAddress: string, url: string, token: string) {
  return new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query: '{ tenant { name } }' }));
  });
}

describe('failed authentications from one address', () => {
  let strict: TestServer;
  let operator: { token: string };
  beforeAll(async () => {
    strict = await startServer({ authFailuresPerMinute: 3 });
    operator = await createTenantWithOperator(strict, 'contoso.com');
  });
  afterAll(() => strict.stop());

  test('are slowed with 429 and Retry-After, for that address alone, sockets too', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await postFrom('127.0.0.3', strict.url, `wrong-${i}`)).status).toBe(401);
    }
    const refused = await postFrom('127.0.0.3', strict.url, 'wrong-again');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('TOO_MANY_FAILED_AUTHENTICATIONS');
    // Even a good token from there waits: an answer that told good from bad would go on helping a guesser.
    expect((await postFrom('127.0.0.3', strict.url, operator.token)).status).toBe(429);
    // A WebSocket from there is refused before it opens.
    const upgrade = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(strict.url.replace('http', 'ws'), 'graphql-transport-ws', {
        localAddress: '127.0.0.3',
      });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('the socket opened')));
      socket.on('error', () => {});
    });
    expect(upgrade).toBe(429);
    // A large body from there is refused before it is read, and its connection closed: the server does not
    // read the rest of the 20 MB to keep the connection alive.
    const unsent = await sendLargeBody(strict.url, 20 * 1024 * 1024, {
      headers: { authorization: `Bearer ${operator.token}` },
      localAddress: '127.0.0.3',
    });
    expect(unsent).toMatchObject({ status: 429, connection: 'close', closedByServer: true });
    expect(unsent.body.errors[0].extensions.code).toBe('TOO_MANY_FAILED_AUTHENTICATIONS');
    expect(unsent.sent).toBeLessThan(10 * 1024 * 1024);
    // Another address is served as ever.
    const other = await postFrom('127.0.0.4', strict.url, operator.token);
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body).data.tenant.name).toBe('contoso.com');
  });
});

describe('the service-admin token', () => {
  test('once configured, unsetting it leaves no admin token: its old value is refused', async () => {
    const configured = 'a-configured-admin-token-of-40-characters';
    const database = await testDatabase(
      TEST_BACKEND === 'sqlite' ? join(mkdtempSync(join(tmpdir(), 'mms-admin-')), 'mms.sqlite') : undefined,
    );
    const status = async (adminToken: string | null) => {
      const app = await createApp({ database, engine: false, holdSeconds: 0, adminToken });
      try {
        const url = await app.listen();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${configured}` },
          body: JSON.stringify({ query: '{ tenants(first: 1) { edges { node { id } } } }' }),
        });
        return { status: response.status, generated: app.generatedAdminToken };
      } finally {
        await app.stop();
      }
    };
    expect(await status(configured)).toEqual({ status: 200, generated: null });
    // Unset: nothing generated in its place, and the old value no longer opens anything.
    expect(await status(null)).toEqual({ status: 401, generated: null });
  });
});

describe.skipIf(TEST_BACKEND !== 'sqlite')('npm start on a new SQLite file', () => {
  test('keeps the database and credentials to their owner, and shows the operator token once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-start-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      MMS_DB: join(dir, 'data', 'mms.sqlite'),
      MMS_CREDENTIALS_FILE: join(dir, 'data', 'credentials.json'),
      MMS_ADMIN_TOKEN: '',
      MMS_DATABASE_URL: '',
      MMS_REDIS_URL: '',
    };
    /** Modes of the files the server keeps, read while it runs: a clean stop removes the WAL and SHM. */
    const modesWhileRunning: Record<string, string>[] = [];
    const start = async () => {
      const server = run('server/main.ts', [], env);
      await server.line((line) => line.includes('Terminal UI'), 60_000);
      const modes: Record<string, string> = {};
      for (const file of [env.MMS_DB, `${env.MMS_DB}-wal`, `${env.MMS_DB}-shm`, env.MMS_CREDENTIALS_FILE]) {
        modes[file] = (statSync(file).mode & 0o777).toString(8);
      }
      modesWhileRunning.push(modes);
      await server.stop();
      return server.stdout.join('\n');
    };
    try {
      const first = await start();
      const token =
        /Operator token \(demo tenant contoso\.com; created now, shown once\): {2}(mms_op_\S+)/.exec(
          first,
        )?.[1];
      expect(token).toBeDefined();
      const second = await start();
      expect(second).not.toContain(token);
      expect(second).toContain(`Operator token (demo tenant contoso.com):  in ${env.MMS_CREDENTIALS_FILE}`);
      expect(JSON.parse(readFileSync(env.MMS_CREDENTIALS_FILE, 'utf8')).operatorToken).toBe(token);
      // The database, its WAL and shared-memory files and the credentials, on the first start and the next.
      for (const modes of modesWhileRunning) {
        expect(Object.values(modes)).toEqual(['600', '600', '600', '600']);
      }
      expect((statSync(env.MMS_DB).mode & 0o777).toString(8)).toBe('600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('tightens a database file that others could read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-mode-'));
    const file = join(dir, 'mms.sqlite');
    try {
      writeFileSync(file, '', { mode: 0o644 });
      chmodSync(file, 0o644);
      const opened = await openDatabase(file);
      await opened.close();
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
