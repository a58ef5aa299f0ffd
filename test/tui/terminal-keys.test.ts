/**
 * The TUI in a real terminal (tmux), at 80×24 and at 200×50: every key handled whenever it comes, lines
 * measured by grapheme and never wrapped, navigation as operators expect, a migration read and copied whole,
 * and an idle dashboard that costs next to nothing.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  parseGlobalId,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type Terminal, terminal } from '../support/terminal.ts';

let server: TestServer;
let token: string;
let t: Terminal;

/** Display names that trip up width counting: ZWJ sequences, skin tones, flags, CJK, combining marks. */
const HARD_NAMES = [
  '👨‍👩‍👧‍👦 Alice Ångström-Łukasiewicz de la Família Grande',
  '👍🏽 Bob Builder, who has a rather long display name',
  '🇫🇷 Chloé Dupont-Lefèvre de Saint-Exupéry et Compagnie',
  '漢字テスト 山田太郎さんのとても長い表示名ですよね',
  'Zoe\u0308 U\u0308nal, combining marks in every word there is',
];
const USERS = 12;
/** Each user's runs, oldest first: the last one stays PENDING. */
const RUNS = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'PENDING'] as const;
const LONG_MESSAGE = `${'the mailbox answered with an error that goes on and on, '.repeat(5)}END-OF-MESSAGE`;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  for (let i = 1; i <= USERS; i++) {
    const name = `user${String(i).padStart(2, '0')}`;
    const id = await createUser(server, token, {
      userPrincipalName: `${name}@contoso.com`,
      displayName: HARD_NAMES[i - 1] ?? `User ${i}`,
    });
    // The engine is off: each run is settled by hand before the next starts, or it would merge into it.
    for (const state of RUNS) {
      const { migrationId } = await startMeetingMigration(server, token, id);
      if (state === 'PENDING') continue;
      await sql`update meeting_migrations set state = ${state}, last_message = ${state === 'FAILED' ? LONG_MESSAGE : null}
        where id = ${parseGlobalId(migrationId).id}`.execute(server.app.database.db);
    }
  }
  t = terminal();
});
afterAll(async () => {
  t.close();
  await server.stop();
});

const MIGRATIONS = USERS * RUNS.length;

const FOOTER = /\? help · q quit$/;

/** Header on the first line, the footer with "? help · q quit" at the bottom: nothing wrapped or pushed off. */
function expectWholeFrame(shown: string, rows: number) {
  const lines = shown.split('\n');
  expect(lines[0]).toMatch(/^MMS · Contoso › \w+\s+● live$/);
  // Four rows below the body: the gap, the footer, and the spare row (which tmux shows empty).
  expect(lines[rows - 2]).toMatch(FOOTER);
}

/**
 * Waits for a frame showing `pattern` whole, its footer drawn too, and checks it. A capture taken while the
 * TUI is redrawing may show the top of the new frame and not yet its bottom.
 */
async function wholeFrameShowing(s: string, pattern: RegExp, rows: number): Promise<string> {
  const shown = await t.screenShowing(
    s,
    (screen) => pattern.test(screen) && FOOTER.test(screen.split('\n')[rows - 2] ?? ''),
    `${pattern} in a whole frame`,
  );
  expectWholeFrame(shown, rows);
  return shown;
}

/** The line with the selection marker. */
const selectedLine = (shown: string) => shown.split('\n').find((line) => line.startsWith('›')) ?? '';

describe.each([
  [80, 24],
  [200, 50],
])('in %i×%i', (columns, rows) => {
  const session = (name: string) => `${name}-${columns}`;
  const start = async (name: string) => {
    const s = session(name);
    t.startTui(s, { url: server.url, token, columns, rows });
    await t.screenShowing(s, /› dashboard\s+● live/);
    return s;
  };
  const quit = async (s: string) => {
    t.keys(s, 'q');
    expect(await t.screenShowing(s, /exited with \d+/)).toMatch(/exited with 0/);
  };

  test('input: keys typed ahead apply once the list is there; several in one read each count; the search line edits like a shell; q on help closes help; actions only where they apply', async () => {
    const s = await start('input');
    // Screen, filter and ↓ in one write: the ↓ waits for the pending list and moves in it.
    t.keys(s, 'm', '1', 'Down');
    let shown = await wholeFrameShowing(s, /· PENDING[\s\S]*^2 of 12( · .*)?$/m, rows);
    expect(selectedLine(shown)).toMatch(/^› PENDING\s+user11@contoso\.com/);

    // jjjj in one read moves four rows.
    t.keys(s, '0', 'g');
    await t.screenShowing(s, /all states[\s\S]*^1 of 48( · .*)?$/m);
    t.text(s, 'jjjj');
    await t.screenShowing(s, /^5 of 48( · .*)?$/m);

    // A search pasted with its Enter.
    t.keys(s, '/');
    await t.screenShowing(s, /^\/ part of a user's name/m);
    t.keys(s, 'user03', 'Enter');
    shown = await t.screenShowing(s, /user "user03"[\s\S]*^1 of 4( · .*)?$/m);
    expect(shown).not.toMatch(/user0[^3]@/);

    // Backspace takes a whole grapheme, Ctrl-U clears, Esc leaves the search as it was.
    t.keys(s, '/');
    t.text(s, 'x👨‍👩‍👧');
    await t.screenShowing(s, /^\/ user03x👨‍👩‍👧/m);
    t.keys(s, 'BSpace');
    await t.screenShowing(s, /^\/ user03x\s*$/m);
    t.keys(s, 'C-u');
    await t.screenShowing(s, /^\/ part of a user's name/m);
    t.text(s, 'zzz');
    t.keys(s, 'Escape');
    shown = await t.screenShowing(
      s,
      (f) => !/^\/ /m.test(f) && /user "user03"[\s\S]*^1 of 4( · .*)?$/m.test(f),
      'the search as it was',
    );

    // q on help closes help, not the program.
    t.keys(s, '?');
    shown = await wholeFrameShowing(s, /› help/, rows);
    expect(shown).toMatch(/^1-5\s+filter: pending/m);
    t.keys(s, 'q');
    await t.screenShowing(s, /› migrations[\s\S]*user "user03"/);

    // A succeeded migration offers neither retry nor cancel: r and c do nothing.
    t.keys(s, '4', 'Enter');
    await t.screenShowing(s, /› migration\s[\s\S]*SUCCEEDED/);
    t.keys(s, 'r', 'c', 'j');
    shown = await t.screenShowing(s, /^› created/m);
    expect(shown).not.toMatch(/\? (Retry|Cancel) the migration/);
    t.keys(s, '?');
    shown = await t.screenShowing(s, /› help[\s\S]*y\s+copy the focused value/);
    expect(shown).not.toMatch(/retry|cancel \(/);
    t.keys(s, 'Escape', 'Escape', '4', '1', 'Enter');
    await t.screenShowing(s, /› migration\s[\s\S]*PENDING/);
    t.keys(s, '?');
    shown = await t.screenShowing(s, /› help[\s\S]*c\s+cancel \(asks y\/n first\)/);
    expect(shown).not.toMatch(/retry/);
    t.keys(s, 'Escape');
    await t.screenShowing(s, /› migration\s/);
    await quit(s);
  }, 60_000);

  test('width: names with ZWJ emoji, skin tones, flags, CJK and combining marks are cut with … and never wrap; more columns at 200', async () => {
    const s = await start('width');
    t.keys(s, 'u');
    const users = await wholeFrameShowing(s, /Users · all[\s\S]*^1 of 12( · .*)?$/m, rows);
    for (const name of ['Alice', 'Bob', 'Chlo', '漢字', 'Zo'])
      expect(users.split('\n').filter((line) => line.includes(name)).length).toBeGreaterThan(0);
    // The row of each hard name is one line, cut with … where the column ends.
    for (const line of users.split('\n').filter((l) => /^[› ] user0[1-5]@/.test(l)))
      expect(line).toMatch(/…/);
    // Wider terminals show more columns, not wider gaps.
    const header = users.split('\n').find((line) => line.includes('USER')) ?? '';
    expect(header.includes('MAILBOX')).toBe(columns >= 200);
    expect(header).toMatch(/USER▲ {20}/);
    // Every hard name in the card under the list, one line each.
    for (let i = 0; i < 5; i++) {
      await wholeFrameShowing(s, new RegExp(`^› user0${i + 1}@`, 'm'), rows);
      t.keys(s, 'j');
    }
    t.keys(s, 'm');
    const migrations = await wholeFrameShowing(s, /Migrations · all states[\s\S]*^1 of 48( · .*)?$/m, rows);
    const titles = migrations.split('\n').find((line) => line.includes('STATE')) ?? '';
    expect(titles.includes('LAST MESSAGE')).toBe(columns >= 200);
    expect(titles).toMatch(/STATE {7}USER/);
    await quit(s);
  }, 60_000);

  test('navigation: j/k g/G Home/End PgUp/PgDn with x of y, sort by column, several states, a user’s migrations and back, relative times, a scrollable log, ? lists every key', async () => {
    const s = await start('navigation');
    t.keys(s, 'm');
    let shown = await t.screenShowing(s, /^1 of 48( · .*)?$/m);
    expect(shown).toMatch(/\d+ (s|min) ago|now/);
    t.keys(s, 'G');
    await t.screenShowing(s, /^48 of 48( · .*)?$/m);
    t.keys(s, 'Home');
    await t.screenShowing(s, /^1 of 48( · .*)?$/m);
    t.keys(s, 'End');
    await t.screenShowing(s, /^48 of 48( · .*)?$/m);
    t.keys(s, 'g', 'PageDown');
    // A screenful: the rows the table shows (the body less title, header and position lines).
    const page = rows - 5 - 3;
    await t.screenShowing(s, new RegExp(`^${1 + page} of 48( · .*)?$`, 'm'));
    t.keys(s, 'PageUp', 'k');
    await t.screenShowing(s, /^1 of 48( · .*)?$/m);

    // Sort by the state column, then reversed; the selection stays on its row.
    t.keys(s, 's', 'g');
    shown = await t.screenShowing(s, /STATE▲[\s\S]*^1 of 48 · by STATE$/m);
    expect(selectedLine(shown)).toMatch(/^› CANCELLED/);
    t.keys(s, 'S', 'g');
    shown = await t.screenShowing(s, /STATE▼[\s\S]*^1 of 48 · by STATE, reversed$/m);
    expect(selectedLine(shown)).toMatch(/^› SUCCEEDED/);
    t.keys(s, 's');
    await t.screenShowing(s, /USER▲/);

    // Two states at once.
    t.keys(s, '3', '5');
    shown = await t.screenShowing(s, /· FAILED\+CANCELLED[\s\S]*^1 of 24( · .*)?$/m);

    // Enter on a user: that user's migrations; Esc: back to the user.
    t.keys(s, 'u', 'j', 'j');
    await t.screenShowing(s, /^› user03@/m);
    t.keys(s, 'Enter');
    shown = await t.screenShowing(
      s,
      /Migrations · FAILED\+CANCELLED · user user03@contoso\.com[\s\S]*^1 of 2( · .*)?$/m,
    );
    t.keys(s, '0');
    shown = await wholeFrameShowing(s, /all states · user user03@contoso\.com[\s\S]*^1 of 4( · .*)?$/m, rows);
    // In the detail, instants are absolute.
    t.keys(s, 'Enter');
    shown = await t.screenShowing(s, /› migration\s[\s\S]*created\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    t.keys(s, 'Escape', 'Escape');
    shown = await t.screenShowing(s, /› users[\s\S]*^› user03@/m);

    // The activity log scrolls through every evaluation.
    t.keys(s, 'e');
    shown = await wholeFrameShowing(s, /Activity[\s\S]*^1 of \d+$/m, rows);
    const evaluations = Number(shown.match(/^1 of (\d+)$/m)?.[1]);
    expect(evaluations).toBeGreaterThanOrEqual(MIGRATIONS);
    t.keys(s, 'G');
    await t.screenShowing(s, new RegExp(`^${evaluations} of ${evaluations}( · .*)?$`, 'm'));

    // ? lists every key of the screen shown, and the app's.
    t.keys(s, 'm', '?');
    shown = await t.screenShowing(s, /› help/);
    for (const key of [
      '1-5',
      '0',
      '/',
      '⏎',
      'j k ↑ ↓',
      'g G Home End',
      'PgUp PgDn',
      's S',
      'esc',
      'q Ctrl-C',
    ])
      expect(shown).toContain(`${key} `);
    t.keys(s, 'Escape');
    await t.screenShowing(s, /› migrations/);
    await quit(s);
  }, 60_000);

  test('detail: the whole last message and the correlation ID; y copies the focused value through OSC 52', async () => {
    const s = await start('detail');
    // tmux keeps what an OSC 52 sequence copies as a paste buffer.
    t.tmux('set-option', '-g', 'set-clipboard', 'on');
    t.keys(s, 'm', '3', 'Enter');
    let shown = await wholeFrameShowing(s, /› migration\s[\s\S]*FAILED[\s\S]*END-OF-MESSAGE/, rows);
    // Every word of the message, over as many lines as it needs.
    const lines = shown.split('\n');
    const from = lines.findIndex((line) => line.includes('last message:'));
    const to = lines.findIndex((line) => line.includes('END-OF-MESSAGE'));
    const message = lines
      .slice(from, to + 1)
      .map((line) => line.replace(/^[› ] /, '').trim())
      .join(' ');
    expect(message).toBe(`last message: ${LONG_MESSAGE}`);
    const correlation = shown.match(/correlation ([0-9a-f-]{36})/)?.[1];
    t.keys(s, 'g', 'j');
    await t.screenShowing(s, /^› correlation/m);
    t.keys(s, 'y');
    shown = await wholeFrameShowing(s, /copied the correlation ID \(36 characters\)/, rows);
    expect(t.tmux('show-buffer')).toBe(correlation);
    await quit(s);
  }, 60_000);
});

// The idle screens are measured all at once, each TUI process on its own: the dashboard at both sizes, and a
// list, which asks the server every second (that costs about 1 %) and redraws only when the answer or the
// minute changed: far from the ten redraws a second an idle screen must not make.
test('efficiency: idle, the dashboard uses under 1 % of a core and a list under 3 %, at 80×24 and 200×50', async () => {
  const screens = [80, 200].flatMap((columns) => {
    const rows = columns === 80 ? 24 : 50;
    return [
      { session: `idle-${columns}`, name: 'dashboard', columns, rows, limit: 0.01 },
      { session: `idle-list-${columns}`, name: 'migrations list', columns, rows, limit: 0.03 },
    ];
  });
  for (const { session, columns, rows } of screens)
    t.startTui(session, { url: server.url, token, columns, rows });
  for (const { session, name } of screens) {
    await t.screenShowing(session, /› dashboard\s+● live/);
    if (name === 'migrations list') {
      t.keys(session, 'm');
      await t.screenShowing(session, /^1 of 48( · .*)?$/m);
    }
  }
  // Once settled, 20 idle seconds.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const before = screens.map(({ session }) => t.cpuSeconds(session));
  const seconds = 20;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  screens.forEach(({ session, name, columns, rows, limit }, i) => {
    const share = (t.cpuSeconds(session) - (before[i] ?? 0)) / seconds;
    console.log(`idle ${name} at ${columns}×${rows}: ${(share * 100).toFixed(2)} % of a core`);
    expect(share, `${name} at ${columns}×${rows}`).toBeLessThan(limit);
  });
  for (const { session } of screens) {
    t.keys(session, 'q');
    expect(await t.screenShowing(session, /exited with \d+/)).toMatch(/exited with 0/);
  }
}, 90_000);
