/**
 * A setting that is wrong, or names a database that cannot be reached or a place no file can be, stops
 * `npm start`, `npm run worker` and `npm run seed` with one line naming the setting and the cause: no stack
 * trace, and never a password.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../support/processes.ts';

const PASSWORD = 'pa55-never-printed';
let dir: string;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-startup-'));
  writeFileSync(join(dir, 'plain-file'), '');
  mkdirSync(join(dir, 'a-directory'));
  writeFileSync(join(dir, 'notes.txt'), `${'Not a database, whatever its name says.\n'.repeat(20)}`);
  // A port nothing listens on: taken, then given back.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the script with the environment; resolves with its exit code and what it printed on stderr. */
async function failedStart(script: string, env: Record<string, string>) {
  const started = run(script, [], {
    PORT: '0',
    HOST: '127.0.0.1',
    MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
    MMS_DATABASE_URL: '',
    ...env,
  });
  const code = await started.exited;
  return { code, lines: started.stderr().trimEnd().split('\n'), stdout: started.stdout.join('\n') };
}

/** Places for MMS_DB where no SQLite database can be, and the cause each is refused with. */
const databaseFileCases: [string, () => string, () => string][] = [
  [
    'a SQLite file under a file: the setting and the file in the way',
    () => join(dir, 'plain-file', 'mms.sqlite'),
    () => `${join(dir, 'plain-file')} is a file, not a directory`,
  ],
  [
    'a SQLite file that is a directory',
    () => join(dir, 'a-directory'),
    () => `${join(dir, 'a-directory')} is a directory, not a file`,
  ],
  ['a file that is not SQLite', () => join(dir, 'notes.txt'), () => 'file is not a database'],
];

const main = 'server/main.ts';
const worker = 'server/worker.ts';

/** Settings with a value the processes refuse, the one line that says so, and the processes tried. */
const settingCases: [string, Record<string, string>, string, string[]][] = [
  [
    'a PostgreSQL connect_timeout of none (never give up)',
    { MMS_DATABASE_URL: `postgres://mms:${PASSWORD}@127.0.0.1:5432/mms?connect_timeout=0` },
    `MMS_DATABASE_URL's connect_timeout must be whole seconds from 1 to 600, not "0"`,
    [main],
  ],
  [
    'a PostgreSQL connect_timeout with a unit',
    { MMS_DATABASE_URL: `postgres://mms:${PASSWORD}@127.0.0.1:5432/mms?connect_timeout=2s` },
    `MMS_DATABASE_URL's connect_timeout must be whole seconds from 1 to 600, not "2s"`,
    [worker],
  ],
  [
    'a port in hexadecimal',
    { PORT: '0x10' },
    'PORT must be a whole number from 0 to 65535, not "0x10"',
    [main],
  ],
  [
    'a number in exponent notation',
    { MMS_CONCURRENCY: '1e2' },
    'MMS_CONCURRENCY must be a whole number from 1 to 256, not "1e2"',
    [worker],
  ],
  [
    'a number with a space before it',
    { MMS_POLL_MS: ' 100' },
    'MMS_POLL_MS must be a whole number from 10 to 60000, not " 100"',
    [main],
  ],
  [
    'a number with a fraction written out',
    { MMS_LEASE_SECONDS: '30.0' },
    'MMS_LEASE_SECONDS must be a whole number from 1 to 3600, not "30.0"',
    [main],
  ],
  [
    'a body limit with a unit',
    { MMS_MAX_BODY_BYTES: '2MiB' },
    'MMS_MAX_BODY_BYTES must be a whole number from 1024 to 67108864, not "2MiB"',
    [main],
  ],
  [
    'a negative number of changes kept while Redis is away',
    { MMS_REDIS_URL: 'redis://127.0.0.1:1', MMS_REDIS_UNSENT_LIMIT: '-1' },
    'MMS_REDIS_UNSENT_LIMIT must be a whole number from 0 to 1000000, not "-1"',
    [main, worker],
  ],
  [
    'no subscriptions at all per socket',
    { MMS_MAX_SUBSCRIPTIONS_PER_SOCKET: '0' },
    'MMS_MAX_SUBSCRIPTIONS_PER_SOCKET must be a whole number from 1 to 10000, not "0"',
    [main],
  ],
  [
    'a retry wait of years',
    { MMS_RETRY_SCHEDULE: '1m,99999h' },
    'MMS_RETRY_SCHEDULE must list durations of at most 744h, not "1m,99999h"',
    [worker],
  ],
  [
    'a service-admin token shorter than 32 characters, not repeated',
    { MMS_ADMIN_TOKEN: 'short-secret-31-characters-long' },
    'MMS_ADMIN_TOKEN must be at least 32 characters without spaces (it has 31); openssl rand -base64 32 makes one',
    [main, worker],
  ],
  [
    'a limit of failed authentications of none',
    { MMS_AUTH_FAILURES_PER_MINUTE: '0' },
    'MMS_AUTH_FAILURES_PER_MINUTE must be a whole number from 1 to 100000, not "0"',
    [main],
  ],
  [
    'an SMTP URL that is no URL',
    { MMS_SMTP_URL: 'nonsense' },
    'MMS_SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587 (or smtps:// for TLS)',
    [main, worker],
  ],
  [
    'an SMTP URL of another scheme, with a password that is not repeated',
    { MMS_SMTP_URL: `http://mms:${PASSWORD}@mail.example.com` },
    'MMS_SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587 (or smtps:// for TLS)',
    [main],
  ],
  [
    'an SMTP sender that is not an e-mail address',
    { MMS_SMTP_URL: 'smtp://127.0.0.1:2525', MMS_SMTP_SENDER: 'mms at example.com' },
    'MMS_SMTP_SENDER must be an e-mail address such as mms@example.com, not "mms at example.com"',
    [main, worker],
  ],
];

describe.each([
  [main, 'mms: '],
  [worker, 'mms worker: '],
])('%s stops at start-up with one line', (script, prefix) => {
  test('a PostgreSQL server that cannot be reached: the setting, the server without its password, the cause', async () => {
    const url = `postgres://mms:${PASSWORD}@127.0.0.1:${closedPort}/mms`;
    const { code, lines, stdout } = await failedStart(script, { MMS_DATABASE_URL: url });
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${prefix}cannot open the database at MMS_DATABASE_URL (postgres://mms:***@127.0.0.1:${closedPort}/mms): connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    ]);
    expect(`${lines.join('\n')}${stdout}`).not.toContain(PASSWORD);
  });

  test("a PostgreSQL server that accepts and never answers: the setting and the timeout, after the URL's connect_timeout", async () => {
    // Takes connections and says nothing, as a hung server or a swallowing firewall would.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const url = `postgres://mms:${PASSWORD}@127.0.0.1:${port}/mms?connect_timeout=2`;
      const started = Date.now();
      const { code, lines } = await failedStart(script, { MMS_DATABASE_URL: url });
      const took = Date.now() - started;
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${prefix}cannot open the database at MMS_DATABASE_URL \\(postgres://mms:\\*\\*\\*@127\\.0\\.0\\.1:${port}/mms\\?connect_timeout=2\\): .*timeout`,
          'i',
        ),
      );
      // The URL's 2 s, not the default of 10 s.
      expect(took).toBeGreaterThanOrEqual(2_000);
      expect(took).toBeLessThan(10_000);
    } finally {
      silent.close();
    }
  });

  test('a URL that is not PostgreSQL: the setting, and not the value (it may hold a password)', async () => {
    const { code, lines } = await failedStart(script, {
      MMS_DATABASE_URL: `mysql://root:${PASSWORD}@db.example.com/mms`,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([`${prefix}MMS_DATABASE_URL must be a postgres:// or postgresql:// URL`]);
  });

  test('a PostgreSQL URL that does not parse', async () => {
    const { code, lines } = await failedStart(script, {
      MMS_DATABASE_URL: `postgres://mms:${PASSWORD}@127.0.0.1:99999/mms`,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([`${prefix}MMS_DATABASE_URL is not a well-formed URL`]);
  });

  test.each(databaseFileCases)('%s', async (_case, place, cause) => {
    const { code, lines } = await failedStart(script, { MMS_DB: place() });
    expect(code).toBe(1);
    expect(lines).toEqual([`${prefix}cannot open the database at MMS_DB (${place()}): ${cause()}`]);
  });

  test.each(settingCases.filter(([, , , scripts]) => scripts.includes(script)))(
    '%s',
    async (_case, env, line) => {
      const { code, lines, stdout } = await failedStart(script, {
        MMS_DB: join(dir, 'unused.sqlite'),
        ...env,
      });
      expect(code).toBe(1);
      expect(lines).toEqual([`${prefix}${line}`]);
      expect(`${lines.join('\n')}${stdout}`).not.toContain(PASSWORD);
    },
  );
});

describe('server/main.ts stops at start-up with one line when it cannot listen or keep its credentials', () => {
  const start = (env: Record<string, string>) =>
    failedStart('server/main.ts', { MMS_DB: join(dir, 'main.sqlite'), ...env });

  test('a port in use: the port and what to do, and no WebSocket trace before it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const { code, lines } = await start({ PORT: String(port) });
      expect(code).toBe(1);
      expect(lines).toEqual([`mms: PORT ${port} is in use on 127.0.0.1; set PORT to another port`]);
    } finally {
      taken.close();
    }
  }, 30_000);

  test('a host name that does not resolve', async () => {
    const { code, lines } = await start({ HOST: 'no-such-host.invalid' });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mms: HOST no-such-host\.invalid does not resolve to an address \(E[A-Z_]+\)$/);
  }, 30_000);

  test("an address that is not this machine's", async () => {
    // TEST-NET-1: documentation addresses, never assigned to a machine.
    const { code, lines } = await start({ HOST: '192.0.2.1' });
    expect(code).toBe(1);
    expect(lines).toEqual(['mms: HOST 192.0.2.1 is not an address of this machine']);
  }, 30_000);

  test.each([
    [
      'a credentials file under a file',
      () => join(dir, 'plain-file', 'credentials.json'),
      () => `${join(dir, 'plain-file')} is a file, not a directory`,
    ],
    [
      'a credentials file that is a directory',
      () => join(dir, 'a-directory'),
      () => `${join(dir, 'a-directory')} is a directory, not a file`,
    ],
  ])('%s, refused before the database is opened', async (_case, place, cause) => {
    const database = join(dir, 'never-created.sqlite');
    const { code, lines } = await start({ MMS_CREDENTIALS_FILE: place(), MMS_DB: database });
    expect(code).toBe(1);
    expect(lines).toEqual([
      `mms: cannot keep the local credentials at MMS_CREDENTIALS_FILE (${place()}): ${cause()}`,
    ]);
    expect(existsSync(database)).toBe(false);
  });
});

describe('npm run seed', () => {
  const seed = async (env: Record<string, string>) => {
    const started = run('server/cli/seed.ts', ['--users', '1', '--meetings-per-user', '1'], {
      MMS_DATABASE_URL: '',
      ...env,
    });
    const code = await started.exited;
    return { code, lines: started.stderr().trimEnd().split('\n') };
  };

  test.each(databaseFileCases)('refuses %s with one line', async (_case, place, cause) => {
    const { code, lines } = await seed({ MMS_DB: place() });
    expect(code).toBe(1);
    expect(lines).toEqual([`mms seed: cannot open the database at MMS_DB (${place()}): ${cause()}`]);
  });

  test('creates the missing directories of MMS_DB, readable by the owner only', async () => {
    const database = join(dir, 'new', 'nested', 'mms.sqlite');
    const { code } = await seed({ MMS_DB: database });
    expect(code).toBe(0);
    expect(existsSync(database)).toBe(true);
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'new', 'nested')).mode & 0o777).toBe(0o700);
  });
});
