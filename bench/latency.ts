/**
 * Commit → delivery latency of state changes: subscriber processes (bench/subscribers.ts) connect to one
 * server or spread over several, a migration is started at a steady rate, and each subscriber measures the
 * time from each state change to its arrival. Used alike for MMS and for the floor.
 */
import { run } from '../test/support/processes.ts';

/** Client processes the subscribers are spread over: one process parsing every delivery would measure its
 * own backlog rather than the server's. */
const SUBSCRIBER_PROCESSES = 4;
/** One migration started every this many milliseconds. */
export const MIGRATION_INTERVAL_MS = 250;
/** After the last migration finished, deliveries still on their way get this long. */
const DRAIN_MS = 3_000;
/** Each migration changes state three times (PENDING, IN_PROGRESS, SUCCEEDED). */
const STATE_CHANGES = 3;

export interface LatencyRun {
  /** GraphQL endpoints the subscriber processes are spread over, in turn. */
  urls: string[];
  token: string;
  subscribers: number;
  migrations: number;
  /** Starts the i-th migration. */
  start(i: number): Promise<void>;
  /** Resolves once every migration started has finished. */
  finished(): Promise<void>;
}

export interface Latency {
  subscribers: number;
  /** From telling the subscriber processes to connect until every subscription is live. */
  connectSeconds: number;
  deliveries: number;
  missedDeliveries: number;
  p50Ms: number;
  p99Ms: number;
}

export async function measureLatency(spec: LatencyRun): Promise<Latency> {
  const groups = Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) => {
    const count =
      Math.floor(spec.subscribers / SUBSCRIBER_PROCESSES) +
      (i < spec.subscribers % SUBSCRIBER_PROCESSES ? 1 : 0);
    return run(
      'bench/subscribers.ts',
      [spec.urls[i % spec.urls.length] as string, spec.token, String(count)],
      {},
    );
  });
  try {
    await Promise.all(groups.map((group) => group.line((line) => line === 'started', 30_000)));
    const connecting = performance.now();
    for (const group of groups) group.child.kill('SIGUSR2');
    await Promise.all(groups.map((group) => group.line((line) => line === 'ready', 300_000)));
    const connectSeconds = (performance.now() - connecting) / 1000;

    // A steady stream of migrations, as operators start them: latency is measured, not a backlog.
    for (let i = 0; i < spec.migrations; i++) {
      await spec.start(i);
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_INTERVAL_MS));
    }
    await spec.finished();
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    const reports = await Promise.all(
      groups.map(async (group) => {
        group.child.kill('SIGUSR2');
        const line = await group.line((l) => l.startsWith('{'), 60_000);
        return JSON.parse(line) as { latencies: number[] };
      }),
    );
    const sorted = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const percentile = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
    return {
      subscribers: spec.subscribers,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      deliveries: sorted.length,
      missedDeliveries: spec.migrations * STATE_CHANGES * spec.subscribers - sorted.length,
      p50Ms: percentile(50),
      p99Ms: percentile(99),
    };
  } finally {
    await Promise.all(groups.map((group) => group.stop()));
  }
}

/** One GraphQL request over HTTP; throws on errors. */
export async function graphql<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}
