/**
 * The migrations and users lists in a real terminal, at 80×24 and 200×50, over more rows than one page of
 * the server holds: "x of y" with the true total, a screenful at a time past the rows first loaded and back,
 * G to the real last row, and a sort by another column done by the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MIGRATION_STATES } from '../../server/domain/model.ts';
import { createTenantWithOperator, parseGlobalId } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { fitsIn, terminal } from '../support/terminal.ts';

let server: TestServer;
let dir: string;
const tty = terminal();

/** More than the server's largest page (500). */
const COUNT = 620;
const name = (i: number) => `u${String(i).padStart(4, '0')}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-long-lists-'));
  server = await startServer({ databasePath: join(dir, 'mms.sqlite') });
});
afterAll(async () => {
  tty.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A tenant of COUNT users, u0000 to u0619, display names in the reverse order, each with one migration,
 * created in the users' order; states by turns.
 */
async function seed(domain: string): Promise<string> {
  const { tenantId, token } = await createTenantWithOperator(server, domain, 'Contoso');
  const tenant = parseGlobalId(tenantId).id;
  const { db } = server.app.database;
  const at = (i: number) => new Date(Date.parse('2026-05-01T08:00:00.000Z') + i * 1000).toISOString();
  const indexes = Array.from({ length: COUNT }, (_, i) => i);
  for (let from = 0; from < COUNT; from += 100) {
    await db
      .insertInto('users')
      .values(
        indexes.slice(from, from + 100).map((i) => ({
          tenant_id: tenant,
          user_principal_name: `${name(i)}@${domain}`,
          display_name: `Name ${name(COUNT - 1 - i)}`,
          sip_address: `sip:${name(i)}@${domain}`,
          skype_hosting: 'ONLINE',
          teams_upgrade_mode: 'ISLANDS',
          mailbox_location: 'EXCHANGE_ONLINE',
          provider: 'NONE',
          licensed: 0,
          dial_in_enabled: 0,
          created_at: at(i),
        })),
      )
      .execute();
  }
  const users = await db
    .selectFrom('users')
    .select(['id', 'user_principal_name'])
    .where('tenant_id', '=', tenant)
    .orderBy('user_principal_name')
    .execute();
  for (let from = 0; from < COUNT; from += 100) {
    await db
      .insertInto('meeting_migrations')
      .values(
        indexes.slice(from, from + 100).map((i) => ({
          correlation_id: `${domain}-${i}`,
          tenant_id: tenant,
          user_id: users[i]?.id ?? 0,
          state: MIGRATION_STATES[i % MIGRATION_STATES.length] ?? 'PENDING',
          source_meeting_type: 'ALL',
          target_meeting_type: 'TEAMS',
          created_at: at(i),
          modified_at: at(i),
          not_before: at(i),
          retry_count: 0,
          total_meetings: i % 7,
          succeeded_meetings: 0,
          failed_meetings: 0,
          skipped_meetings: 0,
          invites_updated: 0,
        })),
      )
      .execute();
  }
  return token;
}

/** The users of the rows shown, top to bottom, and the selected one. */
function listed(shown: string, domain: string) {
  const lines = shown.split('\n').filter((line) => line.includes(`@${domain}`) && /^[› ] /.test(line));
  const user = (line: string) => line.match(/u\d{4}(?=@)/)?.[0];
  return { users: lines.map(user), selected: user(lines.find((line) => line.startsWith('›')) ?? '') };
}

const position = (at: number) => new RegExp(`^${at} of ${COUNT}\\b`, 'm');

test.each([
  [80, 24],
  [200, 50],
])(
  'at %i×%i: the true total, paging past the first page and back, G to the last row, sorted by the server',
  async (columns, rows) => {
    const domain = `l${columns}.io`;
    const token = await seed(domain);
    const session = `long-${columns}`;
    tty.startTui(session, { url: server.url, token, columns, rows });
    await tty.screenShowing(session, /● live/);

    // Migrations, newest first: the last user's first.
    tty.keys(session, 'm');
    const first = await tty.screenShowing(
      session,
      (shown) => /Migrations · all/.test(shown) && position(1).test(shown),
    );
    expect(fitsIn(first, columns, rows)).toBe(true);
    expect(first).not.toMatch(/\d\+/);
    const { users: shownFirst } = listed(first, domain);
    expect(shownFirst[0]).toBe(name(COUNT - 1));
    const visible = shownFirst.length;
    // A screenful at a time, past the rows loaded first (three screenfuls), and back.
    for (let page = 1; page <= 4; page++) {
      tty.keys(session, 'PgDn');
      const shown = await tty.screenShowing(session, position(1 + page * visible));
      expect(listed(shown, domain).selected).toBe(name(COUNT - 1 - page * visible));
    }
    tty.keys(session, 'j');
    await tty.screenShowing(session, position(2 + 4 * visible));
    for (let page = 3; page >= 0; page--) {
      tty.keys(session, 'PgUp');
      const shown = await tty.screenShowing(session, position(2 + page * visible));
      expect(listed(shown, domain).selected).toBe(name(COUNT - 2 - page * visible));
    }
    // G: the real last row, the oldest migration; k goes up from it.
    tty.keys(session, 'G');
    const last = await tty.screenShowing(session, position(COUNT));
    expect(fitsIn(last, columns, rows)).toBe(true);
    expect(listed(last, domain).selected).toBe(name(0));
    expect(listed(last, domain).users.at(-1)).toBe(name(0));
    tty.keys(session, 'k');
    expect(listed(await tty.screenShowing(session, position(COUNT - 1)), domain).selected).toBe(name(1));
    tty.keys(session, 'g');
    await tty.screenShowing(session, position(1));

    // s: by state, on the server: CANCELLED first, the lowest ids of them first; G ends in SUCCEEDED.
    tty.keys(session, 's');
    const byState = await tty.screenShowing(session, (shown) => /^1 of 620 · by STATE$/m.test(shown));
    expect(byState).toMatch(/STATE▲/);
    expect(listed(byState, domain).users.slice(0, 2)).toEqual([name(4), name(9)]);
    expect(byState.split('\n').find((line) => line.startsWith('›'))).toMatch(/^› CANCELLED /);
    tty.keys(session, 'G');
    const byStateLast = await tty.screenShowing(session, (shown) => /^620 of 620 · by STATE$/m.test(shown));
    expect(byStateLast.split('\n').find((line) => line.startsWith('›'))).toMatch(/^› SUCCEEDED +u0617@/);
    // S: reversed, from the top again.
    tty.keys(session, 'S');
    const reversed = await tty.screenShowing(session, /^1 of 620 · by STATE, reversed$/m);
    expect(reversed).toMatch(/STATE▼/);
    expect(reversed.split('\n').find((line) => line.startsWith('›'))).toMatch(/^› SUCCEEDED +u0617@/);

    // Users: by principal name; G reaches the last; s sorts by name, which runs the other way.
    tty.keys(session, 'u');
    const users = await tty.screenShowing(
      session,
      (shown) => /Users · all/.test(shown) && position(1).test(shown),
    );
    expect(fitsIn(users, columns, rows)).toBe(true);
    expect(listed(users, domain).selected).toBe(name(0));
    tty.keys(session, 'G');
    expect(listed(await tty.screenShowing(session, position(COUNT)), domain).selected).toBe(name(COUNT - 1));
    tty.keys(session, 's');
    const byName = await tty.screenShowing(session, /^1 of 620 · by NAME$/m);
    expect(byName).toMatch(/NAME▲/);
    expect(listed(byName, domain).users.slice(0, 3)).toEqual([
      name(COUNT - 1),
      name(COUNT - 2),
      name(COUNT - 3),
    ]);
    tty.keys(session, 'PgDn', 'PgDn', 'PgDn', 'PgDn');
    const userRows = listed(byName, domain).users.length;
    const deep = await tty.screenShowing(session, position(1 + 4 * userRows));
    expect(listed(deep, domain).selected).toBe(name(COUNT - 1 - 4 * userRows));
    tty.keys(session, 'G');
    const byNameLast = await tty.screenShowing(session, /^620 of 620 · by NAME$/m);
    expect(listed(byNameLast, domain).selected).toBe(name(0));
    expect(fitsIn(byNameLast, columns, rows)).toBe(true);
  },
);
