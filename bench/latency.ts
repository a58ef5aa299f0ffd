/**
 * Commit → delivery latency of state changes: subscriber processes (bench/subscribers.ts) connect to one
 * server or spread over several, a migration is started at a steady rate, and each subscriber measures the
 * time from each state change to its arrival. Used alike for MMS and for the floor.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { run } from '../test/support/processes.ts';

/** Client processes the subscribers are spread over: one process parsing every delivery would measure its
 * own backlog rather than the server's. */
const SUBSCRIBER_PROCESSES = 4;
/** One migration started every this many milliseconds. */
export const MIGRATION_INTERVAL_MS = 250;
/** After the last migration finished, deliveries still on their way get this long at most. */
const DRAIN_MS = 60_000;
/** Each migration changes state three times (PENDING, IN_PROGRESS, SUCCEEDED). */
const STATE_CHANGES = 3;

export interface LatencyRun {
  /** GraphQL endpoints the subscriber processes are spread over, in turn. */
  urls: string[];
  token: string;
  subscribers: number;
  migrations: number;
  /** The server processes the subscribers connect to: the CPU time they take to connect them is measured. */
  serverPids: number[];
  /** Starts the i-th migration. */
  start(i: number): Promise<void>;
  /** Resolves once every migration started has finished. */
  finished(): Promise<void>;
}

export interface Latency {
  subscribers: number;
  /** From telling the subscriber processes to connect until every subscription is live. */
  connectSeconds: number;
  /** CPU time the servers took meanwhile: steadier than the time on a machine shared with other work. */
  connectCpuSeconds: number;
  deliveries: number;
  missedDeliveries: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The p99 of every migration but the first started: the steady state. Each state change reaches every
   * subscriber (one in 60 of the deliveries with 20 migrations), so the p99 is the slowest one or two state
   * changes, mostly the first migration's, whose code paths run for the first time (in MMS and the floor alike).
   */
  p99AfterFirstMs: number;
}

export async function measureLatency(spec: LatencyRun): Promise<Latency> {
  const groups = Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) => {
    const count =
      Math.floor(spec.subscribers / SUBSCRIBER_PROCESSES) +
      (i < spec.subscribers % SUBSCRIBER_PROCESSES ? 1 : 0);
    return run(
      'bench/subscribers.ts',
      [
        spec.urls[i % spec.urls.length] as string,
        spec.token,
        String(count),
        String(spec.migrations * STATE_CHANGES),
      ],
      {},
    );
  });
  try {
    // A subscriber process that fails (a subscription refused, a socket reset) ends the measurement.
    const failed = Promise.race(groups.map((group) => group.exited)).then((code) => {
      throw new Error(
        `a subscriber process exited (${code}): ${groups
          .map((g) => g.stderr())
          .join('')
          .slice(0, 2000)}`,
      );
    });
    failed.catch(() => {});
    const all = (line: string, timeoutMs: number) =>
      Promise.race([failed, Promise.all(groups.map((group) => group.line((l) => l === line, timeoutMs)))]);
    await all('started', 30_000);
    const connecting = performance.now();
    const cpuBefore = cpuSeconds(spec.serverPids);
    for (const group of groups) group.child.kill('SIGUSR2');
    await all('ready', 300_000);
    const connectSeconds = (performance.now() - connecting) / 1000;
    const connectCpuSeconds = cpuSeconds(spec.serverPids) - cpuBefore;

    // A steady stream of migrations, as operators start them: latency is measured, not a backlog.
    for (let i = 0; i < spec.migrations; i++) {
      await spec.start(i);
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_INTERVAL_MS));
    }
    await spec.finished();
    // Until every subscriber has every state change; what is still missing then is reported missed.
    await all('received', DRAIN_MS).catch(() => {});
    const reports = await Promise.all(
      groups.map(async (group) => {
        group.child.kill('SIGUSR2');
        const line = await group.line((l) => l.startsWith('{'), 60_000);
        return JSON.parse(line) as { latencies: number[]; migrationIds: string[] };
      }),
    );
    const sorted = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    // Migrations start 250 ms apart: the first one each subscriber saw is the first started.
    const first = reports[0]?.migrationIds[0];
    const afterFirst = reports
      .flatMap((r) => r.latencies.filter((_, i) => r.migrationIds[i] !== first))
      .sort((a, b) => a - b);
    return {
      subscribers: spec.subscribers,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      connectCpuSeconds: Math.round(connectCpuSeconds * 10) / 10,
      deliveries: sorted.length,
      missedDeliveries: spec.migrations * STATE_CHANGES * spec.subscribers - sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      p99AfterFirstMs: percentile(afterFirst, 99),
    };
  } finally {
    await Promise.all(groups.map((group) => group.stop()));
  }
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** CPU time (user and system) the processes took so far (Linux). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  // Clock ticks of 1/100 s, as on every Linux this runs on.
  return ticks / 100;
}

/**
 * One GraphQL request over HTTP, on a connection of its own; throws on errors. A kept-alive connection
 * would be reused while a server whose event loop is saturated by fan-out may be closing it as idle (its
 * keep-alive timer fires late), and the request is reset.
 */
export function graphql<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          const answer = JSON.parse(text) as { data?: T; errors?: unknown[] };
          if (answer.errors || !answer.data) reject(new Error(`${url}: ${JSON.stringify(answer.errors)}`));
          else resolve(answer.data);
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
