/**
 * `npm run bench`: (a) end-to-end migration throughput, (b) the same writes by plain SQL as a baseline
 * measured in the same run, and (c) commit-to-delivery latency for 1,000 graphql-ws subscribers.
 * Prints a table and one JSON line. Flags shrink it for a quick look: --users, --meetings, --subscribers.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../server/app.ts';
import type { EngineConfig } from '../server/engine/engine.ts';
import { openDatabase } from '../server/storage/database.ts';
import { run } from '../test/support/processes.ts';
import { runBaseline } from './baseline.ts';
import { writeDataset } from './dataset.ts';

/** Processes the 1,000 subscribers are spread over. */
const SUBSCRIBER_PROCESSES = 4;
/** One migration started every this many milliseconds during the latency measurement. */
const SUBSCRIPTION_MIGRATION_INTERVAL_MS = 250;
const TARGETS = { meetingsPerSecond: 5_000, ratio: 0.25, p99Ms: 100, peakRssMb: 512 };

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '2000' },
    meetings: { type: 'string', default: '50' },
    attendees: { type: 'string', default: '5' },
    subscribers: { type: 'string', default: '1000' },
    'subscriber-migrations': { type: 'string', default: '20' },
  },
});
const size = {
  users: Number(values.users),
  meetingsPerUser: Number(values.meetings),
  attendees: Number(values.attendees),
};
const subscriberCount = Number(values.subscribers);
const subscriberMigrations = Number(values['subscriber-migrations']);
const ENGINE: EngineConfig = {
  concurrency: 4,
  maxParticipants: 250,
  batchSize: 250,
  leaseSeconds: 30,
  retryScheduleMs: [1_000],
  pollMs: 100,
  retentionDays: 150,
};
const ADMIN = 'bench-admin-token';
const admin = { kind: 'serviceAdmin' } as const;
const log = (line: string) => process.stderr.write(`${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'mms-bench-'));
const enginePath = join(dir, 'engine.sqlite');
const baselinePath = join(dir, 'baseline.sqlite');
try {
  log(`seeding ${size.users} users × ${size.meetingsPerUser} meetings × ${size.attendees} attendees…`);
  const seeded = await openDatabase(enginePath);
  const dataset = await writeDataset(seeded, size, new Date());
  await seeded.close();
  copyFileSync(enginePath, baselinePath);
  const total = dataset.meetings;

  // (b) The baseline: plain SQL, same rewrites, same outbox rows.
  log('baseline: plain SQL in batched transactions…');
  const baselineDb = await openDatabase(baselinePath);
  const baselineStarted = performance.now();
  if (baselineDb.backend !== 'sqlite') throw new Error('the benchmark runs on SQLite');
  const baselineRewritten = runBaseline(baselineDb.sqlite, dataset.tenant, dataset.users, dataset.numbers);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  await baselineDb.close();

  // (a) End to end: every user's migration triggered at once, until the last one SUCCEEDED.
  log('end to end: triggering every user at once…');
  const endToEnd = run('bench/end-to-end.ts', [enginePath, JSON.stringify(ENGINE)], {});
  const measured = JSON.parse(await endToEnd.line((line) => line.startsWith('{'), 240_000)) as {
    seconds: number;
    rewritten: number;
    outbox: number;
    peakRssMb: number;
  };
  await endToEnd.stop();
  const { seconds: endToEndSeconds, rewritten, outbox } = measured;
  if (rewritten !== total || outbox !== total * size.attendees || baselineRewritten !== total) {
    throw new Error(
      `wrong result: ${rewritten} rewritten, ${outbox} outbox rows, baseline ${baselineRewritten}, of ${total}`,
    );
  }

  // (c) Subscribers in their own process, against a server whose engine runs the migrations.
  log(`latency: ${subscriberCount} graphql-ws subscribers…`);
  const live = await createApp({
    database: enginePath,
    engine: ENGINE,
    holdSeconds: 3600,
    adminToken: ADMIN,
    port: 0,
  });
  const url = await live.listen();
  const { token } = await live.services.tenancy.createOperatorToken(admin, {
    tenantId: dataset.tenant.id,
    name: 'bench',
  });
  // A held migration: every subscription starts with it, which tells the subscriber it is live.
  const [first, ...others] = dataset.users;
  if (!first) throw new Error('no users');
  await live.services.users.grantTeamsUpgradePolicy(admin, {
    userId: first.id,
    mode: 'TEAMS_ONLY',
    migrateMeetingsToTeams: true,
  });
  // The subscribers are spread over a few processes: one process parsing every delivery would measure
  // its own backlog rather than the server's.
  const groups = Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) =>
    run(
      'bench/subscribers.ts',
      [
        url,
        token,
        String(
          Math.floor(subscriberCount / SUBSCRIBER_PROCESSES) +
            (i < subscriberCount % SUBSCRIBER_PROCESSES ? 1 : 0),
        ),
      ],
      {},
    ),
  );
  await Promise.all(groups.map((group) => group.line((line) => line === 'ready', 120_000)));
  const liveEvents = live.services.events.stream('meetingMigration', dataset.tenant.id);
  const lastFinished = (async () => {
    let succeeded = 0;
    for await (const migration of liveEvents) {
      if (migration.state === 'SUCCEEDED' && ++succeeded === subscriberMigrations) return;
    }
  })();
  // A steady stream of migrations, as operators start them: latency is measured, not a backlog.
  for (const user of others.slice(0, subscriberMigrations)) {
    await live.services.users.startMeetingMigration(admin, {
      userId: user.id,
      sourceMeetingType: 'ALL',
      targetMeetingType: 'CURRENT',
    });
    await new Promise((resolve) => setTimeout(resolve, SUBSCRIPTION_MIGRATION_INTERVAL_MS));
  }
  await lastFinished;
  await liveEvents.return?.();
  // Let the last deliveries drain, then ask the subscribers what arrived.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const reports = await Promise.all(
    groups.map(async (group) => {
      group.child.kill('SIGUSR2');
      const line = await group.line((l) => l.startsWith('{'), 60_000);
      await group.stop();
      return JSON.parse(line) as { latencies: number[] };
    }),
  );
  const report = { latencies: reports.flatMap((r) => r.latencies) };
  await live.stop();
  // Each migration changes state three times (PENDING, IN_PROGRESS, SUCCEEDED), for every subscriber.
  const expectedDeliveries = subscriberMigrations * 3 * subscriberCount;

  const sorted = report.latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const result = {
    meetings: total,
    users: size.users,
    attendees: size.attendees,
    endToEndSeconds: round(endToEndSeconds),
    endToEndMeetingsPerSecond: Math.round(total / endToEndSeconds),
    baselineSeconds: round(baselineSeconds),
    baselineMeetingsPerSecond: Math.round(total / baselineSeconds),
    ratio: round(baselineSeconds / endToEndSeconds),
    peakRssMb: measured.peakRssMb,
    subscribers: subscriberCount,
    deliveries: sorted.length,
    missedDeliveries: expectedDeliveries - sorted.length,
    latencyP50Ms: percentile(50),
    latencyP99Ms: percentile(99),
  };
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`
| measure | value | target |
| --- | --- | --- |
| end to end (${total} meetings, ${size.users} users, ${size.attendees} attendees each) | ${result.endToEndMeetingsPerSecond} meetings/s (${result.endToEndSeconds} s) | ≥ ${TARGETS.meetingsPerSecond}: ${met(result.endToEndMeetingsPerSecond >= TARGETS.meetingsPerSecond)} |
| plain SQL baseline, same writes | ${result.baselineMeetingsPerSecond} meetings/s (${result.baselineSeconds} s) | |
| ratio end to end / baseline | ${result.ratio} | ≥ ${TARGETS.ratio}: ${met(result.ratio >= TARGETS.ratio)} |
| peak RSS of the server process, end to end | ${result.peakRssMb} MB | ≤ ${TARGETS.peakRssMb}: ${met(result.peakRssMb <= TARGETS.peakRssMb)} |
| commit → delivery of state changes, ${subscriberCount} subscribers, a migration every ${SUBSCRIPTION_MIGRATION_INTERVAL_MS} ms, ${result.deliveries} deliveries (${result.missedDeliveries} missed) | p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms | p99 ≤ ${TARGETS.p99Ms}: ${met(result.latencyP99Ms <= TARGETS.p99Ms)} |
`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
