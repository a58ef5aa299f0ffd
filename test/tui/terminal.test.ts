/** The whole TUI in a real terminal (tmux): start, watch a migration finish on the dashboard, quit with q. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

const root = new URL('../..', import.meta.url).pathname;
const socket = `mms-test-${randomBytes(4).toString('hex')}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await server.stop();
});

async function screenShowing(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const shown = screen();
    if (pattern.test(shown)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the terminal never showed ${pattern}:\n${screen()}`);
}

test('start, see the dashboard, watch a migration finish, quit with q, exit code 0', async () => {
  const command = [
    `cd ${root}`,
    `MMS_URL=${server.url} MMS_TOKEN=${token} ${process.execPath} --import tsx tui/main.tsx`,
    'echo "exited with $?"',
    'sleep 60',
  ].join('; ');
  tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', command);
  await screenShowing(/MMS · Contoso\s+● live/);
  await screenShowing(/0 pending\s+0 in progress\s+0 failed\s+0 succeeded/);

  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  for (let i = 0; i < 3; i++) await scheduleMeeting(server, token, alice);
  await startMeetingMigration(server, token, alice);
  await screenShowing(/0 pending\s+0 in progress\s+0 failed\s+1 succeeded/);

  tmux('send-keys', '-t', 'tui', 'q');
  const after = await screenShowing(/exited with \d+/);
  expect(after).toMatch(/exited with 0/);
  // Ink leaves the last frame and a clean prompt line: no raw-mode garbage after the exit line.
  expect(after.split('\n').filter((line) => line.includes('exited with'))).toHaveLength(1);
}, 60_000);
