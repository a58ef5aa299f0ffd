/**
 * /healthz says the process serves; /readyz that it can do its work: the database answers, its schema is
 * the one this version expects, and the engine runs where this process runs it. Otherwise 503, naming what
 * is not ready, and 200 again once it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_BACKEND, testDatabase } from '../support/backend.ts';
import { deploymentEnv } from '../support/cluster.ts';
import { run } from '../support/processes.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const METRICS_TOKEN = 'health-test-metrics-token-0123456789ab';

async function scrape(server: TestServer): Promise<string> {
  const response = await fetch(new URL('/metrics', server.url), {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

async function probe(server: TestServer | string, path: '/healthz' | '/readyz', method = 'GET') {
  const response = await fetch(new URL(path, typeof server === 'string' ? server : server.url), { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Probes until the status is the one wanted, for at most ten seconds; returns that answer. */
async function probeUntil(server: TestServer, status: number) {
  for (
    const started = Date.now();
    Date.now() - started < 10_000;
    await new Promise((r) => setTimeout(r, 50))
  ) {
    const answer = await probe(server, '/readyz');
    if (answer.status === status) return answer;
  }
  throw new Error(`/readyz did not answer ${status} within 10 s`);
}

describe('an API process', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ engine: true });
  });
  afterAll(() => server.stop());

  test('is alive and ready', async () => {
    expect(await probe(server, '/healthz')).toEqual({ status: 200, body: { status: 'alive' } });
    expect(await probe(server, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  test('only GET and HEAD reach the probes; anything else is the API’s 404', async () => {
    expect((await fetch(new URL('/readyz', server.url), { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(new URL('/healthz', server.url), { method: 'POST' })).status).toBe(404);
    expect((await fetch(new URL('/healthz/x', server.url))).status).toBe(404);
  });

  test('a database whose schema is not the expected one is not ready, and ready again once it is', async () => {
    const { db } = server.app.database;
    const { rows } = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(db);
    const latest = rows[0]?.name as string;
    await sql`update kysely_migration set name = ${'0000-older'} where name = ${latest}`.execute(db);
    try {
      const answer = await probe(server, '/readyz');
      expect(answer).toEqual({
        status: 503,
        body: { status: 'not ready', failing: { schema: expect.stringContaining('schema') } },
      });
      expect((await probe(server, '/healthz')).status).toBe(200);
    } finally {
      await sql`update kysely_migration set name = ${latest} where name = ${'0000-older'}`.execute(db);
    }
    expect((await probe(server, '/readyz')).status).toBe(200);
  });

  test('a stopped engine is not ready', async () => {
    await server.app.engine?.stop();
    expect(await probe(server, '/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', failing: { engine: 'the migration engine is not running' } },
    });
    server.app.engine?.start();
    expect((await probe(server, '/readyz')).status).toBe(200);
  });
});

describe.skipIf(TEST_BACKEND !== 'postgres')('PostgreSQL going away', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const database = new URL(await testDatabase());
    proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
    database.host = `127.0.0.1:${proxy.port}`;
    server = await startServer({ database: database.toString(), metricsToken: METRICS_TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  test('makes the process not ready while alive, and ready again once it is back', async () => {
    expect((await probe(server, '/readyz')).status).toBe(200);
    proxy.cut();
    try {
      const away = await probeUntil(server, 503);
      expect(away.body).toEqual({
        status: 'not ready',
        failing: { database: expect.stringMatching(/^cannot be reached: /) },
      });
      expect(await probe(server, '/healthz')).toEqual({ status: 200, body: { status: 'alive' } });
      // Metrics go on with what the process knows; what only the database knows is left out, not stale.
      const metrics = await scrape(server);
      expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
      expect(metrics).toMatch(/^mms_meetings_rewritten_total 0$/m);
      expect(metrics).not.toMatch(/^mms_(migrations|queue_depth)\{/m);
    } finally {
      proxy.restore();
    }
    expect((await probeUntil(server, 200)).body).toEqual({ status: 'ready' });
    expect(await scrape(server)).toMatch(/^mms_migrations\{state="PENDING"\} 0$/m);
  });
});

describe('a worker with MMS_HEALTH_PORT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mms-worker-health-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('serves the probes and metrics on that port, and nothing else', async () => {
    const metricsToken = 'worker-metrics-token-0123456789abcdef';
    const worker = run('server/worker.ts', [], {
      ...(await deploymentEnv(dir)),
      HOST: '127.0.0.1',
      MMS_HEALTH_PORT: '0',
      MMS_METRICS_TOKEN: metricsToken,
    });
    try {
      const started = await worker.line((line) => line.startsWith('MMS worker'), 60_000);
      const base = started.split(/\s+/).at(-1) as string;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await probe(base, '/healthz')).toEqual({ status: 200, body: { status: 'alive' } });
      expect(await probe(base, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
      const metrics = await fetch(new URL('/metrics', base), {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^mms_queue_depth\{queue="migrations"\} 0$/m);
      expect((await fetch(new URL('/metrics', base))).status).toBe(401);
      expect((await fetch(new URL('/graphql', base))).status).toBe(404);
    } finally {
      await worker.stop();
    }
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toBe('');
  }, 60_000);
});
