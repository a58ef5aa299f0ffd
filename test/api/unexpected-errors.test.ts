import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { missingTableMessage } from '../support/backend.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

test('an unexpected error is masked for the client and logged in full', async () => {
  await server.gql(
    server.adminToken,
    `mutation { createTenant(input: { name: "Contoso", primaryDomain: "contoso.com" }) { __typename } }`,
  );
  // Break the storage under the server, as a failing disk or a bad deployment would.
  await sql`alter table tenants rename to tenants_gone`.execute(server.app.database.db);
  try {
    const result = await server.request(server.adminToken, '{ tenants { edges { node { name } } } }');
    expect(result.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(result)).not.toMatch(/no such table|does not exist|sqlite|postgres/i);
    // Once, in one line with the stack.
    expect(server.loggedErrors).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ stack: expect.stringMatching(/\n\s+at /) }) }),
    ]);
    expect(JSON.stringify(server.loggedErrors)).toMatch(missingTableMessage('tenants'));
  } finally {
    await sql`alter table tenants_gone rename to tenants`.execute(server.app.database.db);
  }
});
