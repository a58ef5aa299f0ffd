/** Live events over a real WebSocket and over SSE: every transition, with the summary agreeing with queries. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTenantWithOperator, createUser, type NewUser, scheduleMeeting } from '../support/fixtures.ts';
import { type LiveSubscription, subscribeOverSse, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let userCount = 0;
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

const MIGRATIONS = `subscription($u: ID) { meetingMigrationUpdated(userId: $u) {
  id state totalMeetings succeededMeetings failedMeetings invitesUpdated lastMessage
} }`;
const SUMMARY =
  'subscription { meetingMigrationSummaryUpdated { pending inProgress succeeded failed cancelled } }';
const SUMMARY_QUERY = '{ meetingMigrationSummary { pending inProgress succeeded failed cancelled } }';

type MigrationEvent = {
  meetingMigrationUpdated: {
    id: string;
    state: string;
    totalMeetings: number;
    succeededMeetings: number;
    failedMeetings: number;
    lastMessage: string | null;
  };
};
type SummaryEvent = { meetingMigrationSummaryUpdated: Record<string, number> };

beforeAll(async () => {
  // Hold new migrations for a second, so the PENDING state can be observed at rest.
  server = await startServer({ engine: true, holdSeconds: 1 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

/** A user with a few future meetings; mailbox on-premises makes a run fail as ineligible. */
async function userWithMeetings(
  meetings: number,
  mailboxLocation: NewUser['mailboxLocation'] = 'EXCHANGE_ONLINE',
) {
  userCount += 1;
  const id = await createUser(server, token, {
    userPrincipalName: `user${userCount}@contoso.com`,
    mailboxLocation,
  });
  for (let i = 0; i < meetings; i++) await scheduleMeeting(server, token, id);
  return id;
}

const statesOf = (events: MigrationEvent[]) =>
  events.map((e) => e.meetingMigrationUpdated.state).filter((state, i, all) => state !== all[i - 1]);

describe.each([
  ['a WebSocket (graphql-ws)', subscribeOverWebSocket],
  ['SSE', subscribeOverSse],
])('over %s', (_transport, subscribe) => {
  let migrations: LiveSubscription<MigrationEvent>;
  let summaries: LiveSubscription<SummaryEvent>;

  afterAll(async () => {
    await migrations?.close();
    await summaries?.close();
  });

  /** Waits until the summary subscription has sent exactly what the summary query now says. */
  async function summaryAgreesWithQuery() {
    const queried = (await gql(SUMMARY_QUERY)).meetingMigrationSummary;
    const last = summaries.events.at(-1)?.meetingMigrationSummaryUpdated;
    if (JSON.stringify(last) === JSON.stringify(queried)) return queried;
    await summaries.until(
      (e) => JSON.stringify(e.meetingMigrationSummaryUpdated) === JSON.stringify(queried),
    );
    return queried;
  }

  test('a migration goes PENDING → IN_PROGRESS → SUCCEEDED, and the summary agrees with the query', async () => {
    const userId = await userWithMeetings(3);
    migrations = subscribe<MigrationEvent>(server.url, token, MIGRATIONS, { u: userId });
    summaries = subscribe<SummaryEvent>(server.url, token, SUMMARY);
    // The summary subscription starts with the current counts: from then on it is live.
    await summaries.until(() => true);
    const before = await summaryAgreesWithQuery();

    await gql(
      `mutation($u: ID!) { grantTeamsUpgradePolicy(input: { userId: $u, mode: TEAMS_ONLY }) { __typename } }`,
      {
        u: userId,
      },
    );
    await migrations.until((e) => e.meetingMigrationUpdated.state === 'PENDING');
    // Held for a second: at rest, the summary shows one more user pending.
    expect(await summaryAgreesWithQuery()).toEqual({ ...before, pending: before.pending + 1 });

    const finished = await migrations.until((e) => e.meetingMigrationUpdated.state === 'SUCCEEDED');
    expect(finished.meetingMigrationUpdated).toMatchObject({
      totalMeetings: 3,
      succeededMeetings: 3,
      failedMeetings: 0,
    });
    expect(statesOf(migrations.events)).toEqual(['PENDING', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(await summaryAgreesWithQuery()).toEqual({ ...before, succeeded: before.succeeded + 1 });
  });

  test('a user whose mailbox moved on-premises during the hold: PENDING → IN_PROGRESS → FAILED', async () => {
    const userId = await userWithMeetings(1);
    await gql(
      `mutation($u: ID!) { grantTeamsUpgradePolicy(input: { userId: $u, mode: TEAMS_ONLY }) { __typename } }`,
      {
        u: userId,
      },
    );
    const events = subscribe<MigrationEvent>(server.url, token, MIGRATIONS, { u: userId });
    try {
      // The subscription starts with the open migration, still held.
      await events.until((e) => e.meetingMigrationUpdated.state === 'PENDING');
      await gql(
        `mutation($u: ID!) { setMailboxLocation(input: { userId: $u, mailboxLocation: EXCHANGE_ON_PREMISES }) { __typename } }`,
        { u: userId },
      );
      const failed = await events.until((e) => e.meetingMigrationUpdated.state === 'FAILED');
      expect(failed.meetingMigrationUpdated.lastMessage).toMatch(/^not eligible: .*Exchange on-premises/);
      expect(statesOf(events.events)).toEqual(['PENDING', 'IN_PROGRESS', 'FAILED']);
      await summaryAgreesWithQuery();
    } finally {
      await events.close();
    }
  });
});
