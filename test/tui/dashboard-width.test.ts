/**
 * The dashboard's running migrations and latest failures in a real terminal, at 80×24 and 200×50: a long
 * principal name is cut with … where the row ends, the meeting counts after it always show, and a failure
 * message with emoji sequences stays on its one line.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  parseGlobalId,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { fitsIn, terminal } from '../support/terminal.ts';

let server: TestServer;
const tty = terminal();

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  tty.close();
  await server.stop();
});

const LONG_LOCAL_PART = 'a-principal-name-long-enough-to-need-cutting-on-a-small-terminal';
const FAILURE = `👨‍👩‍👧‍👦 the mailbox 🇫🇷 refused the update: ${'再試行してください、'.repeat(12)}END`;

/** Sets a migration's state and counters as a run would have left them. */
async function settle(migrationId: string, state: string, lastMessage: string | null) {
  await sql`update meeting_migrations set state = ${state}, total_meetings = 40, succeeded_meetings = 7,
    last_message = ${lastMessage} where id = ${parseGlobalId(migrationId).id}`.execute(
    server.app.database.db,
  );
}

test.each([
  [80, 24],
  [200, 50],
])(
  'at %i×%i: running rows keep their counts, long names and messages are cut, nothing wraps',
  async (columns, rows) => {
    const domain = `w${columns}.contoso.com`;
    const { token } = await createTenantWithOperator(server, domain, 'Contoso');
    const upns = [1, 2].map((i) => `${LONG_LOCAL_PART.slice(0, 60)}${i}@${domain}`);
    for (const upn of upns) {
      const userId = await createUser(server, token, { userPrincipalName: upn });
      await settle((await startMeetingMigration(server, token, userId)).migrationId, 'IN_PROGRESS', null);
    }
    const failing = await createUser(server, token, { userPrincipalName: `eve@${domain}` });
    await settle((await startMeetingMigration(server, token, failing)).migrationId, 'FAILED', FAILURE);

    const session = `dashboard-${columns}`;
    tty.startTui(session, { url: server.url, token, columns, rows });
    const shown = await tty.screenShowing(session, /In progress \(2\)[\s\S]*✗ eve@/);
    expect(fitsIn(shown, columns, rows)).toBe(true);
    const lines = shown.split('\n');
    // The bar, the name (whole when it fits), and the counts at the end of the same line.
    const running = lines.filter((line) => line.includes(LONG_LOCAL_PART.slice(0, 30)));
    expect(running).toHaveLength(2);
    for (const row of running) expect(row).toMatch(columns < 100 ? /… 7\/40\s*$/ : / 7\/40\s*$/);
    if (columns >= 100) for (const upn of upns) expect(shown).toContain(`${upn} 7/40`);
    const failure = lines.filter((line) => line.includes('✗ eve@'));
    expect(failure).toHaveLength(1);
    // (tmux draws a ZWJ sequence its own way: the text after it is what is compared.)
    expect(failure[0]).toContain(' the mailbox 🇫🇷 refused the update: 再試行');
    // Cut with … at either size: the message is longer than 200 columns.
    expect(failure[0]).toMatch(/…\s*$/);
    expect(lines.some((line) => line.includes('END'))).toBe(false);
    tty.keys(session, 'q');
  },
  60_000,
);
