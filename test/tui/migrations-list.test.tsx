/** The migrations list against a real server: state keys and the user search narrow it; the table moves and sorts. */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MigrationsList } from '../../tui/components/MigrationsList.tsx';
import { createTenantWithOperator, createUser, startMeetingMigration } from '../support/fixtures.ts';
import { ESCAPE, renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  // Two migrations each; the engine is off, so each first one is settled by hand before the second
  // (which would otherwise merge into it): alice and carol SUCCEEDED then PENDING, bob FAILED twice.
  for (const name of ['alice', 'bob', 'carol']) {
    const id = await createUser(server, token, { userPrincipalName: `${name}@contoso.com` });
    for (let i = 0; i < 2; i++) {
      const { migrationId } = await startMeetingMigration(server, token, id);
      const settled = name === 'bob' ? 'FAILED' : i === 0 ? 'SUCCEEDED' : null;
      if (settled) {
        const row = Number(Buffer.from(migrationId, 'base64').toString().split(':')[1]);
        await sql`update meeting_migrations set state = ${settled} where id = ${row}`.execute(
          server.app.database.db,
        );
      }
    }
  }
});
afterAll(() => server.stop());

const userOf = (row: string) => row.match(/\S+@contoso\.com/)?.[0];
/** The list's rows, without the selection marker. */
const rows = (frame: string) =>
  frame
    .split('\n')
    .filter((line) => /@contoso\.com/.test(line))
    .map((line) => line.replace(/^[› ] /, ''));

test('state keys filter several states at once; the search narrows; j/k g/G move; s/S sort', async () => {
  const screen = renderAgainst(server, token, <MigrationsList height={12} width={100} />);
  try {
    // Newest first; all six fit the 12 lines with the title, header and position line.
    const first = await screen.frameShowing((f) => rows(f).length === 6, 'all six');
    expect(rows(first).map((r) => userOf(r))).toEqual([
      'carol@contoso.com',
      'carol@contoso.com',
      'bob@contoso.com',
      'bob@contoso.com',
      'alice@contoso.com',
      'alice@contoso.com',
    ]);
    expect(first).toMatch(/^1 of 6$/m);
    // Several keys in one read: each is a key.
    screen.pressAtOnce('jjj');
    await screen.frameShowing(/^4 of 6$/m);
    await screen.press('G');
    await screen.frameShowing(/^6 of 6$/m);
    await screen.press('g');
    await screen.frameShowing(/^1 of 6$/m);

    // Failed and cancelled together, then succeeded too.
    await screen.press('3', '5');
    const failed = await screen.frameShowing(
      (f) => f.includes('· FAILED+CANCELLED') && rows(f).length === 2,
      'only failed ones',
    );
    expect(rows(failed).every((r) => r.startsWith('FAILED') && userOf(r) === 'bob@contoso.com')).toBe(true);
    await screen.press('4');
    await screen.frameShowing(
      (f) => f.includes('FAILED+CANCELLED+SUCCEEDED') && rows(f).length === 4,
      'four',
    );
    // s sorts by the first column (state), S reverses it.
    await screen.press('s');
    const byState = await screen.frameShowing(/by STATE/);
    expect(rows(byState).map((r) => r.split(/\s+/)[0])).toEqual([
      'FAILED',
      'FAILED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    await screen.press('S');
    const reversed = await screen.frameShowing(/by STATE, reversed/);
    expect(rows(reversed).map((r) => r.split(/\s+/)[0])).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'FAILED',
      'FAILED',
    ]);
    await screen.press('0');
    await screen.frameShowing((f) => f.includes('· all states') && rows(f).length === 6, 'all again');

    // A search pasted with its Enter in one read; Backspace takes a whole grapheme, Esc leaves it as it was.
    await screen.press('/');
    await screen.frameShowing(/part of a user's name/);
    screen.pressAtOnce('ALI\r');
    const alice = await screen.frameShowing(
      (f) => f.includes('user "ALI"') && rows(f).length === 2,
      'alice only',
    );
    expect(rows(alice).every((r) => userOf(r) === 'alice@contoso.com')).toBe(true);
    await screen.press('/');
    screen.pressAtOnce('x👨‍👩‍👧');
    await screen.frameShowing(/\/ ALIx👨‍👩‍👧/);
    await screen.press('\u007f');
    await screen.frameShowing((f) => /\/ ALIx$/m.test(f), 'the family gone whole');
    await screen.press('\u0015');
    await screen.frameShowing((f) => f.includes("/ part of a user's name"), 'the line cleared');
    await screen.press(...'zzz', ESCAPE);
    await screen.frameShowing(
      (f) => !f.includes('/ zzz') && f.includes('user "ALI"'),
      'the search as it was',
    );
  } finally {
    await screen.close();
  }
});
