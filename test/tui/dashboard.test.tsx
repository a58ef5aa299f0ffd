/** The dashboard against a real server: counts change live while migrations are queued and run. */
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { App } from '../../tui/App.tsx';
import { mmsClient } from '../../tui/client.ts';
import { liveClient } from '../../tui/connection.ts';
import {
  createTenantWithOperator,
  createUser,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

async function frameMatching(frame: () => string | undefined, pattern: RegExp) {
  for (let i = 0; i < 200; i++) {
    if (pattern.test(frame() ?? '')) return frame() ?? '';
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the screen never showed ${pattern}:\n${frame()}`);
}

test('per-state counts update live as a migration runs; failures from before it opened show', async () => {
  // A failure from before the dashboard opened: it is among the latest failures from the start.
  const eve = await createUser(server, token, {
    userPrincipalName: 'eve@contoso.com',
    mailboxLocation: 'EXCHANGE_ON_PREMISES',
  });
  const { migrationId } = await startMeetingMigration(server, token, eve);
  for (let state = ''; state !== 'FAILED'; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const data = await server.gql(
      token,
      'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state } } }',
      {
        id: migrationId,
      },
    );
    state = data.node.state;
  }
  const live = liveClient({ url: server.url, token });
  const view = render(
    <App client={mmsClient({ url: server.url, token }, live)} tenantName="Contoso" connection="live" />,
  );
  try {
    await frameMatching(view.lastFrame, /0 pending\s+0 in progress\s+1 failed\s+0 succeeded/);
    await frameMatching(view.lastFrame, /✗ eve@contoso\.com: not eligible/);
    expect(view.lastFrame()).toMatch(/MMS · Contoso › dashboard\s+● live/);
    const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
    await scheduleMeeting(server, token, alice);
    await startMeetingMigration(server, token, alice);
    await frameMatching(view.lastFrame, /0 pending\s+0 in progress\s+1 failed\s+1 succeeded/);
    expect(view.lastFrame()).toMatch(/\d+ meetings\/s/);

    // A failure shows with its lastMessage.
    const bob = await createUser(server, token, {
      userPrincipalName: 'bob@contoso.com',
      mailboxLocation: 'EXCHANGE_ON_PREMISES',
    });
    await startMeetingMigration(server, token, bob);
    await frameMatching(view.lastFrame, /✗ bob@contoso\.com: not eligible: .*Exchange on-premises/);
    await frameMatching(view.lastFrame, /0 pending\s+0 in progress\s+2 failed\s+1 succeeded/);
  } finally {
    view.unmount();
    await live.dispose();
  }
});
