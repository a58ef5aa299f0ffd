/** `npm run watch` as a monitoring script runs it: NDJSON on stdout, through a restart, and a bad token. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';

let dir: string;
let server: TestServer;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-watch-'));
  server = await startServer({
    engine: true,
    holdSeconds: 0,
    databasePath: join(dir, 'mms.sqlite'),
  });
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const parse = (line: string) =>
  JSON.parse(line) as { event: string; migration: { state: string; user: { userPrincipalName: string } } };

test('prints one JSON object per event, filtered by user and state, and carries on after a server restart', async () => {
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  const bob = await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  await scheduleMeeting(server, token, alice);
  // The migrations wait while the engine is stopped: the subscription starts with them, which says it is
  // registered, and only then do they run.
  await server.app.engine?.stop();
  await startMeetingMigration(server, token, bob);
  await startMeetingMigration(server, token, alice);
  const watch = run(
    'tui/watch.ts',
    ['--user', 'alice@contoso.com', '--state', 'SUCCEEDED', '--state', 'pending'],
    {
      MMS_URL: server.url,
      MMS_TOKEN: token,
    },
  );
  try {
    await watch.line((l) => l.includes('"PENDING"'));
    server.app.engine?.start();
    const done = parse(await watch.line((l) => l.includes('"SUCCEEDED"')));
    expect(done).toMatchObject({
      event: 'meetingMigrationUpdated',
      migration: { state: 'SUCCEEDED', user: { userPrincipalName: 'alice@contoso.com' } },
    });
    const seen = watch.stdout.map(parse);
    expect(seen.every((e) => e.migration.user.userPrincipalName === 'alice@contoso.com')).toBe(true);
    expect(seen.every((e) => ['PENDING', 'SUCCEEDED'].includes(e.migration.state))).toBe(true);

    // The server goes away and comes back on the same port and database.
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    server = await server.startAgain();
    const before = watch.stdout.length;
    await startMeetingMigration(server, token, alice);
    const again = parse(await watch.line((l) => l.includes('"SUCCEEDED"'), 20_000, before));
    expect(again.migration.user.userPrincipalName).toBe('alice@contoso.com');
    expect(watch.stderr()).toMatch(/reconnecting/);
  } finally {
    await watch.stop();
  }
}, 60_000);

test('a bad token is a clear message and a non-zero exit', async () => {
  const watch = run('tui/watch.ts', [], { MMS_URL: server.url, MMS_TOKEN: 'not-a-token' });
  expect(await watch.exited).toBe(1);
  expect(watch.stderr()).toMatch(/^watch: .* refused the token \(close 4403\)/m);
  expect(watch.stdout.filter(Boolean)).toEqual([]);
});

test('bad flags are a usage message and exit 2', async () => {
  const watch = run('tui/watch.ts', ['--state', 'DONE'], { MMS_URL: server.url, MMS_TOKEN: token });
  expect(await watch.exited).toBe(2);
  expect(watch.stderr()).toMatch(/unknown state "DONE"[\s\S]*usage: npm run watch/);
});

test('the example script prints the same events with the graphql-ws client alone', async () => {
  const alice = (await server.gql(token, '{ tenant { users(search: "alice") { edges { node { id } } } } }'))
    .tenant.users.edges[0].node.id;
  // The migration waits while the engine is stopped: the script's subscription starts with it, which says
  // it is registered, and only then does it run.
  await server.app.engine?.stop();
  await startMeetingMigration(server, token, alice);
  const example = run('examples/watch-migrations.ts', [], { MMS_URL: server.url, MMS_TOKEN: token });
  try {
    await example.line((l) => l.includes('"PENDING"'));
    server.app.engine?.start();
    const line = await example.line((l) => l.includes('"SUCCEEDED"'));
    expect(JSON.parse(line)).toMatchObject({
      state: 'SUCCEEDED',
      user: { userPrincipalName: 'alice@contoso.com' },
    });
  } finally {
    await example.stop();
  }
});
