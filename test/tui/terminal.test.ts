/** The whole TUI in a real terminal (tmux): start, watch a migration finish on the dashboard, quit with q. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

const root = new URL('../..', import.meta.url).pathname;
const socket = `mms-test-${randomBytes(4).toString('hex')}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (session = 'tui') => tmux('capture-pane', '-p', '-t', session);

let server: TestServer;
let token: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-tui-'));
  server = await startServer({
    engine: true,
    holdSeconds: 0,
    databasePath: join(dir, 'mms.sqlite'),
  });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function screenShowing(pattern: RegExp, session = 'tui'): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const shown = screen(session);
    if (pattern.test(shown)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the terminal never showed ${pattern}:\n${screen(session)}`);
}

function startTui(session: string, columns = 100, rows = 30) {
  const command = [
    `cd ${root}`,
    `MMS_URL=${server.url} MMS_TOKEN=${token} ${process.execPath} --import tsx tui/main.tsx`,
    'echo "exited with $?"',
    'sleep 60',
  ].join('; ');
  tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);
}

/** Every screen fits: the header on the first line, the footer with its keys on the screen too. */
function expectWholeFrame(shown: string) {
  const lines = shown.split('\n');
  expect(lines[0]).toMatch(/^MMS · Contoso › \w+\s+● live$/);
  expect(lines.some((line) => /\? help · q quit$/.test(line))).toBe(true);
}

test('in 80×24: start, see the dashboard, watch a migration finish, open its detail, quit with q, exit 0', async () => {
  startTui('tui', 80, 24);
  expectWholeFrame(await screenShowing(/MMS · Contoso › dashboard\s+● live/));
  await screenShowing(/0 pending\s+0 in progress\s+0 failed\s+0 succeeded/);

  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  for (let i = 0; i < 3; i++) await scheduleMeeting(server, token, alice);
  await startMeetingMigration(server, token, alice);
  expectWholeFrame(await screenShowing(/0 pending\s+0 in progress\s+0 failed\s+1 succeeded/));

  // The list shows the finished run; Enter opens it with every meeting's result.
  tmux('send-keys', '-t', 'tui', 'm');
  expectWholeFrame(
    await screenShowing(/Migrations · all states[\s\S]*› SUCCEEDED\s+alice@contoso\.com\s+3\/3/),
  );
  tmux('send-keys', '-t', 'tui', 'Enter');
  const detail = await screenShowing(/Migration of alice@contoso\.com[\s\S]*SUCCEEDED[\s\S]*UPDATED/);
  expectWholeFrame(detail);
  expect(detail).toMatch(/3\/3 meetings: 3 updated, 0 failed, 0 skipped/);
  expect(detail).toMatch(/latest trigger .* MANUAL_START STARTED/);
  // The detail scrolls: at its end, every meeting's result.
  tmux('send-keys', '-t', 'tui', 'G');
  const end = await screenShowing(/(^[› ] UPDATED [\s\S]*){3}/m);
  expect(end.match(/^[› ] UPDATED /gm)).toHaveLength(3);
  tmux('send-keys', '-t', 'tui', 'Escape');
  await screenShowing(/MMS · Contoso › migrations/);

  // Every other screen fits too; help lists the keys and any key closes it.
  for (const [key, pattern] of [
    ['u', /Users · all[\s\S]*› alice@contoso\.com[\s\S]*latest migration SUCCEEDED/],
    ['e', /Activity[\s\S]*STARTED\s+MANUAL_START\s+alice@contoso\.com/],
    ['t', /1 \[on\]\s+meetingMigrationEnabled/],
  ] as const) {
    tmux('send-keys', '-t', 'tui', key);
    expectWholeFrame(await screenShowing(pattern));
  }
  tmux('send-keys', '-t', 'tui', '?');
  const help = await screenShowing(/Keys[\s\S]*q Ctrl-C\s+quit/);
  expectWholeFrame(help);
  // Every line of help whole: none cut short at the right edge.
  expect(help).not.toMatch(/…\s*$/m);
  tmux('send-keys', '-t', 'tui', 'x');
  await screenShowing(/MMS · Contoso › settings/);

  tmux('send-keys', '-t', 'tui', 'q');
  const after = await screenShowing(/exited with \d+/);
  expect(after).toMatch(/exited with 0/);
  // The alternate screen is gone: the terminal shows what it showed before, then the exit line alone.
  expect(after).not.toMatch(/MMS · Contoso/);
  expect(
    after
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== ''),
  ).toEqual(['exited with 0']);
}, 60_000);

test('after a server restart it shows reconnecting, comes back by itself and shows fresh state', async () => {
  // One on the dashboard, one on the settings screen.
  startTui('restart');
  startTui('restart-settings');
  await screenShowing(/● live/, 'restart');
  await screenShowing(/● live/, 'restart-settings');
  tmux('send-keys', '-t', 'restart-settings', 't');
  await screenShowing(/1 \[on\]\s+meetingMigrationEnabled/, 'restart-settings');
  await server.stop();
  await screenShowing(/● reconnecting/, 'restart');
  await screenShowing(/● reconnecting/, 'restart-settings');
  server = await server.startAgain();
  // Changes right after the restart, likely before the TUI is back: it must not keep showing the old state.
  const bob = await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  await startMeetingMigration(server, token, bob);
  await mutate(
    server,
    token,
    'setTenantMigrationConfiguration',
    { meetingMigrationEnabled: false },
    'tenant { id }',
  );
  await screenShowing(/● live/, 'restart');
  await screenShowing(/0 pending\s+0 in progress\s+0 failed\s+2 succeeded/, 'restart');
  await screenShowing(/● live[\s\S]*1 \[off\]\s+meetingMigrationEnabled/, 'restart-settings');
  // Ctrl-C quits as cleanly as q.
  tmux('send-keys', '-t', 'restart', 'C-c');
  expect(await screenShowing(/exited with \d+/, 'restart')).toMatch(/exited with 0/);
  tmux('send-keys', '-t', 'restart-settings', 'q');
  expect(await screenShowing(/exited with \d+/, 'restart-settings')).toMatch(/exited with 0/);
}, 60_000);

test('NO_COLOR: the same screen without a single colour', async () => {
  // An SGR sequence that sets a foreground colour: ESC [ 30–37, 90–97 or 38;…
  const colours = new RegExp(`${String.fromCharCode(27)}\\[(3[0-7]|9[0-7]|38;)`);
  // Colours forced on in both: NO_COLOR must still win.
  for (const [session, noColor] of [
    ['coloured', ''],
    ['plain', 'NO_COLOR=1 '],
  ] as const) {
    const command = `cd ${root}; FORCE_COLOR=1 ${noColor}MMS_URL=${server.url} MMS_TOKEN=${token} ${process.execPath} --import tsx tui/main.tsx; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
    await screenShowing(/● live/, session);
    const withEscapes = tmux('capture-pane', '-p', '-e', '-t', session);
    expect(colours.test(withEscapes)).toBe(noColor === '');
    tmux('send-keys', '-t', session, 'q');
  }
}, 60_000);
