/**
 * The processes of one deployment, each a real `node` process: API processes (`npm start` with
 * MMS_ENGINE=off) and workers (`npm run worker`), started, crashed (SIGKILL) and started again.
 */
import { join } from 'node:path';
import { databaseEnv, testDatabase } from './backend.ts';
import { queryGraphQL } from './http.ts';
import { type Running, run } from './processes.ts';

/**
 * What every process of a test deployment is started with: a new database in `dir` (a SQLite file there, or
 * a schema of its own on PostgreSQL), migrations due at once, quick polls, and an admin token generated.
 */
export async function deploymentEnv(dir: string): Promise<Record<string, string>> {
  return {
    ...databaseEnv(await testDatabase(join(dir, 'mms.sqlite'))),
    MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
    MMS_HOLD_SECONDS: '0',
    MMS_POLL_MS: '50',
    MMS_ADMIN_TOKEN: '',
  };
}

/** Fills the deployment's database with the demo tenant, as `npm run seed` does; fails on any complaint. */
export async function seedDemo(env: Record<string, string>, users: number, meetingsPerUser: number) {
  const seed = run(
    'server/cli/seed.ts',
    ['--users', `${users}`, '--meetings-per-user', `${meetingsPerUser}`],
    env,
  );
  const code = await seed.exited;
  if (code !== 0 || seed.stderr() !== '') throw new Error(`the seed exited with ${code}: ${seed.stderr()}`);
}

export interface ApiProcess {
  process: Running;
  /** The GraphQL endpoint it printed. */
  url: string;
}

/** Starts an API process on the port given (a free one for 0) and waits until it serves. */
export async function startApiProcess(env: Record<string, string>, port = 0): Promise<ApiProcess> {
  const process = run('server/main.ts', [], {
    ...env,
    PORT: `${port}`,
    HOST: '127.0.0.1',
    MMS_ENGINE: 'off',
  });
  const url = (await process.line((l) => l.includes('GraphQL API'), 60_000)).split(/\s+/).at(-1) as string;
  return { process, url };
}

/** The operator token of the demo tenant that an API process on a seeded database prints. */
export async function demoOperatorToken(api: ApiProcess): Promise<string> {
  return (await api.process.line((l) => l.includes('Operator token'))).split(/\s+/).at(-1) as string;
}

export interface WorkerProcess {
  process: Running;
  /** The id its leases are held under (`<id>#<claim>` in meeting_migrations.lease_owner). */
  id: string;
}

export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const process = run('server/worker.ts', [], env);
  const started = await process.line((l) => l.startsWith('MMS worker'), 60_000);
  return { process, id: started.split(/\s+/)[2] as string };
}

/** Kills the process at once (SIGKILL), as a crash or the OOM killer would: nothing of it runs after. */
export async function crash(process: Running): Promise<void> {
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
  await process.exited;
}

/** Starts a migration of the user through the API process; returns its id. */
export async function startMigration(api: ApiProcess, token: string, userId: string): Promise<string> {
  const data = await queryGraphQL(
    api.url,
    token,
    'mutation($u: ID!) { startMeetingMigration(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } ... on Error { message } } }',
    { u: userId },
  );
  const id = data.startMeetingMigration?.meetingMigration?.id;
  if (!id) throw new Error(`the migration did not start: ${JSON.stringify(data)}`);
  return id;
}
