/** `npm run tui` as an operator starts it: clear one-line failures, and a plain snapshot without a terminal. */

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
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

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => server.stop());

test('without a terminal it prints the dashboard once and exits 0', async () => {
  const started = tui(['--url', server.url, '--token', token], {});
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
  const started = tui(['--url', server.url, '--token', token], {});
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
    () => ['--url', server.url, '--token', 'nope'],
    1,
    /^mms tui: .* refused the token; check --token or MMS_TOKEN\n$/,
  ],
  [
    'an unreachable server',
    () => ['--url', `http://127.0.0.1:${closedPort}/graphql`, '--token', 'x'],
    1,
    /^mms tui: cannot reach http:\/\/127\.0\.0\.1:\d+\/graphql \(ECONNREFUSED\); is the server running\? \(npm start\)\n$/,
  ],
  [
    'no token at all',
    () => ['--url', server.url],
    2,
    /^mms tui: no token for .*: pass --token or set MMS_TOKEN/,
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
  expect(started.stdout[0]).toBe('usage: npm run tui -- [--url URL] [--token TOKEN]');
  expect(started.stdout.join('\n')).toMatch(/--token TOKEN\s+an operator token/);
  expect(started.stderr()).toBe('');
});
