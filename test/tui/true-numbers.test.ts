/**
 * The dashboard's numbers in a real terminal, at 80×24 and 200×50: users counted by their latest migration,
 * failures a later run replaced gone, time left with the hold and the queue, no 0/0 bar, and every panel
 * stale, with since when, while the server is away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  mutate,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { fitsIn, terminal } from '../support/terminal.ts';

let server: TestServer;
/** Each size has a tenant of its own. */
let token: string;
let dir: string;
const tty = terminal();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-numbers-'));
  // Automatic migrations wait five minutes: long enough to be seen holding.
  server = await startServer({ engine: true, holdSeconds: 300, databasePath: join(dir, 'mms.sqlite') });
});
afterAll(async () => {
  tty.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function finished(migrationId: string): Promise<void> {
  for (;;) {
    const { node } = await server.gql(
      token,
      'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state } } }',
      {
        id: migrationId,
      },
    );
    if (node.state !== 'PENDING' && node.state !== 'IN_PROGRESS') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test.each([
  [80, 24],
  [200, 50],
])(
  'at %i×%i: counts by latest migration, replaced failures gone, the hold in time left, stale panels',
  async (columns, rows) => {
    const session = `numbers-${columns}`;
    ({ token } = await createTenantWithOperator(server, `s${columns}.contoso.com`, 'Contoso'));
    const eve = await createUser(server, token, {
      userPrincipalName: `eve@s${columns}.contoso.com`,
      mailboxLocation: 'EXCHANGE_ON_PREMISES',
    });
    await scheduleMeeting(server, token, eve);
    const first = await startMeetingMigration(server, token, eve);
    await finished(first.migrationId);
    tty.startTui(session, { url: server.url, token, columns, rows });
    const failedShown = await tty.screenShowing(
      session,
      new RegExp(`1 failed[\\s\\S]*✗ eve@s${columns}\\.contoso\\.com: not eligible`),
    );
    expect(fitsIn(failedShown, columns, rows)).toBe(true);

    // The failure fixed and run again: the user counts as succeeded only, and the failure leaves the panel.
    await mutate(
      server,
      token,
      'setMailboxLocation',
      { userId: eve, mailboxLocation: 'EXCHANGE_ONLINE' },
      'user { id }',
    );
    const again = await startMeetingMigration(server, token, eve);
    await finished(again.migrationId);
    // The counts and the failures come by two streams, drawn apart by up to a redraw: both are waited for.
    const fixed = await tty.screenShowing(
      session,
      (shown) =>
        /0 pending\s+0 in progress\s+0 failed\s+1 succeeded/.test(shown) &&
        /Latest failures\s*\n\s*none/.test(shown),
    );
    expect(fixed).not.toMatch(/✗ eve@/);

    // An automatic migration holds for five minutes: time left says so, and there is no 0/0 bar.
    const held = await createUser(server, token, { userPrincipalName: `held@s${columns}.contoso.com` });
    await mutate(server, token, 'assignAudioConferencingLicense', { userId: held }, 'user { id }');
    const holding = await tty.screenShowing(session, /nothing running · hold ends in [45] min · 1 queued/);
    expect(holding).not.toMatch(/\b0\/0\b/);
    expect(fitsIn(holding, columns, rows)).toBe(true);

    // The server goes away: every panel says its figures are stale, and since when.
    await server.stop();
    const stale = await tty.screenShowing(session, /● reconnecting/);
    const since = /stale since (\d\d:\d\d:\d\d)/.exec(stale)?.[1];
    expect(since).toBeDefined();
    for (const panel of ['Users by migration state', 'meetings/s', 'In progress', 'Latest failures']) {
      expect(stale).toMatch(new RegExp(`${panel}.* · stale since ${since}`));
    }
    expect(fitsIn(stale, columns, rows)).toBe(true);
    server = await server.startAgain();
    const back = await tty.screenShowing(session, /● live/);
    expect(back).not.toMatch(/stale since/);
    // Not yet run (held), the licensed user's migration is pending; the others stay counted by their latest run.
    await tty.screenShowing(session, /1 pending\s+0 in progress\s+0 failed\s+1 succeeded/);
    tty.keys(session, 'q');
    expect(await tty.screenShowing(session, /exited with \d+/)).toMatch(/exited with 0/);
  },
  90_000,
);
