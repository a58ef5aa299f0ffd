/**
 * The whole app against a real server: the keys switch screens with their own footers, and back from a
 * migration's detail the list is as it was left (filter, selection).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { App } from '../../tui/App.tsx';
import { mmsClient } from '../../tui/client.ts';
import { liveClient } from '../../tui/connection.ts';
import { createTenantWithOperator, createUser, startMeetingMigration } from '../support/fixtures.ts';
import { DOWN, ENTER, ESCAPE, renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  for (const name of ['alice', 'bob', 'carol']) {
    const id = await createUser(server, token, { userPrincipalName: `${name}@contoso.com` });
    await startMeetingMigration(server, token, id);
  }
});
afterAll(() => server.stop());

test('keys switch screens; back from a detail the list keeps its filter and selection', async () => {
  const live = liveClient({ url: server.url, token });
  const screen = renderAgainst(
    server,
    token,
    <App client={mmsClient({ url: server.url, token }, live)} tenantName="Contoso" connection="live" />,
  );
  try {
    await screen.frameShowing(/MMS · Contoso › dashboard\s+● live[\s\S]*3 pending/);
    expect(screen.lastFrame()).toMatch(/d m u e t screens · \? help · q quit$/);
    for (const [key, title, footer] of [
      ['u', /› users/, /\/ search by UPN or name · ⏎ the user's migrations/],
      ['e', /› activity/, /j k ↑ ↓ select/],
      ['t', /› settings/, /1 2 3 toggle a switch/],
      ['m', /› migrations/, /1-5 filter/],
    ] as const) {
      await screen.press(key);
      await screen.frameShowing((f) => title.test(f) && footer.test(f), `${title} with its keys`);
    }

    // Pending only, newest first: carol, bob, alice. Select bob and open him: the key after the filter
    // comes before the filtered list does, and applies to it once it is there.
    screen.pressAtOnce('1', DOWN);
    await screen.frameShowing(/· PENDING[\s\S]*› PENDING\s+bob@contoso\.com/);
    await screen.press(ENTER);
    await screen.frameShowing(/› migration[\s\S]*Migration of bob@contoso\.com/);
    await screen.press(ESCAPE);
    await screen.frameShowing(/› migrations[\s\S]*· PENDING[\s\S]*› PENDING\s+bob@contoso\.com/);

    // Help over any screen lists its keys and the app's; q closes help, not the app.
    await screen.press('?');
    const help = await screen.frameShowing(/› help[\s\S]*e\s+activity: triggers as evaluated/);
    expect(help).toMatch(/1-5\s+filter: pending/);
    await screen.press('q');
    await screen.frameShowing(/› migrations[\s\S]*› PENDING\s+bob@contoso\.com/);
  } finally {
    await screen.close();
    await live.dispose();
  }
});
