/** triggerEvaluated over a real WebSocket: every evaluation of the tenant as it happens, and `since` replays. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator, createUser, mutate, startMeetingMigration } from '../support/fixtures.ts';
import { subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';

const EVALUATIONS = `subscription($since: DateTime, $userId: ID) {
  triggerEvaluated(since: $since, userId: $userId) {
    id kind outcome message user { userPrincipalName } meetingMigration { state }
  }
}`;
type Evaluation = {
  triggerEvaluated: {
    id: string;
    kind: string;
    outcome: string;
    message: string;
    user: { userPrincipalName: string } | null;
    meetingMigration: { state: string } | null;
  };
};

let server: TestServer;
let token: string;
let otherToken: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
  ({ token: otherToken } = await createTenantWithOperator(server, 'fabrikam.com'));
});
afterAll(() => server.stop());

test('each evaluation arrives with its outcome; another tenant’s never does', async () => {
  // `since` covers the moments before the subscription is registered on the server.
  const since = new Date().toISOString();
  const live = subscribeOverWebSocket<Evaluation>(server.url, token, EVALUATIONS, { since });
  try {
    const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
    const outsider = await createUser(server, otherToken, { userPrincipalName: 'eve@fabrikam.com' });
    await startMeetingMigration(server, otherToken, outsider);
    const sip = 'sip:alice.new@contoso.com';
    await mutate(server, token, 'setUserSipAddress', { userId: alice, sipAddress: sip }, 'user { id }');
    const ignored = await live.until((e) => e.triggerEvaluated.kind === 'SIP_ADDRESS_CHANGED');
    expect(ignored.triggerEvaluated).toMatchObject({
      outcome: 'IGNORED',
      user: { userPrincipalName: 'alice@contoso.com' },
      meetingMigration: null,
    });
    expect(ignored.triggerEvaluated.message).toMatch(/SIP/i);

    await startMeetingMigration(server, token, alice);
    const started = await live.until((e) => e.triggerEvaluated.kind === 'MANUAL_START');
    expect(started.triggerEvaluated).toMatchObject({
      outcome: 'STARTED',
      meetingMigration: { state: 'PENDING' },
    });

    await mutate(
      server,
      token,
      'updateTenantMeetingUrl',
      { meetingUrl: 'https://join.contoso.com' },
      'tenant { id }',
    );
    const tenantWide = await live.until((e) => e.triggerEvaluated.kind === 'MEETING_URL_CHANGED');
    expect(tenantWide.triggerEvaluated).toMatchObject({ outcome: 'IGNORED', user: null });

    expect(live.events.map((e) => e.triggerEvaluated.kind)).toEqual([
      'SIP_ADDRESS_CHANGED',
      'MANUAL_START',
      'MEETING_URL_CHANGED',
    ]);
  } finally {
    await live.close();
  }
});

test('`since` replays what was evaluated during a disconnection, oldest first, once each; userId narrows', async () => {
  const since = new Date(Date.now() + 1).toISOString();
  await new Promise((resolve) => setTimeout(resolve, 2));
  const bob = await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  const carol = await createUser(server, token, { userPrincipalName: 'carol@contoso.com' });
  await startMeetingMigration(server, token, bob);
  await startMeetingMigration(server, token, carol);
  await startMeetingMigration(server, token, bob);

  const all = subscribeOverWebSocket<Evaluation>(server.url, token, EVALUATIONS, { since });
  const bobs = subscribeOverWebSocket<Evaluation>(server.url, token, EVALUATIONS, { since, userId: bob });
  try {
    await all.until((_e) => all.events.length === 3);
    await bobs.until((_e) => bobs.events.length === 2);
    expect(
      all.events.map((e) => [e.triggerEvaluated.user?.userPrincipalName, e.triggerEvaluated.outcome]),
    ).toEqual([
      ['bob@contoso.com', 'STARTED'],
      ['carol@contoso.com', 'STARTED'],
      ['bob@contoso.com', 'MERGED'],
    ]);
    expect(bobs.events.map((e) => e.triggerEvaluated.outcome)).toEqual(['STARTED', 'MERGED']);

    // Then live, after the replay, without repeating it.
    await startMeetingMigration(server, token, carol);
    await all.until(
      (e) =>
        e.triggerEvaluated.outcome === 'MERGED' &&
        e.triggerEvaluated.user?.userPrincipalName === 'carol@contoso.com',
    );
    const ids = all.events.map((e) => e.triggerEvaluated.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    expect(bobs.events).toHaveLength(2);
  } finally {
    await all.close();
    await bobs.close();
  }
});
