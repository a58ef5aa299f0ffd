/**
 * PostgreSQL going away under a worker mid-run (a restart, a failover, a network cut): the worker neither
 * crashes nor loses its claim nor floods its log. It says once that the database cannot be reached and once
 * that it answers again, waits longer and longer between attempts meanwhile, and then finishes the run with
 * every meeting rewritten once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';
import { globalId, parseGlobalId, startMeetingMigration } from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const MEETINGS = 2_000;
const OUTAGE_MS = 4_000;

describe.skipIf(TEST_BACKEND !== 'postgres')('PostgreSQL going away under a worker', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  let token: string;
  let userId: number;

  beforeAll(async () => {
    const database = await testDatabase();
    const seeding = await openDatabase(database);
    const dataset = await writeDataset(
      seeding,
      { users: 1, meetingsPerUser: MEETINGS, attendees: 2 },
      new Date(),
    );
    await seeding.close();
    userId = dataset.users[0]?.id ?? 0;
    server = await startServer({ database, holdSeconds: 0 });
    ({ token } = await server.app.services.tenancy.createOperatorToken(
      { kind: 'serviceAdmin' },
      { tenantId: dataset.tenant.id, name: 'outage' },
    ));
    const url = new URL(database);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  test('the worker waits it out, says so in two lines, and finishes the run with each meeting once', async () => {
    // The worker reaches the database through the proxy; the test's own server does not.
    const throughProxy = new URL(server.database);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    const worker = run('server/worker.ts', [], {
      MMS_DATABASE_URL: throughProxy.toString(),
      MMS_POLL_MS: '50',
      MMS_BATCH_SIZE: '20',
      MMS_LEASE_SECONDS: '2',
    });
    try {
      await worker.line((line) => line.startsWith('MMS worker'));
      const { migrationId } = await startMeetingMigration(server, token, globalId('User', userId), {
        sourceMeetingType: 'ALL',
        targetMeetingType: 'TEAMS',
      });
      const progress = async () =>
        (
          await server.gql(
            token,
            'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings retryCount lastMessage } } }',
            { id: migrationId },
          )
        ).node;
      while ((await progress()).succeededMeetings < 100)
        await new Promise((resolve) => setTimeout(resolve, 10));

      const linesBefore = worker.stdout.length;
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      expect(worker.child.exitCode).toBeNull();
      proxy.restore();

      let finished = await progress();
      for (let i = 0; i < 2_000 && finished.state !== 'SUCCEEDED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        finished = await progress();
      }
      expect(finished).toMatchObject({ state: 'SUCCEEDED', succeededMeetings: MEETINGS });
      expect(worker.child.exitCode).toBeNull();

      const outageLog = worker.stdout.slice(linesBefore);
      expect(outageLog.filter((line) => line.includes('database cannot be reached'))).toHaveLength(1);
      expect(outageLog.filter((line) => line.includes('database answers again'))).toHaveLength(1);
      // No stack traces, and a handful of lines in all, not one per attempt.
      expect(outageLog.filter((line) => /^\s+at /.test(line))).toEqual([]);
      expect(outageLog.length, outageLog.join('\n')).toBeLessThanOrEqual(6);

      // Each meeting rewritten once, with one result and its attendees' updates queued once.
      const { db } = server.app.database;
      const id = parseGlobalId(migrationId).id;
      const count = async (table: 'meeting_results' | 'invitation_updates') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select(({ fn }) => fn.countAll<number>().as('n'))
              .where('migration_id', '=', id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count('meeting_results')).toBe(MEETINGS);
      expect(await count('invitation_updates')).toBe(MEETINGS * 2);
      const sequences = await db
        .selectFrom('meetings')
        .select('sequence')
        .distinct()
        .where('organizer_id', '=', userId)
        .execute();
      expect(sequences).toEqual([{ sequence: 1 }]);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});
