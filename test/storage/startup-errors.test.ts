/**
 * A database setting that is wrong, or names a database that cannot be reached, stops `npm start` and
 * `npm run worker` with one line naming the setting and the cause: no stack trace, and never the password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe.each([
  ['server/main.ts', 'mms: '],
  ['server/worker.ts', 'mms worker: '],
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

  test('a PostgreSQL server that accepts and never answers: the setting and the timeout, within seconds', async () => {
    // Takes connections and says nothing, as a hung server or a swallowing firewall would.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const url = `postgres://mms:${PASSWORD}@127.0.0.1:${port}/mms`;
      const { code, lines } = await failedStart(script, { MMS_DATABASE_URL: url });
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${prefix}cannot open the database at MMS_DATABASE_URL \\(postgres://mms:\\*\\*\\*@127\\.0\\.0\\.1:${port}/mms\\): .*timeout`,
          'i',
        ),
      );
    } finally {
      silent.close();
    }
  }, 30_000);

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

  test('a SQLite file where no file can be: the setting and the cause', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, '');
    const { code, lines } = await failedStart(script, { MMS_DB: join(notADirectory, 'mms.sqlite') });
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${prefix}cannot open the database at MMS_DB (${notADirectory}/mms.sqlite): EEXIST: file already exists, mkdir '${notADirectory}'`,
    ]);
  });
});
