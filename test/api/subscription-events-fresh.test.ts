/**
 * A subscription lives for hours, but each event must be resolved as of that event: nested fields read
 * through loaders (a migration's user, the user's latest migration) must not repeat the first event's.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator, createUser, mutate, startMeetingMigration } from '../support/fixtures.ts';
import { subscribeOverSse, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
});
afterAll(() => server.stop());

const EVENTS = `subscription($userId: ID) { meetingMigrationUpdated(userId: $userId) {
  id state user { userPrincipalName latestMeetingMigration { id state } }
} }`;
type Event = {
  meetingMigrationUpdated: {
    id: string;
    state: string;
    user: { userPrincipalName: string; latestMeetingMigration: { id: string; state: string } };
  };
};

test.each([
  ['a WebSocket', subscribeOverWebSocket],
  ['SSE', subscribeOverSse],
])('over %s, each event’s nested fields are read afresh', async (_transport, subscribe) => {
  const userId = await createUser(server, token, {
    userPrincipalName: `${subscribe === subscribeOverSse ? 'sse' : 'ws'}@contoso.com`,
  });
  // The first migration, pending: the subscription starts with it.
  const { migrationId: first } = await startMeetingMigration(server, token, userId);
  const live = subscribe<Event>(server.url, token, EVENTS, { userId });
  try {
    await live.until((e) => e.meetingMigrationUpdated.state === 'PENDING');
    await mutate(server, token, 'cancelMeetingMigration', { migrationId: first }, 'meetingMigration { id }');
    const cancelled = await live.until((e) => e.meetingMigrationUpdated.state === 'CANCELLED');
    expect(cancelled.meetingMigrationUpdated.user.latestMeetingMigration).toEqual({
      id: first,
      state: 'CANCELLED',
    });

    // A second migration: the user's latest is now that one.
    const { migrationId: second } = await startMeetingMigration(server, token, userId);
    const pending = await live.until(
      (e) => e.meetingMigrationUpdated.id === second && e.meetingMigrationUpdated.state === 'PENDING',
    );
    expect(pending.meetingMigrationUpdated.user.latestMeetingMigration).toEqual({
      id: second,
      state: 'PENDING',
    });
  } finally {
    await live.close();
  }
});
