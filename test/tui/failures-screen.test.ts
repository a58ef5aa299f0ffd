/**
 * The Failures screen in a real terminal, at 80×24 and 200×50: failures grouped by reason with their
 * counts; a group, or rows marked with space, retried or cancelled in bulk after a dry-run line and y/n;
 * then the work followed live.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  migrationState,
  scheduleMeeting,
  startMeetingMigration,
  untilFailed,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { fitsIn, terminal } from '../support/terminal.ts';

let server: TestServer;
let dir: string;
const tty = terminal();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-failures-'));
  server = await startServer({
    engine: { maxParticipants: 3 },
    holdSeconds: 0,
    databasePath: join(dir, 'mms.sqlite'),
  });
});
afterAll(async () => {
  tty.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.each([
  [80, 24],
  [200, 50],
])(
  'at %i×%i: groups with counts; a group retried and marked rows refused, each after a dry run and y/n',
  async (columns, rows) => {
    const domain = `f${columns}.contoso.com`;
    const { token } = await createTenantWithOperator(server, domain, 'Contoso');
    const ineligible: string[] = [];
    for (const name of ['ann', 'ben']) {
      const user = await createUser(server, token, {
        userPrincipalName: `${name}@${domain}`,
        mailboxLocation: 'EXCHANGE_ON_PREMISES',
      });
      ineligible.push((await startMeetingMigration(server, token, user)).migrationId);
    }
    const crowdedUser = await createUser(server, token, { userPrincipalName: `cat@${domain}` });
    await scheduleMeeting(server, token, crowdedUser, {
      attendees: ['a', 'b', 'c', 'd'].map((n) => ({ email: `${n}@example.com` })),
    });
    const crowded = (await startMeetingMigration(server, token, crowdedUser)).migrationId;
    for (const id of [...ineligible, crowded]) await untilFailed(server, token, id);

    const session = `failures-${columns}`;
    tty.startTui(session, { url: server.url, token, columns, rows });
    await tty.screenShowing(session, /● live/);
    tty.keys(session, 'x');
    const groups = await tty.screenShowing(
      session,
      /Failures by reason \(2\)[\s\S]*› +2 failed +0 retrying +0 meetings +not eligible[\s\S]*1 failed +0 retrying +1 meetings +5 participants[\s\S]*\[ \] FAILED +(ann|ben)@/,
    );
    expect(fitsIn(groups, columns, rows)).toBe(true);

    // r: the dry run's figures and a question; nothing has changed yet.
    await server.app.engine?.stop();
    tty.keys(session, 'r');
    const asked = await tty.screenShowing(
      session,
      /\? Retry 2 migrations and 0 meetings of the selected group\? y yes · n no/,
    );
    expect(fitsIn(asked, columns, rows)).toBe(true);
    for (const id of ineligible) expect(await migrationState(server, token, id)).toBe('FAILED');
    tty.keys(session, 'y');
    // Done, and live: the group leaves while its migrations wait, the counts follow.
    await tty.screenShowing(
      session,
      /✓ retried 2 migrations and 0 meetings\s*\nretried 2: 2 waiting · 0 running · 0 finished/,
    );
    const waiting = await tty.screenShowing(
      session,
      /2 pending\s+0 in progress\s+1 failed[\s\S]*Failures by reason \(1\)/,
    );
    expect(fitsIn(waiting, columns, rows)).toBe(true);
    for (const id of ineligible) expect(await migrationState(server, token, id)).toBe('PENDING');
    server.app.engine?.start();
    await tty.screenShowing(
      session,
      /0 pending\s+0 in progress\s+3 failed[\s\S]*Failures by reason \(2\)[\s\S]*retried 2: 0 waiting · 0 running · 2 finished \(2 failed\)/,
    );

    // A row marked with space: a cancel does not apply to a FAILED one, and says so without asking.
    tty.keys(session, 'j');
    await tty.screenShowing(session, /› +1 failed[\s\S]*\[ \] FAILED +cat@/);
    tty.keys(session, 'Tab');
    await tty.screenShowing(session, /space mark · tab: groups/);
    tty.keys(session, 'Space');
    await tty.screenShowing(session, /1 marked[\s\S]*\[x\] FAILED +cat@/);
    tty.keys(session, 'c');
    await tty.screenShowing(session, /✗ nothing to cancel \(1 left alone\): only a PENDING or IN_PROGRESS/);
    // A retry does: asked, and n leaves it as it was.
    tty.keys(session, 'r');
    await tty.screenShowing(session, /\? Retry 1 migration and 1 meeting of the 1 marked migration\?/);
    tty.keys(session, 'n');
    // The question gone, the mark kept.
    await tty.screenShowing(session, /^(?![\s\S]*\? Retry)[\s\S]*1 marked/);
    expect(await migrationState(server, token, crowded)).toBe('FAILED');

    tty.keys(session, 'q');
    expect(await tty.screenShowing(session, /exited with \d+/)).toMatch(/exited with 0/);
  },
  90_000,
);

test('a group of 120 retried in bulk is followed whole, every migration of it', async () => {
  const domain = 'many.contoso.com';
  const { token } = await createTenantWithOperator(server, domain, 'Contoso');
  const started: string[] = [];
  for (let i = 0; i < 120; i++) {
    const user = await createUser(server, token, {
      userPrincipalName: `user${String(i).padStart(3, '0')}@${domain}`,
      mailboxLocation: 'EXCHANGE_ON_PREMISES',
    });
    started.push((await startMeetingMigration(server, token, user)).migrationId);
  }
  for (const id of started) await untilFailed(server, token, id);

  const session = 'failures-many';
  tty.startTui(session, { url: server.url, token, columns: 80, rows: 24 });
  await tty.screenShowing(session, /● live/);
  tty.keys(session, 'x');
  await tty.screenShowing(session, /Failures by reason \(1\)[\s\S]*› +120 failed/);
  await server.app.engine?.stop();
  tty.keys(session, 'r');
  await tty.screenShowing(session, /\? Retry 120 migrations and 0 meetings of the selected group\?/);
  tty.keys(session, 'y');
  await tty.screenShowing(session, /retried 120: 120 waiting · 0 running · 0 finished/);
  server.app.engine?.start();
  // Each of the 120 is followed to its end, not only the first 100 the payload lists in full.
  const done = await tty.screenShowing(
    session,
    /retried 120: 0 waiting · 0 running · 120 finished \(120 failed\)/,
  );
  expect(fitsIn(done, 80, 24)).toBe(true);
  tty.keys(session, 'q');
  expect(await tty.screenShowing(session, /exited with \d+/)).toMatch(/exited with 0/);
}, 90_000);
