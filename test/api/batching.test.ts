/** Lists cost a fixed number of queries, however many items they hold: no N+1. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
const USERS = 24;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);
  const bridge = await gql(
    `mutation { createBridge(input: { name: "US" }) { ... on CreateBridgePayload { bridge { id } } } }`,
  );
  for (const [number, tollFree] of [
    ['+14255550100', false],
    ['+18005550100', true],
  ] as const) {
    await gql(
      `mutation($b: ID!, $n: String!, $f: Boolean!) { addBridgeNumber(input: { bridgeId: $b, number: $n, tollFree: $f, city: "Redmond", country: "US", language: "en-US" }) { __typename } }`,
      { b: bridge.createBridge.bridge.id, n: number, f: tollFree },
    );
  }
  for (let i = 0; i < USERS; i++) {
    const user = await gql(
      `mutation($u: String!) { createUser(input: { userPrincipalName: $u, displayName: "U" }) { ... on CreateUserPayload { user { id } } } }`,
      { u: `user${String(i).padStart(2, '0')}@contoso.com` },
    );
    const id = user.createUser.user.id;
    await gql(`mutation($u: ID!) { assignAudioConferencingLicense(input: { userId: $u }) { __typename } }`, {
      u: id,
    });
    await gql(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { __typename } }`, {
      i: {
        organizerId: id,
        subject: 'S',
        startsAt: '2030-01-01T08:00:00Z',
        endsAt: '2030-01-01T09:00:00Z',
        timeZone: 'UTC',
        attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
      },
    });
  }
});
afterAll(() => server.stop());

async function queriesFor(query: string, variables: Record<string, unknown>): Promise<number> {
  const before = server.queries.length;
  await server.gql(token, query, variables);
  // The change feed's tail reads live_events and live_event_readers in the background, at moments of its
  // own: those statements are not the request's.
  const ran = server.queries.slice(before).filter((sql) => !/from "live_event(s|_readers)"/.test(sql));
  if (process.env.SHOW_QUERIES) console.log(ran);
  return ran.length;
}

test('users with their bridge, numbers, tenant and latest migration', async () => {
  const query = `query($n: Int!) { tenant { users(first: $n) { edges { node {
    userPrincipalName tenant { name }
    latestMeetingMigration { state triggers(first: 1) { edges { node { kind } } } }
    audioConferencing { bridge { name numbers { edges { node { number bridge { name } } } } } defaultTollNumber { number } defaultTollFreeNumber { number } }
  } } } } }`;
  const few = await queriesFor(query, { n: 2 });
  const many = await queriesFor(query, { n: USERS });
  expect(many).toBe(few);
});

test('meetings with organizer, attendees and content items', async () => {
  const query = `query($n: Int!) { tenant { meetings(first: $n) { edges { node {
    subject organizer { userPrincipalName audioConferencing { bridge { name } } }
    attendees { edges { node { email } } } contentItems { edges { node { title } } }
  } } } } }`;
  const few = await queriesFor(query, { n: 2 });
  const many = await queriesFor(query, { n: USERS });
  expect(many).toBe(few);
});

test('migrations with user and tenant', async () => {
  const query = `query($n: Int!) { meetingMigrations(first: $n) { edges { node { state user { userPrincipalName tenant { name } } } } } }`;
  const few = await queriesFor(query, { n: 2 });
  const many = await queriesFor(query, { n: USERS });
  expect(many).toBe(few);
});
