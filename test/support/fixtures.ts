import { sql } from 'kysely';
/**
 * Test data made through the GraphQL API only, as an admin would make it. Every helper throws with the typed
 * error's message when a mutation answers with an Error member, so a broken fixture fails loudly.
 */
import type { TestServer } from './server.ts';

/** A Relay global ID, as the server encodes them: base64 of `Type:id`. */
export function globalId(typename: string, id: number | string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

/** The type and database id behind a global ID. */
export function parseGlobalId(id: string): { typename: string; id: number } {
  const [typename = '', number = ''] = Buffer.from(id, 'base64').toString('utf8').split(':');
  return { typename, id: Number(number) };
}

/** A global ID of the given type that names nothing (no test creates a million rows). */
export function unknownId(typename: string): string {
  return globalId(typename, 999_999);
}

const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Runs `mutation { <name>(input: $input) }` and returns its result union member as is: the payload
 * (with `selection`) or a typed error (`__typename`, `message`, and `field` where it has one).
 */
export async function runMutation<T = Record<string, any>>(
  server: TestServer,
  token: string,
  name: string,
  input: Record<string, unknown>,
  selection = '__typename',
): Promise<T & { __typename: string; message?: string; field?: string }> {
  const query = `mutation($input: ${capitalize(name)}Input!) { ${name}(input: $input) {
    __typename
    ... on Error { message }
    ... on NotFoundError { field }
    ... on InvalidValueError { field }
    ... on ${capitalize(name)}Payload { ${selection} }
  } }`;
  const data = await server.gql<Record<string, any>>(token, query, { input });
  return data[name];
}

/** Like runMutation, but throws when the mutation answers with a typed error. */
export async function mutate<T = Record<string, any>>(
  server: TestServer,
  token: string,
  name: string,
  input: Record<string, unknown>,
  selection: string,
): Promise<T> {
  const result = await runMutation<T>(server, token, name, input, selection);
  if (result.__typename !== `${capitalize(name)}Payload`) {
    const field = result.field ? ` (${result.field})` : '';
    throw new Error(`${name} failed with ${result.__typename}${field}: ${result.message}`);
  }
  return result;
}

export interface TenantWithOperator {
  tenantId: string;
  /** An operator token of this tenant. */
  token: string;
}

/** A tenant (made by the service admin) and an operator token for it. */
export async function createTenantWithOperator(
  server: TestServer,
  primaryDomain: string,
  name = primaryDomain,
): Promise<TenantWithOperator> {
  const { tenant } = await mutate(
    server,
    server.adminToken,
    'createTenant',
    { name, primaryDomain },
    'tenant { id }',
  );
  const { token } = await mutate(
    server,
    server.adminToken,
    'createOperatorToken',
    { tenantId: tenant.id, name: `operator of ${primaryDomain}` },
    'token',
  );
  return { tenantId: tenant.id, token };
}

export interface NewUser {
  userPrincipalName: string;
  displayName?: string;
  sipAddress?: string;
  skypeHosting?: 'ON_PREMISES' | 'ONLINE';
  teamsUpgradeMode?:
    | 'ISLANDS'
    | 'SFB_WITH_TEAMS_COLLAB'
    | 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS'
    | 'TEAMS_ONLY';
  mailboxLocation?: 'EXCHANGE_ONLINE' | 'EXCHANGE_ON_PREMISES';
  /** Assign the audio conferencing license (which puts the user on the default bridge and is a trigger). */
  licensed?: boolean;
}

/** Creates a user in the token's tenant and returns its global ID. */
export async function createUser(server: TestServer, token: string, user: NewUser): Promise<string> {
  const { licensed, ...input } = user;
  const created = await mutate(
    server,
    token,
    'createUser',
    { displayName: input.userPrincipalName.split('@')[0], ...input },
    'user { id }',
  );
  const userId: string = created.user.id;
  if (licensed) await mutate(server, token, 'assignAudioConferencingLicense', { userId }, 'user { id }');
  return userId;
}

export interface NewBridgeNumber {
  number: string;
  tollFree?: boolean;
  city?: string;
  country?: string;
  language?: string;
}

/** Creates a bridge with these numbers; returns the global IDs of the bridge and of its numbers, in order. */
export async function addBridge(
  server: TestServer,
  token: string,
  bridge: { name: string; isDefault?: boolean; numbers?: NewBridgeNumber[] },
): Promise<{ bridgeId: string; numberIds: string[] }> {
  const { numbers = [], ...input } = bridge;
  const created = await mutate(server, token, 'createBridge', input, 'bridge { id }');
  const bridgeId: string = created.bridge.id;
  const numberIds: string[] = [];
  for (const number of numbers) {
    const added = await mutate(
      server,
      token,
      'addBridgeNumber',
      { city: 'Redmond', country: 'US', language: 'en-US', ...number, bridgeId },
      'bridgeNumber { id }',
    );
    numberIds.push(added.bridgeNumber.id);
  }
  return { bridgeId, numberIds };
}

/** A valid scheduleMeeting input for the organizer: one hour next year, two attendees. */
export function meetingInput(organizerId: string, overrides: Record<string, unknown> = {}) {
  return {
    organizerId,
    subject: 'Weekly sync',
    startsAt: '2030-03-04T09:00:00.000Z',
    endsAt: '2030-03-04T10:00:00.000Z',
    timeZone: 'Europe/Berlin',
    attendees: [{ email: 'bob@example.com', name: 'Bob' }, { email: 'carol@example.org' }],
    ...overrides,
  };
}

/** Schedules a meeting (as the add-in does) and returns its global ID. */
export async function scheduleMeeting(
  server: TestServer,
  token: string,
  organizerId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const scheduled = await mutate(
    server,
    token,
    'scheduleMeeting',
    meetingInput(organizerId, overrides),
    'meeting { id }',
  );
  return scheduled.meeting.id;
}

/** Start-CsExMeetingMigration for the user; returns the migration and trigger evaluation global IDs. */
export async function startMeetingMigration(
  server: TestServer,
  token: string,
  userId: string,
  input: { sourceMeetingType?: string; targetMeetingType?: string } = {},
): Promise<{ migrationId: string; triggerEvaluationId: string }> {
  const started = await mutate(
    server,
    token,
    'startMeetingMigration',
    { ...input, userId },
    'meetingMigration { id } triggerEvaluation { id }',
  );
  return { migrationId: started.meetingMigration.id, triggerEvaluationId: started.triggerEvaluation.id };
}

/**
 * Everything an operator token can see of its tenant, in one response: compare two snapshots to prove that
 * nothing changed. Lists are read at their default page size (50), which is plenty for tests.
 */
export async function tenantSnapshot(server: TestServer, token: string): Promise<Record<string, any>> {
  return server.gql(
    token,
    `{
    viewer { kind tenant {
      id name primaryDomain meetingUrl teamsUpgradeMode createdAt
      migrationConfiguration { meetingMigrationEnabled }
      dialInConferencingSettings {
        automaticallyMigrateUserMeetings automaticallyReplaceAcpProvider automaticallySendEmailsToUsers pinLength
      }
      users { edges { node {
        id userPrincipalName displayName sipAddress skypeHosting teamsUpgradeMode mailboxLocation createdAt
        audioConferencing {
          provider licensed dialInEnabled conferenceId thirdPartyProviderName thirdPartyDialInText
          bridge { id } defaultTollNumber { id } defaultTollFreeNumber { id }
        }
        latestMeetingMigration { id }
      } } }
      bridges { edges { node {
        id name isDefault numbers { edges { node { id number tollFree city country language } } }
      } } }
      meetings(timing: ALL) { edges { node {
        id uid subject body sequence startsAt endsAt timeZone recurrence location sharedNotesUrl attendeeCount
        organizer { id } onlineMeeting { type joinUrl conferenceId }
        attendees { edges { node { email name } } }
      } } }
      triggerEvaluations { edges { node { id kind outcome message detail occurredAt meetingMigration { id } } } }
    } }
    meetingMigrations { edges { node {
      id state modifiedAt notBefore startedAt finishedAt retryCount nextAttemptAt lastMessage
      sourceMeetingType targetMeetingType triggers { edges { node { id } } }
    } } }
    meetingMigrationSummary { pending inProgress succeeded failed cancelled }
  }`,
  );
}

/** The number of rows in every table of the server's database, by table name. */
export async function rowCounts(server: TestServer): Promise<Record<string, number>> {
  const { db } = server.app.database;
  const counts: Record<string, number> = {};
  for (const { name } of await db.introspection.getTables()) {
    const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(row.rows[0]?.n);
  }
  return counts;
}

/** A migration's state, as its owner reads it. */
export async function migrationState(
  server: TestServer,
  token: string,
  migrationId: string,
): Promise<string> {
  const { node } = await server.gql(
    token,
    'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state } } }',
    { id: migrationId },
  );
  return node.state;
}

/** Waits until the engine has failed the migration. */
export async function untilFailed(server: TestServer, token: string, migrationId: string): Promise<void> {
  while ((await migrationState(server, token, migrationId)) !== 'FAILED') {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
