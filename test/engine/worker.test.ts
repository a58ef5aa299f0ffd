/** `npm run worker`: the engine in a process of its own, beside a server that runs none. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { databaseEnv } from '../support/backend.ts';
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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-worker-'));
  server = await startServer({ holdSeconds: 0, databasePath: join(dir, 'mms.sqlite') });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a worker process claims and runs the migrations the API queues', async () => {
  const { token } = await createTenantWithOperator(server, 'contoso.com');
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  for (let i = 0; i < 3; i++) await scheduleMeeting(server, token, alice);
  const { migrationId } = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' });

  const worker = run('server/worker.ts', [], { ...databaseEnv(server.database), MMS_POLL_MS: '50' });
  try {
    await worker.line((line) => line.startsWith('MMS worker'));
    let migration: Record<string, any> = {};
    for (let i = 0; i < 400 && migration.state !== 'SUCCEEDED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      migration = (
        await server.gql(
          token,
          'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings invitesUpdated } } }',
          {
            id: migrationId,
          },
        )
      ).node;
    }
    expect(migration).toEqual({ state: 'SUCCEEDED', succeededMeetings: 3, invitesUpdated: 6 });
  } finally {
    await worker.stop();
  }
  // A graceful stop: the worker finishes its batches and exits 0.
  expect({ code: await worker.exited, signal: worker.child.signalCode }).toEqual({ code: 0, signal: null });
  expect(worker.stdout).toContain('SIGTERM: finishing the current batches');
});
