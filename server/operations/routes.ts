/**
 * The operator's endpoints beside the API: /healthz (the process serves), /readyz (it can do its work) and
 * /metrics (Prometheus text, behind MMS_METRICS_TOKEN). API processes answer them on their own port; a
 * worker, which serves no API, on MMS_HEALTH_PORT when set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { OpenedDatabase } from '../storage/database.ts';
import { isSchemaCurrent } from '../storage/migrations.ts';
import { joinInFlight } from './in-flight.ts';
import { hideUrlPasswords } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** A readiness probe answers within this even when the database hangs. */
const READINESS_TIMEOUT_MS = 2_000;

export interface OperationsRoutesOptions {
  database: Pick<OpenedDatabase, 'db' | 'helpers'>;
  /** The engine when this process runs it. */
  engine: { readonly isRunning: boolean } | null;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  /** The bearer token /metrics asks for; null turns /metrics off. */
  metricsToken: string | null;
}

/** Answers the request when it is for one of these endpoints (true); false leaves it to the API. */
export type OperationsRoutes = (request: IncomingMessage, response: ServerResponse) => boolean;

const digest = (text: string) => createHash('sha256').update(text).digest();

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'cache-control': 'no-store', ...headers });
  response.end(body);
}

const json = (response: ServerResponse, status: number, body: unknown) =>
  send(response, status, `${JSON.stringify(body)}\n`, { 'content-type': 'application/json' });

/** What is not ready, by check; empty when all are. */
async function notReady(options: OperationsRoutesOptions): Promise<Record<string, string>> {
  const failing: Record<string, string> = {};
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${READINESS_TIMEOUT_MS} ms`)),
      READINESS_TIMEOUT_MS,
    );
  });
  try {
    const current = await Promise.race([
      isSchemaCurrent(options.database.db as Kysely<unknown>, options.database.helpers.schema),
      timeout,
    ]);
    if (!current) failing.schema = 'the database schema is not the one this version expects';
  } catch (error) {
    failing.database = `cannot be reached: ${hideUrlPasswords((error as Error).message ?? String(error))}`;
  } finally {
    clearTimeout(timer);
  }
  if (options.engine && !options.engine.isRunning) failing.engine = 'the migration engine is not running';
  return failing;
}

function authorizedForMetrics(request: IncomingMessage, token: string): boolean {
  const given = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

export function operationsRoutes(options: OperationsRoutesOptions): OperationsRoutes {
  // Probes at the same moment share one check: however many arrive, the database is asked once at a time.
  const check = joinInFlight(() => notReady(options));
  const readiness = async (response: ServerResponse) => {
    const failing = await check();
    if (Object.keys(failing).length === 0) json(response, 200, { status: 'ready' });
    else json(response, 503, { status: 'not ready', failing });
  };
  const metrics = async (request: IncomingMessage, response: ServerResponse) => {
    const { metricsToken } = options;
    if (metricsToken === null) {
      return json(response, 404, { error: 'metrics are off: set MMS_METRICS_TOKEN to turn them on' });
    }
    if (!authorizedForMetrics(request, metricsToken)) {
      return json(response, 401, { error: 'metrics need Authorization: Bearer <MMS_METRICS_TOKEN>' });
    }
    send(response, 200, await options.metrics.render(), { 'content-type': options.metrics.contentType });
  };
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => unknown> = {
    '/healthz': (_, response) => json(response, 200, { status: 'alive' }),
    '/readyz': (_, response) => readiness(response),
    '/metrics': metrics,
  };
  return (request, response) => {
    const route = routes[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!route || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    Promise.resolve(route(request, response)).catch((error: unknown) => {
      response.destroy(error as Error);
    });
    return true;
  };
}

/** Serves the endpoints alone (a worker's); resolves with the base URL once listening. */
export function serveOperations(
  routes: OperationsRoutes,
  port: number,
  host: string,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (!routes(request, response)) json(response, 404, { error: 'not found: /healthz, /readyz, /metrics' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, server });
    });
  });
}
