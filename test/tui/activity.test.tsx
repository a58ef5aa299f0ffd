/** The activity screen against a real server: earlier evaluations, then each new one as it happens, with why. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Activity } from '../../tui/components/Activity.tsx';
import { createTenantWithOperator, createUser, mutate, startMeetingMigration } from '../support/fixtures.ts';
import { renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

test('shows what was evaluated before it opened, then each evaluation live, newest first', async () => {
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  await startMeetingMigration(server, token, alice);

  const screen = renderAgainst(server, token, <Activity height={10} width={100} />);
  try {
    await screen.frameShowing(/STARTED\s+MANUAL_START\s+alice@contoso\.com\s+.*started by an operator/);

    // A change that migrates nothing says why.
    await mutate(
      server,
      token,
      'setUserSipAddress',
      { userId: alice, sipAddress: 'sip:al@contoso.com' },
      'user { id }',
    );
    const ignored = await screen.frameShowing(/IGNORED\s+SIP_ADDRESS_CHANGED\s+alice@contoso\.com/);
    expect(ignored.indexOf('SIP_ADDRESS_CHANGED')).toBeLessThan(ignored.indexOf('MANUAL_START'));
    expect(ignored).toMatch(/IGNORED\s+SIP_ADDRESS_CHANGED\s+alice@contoso\.com\s+SIP address/i);

    // One that merges says into what; a tenant-wide one names no user.
    await startMeetingMigration(server, token, alice);
    await screen.frameShowing(/MERGED\s+MANUAL_START\s+alice@contoso\.com\s+started by/);
    await mutate(
      server,
      token,
      'updateTenantMeetingUrl',
      { meetingUrl: 'https://join.contoso.com' },
      'tenant { id }',
    );
    await screen.frameShowing(/IGNORED\s+MEETING_URL_CHANGED\s+tenant-wide/);
    expect(screen.lastFrame().match(/MANUAL_START/g)).toHaveLength(2);
  } finally {
    await screen.close();
  }
});
