/**
 * A busy tenant in a real terminal: more changes in the last few minutes than the server replays at once
 * (REPLAY_LIMIT). The dashboard's stream is asked again from the moment of the refusal and goes on live; a
 * bulk command's progress, refused again because more of its migrations are open than the server replays,
 * says it is not live instead of standing still as if it were, and so do the dashboard's panels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  startMeetingMigration,
  untilFailed,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { untilSubscriptionsOpen } from '../support/subscriptions.ts';
import { fitsIn, terminal } from '../support/terminal.ts';

const METRICS_TOKEN = 'metrics-token-of-the-busy-tenant-suite-0123';
let server: TestServer;
let dir: string;
const tty = terminal();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-busy-'));
  server = await startServer({
    engine: true,
    holdSeconds: 0,
    databasePath: join(dir, 'mms.sqlite'),
    limits: { maxReplayEvents: 10 },
    metricsToken: METRICS_TOKEN,
  });
});
afterAll(async () => {
  tty.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A user whose migration fails at once (the mailbox is on-premises), run to its end. */
async function failedUser(token: string, name: string): Promise<string> {
  const user = await createUser(server, token, {
    userPrincipalName: `${name}@busy.contoso.com`,
    mailboxLocation: 'EXCHANGE_ON_PREMISES',
  });
  const { migrationId } = await startMeetingMigration(server, token, user);
  await untilFailed(server, token, migrationId);
  return user;
}

test('past the replay limit, the dashboard goes on live from the refusal, and a bulk retry says it is not live', async () => {
  const { token } = await createTenantWithOperator(server, 'busy.contoso.com', 'Contoso');
  // Twelve runs changed in the last minutes: more than the ten the server replays.
  for (let i = 0; i < 12; i++) await failedUser(token, `user${i}`);

  const session = 'busy';
  tty.startTui(session, { url: server.url, token, columns: 80, rows: 24 });
  await tty.screenShowing(session, /● live[\s\S]*12 failed/);
  // The summary and the migrations stream, the latter asked again after its refusal.
  await untilSubscriptionsOpen(server, METRICS_TOKEN, 2);
  // A failure after the screen opened shows live.
  await failedUser(token, 'late');
  const live = await tty.screenShowing(
    session,
    /Latest failures\s*\n✗ late@busy\.contoso\.com: not eligible/,
  );
  expect(fitsIn(live, 80, 24)).toBe(true);

  // A bulk retry of the thirteen: thirteen open migrations are more than the server replays, so its
  // progress cannot be followed live, and the line says so rather than stand still as if it were.
  await server.app.engine?.stop();
  tty.keys(session, 'x');
  await tty.screenShowing(session, /› +13 failed/);
  tty.keys(session, 'r');
  await tty.screenShowing(session, /\? Retry 13 migrations and 0 meetings of the selected group\?/);
  tty.keys(session, 'y');
  const notLive = await tty.screenShowing(
    session,
    /^not live · retried 13: 13 waiting · 0 running · 0 finished/m,
  );
  expect(fitsIn(notLive, 80, 24)).toBe(true);
  // A dashboard opened now, with the thirteen still open: its stream is refused even from then on, and the
  // panels it feeds say they are not live.
  const second = 'busy-second';
  tty.startTui(second, { url: server.url, token, columns: 80, rows: 24 });
  const dashboard = await tty.screenShowing(
    second,
    /13 pending[\s\S]*In progress \(0\) · not live: more open than the server replays[\s\S]*Latest failures · not live/,
  );
  expect(fitsIn(dashboard, 80, 24)).toBe(true);
  tty.keys(second, 'q');
  expect(await tty.screenShowing(second, /exited with \d+/)).toMatch(/exited with 0/);
  server.app.engine?.start();
  tty.keys(session, 'q');
  expect(await tty.screenShowing(session, /exited with \d+/)).toMatch(/exited with 0/);
}, 90_000);
