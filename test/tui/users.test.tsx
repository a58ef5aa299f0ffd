/**
 * The users screen against a real server: the search narrows the list; the selected user's coordinates
 * and latest migration show; n previews a migration meeting by meeting, and Enter starts it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Users } from '../../tui/components/Users.tsx';
import { addBridge, createTenantWithOperator, createUser, scheduleMeeting } from '../support/fixtures.ts';
import { DOWN, ENTER, ESCAPE, RIGHT, renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let bob: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  await addBridge(server, token, {
    name: 'Contoso Europe',
    isDefault: true,
    numbers: [{ number: '+4930555010' }, { number: '+80055501', tollFree: true }],
  });
  for (const name of ['alice', 'anna', 'carol'])
    await createUser(server, token, { userPrincipalName: `${name}@contoso.com` });
  bob = await createUser(server, token, {
    userPrincipalName: 'bob@contoso.com',
    displayName: 'Bob Builder',
    licensed: true,
  });
  await scheduleMeeting(server, token, bob, { subject: 'Site visit' });
  await scheduleMeeting(server, token, bob, {
    subject: 'Crane hire',
    startsAt: '2030-06-01T08:00:00.000Z',
    endsAt: '2030-06-01T09:00:00.000Z',
  });
});
afterAll(() => server.stop());

const listed = (frame: string) => [...frame.matchAll(/^[› ] (\S+@contoso\.com)/gm)].map((m) => m[1]);

test('search narrows the list; the card shows coordinates; a preview comes before the start', async () => {
  // Room for three rows under the header, with the position line and the card.
  const screen = renderAgainst(server, token, <Users height={13} width={100} />);
  try {
    // Sorted by UPN, three in sight; ↓ scrolls on to the fourth.
    const first = await screen.frameShowing((f) => listed(f).length === 3, 'three users');
    expect(listed(first)).toEqual(['alice@contoso.com', 'anna@contoso.com', 'bob@contoso.com']);
    expect(first).toMatch(/^1 of 4$/m);
    await screen.press(DOWN, DOWN, DOWN);
    const last = await screen.frameShowing(/^4 of 4$/m);
    expect(listed(last)).toEqual(['anna@contoso.com', 'bob@contoso.com', 'carol@contoso.com']);
    // Carol has never been migrated: l says so rather than doing nothing.
    await screen.press('l');
    await screen.frameShowing(/✗ carol@contoso\.com has no migration yet; n starts one/);

    await screen.press('/');
    await screen.frameShowing(/part of a UPN or name/);
    await screen.press(...'builder', ENTER);
    await screen.frameShowing(/matching "builder"/);
    await screen.frameShowing((f) => listed(f).join() === 'bob@contoso.com', 'bob alone');

    // His coordinates, from the default bridge his license put him on.
    const card = await screen.frameShowing(/Bob Builder\s+sip:bob@contoso\.com/);
    expect(card).toMatch(/audio MICROSOFT · licensed · dial-in on · conference ID \d{7}/);
    expect(card).toMatch(/bridge Contoso Europe · toll \+4930555010 · toll-free \+80055501/);
    expect(card).toMatch(/latest migration PENDING/);

    await screen.press('n');
    const preview = await screen.frameShowing(
      /would run TO_SAME_TYPE on 2 meetings: 2 updated, 0 skipped, 0 failed/,
    );
    expect(preview).toMatch(/Start a migration for bob@contoso\.com/);
    expect(preview).toMatch(/UPDATED .* Site visit · /);
    expect(preview).toMatch(/UPDATED .* Crane hire · /);
    // The target changes the preview; Esc backs out having started nothing.
    await screen.press('\t', RIGHT);
    await screen.frameShowing(/target ‹TEAMS›[\s\S]*would run \w+_TO_TEAMS on 2 meetings/);
    const before = await migrationsOf(bob);
    await screen.press(ESCAPE);
    await screen.frameShowing((f) => !f.includes('Start a migration'), 'the panel gone');
    expect(await migrationsOf(bob)).toEqual(before);

    await screen.press('n');
    await screen.frameShowing(/would run TO_SAME_TYPE on 2 meetings/);
    await screen.press(ENTER);
    await screen.frameShowing(/✓ .*merged into pending migration/);
    const after = await migrationsOf(bob);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ state: 'PENDING', targetMeetingType: 'CURRENT' });
  } finally {
    await screen.close();
  }
});

async function migrationsOf(userId: string) {
  const data = await server.gql(
    token,
    'query($u: ID!) { meetingMigrations(userId: $u) { edges { node { id state targetMeetingType modifiedAt } } } }',
    { u: userId },
  );
  return data.meetingMigrations.edges.map((e: { node: unknown }) => e.node);
}
