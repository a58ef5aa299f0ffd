/**
 * SPEC §4.4: no invitation is lost without a signal. A real SMTP peer refuses some recipients; the API shows
 * each migration's invitation counts (live too), finds migrations with failed invitations, names the reply,
 * and re-sends failed invitations once the peer accepts them, each exactly once.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  globalId,
  parseGlobalId,
  runMutation,
  scheduleMeeting,
  startMeetingMigration,
  unknownId,
} from '../support/fixtures.ts';
import { type LiveSubscription, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

let peer: SmtpPeer;
let server: TestServer;

beforeAll(async () => {
  peer = await startSmtpPeer();
  // The test server retries after 50 ms, twice: three attempts in all.
  server = await startServer({ engine: true, holdSeconds: 0, smtpUrl: peer.url });
});
afterAll(async () => {
  await server.stop();
  await peer.close();
});

const COUNTS = 'state lastMessage invitesUpdated invitationsPending invitationsDelivered invitationsFailed';
const MIGRATION = `query($id: ID!) { node(id: $id) { ... on MeetingMigration { ${COUNTS}
  invitationUpdates(first: 50) { edges { node { id attendeeEmail state attempts lastError sequence meeting { sequence } } } }
} } }`;

interface Counts {
  state: string;
  lastMessage: string | null;
  invitationsPending: number;
  invitationsDelivered: number;
  invitationsFailed: number;
}

interface Outbox {
  id: string;
  attendeeEmail: string;
  state: string;
  attempts: number;
  lastError: string | null;
  sequence: number;
  meeting: { sequence: number };
}

async function migrationNow(token: string, id: string) {
  const { node } = await server.gql(token, MIGRATION, { id });
  return {
    ...node,
    outbox: node.invitationUpdates.edges.map((e: { node: Outbox }) => e.node) as Outbox[],
  };
}

/** Polls until the migration has finished and none of its invitations is pending. */
async function settled(token: string, id: string) {
  for (let i = 0; i < 600; i++) {
    const migration = await migrationNow(token, id);
    if (migration.state === 'SUCCEEDED' && migration.invitationsPending === 0) return migration;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out waiting for invitations to settle');
}

const messageIdOf = (updateId: string, domain: string) =>
  `<invitation-update-${parseGlobalId(updateId).id}@${domain}>`;

function liveCounts(token: string) {
  return {
    migrations: subscribeOverWebSocket<{ meetingMigrationUpdated: Counts & { id: string } }>(
      server.url,
      token,
      `subscription { meetingMigrationUpdated { id ${COUNTS} } }`,
    ),
    summary: subscribeOverWebSocket<{ meetingMigrationSummaryUpdated: Record<string, number> }>(
      server.url,
      token,
      `subscription { meetingMigrationSummaryUpdated {
        invitationsPending invitationsDelivered invitationsFailed migrationsWithFailedInvitations } }`,
    ),
  };
}

async function closeAll(...subscriptions: LiveSubscription<unknown>[]) {
  for (const subscription of subscriptions) await subscription.close();
}

test('550 fails an invitation at once, 4xx is retried, and a spent schedule fails with the last reply: counted, filtered, named, live', async () => {
  const { token } = await createTenantWithOperator(server, 'fabrikam.com');
  const alice = await createUser(server, token, { userPrincipalName: 'alice@fabrikam.com' });
  const attendees = ['bob', 'carol', 'dave', 'erin'].map((name) => ({ email: `${name}@example.net` }));
  await scheduleMeeting(server, token, alice, { attendees });
  peer.refusals.set('carol@example.net', {
    code: 550,
    text: '5.1.1 <carol@example.net>: mailbox unavailable',
  });
  peer.refusals.set('dave@example.net', { code: 451, text: '4.3.2 try again later', times: 1 });
  peer.refusals.set('erin@example.net', { code: 452, text: '4.2.2 mailbox full' });
  // Another user's migration whose invitations all go out: the filter must leave it out.
  const frank = await createUser(server, token, { userPrincipalName: 'frank@fabrikam.com' });
  await scheduleMeeting(server, token, frank, { attendees: [{ email: 'grace@example.net' }] });
  const live = liveCounts(token);
  await live.summary.until(() => true);

  const { migrationId } = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' });
  const clean = await startMeetingMigration(server, token, frank, { targetMeetingType: 'TEAMS' });
  const done = await settled(token, migrationId);
  await settled(token, clean.migrationId);

  const outbox = new Map(done.outbox.map((entry: Outbox) => [entry.attendeeEmail, entry]));
  expect(outbox.get('bob@example.net')).toMatchObject({ state: 'SENT', attempts: 1, lastError: null });
  // Permanent: failed at the first attempt, nothing retried, the server's reply kept word for word.
  expect(outbox.get('carol@example.net')).toMatchObject({
    state: 'FAILED',
    attempts: 1,
    lastError: '550 5.1.1 <carol@example.net>: mailbox unavailable',
  });
  // Transient once: the second attempt got through.
  expect(outbox.get('dave@example.net')).toMatchObject({ state: 'SENT', attempts: 2, lastError: null });
  // Transient every time: the schedule (two retries) spent, failed with the last reply.
  expect(outbox.get('erin@example.net')).toMatchObject({
    state: 'FAILED',
    attempts: 3,
    lastError: '452 4.2.2 mailbox full',
  });
  expect(
    peer.received
      .filter((m) => /@example\.net$/.test(m.to))
      .map((m) => m.to)
      .sort(),
  ).toEqual(['bob@example.net', 'dave@example.net', 'grace@example.net']);

  // The migration keeps its state; counts and message say what happened to its invitations.
  expect(done).toMatchObject({
    state: 'SUCCEEDED',
    invitesUpdated: 4,
    invitationsPending: 0,
    invitationsDelivered: 2,
    invitationsFailed: 2,
  });
  // Erin's failure came last (after two retries); both are counted.
  expect(done.lastMessage).toBe('2 invitations failed: 452 4.2.2 mailbox full');

  const listed = async (withFailedInvitations: boolean) =>
    (
      await server.gql(
        token,
        'query($f: Boolean) { meetingMigrations(withFailedInvitations: $f) { edges { node { id } } } }',
        { f: withFailedInvitations },
      )
    ).meetingMigrations.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(await listed(true)).toEqual([migrationId]);
  expect(await listed(false)).toEqual([clean.migrationId]);
  const { meetingMigrationSummary } = await server.gql(
    token,
    `{ meetingMigrationSummary { succeeded invitationsPending invitationsDelivered invitationsFailed migrationsWithFailedInvitations } }`,
  );
  expect(meetingMigrationSummary).toEqual({
    succeeded: 2,
    invitationsPending: 0,
    invitationsDelivered: 3,
    invitationsFailed: 2,
    migrationsWithFailedInvitations: 1,
  });

  // Live: the subscribers saw the counts arrive at what the queries read.
  const event = await live.migrations.until(
    (e) =>
      e.meetingMigrationUpdated.id === migrationId &&
      e.meetingMigrationUpdated.invitationsFailed === 2 &&
      e.meetingMigrationUpdated.invitationsPending === 0,
  );
  expect(event.meetingMigrationUpdated).toMatchObject({ state: 'SUCCEEDED', invitationsDelivered: 2 });
  expect(event.meetingMigrationUpdated.lastMessage).toBe(done.lastMessage);
  await live.summary.until(
    (e) =>
      e.meetingMigrationSummaryUpdated.invitationsFailed === 2 &&
      e.meetingMigrationSummaryUpdated.migrationsWithFailedInvitations === 1 &&
      e.meetingMigrationSummaryUpdated.invitationsDelivered === 3,
  );

  // A delivered invitation is never sent again: asking for it is refused and changes nothing.
  const bob = outbox.get('bob@example.net') as Outbox;
  const refused = await runMutation(server, token, 'resendInvitationUpdates', { invitationUpdateId: bob.id });
  expect(refused).toMatchObject({
    __typename: 'NotAllowedError',
    message: 'only a FAILED invitation update can be sent again; this one is SENT',
  });

  // The peer is fixed; the migration's failed invitations are re-sent and each arrives exactly once.
  peer.refusals.clear();
  const resent = await runMutation(
    server,
    token,
    'resendInvitationUpdates',
    { migrationId },
    'queued meetingMigrations { id invitationsPending invitationsFailed lastMessage }',
  );
  expect(resent).toMatchObject({
    __typename: 'ResendInvitationUpdatesPayload',
    queued: 2,
    meetingMigrations: [{ id: migrationId, invitationsFailed: 0, lastMessage: null }],
  });
  expect(resent.meetingMigrations[0].invitationsPending).toBeGreaterThan(0);
  const after = await settled(token, migrationId);
  expect(after).toMatchObject({
    invitationsPending: 0,
    invitationsDelivered: 4,
    invitationsFailed: 0,
    lastMessage: null,
  });
  for (const entry of after.outbox) {
    expect(entry).toMatchObject({ state: 'SENT', sequence: entry.meeting.sequence });
    // Same Message-ID as the first attempt, and it reached the peer once: Bob's too.
    expect(peer.count(messageIdOf(entry.id, 'fabrikam.com'))).toBe(1);
  }
  // Carol's copy announces the SEQUENCE of the first attempt.
  const carolsMail = await simpleParser(peer.received.find((m) => m.to === 'carol@example.net')?.raw ?? '');
  const calendar = carolsMail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  expect(calendar?.content.toString('utf8')).toMatch(
    new RegExp(`\r\nSEQUENCE:${after.outbox[0].sequence}\r\n`),
  );
  expect(await listed(true)).toEqual([]);
  await live.migrations.until(
    (e) =>
      e.meetingMigrationUpdated.id === migrationId &&
      e.meetingMigrationUpdated.invitationsDelivered === 4 &&
      e.meetingMigrationUpdated.invitationsFailed === 0,
  );
  await live.summary.until(
    (e) =>
      e.meetingMigrationSummaryUpdated.invitationsFailed === 0 &&
      e.meetingMigrationSummaryUpdated.invitationsDelivered === 5,
  );

  // Nothing failed is left: another re-send queues nothing and sends nothing.
  const again = await runMutation(server, token, 'resendInvitationUpdates', { allFailed: true }, 'queued');
  expect(again).toMatchObject({ queued: 0 });
  expect((await migrationNow(token, migrationId)).outbox.every((e: Outbox) => e.state === 'SENT')).toBe(true);
  await closeAll(live.migrations, live.summary);
}, 30_000);

test('a later rewrite of the meeting supersedes its failed invitations: they leave the count and cannot be re-sent', async () => {
  const { token } = await createTenantWithOperator(server, 'tailspin.com');
  const alice = await createUser(server, token, { userPrincipalName: 'alice@tailspin.com' });
  await scheduleMeeting(server, token, alice, { attendees: [{ email: 'heidi@example.com' }] });
  peer.refusals.set('heidi@example.com', { code: 550, text: '5.1.1 no such user' });
  const first = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' });
  const failed = await settled(token, first.migrationId);
  expect(failed).toMatchObject({
    invitationsFailed: 1,
    lastMessage: '1 invitation failed: 550 5.1.1 no such user',
  });

  peer.refusals.delete('heidi@example.com');
  const second = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' });
  const rewritten = await settled(token, second.migrationId);
  expect(rewritten).toMatchObject({ invitationsDelivered: 1, invitationsFailed: 0 });
  const superseded = await migrationNow(token, first.migrationId);
  expect(superseded).toMatchObject({ invitationsPending: 0, invitationsDelivered: 0, invitationsFailed: 0 });
  expect(superseded.outbox).toMatchObject([{ state: 'SUPERSEDED', lastError: '550 5.1.1 no such user' }]);

  const refused = await runMutation(server, token, 'resendInvitationUpdates', {
    invitationUpdateId: superseded.outbox[0].id,
  });
  expect(refused).toMatchObject({
    __typename: 'NotAllowedError',
    message: 'only a FAILED invitation update can be sent again; this one is SUPERSEDED',
  });
  const byMigration = await runMutation(
    server,
    token,
    'resendInvitationUpdates',
    { migrationId: first.migrationId },
    'queued meetingMigrations { id }',
  );
  expect(byMigration).toMatchObject({ queued: 0, meetingMigrations: [] });
  expect((await migrationNow(token, first.migrationId)).outbox[0].state).toBe('SUPERSEDED');
}, 30_000);

test('resendInvitationUpdates: exactly one selector, typed errors naming the field, other tenants invisible, nothing changed', async () => {
  const mine = await createTenantWithOperator(server, 'northwind.com');
  const theirs = await createTenantWithOperator(server, 'adatum.com');
  // The other tenant has a failed invitation that no error may touch.
  const olga = await createUser(server, theirs.token, { userPrincipalName: 'olga@adatum.com' });
  const theirMeeting = await scheduleMeeting(server, theirs.token, olga, {
    attendees: [{ email: 'ivan@example.org' }],
  });
  peer.refusals.set('ivan@example.org', { code: 554, text: '5.7.1 relay denied' });
  const { migrationId } = await startMeetingMigration(server, theirs.token, olga, {
    targetMeetingType: 'TEAMS',
  });
  const theirs1 = await settled(theirs.token, migrationId);
  expect(theirs1.invitationsFailed).toBe(1);
  const theirUpdate = theirs1.outbox[0].id;

  const resend = (input: Record<string, unknown>, token = mine.token) =>
    runMutation(server, token, 'resendInvitationUpdates', input, 'queued');
  expect(await resend({})).toMatchObject({ __typename: 'InvalidValueError', field: 'input' });
  expect(await resend({ meetingId: theirMeeting, migrationId })).toMatchObject({
    __typename: 'InvalidValueError',
    field: 'migrationId',
  });
  expect(await resend({ allFailed: false })).toMatchObject({
    __typename: 'InvalidValueError',
    field: 'allFailed',
  });
  expect(await resend({ allFailed: true, invitationUpdateId: theirUpdate })).toMatchObject({
    __typename: 'InvalidValueError',
    field: 'allFailed',
  });
  expect(await resend({ migrationId, tenantId: mine.tenantId })).toMatchObject({
    __typename: 'InvalidValueError',
    field: 'tenantId',
  });
  // Another tenant's objects, unknown ids and ids of another type all read as not found.
  expect(await resend({ invitationUpdateId: theirUpdate })).toMatchObject({
    __typename: 'NotFoundError',
    field: 'invitationUpdateId',
  });
  expect(await resend({ meetingId: theirMeeting })).toMatchObject({
    __typename: 'NotFoundError',
    field: 'meetingId',
  });
  expect(await resend({ migrationId })).toMatchObject({ __typename: 'NotFoundError', field: 'migrationId' });
  expect(await resend({ migrationId: unknownId('MeetingMigration') })).toMatchObject({
    __typename: 'NotFoundError',
    field: 'migrationId',
  });
  expect(await resend({ meetingId: globalId('User', 1) })).toMatchObject({
    __typename: 'NotFoundError',
    field: 'meetingId',
  });
  expect(await resend({ allFailed: true, tenantId: theirs.tenantId })).toMatchObject({
    __typename: 'NotFoundError',
    field: 'tenantId',
  });
  // My tenant has nothing failed: allFailed queues none of theirs.
  expect(await resend({ allFailed: true })).toMatchObject({ queued: 0 });
  // The service admin names the tenant for allFailed.
  expect(await resend({ allFailed: true }, server.adminToken)).toMatchObject({
    __typename: 'InvalidValueError',
    field: 'tenantId',
  });

  const unchanged = await migrationNow(theirs.token, migrationId);
  expect(unchanged).toMatchObject({ invitationsFailed: 1, invitationsPending: 0 });
  expect(unchanged.outbox[0]).toMatchObject({
    state: 'FAILED',
    attempts: 1,
    lastError: '554 5.7.1 relay denied',
  });

  // Their own operator re-sends by meeting once the peer accepts: delivered, counted.
  peer.refusals.delete('ivan@example.org');
  expect(await resend({ meetingId: theirMeeting }, theirs.token)).toMatchObject({ queued: 1 });
  const delivered = await settled(theirs.token, migrationId);
  expect(delivered).toMatchObject({ invitationsDelivered: 1, invitationsFailed: 0 });
  expect(delivered.outbox[0]).toMatchObject({ state: 'SENT', attempts: 1, lastError: null });
  expect(peer.count(messageIdOf(theirUpdate, 'adatum.com'))).toBe(1);
}, 30_000);
