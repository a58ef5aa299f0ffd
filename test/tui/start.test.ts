/** `npm run tui` as an operator starts it: clear one-line failures, and a plain snapshot without a terminal. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator, createUser, startMeetingMigration } from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
/** A port on which nothing listens. */
let closedPort: number;
const tui = (args: string[], env: Record<string, string>) =>
  run('tui/main.tsx', args, { MMS_CREDENTIALS_FILE: '/nonexistent/credentials.json', ...env }, [
    '--import',
    'tsx',
  ]);

const dir = mkdtempSync(join(tmpdir(), 'mms-tui-start-'));
let tokenFiles = 0;
/** A file holding this text, readable by its owner only, as a token file should be. */
function tokenFile(text: string): string {
  const file = join(dir, `token-${++tokenFiles}`);
  writeFileSync(file, `${text}\n`, { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('without a terminal it prints the dashboard once and exits 0', async () => {
  const started = tui(['--url', server.url], { MMS_TOKEN: token });
  expect(await started.exited).toBe(0);
  expect(started.stdout[0]).toMatch(/^MMS · Contoso · http:\/\/127\.0\.0\.1:\d+\/graphql · \d{4}-/);
  expect(started.stdout[1]).toBe('pending 0  in progress 0  failed 0  succeeded 0  cancelled 0');
  expect(started.stderr()).toBe('');
});

test('the snapshot lists the latest failures with their message', async () => {
  const bob = await createUser(server, token, {
    userPrincipalName: 'bob@contoso.com',
    mailboxLocation: 'EXCHANGE_ON_PREMISES',
  });
  await startMeetingMigration(server, token, bob);
  for (let failed = 0; failed === 0; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    failed = (await server.gql(token, '{ meetingMigrationSummary { failed } }')).meetingMigrationSummary
      .failed;
  }
  const started = tui(['--url', server.url, '--token-file', tokenFile(token)], {});
  expect(await started.exited).toBe(0);
  expect(started.stdout.slice(1, 4)).toEqual([
    'pending 0  in progress 0  failed 1  succeeded 0  cancelled 0',
    'latest failures:',
    expect.stringMatching(/^ {2}bob@contoso\.com: not eligible: .*Exchange on-premises/),
  ]);
});

test.each([
  [
    'a bad token',
    () => ['--url', server.url, '--token-file', tokenFile('nope')],
    1,
    /^mms tui: .* refused the token; check --token-file or MMS_TOKEN\n$/,
  ],
  [
    'a token on the command line, where the process list shows it',
    () => ['--url', server.url, '--token', token],
    2,
    /^mms tui: --token is not taken: a token on the command line shows in the process list; use --token-file FILE or MMS_TOKEN\n$/,
  ],
  [
    'a token file that is not there',
    () => ['--url', server.url, '--token-file', '/nonexistent/token'],
    2,
    /^mms tui: --token-file \/nonexistent\/token: ENOENT\n$/,
  ],
  [
    'a token file of two lines',
    () => ['--url', server.url, '--token-file', tokenFile(`${token}\nsecond line`)],
    2,
    /^mms tui: --token-file .* must hold one token on one line\n$/,
  ],
  [
    'an unreachable server',
    () => ['--url', `http://127.0.0.1:${closedPort}/graphql`, '--token-file', tokenFile('x')],
    1,
    /^mms tui: cannot reach http:\/\/127\.0\.0\.1:\d+\/graphql \(ECONNREFUSED\); is the server running\? \(npm start\)\n$/,
  ],
  [
    'no token at all',
    () => ['--url', server.url],
    2,
    /^mms tui: no token for .*: pass --token-file FILE or set MMS_TOKEN/,
  ],
  ['an unknown flag', () => ['--colour'], 2, /^mms tui: Unknown option '--colour'/],
])('%s is one clear line and a non-zero exit', async (_case, args, code, message) => {
  const started = tui(args(), { MMS_URL: '', MMS_TOKEN: '' });
  expect(await started.exited).toBe(code);
  expect(started.stderr()).toMatch(message);
  expect(started.stdout.filter(Boolean)).toEqual([]);
});

test('--help says how to use it and exits 0', async () => {
  const started = tui(['--help'], {});
  expect(await started.exited).toBe(0);
  expect(started.stdout[0]).toBe('usage: npm run tui -- [--url URL] [--token-file FILE]');
  expect(started.stdout.join('\n')).toMatch(/--token-file FILE\s+a file holding an operator token/);
  expect(started.stderr()).toBe('');
});
