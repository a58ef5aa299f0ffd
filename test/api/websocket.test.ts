/** Access over graphql-ws on the same path (SPEC §7): the token goes in the connection_init payload. */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

/** Runs one operation over a fresh connection; resolves with its result or the close event. */
function runOverWebSocket(connectionParams: Record<string, unknown>, query: string) {
  return new Promise<{ result?: unknown; closeCode?: number; closeReason?: string }>((resolve) => {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      shouldRetry: () => false,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          resolve({ closeCode: code, closeReason: reason });
        },
      },
    });
    client.subscribe(
      { query },
      {
        next: (result) => {
          resolve({ result });
          void client.dispose();
        },
        error: () => {},
        complete: () => {},
      },
    );
  });
}

test('a valid token in connection_init runs operations', async () => {
  const { result } = await runOverWebSocket(
    { Authorization: `Bearer ${server.adminToken}` },
    '{ viewer { kind } }',
  );
  expect(result).toEqual({ data: { viewer: { kind: 'SERVICE_ADMIN' } } });
});

test.each([
  ['no token', () => ({})],
  ['a bad token', () => ({ Authorization: 'Bearer not-a-token' })],
  ['a valid token without "Bearer"', () => ({ Authorization: server.adminToken })],
])('%s closes the socket with 4403 before any data', async (_name, params) => {
  const outcome = await runOverWebSocket(params(), '{ viewer { kind } }');
  expect(outcome).toEqual({ closeCode: 4403, closeReason: 'Forbidden' });
});

test('the token is looked up once per socket, however many operations the socket runs', async () => {
  const { token } = await createTenantWithOperator(server, 'lookups.example.com');
  const client = createClient({
    url: server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  const before = server.queries.length;
  try {
    const viewers = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise((resolve, reject) => {
            client.subscribe(
              { query: '{ viewer { kind } }' },
              { next: resolve, error: reject, complete: () => {} },
            );
          }),
      ),
    );
    expect(viewers).toEqual(Array(3).fill({ data: { viewer: { kind: 'OPERATOR' } } }));
    expect(server.queries.slice(before).filter((sql) => /from "operator_tokens"/.test(sql))).toHaveLength(1);
  } finally {
    await client.dispose();
  }
});
