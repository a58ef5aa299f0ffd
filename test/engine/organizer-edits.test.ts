/**
 * An organizer's edit that lands while the engine is about to rewrite the same meeting (SPEC §2): the engine
 * decided from the text it read, and must not write that decision over the newer text. It decides again
 * from the edited text instead, so the edit stays and the meeting is still migrated, at the next SEQUENCE.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_BACKEND } from '../support/backend.ts';
import {
  createTenantWithOperator,
  createUser,
  parseGlobalId,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

// PostgreSQL lets the test hold the edit uncommitted until the engine's batch waits for it: the race made
// certain. (On SQLite the same conditional write guards the engine; a writer there blocks the process.)
describe.skipIf(TEST_BACKEND !== 'postgres')('an edit racing the engine', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ engine: { batchSize: 10 }, holdSeconds: 0 });
    ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  });
  afterAll(() => server.stop());

  test('an edit committed while the batch waits for it is kept, and the edited text is migrated', async () => {
    const organizer = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
    const meetings: string[] = [];
    for (let i = 0; i < 20; i++) meetings.push(await scheduleMeeting(server, token, organizer));
    // In the second batch: read by the engine before the edit commits, written after.
    const raced = parseGlobalId(meetings[14] as string).id;

    const editor = new pg.Client({ connectionString: server.database });
    await editor.connect();
    try {
      await editor.query('begin');
      await editor.query(
        `update meetings set body = body || E'\\nAgenda added by the organizer.', sequence = sequence + 1 where id = $1`,
        [raced],
      );
      const { migrationId } = await startMeetingMigration(server, token, organizer, {
        targetMeetingType: 'TEAMS',
      });
      // The engine's batch waits for the row the edit holds.
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const { rows } = await editor.query(
          'select count(*)::int as n from pg_locks where not granted and pg_backend_pid() = any(pg_blocking_pids(pid))',
        );
        waiting = rows[0].n;
      }
      await editor.query('commit');

      let migration: Record<string, any> = {};
      for (let i = 0; i < 2_000 && !['SUCCEEDED', 'FAILED'].includes(migration.state); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        migration = (
          await server.gql(
            token,
            'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings } } }',
            { id: migrationId },
          )
        ).node;
      }
      expect(migration).toEqual({ state: 'SUCCEEDED', succeededMeetings: 20 });
      const {
        rows: [meeting],
      } = await editor.query('select body, sequence, online_meeting_type from meetings where id = $1', [
        raced,
      ]);
      expect(meeting.body).toMatch(/\nAgenda added by the organizer\.$/);
      expect(meeting.online_meeting_type).toBe('TEAMS');
      expect(meeting.body).toContain('Microsoft Teams');
      // The edit's SEQUENCE, then the migration's.
      expect(meeting.sequence).toBe(2);
    } finally {
      await editor.end();
    }
  });
});
