/**
 * SPEC §4.4–4.5 against real stops: failed invitations are re-sent by a worker process that is killed with
 * SIGKILL, or stopped with SIGTERM, while a message is in flight (the SMTP peer holds its reply). Another
 * worker takes over: every invitation is delivered, each Message-ID reached the peer once, and the counters
 * match the outbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { databaseEnv } from '../support/backend.ts';
import {
  createTenantWithOperator,
  createUser,
  mutate,
  parseGlobalId,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

const MEETINGS = 4;
const ATTENDEES = 4;
const INVITATIONS = MEETINGS * ATTENDEES;

let dir: string;
let peer: SmtpPeer;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-resend-crash-'));
  peer = await startSmtpPeer();
  // The API alone: the engine and delivery run in the worker processes below, on its database.
  server = await startServer({ holdSeconds: 0, databasePath: join(dir, 'mms.sqlite') });
});
afterAll(async () => {
  await server.stop();
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

function startWorker() {
  return run('server/worker.ts', [], {
    ...databaseEnv(server.database),
    MMS_HOLD_SECONDS: '0',
    MMS_POLL_MS: '50',
    MMS_SMTP_URL: peer.url,
    MMS_SMTP_RETRY_SCHEDULE: 'none',
    // A dead worker's claims are free again after a second.
    MMS_SMTP_CLAIM_SECONDS: '1',
  });
}

const COUNTS = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state invitationsPending invitationsDelivered invitationsFailed
  invitationUpdates(first: 100) { edges { node { id state } } }
} } }`;

async function waitForCounts(token: string, migrationId: string, done: (m: Record<string, any>) => boolean) {
  for (let i = 0; i < 800; i++) {
    const { node } = await server.gql(token, COUNTS, { id: migrationId });
    if (done(node)) return node;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out waiting for the invitation counts');
}

test('SIGKILL of the worker during a re-send, another worker takes over: every invitation delivered, each Message-ID once', async () => {
  const { token } = await createTenantWithOperator(server, 'litware.com');
  const alice = await createUser(server, token, { userPrincipalName: 'alice@litware.com' });
  const addresses: string[] = [];
  for (let m = 0; m < MEETINGS; m++) {
    const attendees = Array.from({ length: ATTENDEES }, (_, a) => ({
      email: `guest${a}.${m}@example.com`,
    }));
    addresses.push(...attendees.map((attendee) => attendee.email));
    await scheduleMeeting(server, token, alice, { attendees, subject: `Meeting ${m}` });
  }
  // First the peer refuses every recipient for good: every invitation fails.
  for (const address of addresses) peer.refusals.set(address, { code: 550, text: '5.1.1 unknown recipient' });
  let worker = startWorker();
  let migrationId = '';
  try {
    await worker.line((line) => line.startsWith('MMS worker'));
    ({ migrationId } = await startMeetingMigration(server, token, alice, { targetMeetingType: 'TEAMS' }));
    await waitForCounts(
      token,
      migrationId,
      (m) => m.state === 'SUCCEEDED' && m.invitationsFailed === INVITATIONS,
    );
    expect(peer.received).toHaveLength(0);

    // The peer is fixed; the re-send starts and the worker dies with a message in flight.
    peer.refusals.clear();
    const resent = await mutate(server, token, 'resendInvitationUpdates', { migrationId }, 'queued');
    expect(resent.queued).toBe(INVITATIONS);
    await peer.until(() => peer.received.length >= INVITATIONS / 3);
    peer.holdReplies = true;
    await peer.until(() => peer.inFlight === 1);
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(worker.child.signalCode).toBe('SIGKILL');
    // The dead sender hung up before the reply: the peer never accepted that message.
    await peer.until(() => peer.inFlight === 0);
    peer.holdReplies = false;
    const beforeRestart = peer.received.length;
    expect(beforeRestart).toBeGreaterThanOrEqual(INVITATIONS / 3);
    expect(beforeRestart).toBeLessThan(INVITATIONS);
    const leftBehind = await waitForCounts(token, migrationId, () => true);
    expect(leftBehind.invitationsDelivered).toBe(beforeRestart);
    expect(leftBehind.invitationsPending).toBe(INVITATIONS - beforeRestart);

    worker = startWorker();
    await worker.line((line) => line.startsWith('MMS worker'));
    const finished = await waitForCounts(
      token,
      migrationId,
      (m) => m.invitationsDelivered === INVITATIONS || m.invitationsFailed > 0,
    );
    expect(finished).toMatchObject({
      state: 'SUCCEEDED',
      invitationsPending: 0,
      invitationsDelivered: INVITATIONS,
      invitationsFailed: 0,
    });
    const ids = finished.invitationUpdates.edges.map((e: { node: { id: string; state: string } }) => e.node);
    expect(ids.every((update: { state: string }) => update.state === 'SENT')).toBe(true);
    // Each invitation reached the peer exactly once, with the Message-ID of its first attempt.
    expect(peer.received).toHaveLength(INVITATIONS);
    for (const update of ids) {
      expect(peer.count(`<invitation-update-${parseGlobalId(update.id).id}@litware.com>`)).toBe(1);
    }
    expect(new Set(peer.received.map((m) => m.to))).toEqual(new Set(addresses));
  } finally {
    await worker.stop();
  }

  // The counters the API read are the outbox's own states.
  const { rows } = await sql<Record<string, number | string>>`select m.invitations_pending as pending,
        m.invitations_delivered as delivered, m.invitations_failed as failed,
        (select count(*) from invitation_updates u where u.migration_id = m.id and u.state = 'SENT') as sent
      from meeting_migrations m where m.id = ${parseGlobalId(migrationId).id}`.execute(
    server.app.database.db,
  );
  // PostgreSQL gives counts as strings.
  const counted = Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, n]) => [key, Number(n)]));
  expect(counted).toEqual({ pending: 0, delivered: INVITATIONS, failed: 0, sent: INVITATIONS });
}, 60_000);

/** The outbox of one migration by state, read from the database the workers share. */
async function outboxStates(migrationId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ state: string; n: number | string }>`select state, count(*) as n
    from invitation_updates where migration_id = ${parseGlobalId(migrationId).id} group by state`.execute(
    server.app.database.db,
  );
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
}

test('SIGTERM during a re-send: the message in flight completes, the rest of the claim is handed back at once', async () => {
  const { token } = await createTenantWithOperator(server, 'wingtip.com');
  const bob = await createUser(server, token, { userPrincipalName: 'bob@wingtip.com' });
  const attendees = Array.from({ length: 8 }, (_, a) => ({ email: `stop${a}@example.org` }));
  await scheduleMeeting(server, token, bob, { attendees });
  for (const { email } of attendees) peer.refusals.set(email, { code: 550, text: '5.1.1 unknown recipient' });
  let worker = startWorker();
  try {
    await worker.line((line) => line.startsWith('MMS worker'));
    const { migrationId } = await startMeetingMigration(server, token, bob, { targetMeetingType: 'TEAMS' });
    await waitForCounts(token, migrationId, (m) => m.state === 'SUCCEEDED' && m.invitationsFailed === 8);

    peer.refusals.clear();
    peer.holdReplies = true;
    expect((await mutate(server, token, 'resendInvitationUpdates', { migrationId }, 'queued')).queued).toBe(
      8,
    );
    await peer.until(() => peer.inFlight === 1);
    const stopped = worker.stop();
    // The worker logs this once it has told the engine and delivery to stop: the reply may go out now.
    await worker.line((line) => line.startsWith('SIGTERM'));
    peer.holdReplies = false;
    await stopped;
    expect({ code: await worker.exited, signal: worker.child.signalCode }).toEqual({
      code: 0,
      signal: null,
    });
    // One sent; the seven it had claimed and not tried are queued again, none left claimed.
    expect(await outboxStates(migrationId)).toEqual({ SENT: 1, QUEUED: 7 });
    expect(await waitForCounts(token, migrationId, () => true)).toMatchObject({
      invitationsPending: 7,
      invitationsDelivered: 1,
      invitationsFailed: 0,
    });

    worker = startWorker();
    const done = await waitForCounts(token, migrationId, (m) => m.invitationsDelivered === 8);
    expect(done).toMatchObject({ invitationsPending: 0, invitationsFailed: 0 });
    for (const { node } of done.invitationUpdates.edges) {
      expect(peer.count(`<invitation-update-${parseGlobalId(node.id).id}@wingtip.com>`)).toBe(1);
    }
  } finally {
    await worker.stop();
  }
}, 60_000);
