/**
 * `mms-watch` (`npm run -s watch`) as a monitoring script runs it: NDJSON on stdout, through a restart, only
 * new failures unless history is asked for, an unreachable server, a closed pipe, a bad token.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  scheduleMeeting,
  startMeetingMigration,
} from '../support/fixtures.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { untilSubscriptionsOpen } from '../support/subscriptions.ts';

const METRICS_TOKEN = 'metrics-token-of-the-watch-suite-0123456789abcdef';
const root = new URL('../..', import.meta.url).pathname;

let dir: string;
let server: TestServer;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-watch-'));
  server = await startServer({
    engine: true,
    holdSeconds: 0,
    databasePath: join(dir, 'mms.sqlite'),
    metricsToken: METRICS_TOKEN,
  });
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const parse = (line: string) =>
  JSON.parse(line) as { event: string; migration: { state: string; user: { userPrincipalName: string } } };

test('prints one JSON object per event, filtered by user and state, and carries on after a server restart', async () => {
  const alice = await createUser(server, token, { userPrincipalName: 'alice@contoso.com' });
  const bob = await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  await scheduleMeeting(server, token, alice);
  // The migrations wait while the engine is stopped: the subscription starts with them, which says it is
  // registered, and only then do they run.
  await server.app.engine?.stop();
  await startMeetingMigration(server, token, bob);
  await startMeetingMigration(server, token, alice);
  const watch = run(
    'tui/watch.ts',
    ['--user', 'alice@contoso.com', '--state', 'SUCCEEDED', '--state', 'pending'],
    {
      MMS_URL: server.url,
      MMS_TOKEN: token,
    },
  );
  try {
    await watch.line((l) => l.includes('"PENDING"'));
    server.app.engine?.start();
    const done = parse(await watch.line((l) => l.includes('"SUCCEEDED"')));
    expect(done).toMatchObject({
      event: 'meetingMigrationUpdated',
      migration: { state: 'SUCCEEDED', user: { userPrincipalName: 'alice@contoso.com' } },
    });
    const seen = watch.stdout.map(parse);
    expect(seen.every((e) => e.migration.user.userPrincipalName === 'alice@contoso.com')).toBe(true);
    expect(seen.every((e) => ['PENDING', 'SUCCEEDED'].includes(e.migration.state))).toBe(true);

    // The server goes away and comes back on the same port and database.
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    server = await server.startAgain();
    const before = watch.stdout.length;
    await startMeetingMigration(server, token, alice);
    const again = parse(await watch.line((l) => l.includes('"SUCCEEDED"'), 20_000, before));
    expect(again.migration.user.userPrincipalName).toBe('alice@contoso.com');
    expect(watch.stderr()).toMatch(/reconnecting/);
  } finally {
    await watch.stop();
  }
}, 60_000);

test('a bad token is a clear message and a non-zero exit', async () => {
  const watch = run('tui/watch.ts', [], { MMS_URL: server.url, MMS_TOKEN: 'not-a-token' });
  expect(await watch.exited).toBe(1);
  expect(watch.stderr()).toMatch(/^watch: .* refused the token \(close 4403\)/m);
  expect(watch.stdout.filter(Boolean)).toEqual([]);
});

test('a token on the command line is refused before anything is sent: it would show in the process list', async () => {
  const watch = run('tui/watch.ts', ['--token', token], { MMS_URL: server.url, MMS_TOKEN: '' });
  expect(await watch.exited).toBe(2);
  expect(watch.stderr()).toBe(
    'watch: --token is not taken: a token on the command line shows in the process list; use --token-file FILE or MMS_TOKEN\n',
  );
  expect(watch.stdout.filter(Boolean)).toEqual([]);
});

test('bad flags are a usage message and exit 2', async () => {
  const watch = run('tui/watch.ts', ['--state', 'DONE'], { MMS_URL: server.url, MMS_TOKEN: token });
  expect(await watch.exited).toBe(2);
  expect(watch.stderr()).toMatch(/unknown state "DONE"[\s\S]*usage: mms-watch/);
});

test('the example script prints the same events with the graphql-ws client alone', async () => {
  const alice = (await server.gql(token, '{ tenant { users(search: "alice") { edges { node { id } } } } }'))
    .tenant.users.edges[0].node.id;
  // The migration waits while the engine is stopped: the script's subscription starts with it, which says
  // it is registered, and only then does it run.
  await server.app.engine?.stop();
  await startMeetingMigration(server, token, alice);
  const example = run('examples/watch-migrations.ts', [], { MMS_URL: server.url, MMS_TOKEN: token });
  try {
    await example.line((l) => l.includes('"PENDING"'));
    server.app.engine?.start();
    const line = await example.line((l) => l.includes('"SUCCEEDED"'));
    expect(JSON.parse(line)).toMatchObject({
      state: 'SUCCEEDED',
      user: { userPrincipalName: 'alice@contoso.com' },
    });
  } finally {
    await example.stop();
  }
});

/** A user whose migrations fail at once: the mailbox is on Exchange on-premises. */
async function failingUser(name: string): Promise<string> {
  return createUser(server, token, {
    userPrincipalName: `${name}@contoso.com`,
    mailboxLocation: 'EXCHANGE_ON_PREMISES',
  });
}

test('--state FAILED prints only failures from now on; --since and --replay print the earlier ones too', async () => {
  const old = await failingUser('old-failure');
  await startMeetingMigration(server, token, old);
  const fresh = await failingUser('new-failure');
  const env = { MMS_URL: server.url, MMS_TOKEN: token };
  const only = run('tui/watch.ts', ['--state', 'FAILED'], env);
  const replay = run('tui/watch.ts', ['--state', 'failed', '--replay'], env);
  const since = run('tui/watch.ts', ['--state', 'FAILED', '--since', '1h'], env);
  try {
    // The earlier failure has happened before the watches listen.
    await replay.line((l) => l.includes('old-failure@'));
    await since.line((l) => l.includes('old-failure@'));
    await untilSubscriptionsOpen(server, METRICS_TOKEN, 3);
    await startMeetingMigration(server, token, fresh);
    for (const watch of [only, replay, since]) await watch.line((l) => l.includes('new-failure@'));
    expect(only.stdout.filter(Boolean).map((l) => parse(l).migration.user.userPrincipalName)).toEqual([
      'new-failure@contoso.com',
    ]);
    expect(replay.stdout.filter(Boolean).every((l) => parse(l).migration.state === 'FAILED')).toBe(true);
  } finally {
    await Promise.all([only.stop(), replay.stop(), since.stop()]);
  }
  // Their subscriptions end with them.
  await untilSubscriptionsOpen(server, METRICS_TOKEN, 0);
});

test('--help prints the usage on stdout and exits 0', async () => {
  const help = run('tui/watch.ts', ['--help'], {});
  expect(await help.exited).toBe(0);
  expect(help.stdout.join('\n')).toMatch(
    /^usage: mms-watch[\s\S]*--state S[\s\S]*--since WHEN[\s\S]*--replay[\s\S]*--retries N/,
  );
  expect(help.stderr()).toBe('');
});

test('an unreachable server: the reason on stderr at each retry, then exit 1 after --retries', async () => {
  const closed = await startServer({});
  const url = closed.url;
  await closed.stop();
  const watch = run('tui/watch.ts', ['--retries', '2'], { MMS_URL: url, MMS_TOKEN: token });
  expect(await watch.exited).toBe(1);
  const lines = watch.stderr().trim().split('\n');
  expect(lines).toEqual([
    expect.stringMatching(/^watch: cannot reach .*: connect ECONNREFUSED .*; retry 1 of 2$/),
    expect.stringMatching(/^watch: cannot reach .*: connect ECONNREFUSED .*; retry 2 of 2$/),
    expect.stringMatching(/^watch: cannot reach .*: connect ECONNREFUSED .*; giving up after 2 retries$/),
    expect.stringMatching(/^watch: stopped: connect ECONNREFUSED/),
  ]);
  expect(watch.stdout.filter(Boolean)).toEqual([]);
});

test('piped to head, it exits 0 without a word once head has gone', async () => {
  await server.app.engine?.stop();
  try {
    const first = await createUser(server, token, { userPrincipalName: 'piped1@contoso.com' });
    const second = await createUser(server, token, { userPrincipalName: 'piped2@contoso.com' });
    await startMeetingMigration(server, token, first);
    // head takes one line and is gone, its end of the pipe closed: the next line the watch writes meets EPIPE.
    const pipeline = spawn(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${root}tui/watch.ts" --state PENDING 2>"${dir}/pipe-stderr" | { head -n 1; exec 0<&-; echo head-gone; }; echo "watch-exit \${PIPESTATUS[0]}"`,
      ],
      {
        env: { ...process.env, MMS_URL: server.url, MMS_TOKEN: token },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const gone = new Promise<void>((resolve) =>
      pipeline.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('head-gone')) resolve();
      }),
    );
    const ended = new Promise((resolve) => pipeline.once('close', resolve));
    await gone;
    await startMeetingMigration(server, token, second);
    await ended;
    const [line, ...rest] = out.trim().split('\n');
    expect(parse(line as string).migration.user.userPrincipalName).toBe('piped1@contoso.com');
    expect(rest).toEqual(['head-gone', 'watch-exit 0']);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'pipe-stderr'), 'utf8')).not.toMatch(/EPIPE|Error/);
  } finally {
    server.app.engine?.start();
  }
});

test('runs as a bin, npx mms-watch, and as npm run -s watch, with nothing but its own output on stdout', async () => {
  for (const command of ['npx mms-watch --help', 'npm run -s watch -- --help']) {
    const child = spawn('bash', ['-c', command], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('usage: mms-watch [options]   (or npm run -s watch -- [options])');
  }
}, 60_000);
