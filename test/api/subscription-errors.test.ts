/** Errors in subscriptions, over graphql-ws: a bad argument says what was wrong; anything unexpected is masked and logged. */
import { inspect } from 'node:util';
import { createClient } from 'graphql-ws';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { missingTableMessage } from '../support/backend.ts';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
});
afterAll(() => server.stop());

/** The first thing a subscription answers: a result, or the errors it ended with. */
function firstAnswer(bearer: string, query: string) {
  const client = createClient({
    url: server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${bearer}` },
  });
  return new Promise<{ result?: { data?: unknown; errors?: readonly unknown[] }; errors?: unknown[] }>(
    (resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => resolve({ result }),
          error: (errors) => resolve({ errors: errors as unknown[] }),
          complete: () => {},
        },
      );
    },
  ).finally(() => client.dispose());
}

test('the service admin without a tenant is told which argument is missing', async () => {
  const answer = await firstAnswer(server.adminToken, 'subscription { meetingMigrationUpdated { id } }');
  const errors = answer.errors ?? answer.result?.errors;
  expect(errors).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(/tenantId.*required for the service admin/),
      extensions: expect.objectContaining({ field: 'tenantId' }),
    }),
  ]);
});

test('an unexpected error in a subscription is masked for the client and logged in full', async () => {
  await sql`alter table meeting_migrations rename to meeting_migrations_gone`.execute(server.app.database.db);
  try {
    const answer = await firstAnswer(token, 'subscription { meetingMigrationUpdated { id } }');
    const errors = answer.errors ?? answer.result?.errors;
    expect(errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(answer)).not.toMatch(/no such table|does not exist|sqlite|postgres/i);
    // Once, in one line with the stack.
    expect(server.loggedErrors).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ stack: expect.stringMatching(/\n\s+at /) }) }),
    ]);
    expect(inspect(server.loggedErrors)).toMatch(missingTableMessage('meeting_migrations'));
  } finally {
    await sql`alter table meeting_migrations_gone rename to meeting_migrations`.execute(
      server.app.database.db,
    );
  }
});
