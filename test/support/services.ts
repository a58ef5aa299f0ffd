/**
 * The outside services some suites need: PostgreSQL for the `postgres` project, and the redis-server binary
 * for the files named `*.redis.test.ts` (each starts Redis servers of its own). Where one is missing, those
 * suites are left out of `npm test` and the run says so; CI (`.ci/run`) starts them or fails.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';

export const REDIS_SUITES = 'test/**/*.redis.test.ts';

export interface MissingService {
  /** The suites left out. */
  suites: string;
  reason: string;
  /** What to do to run them. */
  enable: string;
}

export function testPostgresUrl(): string {
  return process.env.MMS_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

async function postgresProblem(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return (error as Error).message || (error as NodeJS.ErrnoException).code || 'no answer';
  } finally {
    await client.end().catch(() => {});
  }
}

export async function missingServices(): Promise<MissingService[]> {
  const missing: MissingService[] = [];
  const url = testPostgresUrl();
  const problem = await postgresProblem(url);
  if (problem) {
    const where = new URL(url);
    missing.push({
      suites: 'the postgres project (the whole suite on PostgreSQL)',
      reason: `cannot connect to ${where.host}${where.pathname}: ${problem}`,
      enable: 'start PostgreSQL 15 or set MMS_TEST_POSTGRES_URL',
    });
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    missing.push({
      suites: `the Redis suites (${REDIS_SUITES})`,
      reason: 'redis-server is not on the PATH',
      enable: 'install Redis 7 (apt-get install redis-server)',
    });
  }
  return missing;
}

export function describeMissing(service: MissingService): string {
  return `Skipped ${service.suites}: ${service.reason}; to run them, ${service.enable}.`;
}
