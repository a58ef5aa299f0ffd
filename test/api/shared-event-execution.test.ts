/**
 * A live event is executed once for every subscriber asking the same of it (same document, variables and
 * token), not once each — and never shared across tokens or across different questions.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator, createUser, mutate, startMeetingMigration } from '../support/fixtures.ts';
import { type LiveSubscription, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let otherToken: string;
let tenantId: string;

beforeAll(async () => {
  server = await startServer();
  ({ token, tenantId } = await createTenantWithOperator(server, 'contoso.com'));
  // A second operator token of the same tenant: it sees the same, but is another viewer.
  const created = await mutate(
    server,
    server.adminToken,
    'createOperatorToken',
    { tenantId, name: 'second' },
    'token',
  );
  otherToken = created.token;
});
afterAll(() => server.stop());

const EVENTS = `subscription($userId: ID) { meetingMigrationUpdated(userId: $userId) {
  id state user { userPrincipalName }
} }`;
type Event = { meetingMigrationUpdated: { id: string; state: string; user: { userPrincipalName: string } } };

/** Statements that read users by id: one per execution of the selection above. */
const userReads = (from: number) =>
  server.queries.slice(from).filter((sql) => /from "users" where "id" in/i.test(sql)).length;

/**
 * Once every subscription has its pending migration, cancels it and waits for every subscription to hear
 * of it: how many times the users were read for that one event.
 */
async function userReadsToTellAll(subscriptions: LiveSubscription<Event>[], migrationId: string) {
  const event = (state?: string) => (e: Event) =>
    e.meetingMigrationUpdated.id === migrationId && (!state || e.meetingMigrationUpdated.state === state);
  await Promise.all(subscriptions.map((live) => live.until(event())));
  const before = server.queries.length;
  await mutate(server, token, 'cancelMeetingMigration', { migrationId }, 'meetingMigration { id }');
  await Promise.all(subscriptions.map((live) => live.until(event('CANCELLED'))));
  return userReads(before);
}

test('five identical subscriptions: the event is executed once, and all five get it', async () => {
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  const { migrationId } = await startMeetingMigration(server, token, alice);
  const subscriptions = Array.from({ length: 5 }, () =>
    subscribeOverWebSocket<Event>(server.url, token, EVENTS),
  );
  try {
    // Each starts with the pending migration; the cancellation is read once for all.
    expect(await userReadsToTellAll(subscriptions, migrationId)).toBe(1);
    for (const live of subscriptions)
      expect(live.events.at(-1)?.meetingMigrationUpdated).toEqual({
        id: migrationId,
        state: 'CANCELLED',
        user: { userPrincipalName: 'alice@contoso.com' },
      });
  } finally {
    await Promise.all(subscriptions.map((live) => live.close()));
  }
});

test('other tokens and other variables are executed on their own', async () => {
  const bob = await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  const { migrationId } = await startMeetingMigration(server, token, bob);
  const subscriptions = [
    subscribeOverWebSocket<Event>(server.url, token, EVENTS),
    subscribeOverWebSocket<Event>(server.url, otherToken, EVENTS),
    subscribeOverWebSocket<Event>(server.url, token, EVENTS, { userId: bob }),
  ];
  try {
    expect(await userReadsToTellAll(subscriptions, migrationId)).toBe(3);
  } finally {
    await Promise.all(subscriptions.map((live) => live.close()));
  }
});
