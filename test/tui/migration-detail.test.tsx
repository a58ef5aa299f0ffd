/**
 * A migration's detail against a real server with the engine running: every field, the trigger it absorbed,
 * cancel and retry (each after a question), then the per-meeting results of the run the retry started.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MigrationDetail } from '../../tui/components/MigrationDetail.tsx';
import { createTenantWithOperator, createUser, mutate, scheduleMeeting } from '../support/fixtures.ts';
import { renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  // Automatic migrations wait an hour to merge more changes: long enough to cancel one at leisure.
  server = await startServer({ engine: true, holdSeconds: 3600 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

const stateOf = async (id: string) =>
  (await server.gql(token, 'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state } } }', { id }))
    .node.state;

test('shows every field and the trigger; c and r act only after y; the retried run shows each meeting', async () => {
  const carol = await createUser(server, token, { userPrincipalName: 'carol@contoso.com' });
  await scheduleMeeting(server, token, carol, { subject: 'Budget review' });
  await scheduleMeeting(server, token, carol, {
    subject: 'Team lunch',
    startsAt: '2030-05-01T11:00:00.000Z',
    endsAt: '2030-05-01T12:00:00.000Z',
  });
  // Licensing her is a trigger: a migration held for the hour.
  const licensed = await server.gql(
    token,
    'mutation($u: ID!) { assignAudioConferencingLicense(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } } }',
    { u: carol },
  );
  const id: string = licensed.assignAudioConferencingLicense.meetingMigration.id;
  // A second change during the hold merges into it.
  await mutate(server, token, 'setConferenceId', { userId: carol, conferenceId: '7654321' }, 'user { id }');

  const screen = renderAgainst(server, token, <MigrationDetail id={id} height={30} width={100} />);
  try {
    const first = await screen.frameShowing(/Migration of carol@contoso\.com[\s\S]*PENDING/);
    for (const field of [
      /correlation [0-9a-f-]{36}/,
      /created\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/,
      /not before/,
      /started\s+—/,
      /finished\s+—/,
      /next try\s+—\s+· retries 0/,
      /0\/0 meetings/,
      /0 invitations: 0 delivered, 0 pending, 0 failed/,
      /last message: —/,
    ])
      expect(first).toMatch(field);
    expect(first).toMatch(/latest trigger \d\d-\d\d [\d:]{8} CONFERENCE_ID_CHANGED MERGED .*7654321/);
    expect(first).toMatch(/Meetings · tab: triggers\s+none looked at yet/);

    // Tab: every trigger it absorbed, newest first, with its outcome; tab again: the meetings.
    await screen.press('\t');
    const triggers = await screen.frameShowing(/Triggers absorbed, newest first/);
    const absorbed = [...triggers.matchAll(/(LICENSE_ASSIGNED|CONFERENCE_ID_CHANGED) (\w+)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    // The latest-trigger line, then the list.
    expect(absorbed).toEqual([
      'CONFERENCE_ID_CHANGED MERGED',
      'CONFERENCE_ID_CHANGED MERGED',
      'LICENSE_ASSIGNED STARTED',
    ]);
    expect(triggers).toMatch(
      /LICENSE_ASSIGNED STARTED audio conferencing license assigned · started migration/,
    );
    await screen.press('\t');
    await screen.frameShowing(/Meetings · tab: triggers/);

    // No: nothing changes.
    await screen.press('c');
    await screen.frameShowing(/\? Cancel the migration of carol@contoso\.com\? y yes · n no/);
    await screen.press('n');
    await screen.frameShowing((f) => !f.includes('Cancel the migration'), 'the question gone');
    expect(await stateOf(id)).toBe('PENDING');

    await screen.press('c', 'y');
    await screen.frameShowing(/✓ cancelled: now CANCELLED/);
    expect(await stateOf(id)).toBe('CANCELLED');
    await screen.frameShowing(/^Migration of carol@contoso\.com .* CANCELLED$/m);

    // Cancelling is not offered on a cancelled one: c asks nothing, r asks to retry.
    await screen.press('c', 'r');
    const asked = await screen.frameShowing(/\? Retry the migration of carol@contoso\.com\?/);
    expect(asked).not.toMatch(/Cancel the migration/);
    await screen.press('y');
    await screen.frameShowing(/✓ retried: now PENDING/);
    const ran = await screen.frameShowing(/SUCCEEDED[\s\S]*2\/2 meetings: 2 updated/);
    expect(ran).toMatch(/UPDATED .* Budget review · .+/);
    expect(ran).toMatch(/UPDATED .* Team lunch · .+/);
    // Two attendees per meeting; no SMTP server here, so they wait in the outbox.
    expect(ran).toMatch(/4 invitations: 0 delivered, 4 pending, 0 failed/);
    expect(await stateOf(id)).toBe('SUCCEEDED');
  } finally {
    await screen.close();
  }
});

test('an unknown id says so', async () => {
  const screen = renderAgainst(
    server,
    token,
    <MigrationDetail id="TWVldGluZ01pZ3JhdGlvbjo5OTk5OTk=" height={10} />,
  );
  try {
    await screen.frameShowing(/no such migration/);
  } finally {
    await screen.close();
  }
});
