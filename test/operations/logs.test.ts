/**
 * The log of a real API process: JSON lines on stdout, nothing per request at the default level, one line
 * with the stack for an unexpected error (masked for the client), and no secrets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../server/operations/logger.ts';
import { openDatabase } from '../../server/storage/database.ts';
import {
  type ApiProcess,
  demoOperatorToken,
  deploymentEnv,
  seedDemo,
  startApiProcess,
} from '../support/cluster.ts';
import { postGraphQL } from '../support/http.ts';
import { run } from '../support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'mms-logs-'));
let env: Record<string, string>;
let api: ApiProcess;
let token: string;

/** Its log lines (JSON) from line `from` on, parsed; the start-up lines are plain text. */
const logLines = (process: ApiProcess, from = 0) =>
  process.process.stdout
    .slice(from)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

const MIGRATIONS = '{ meetingMigrations(first: 1) { edges { node { id } } } }';

/** The database under the process, with meeting_migrations renamed away while `work` runs. */
async function withoutMigrationsTable(work: () => Promise<void>) {
  const database = await openDatabase(env.MMS_DATABASE_URL ?? (env.MMS_DB as string));
  await sql`alter table meeting_migrations rename to meeting_migrations_gone`.execute(database.db);
  try {
    await work();
  } finally {
    await sql`alter table meeting_migrations_gone rename to meeting_migrations`.execute(database.db);
    await database.close();
  }
}

beforeAll(async () => {
  env = await deploymentEnv(dir);
  await seedDemo(env, 3, 2);
  api = await startApiProcess(env);
  token = await demoOperatorToken(api);
}, 90_000);
afterAll(async () => {
  await api?.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('at the default level a request logs nothing, and an unexpected error one JSON line with its stack', async () => {
  const from = api.process.stdout.length;
  expect((await postGraphQL(api.url, token, MIGRATIONS)).errors).toBeUndefined();
  await withoutMigrationsTable(async () => {
    const failed = await postGraphQL(api.url, token, MIGRATIONS);
    expect(failed.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(failed)).not.toMatch(/meeting_migrations|sqlite|postgres/i);
    // Everything written before it is in by the time this line is: one pipe, in order.
    await api.process.line((line) => line.includes('"level":50'), 15_000, from);
  });
  const lines = logLines(api, from);
  expect(lines).toHaveLength(1);
  const [logged] = lines;
  expect(logged).toMatchObject({
    level: 50,
    pid: api.process.child.pid,
    err: { message: expect.stringMatching(/meeting_migrations/) },
  });
  expect(logged?.err.stack).toMatch(/\n\s+at /);
  expect(JSON.stringify(lines)).not.toContain(token);
  expect(api.process.stdout.slice(from).filter((line) => !line.startsWith('{'))).toEqual([]);
  expect(api.process.stderr()).toBe('');
});

test('MMS_LOG_LEVEL=debug shows each request’s steps', async () => {
  const debug = await startApiProcess({ ...env, MMS_LOG_LEVEL: 'debug' });
  try {
    const from = debug.process.stdout.length;
    await postGraphQL(debug.url, token, MIGRATIONS);
    const line = await debug.process.line(
      (l) => l.includes('Processing GraphQL Parameters done'),
      15_000,
      from,
    );
    expect(JSON.parse(line)).toMatchObject({ level: 20 });
    expect(JSON.stringify(logLines(debug, from))).not.toContain(token);
  } finally {
    await debug.process.stop();
  }
}, 60_000);

test('a bad MMS_LOG_LEVEL stops the start in one line', async () => {
  const started = run('server/main.ts', [], { ...env, PORT: '0', MMS_LOG_LEVEL: 'loud' });
  expect(await started.exited).toBe(1);
  expect(started.stderr().trimEnd().split('\n')).toEqual([
    'mms: MMS_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud"',
  ]);
  expect(started.stdout.filter(Boolean)).toEqual([]);
});

test('secrets are hidden wherever they sit in a line', () => {
  const written: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => written.push(line) });
  logger.info(
    { req: { headers: { authorization: 'Bearer s3cret-header' } }, token: 's3cret-token' },
    'request',
  );
  logger.info({ connectionParams: { Authorization: 'Bearer s3cret-socket' } }, 'socket');
  logger.error(
    { err: new Error('cannot reach postgres://mms:s3cret-password@db.example.com:5432/mms') },
    'could not connect to redis://:s3cret-redis@cache:6379',
  );
  // As GraphQL Yoga logs an error: alone, wrapping another.
  logger.error(
    Object.assign(new Error('wrapped: redis://u:s3cret-alone@cache:6379'), {
      originalError: new Error('at smtp://mms:s3cret-inner@mail.example.com:587'),
    }),
  );
  const text = written.join('');
  expect(text).not.toMatch(/s3cret/);
  expect(text).toContain('[redacted]');
  expect(text).toContain('postgres://mms:***@db.example.com:5432/mms');
  expect(text).toContain('redis://:***@cache:6379');
  expect(text).toContain('"msg":"wrapped: redis://u:***@cache:6379"');
  expect(text).toContain('smtp://mms:***@mail.example.com:587');
});
