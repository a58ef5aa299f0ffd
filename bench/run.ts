/**
 * `npm run bench`: MMS's throughput and live-event latency on SQLite and on PostgreSQL, each against a
 * plain-SQL baseline and a fan-out floor measured in the same run. Prints a table with every figure, its
 * target and whether it was met, and one JSON line.
 *
 * SQLite (one process, as `npm start` runs):
 *   - end to end: every user's migration triggered at once, until the last SUCCEEDED;
 *   - the same rewrites, results and outbox rows by plain SQL in batched transactions (the baseline);
 *   - commit → delivery latency of state changes for graphql-ws subscribers of ONE API process (`npm
 *     start`, engine inside), with its time to connect them all and its peak RSS.
 * The floor: a bare graphql-yoga + graphql-ws server with yoga's in-process pubsub (bench/floor-server.ts)
 *   sending events of the same shape to the same subscribers at the same rate; the targets are held against
 *   it. Measured again with each event stamped when it was due rather than when it was published (the
 *   floor's events never wait for one another's fan-out, MMS's may): for information.
 * PostgreSQL, once per worker count: two API processes (`npm start` with MMS_ENGINE=off) and N worker
 *   processes (`npm run worker`), live events through Redis under a prefix of this run's own:
 *   - end to end as on SQLite, against a baseline on the same PostgreSQL;
 *   - latency with the subscribers spread over the two API processes (events cross through Redis);
 *   - peak RSS of every API and worker process.
 * Each PostgreSQL run works on a database of its own, copied from one seeded once; all are dropped after.
 *
 * Flags (npm run bench -- --flag value):
 *   --backend all|sqlite|postgres   what to measure (all); the floor is measured always
 *   --workers 1,2,4                 worker processes of each PostgreSQL run
 *   --subscribers 1000              subscribers of every latency measurement; 10000 for the large fan-out
 *   --users 2000 --meetings 50 --attendees 5    the data set (meetings per user, attendees per meeting)
 *   --subscriber-migrations 20      migrations started during each latency measurement
 *   --postgres-url postgres://postgres@127.0.0.1:5432/test   a database on the server to use
 *   --redis-url redis://127.0.0.1:6379
 *   --repeat 1                      runs of all the above, one after another; with more than one, a last table
 *                                   gives each target's figure in every run and their median, held against it
 *   --abuse                         instead of all the above: every attack the limits refuse, at once, against
 *                                   `npm start` while an ordinary client queries (bench/abuse.ts)
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createApp } from '../server/app.ts';
import type { EngineConfig } from '../server/engine/engine.ts';
import { createLogger } from '../server/operations/logger.ts';
import { DEFAULT_UNSENT_LIMIT, type RedisRelayConfig } from '../server/services/redis-relay.ts';
import { openDatabase } from '../server/storage/database.ts';
import { type Running, run } from '../test/support/processes.ts';
import { runAbuse } from './abuse.ts';
import { runBaseline } from './baseline.ts';
import { runPostgresBaseline } from './baseline-postgres.ts';
import { type Dataset, writeDataset } from './dataset.ts';
import { graphql, type Latency, MIGRATION_INTERVAL_MS, measureLatency } from './latency.ts';
import { benchDatabases } from './postgres.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'all' },
    workers: { type: 'string', default: '1,2,4' },
    subscribers: { type: 'string', default: '1000' },
    users: { type: 'string', default: '2000' },
    meetings: { type: 'string', default: '50' },
    attendees: { type: 'string', default: '5' },
    'subscriber-migrations': { type: 'string', default: '20' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    repeat: { type: 'string', default: '1' },
    abuse: { type: 'boolean', default: false },
  },
});
const backend = values.backend;
if (!['all', 'sqlite', 'postgres'].includes(backend)) throw new Error('--backend is all, sqlite or postgres');
const workerCounts = values.workers.split(',').map(Number);
if (workerCounts.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('--workers lists counts such as 1,2,4');
const size = {
  users: Number(values.users),
  meetingsPerUser: Number(values.meetings),
  attendees: Number(values.attendees),
};
const subscribers = Number(values.subscribers);
const subscriberMigrations = Number(values['subscriber-migrations']);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat is a count such as 3');

const TARGETS = {
  sqliteRatio: 0.75,
  sqlitePeakRssMb: 512,
  postgresRatio: 0.3,
  postgresToSqlite: 0.5,
  /** Subscriber p99 across processes (through Redis) against the floor's. */
  acrossProcessesP99: 1.2,
  /** One API process against the floor: p99, RSS, and time to connect. */
  oneProcessP99: 1.0,
  oneProcessRss: 1.0,
  oneProcessConnect: 1.0,
};
const ENGINE: EngineConfig = {
  concurrency: 4,
  maxParticipants: 250,
  batchSize: 250,
  leaseSeconds: 30,
  retryScheduleMs: [1_000],
  // The product's default: with Redis, workers hear of new work at once and poll only as a fallback.
  pollMs: 1000,
  retentionDays: 150,
};
/** The floor's gap between a migration's state changes, near what MMS's engine takes for one user here. */
const FLOOR_STEP_MS = 20;
const ADMIN = 'bench-admin-token-long-enough-to-pass';
const admin = { kind: 'serviceAdmin' } as const;
const benchStarted = performance.now();
const log = (line: string) =>
  process.stderr.write(`[${Math.round((performance.now() - benchStarted) / 1000)} s] ${line}\n`);
if (values.abuse) {
  await runAbuse(log);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'mms-bench-'));
/** The settings of every MMS process of the run, as `npm start` and `npm run worker` read them. */
const MMS_ENV: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  MMS_ADMIN_TOKEN: ADMIN,
  MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
  // Automatic triggers are held: the migration every subscription starts with stays PENDING.
  MMS_HOLD_SECONDS: '3600',
  MMS_CONCURRENCY: String(ENGINE.concurrency),
  MMS_MAX_PARTICIPANTS: String(ENGINE.maxParticipants),
  MMS_BATCH_SIZE: String(ENGINE.batchSize),
  MMS_LEASE_SECONDS: String(ENGINE.leaseSeconds),
  MMS_RETRY_SCHEDULE: ENGINE.retryScheduleMs.map((ms) => `${ms}ms`).join(','),
  MMS_POLL_MS: String(ENGINE.pollMs),
  MMS_RETENTION_DAYS: String(ENGINE.retentionDays),
  MMS_SMTP_URL: '',
  MMS_DB: '',
  MMS_DATABASE_URL: '',
  MMS_REDIS_URL: '',
  MMS_ENGINE: 'on',
};

type EndToEnd = { seconds: number; rewritten: number; outbox: number; peakRssMb: number };

/** Peak resident set of a running process (Linux): what it held at most since it started. */
function peakRssMb(running: Running): number {
  try {
    const status = readFileSync(`/proc/${running.child.pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** Every server process started, to show what each printed when the run fails. */
const servers: { name: string; process: Running }[] = [];

function startServer(name: string, script: string, args: string[], env: Record<string, string>): Running {
  const process = run(script, args, env);
  servers.push({ name, process });
  return process;
}

async function startApi(env: Record<string, string>): Promise<{ process: Running; url: string }> {
  const api = startServer('API process', 'server/main.ts', [], { ...MMS_ENV, ...env });
  const line = await api.line((l) => l.includes('GraphQL API'), 60_000);
  return { process: api, url: line.split(/\s+/).at(-1) as string };
}

async function startWorker(env: Record<string, string>): Promise<Running> {
  const worker = startServer('worker', 'server/worker.ts', [], { ...MMS_ENV, ...env });
  await worker.line((l) => l.startsWith('MMS worker'), 60_000);
  return worker;
}

async function endToEnd(
  database: string,
  engine: EngineConfig | false,
  redis: RedisRelayConfig | null,
  total: number,
): Promise<EndToEnd> {
  const process = run('bench/end-to-end.ts', [JSON.stringify({ database, engine, redis })], {});
  try {
    const measured = JSON.parse(await process.line((l) => l.startsWith('{'), 600_000)) as EndToEnd;
    if (measured.rewritten !== total || measured.outbox !== total * size.attendees) {
      throw new Error(
        `wrong result on ${database}: ${measured.rewritten} rewritten, ${measured.outbox} outbox rows, of ${total} meetings`,
      );
    }
    return measured;
  } finally {
    await process.stop();
  }
}

/**
 * After the end-to-end run: an operator token for the subscribers, and a migration held for an hour that
 * every subscription starts with (the sign that it is live).
 */
async function prepareSubscribers(
  database: string,
  dataset: Dataset,
): Promise<{ token: string; userIds: string[] }> {
  const app = await createApp({
    database,
    engine: false,
    holdSeconds: 3600,
    adminToken: ADMIN,
    // stdout carries the results.
    logger: createLogger('info', process.stderr),
  });
  try {
    const { token } = await app.services.tenancy.createOperatorToken(admin, {
      tenantId: dataset.tenant.id,
      name: 'bench',
    });
    const [held, ...others] = dataset.users;
    if (!held) throw new Error('no users');
    await app.services.users.grantTeamsUpgradePolicy(admin, {
      userId: held.id,
      mode: 'TEAMS_ONLY',
      migrateMeetingsToTeams: true,
    });
    return { token, userIds: others.map((user) => encodeGlobalID('User', String(user.id))) };
  } finally {
    await app.stop();
  }
}

/** Migrations started through the API processes in turn, finished when only the held one is open. */
function mmsLatency(
  apis: { process: Running; url: string }[],
  token: string,
  userIds: string[],
): Promise<Latency> {
  const urls = apis.map((api) => api.url);
  return measureLatency({
    urls,
    serverPids: apis.map((api) => api.process.child.pid as number),
    token,
    subscribers,
    migrations: subscriberMigrations,
    async start(i) {
      const data = await graphql<{ startMeetingMigration: { __typename: string } }>(
        urls[i % urls.length] as string,
        token,
        `mutation ($userId: ID!) {
          startMeetingMigration(input: { userId: $userId, sourceMeetingType: ALL, targetMeetingType: CURRENT }) {
            __typename
          }
        }`,
        { userId: userIds[i] },
      );
      if (data.startMeetingMigration.__typename !== 'StartMeetingMigrationPayload') {
        throw new Error(`startMeetingMigration answered ${data.startMeetingMigration.__typename}`);
      }
    },
    async finished() {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const { meetingMigrationSummary: summary } = await graphql<{
          meetingMigrationSummary: { pending: number; inProgress: number };
        }>(urls[0] as string, token, '{ meetingMigrationSummary { pending inProgress } }');
        if (summary.pending + summary.inProgress <= 1) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the migrations of the latency measurement did not finish in 2 minutes');
    },
  });
}

interface SqliteFigures {
  meetings: number;
  endToEnd: EndToEnd;
  baselineSeconds: number;
  oneProcess: Latency & { peakRssMb: number };
}

async function measureSqlite(): Promise<SqliteFigures> {
  const enginePath = join(dir, 'engine.sqlite');
  const baselinePath = join(dir, 'baseline.sqlite');
  log(
    `SQLite: seeding ${size.users} users × ${size.meetingsPerUser} meetings × ${size.attendees} attendees…`,
  );
  const seeded = await openDatabase(enginePath);
  const dataset = await writeDataset(seeded, size, new Date());
  await seeded.close();
  copyFileSync(enginePath, baselinePath);

  log('SQLite: baseline, plain SQL in batched transactions…');
  const baselineDb = await openDatabase(baselinePath);
  if (baselineDb.backend !== 'sqlite') throw new Error('not SQLite');
  const baselineStarted = performance.now();
  const baselineRewritten = runBaseline(baselineDb.sqlite, dataset.tenant, dataset.users, dataset.numbers);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  await baselineDb.close();
  if (baselineRewritten !== dataset.meetings) throw new Error(`baseline rewrote ${baselineRewritten}`);

  log('SQLite: end to end, every user triggered at once by eight callers…');
  const measured = await endToEnd(enginePath, ENGINE, null, dataset.meetings);

  log(`SQLite: ${subscribers} subscribers of one API process (engine inside)…`);
  const { token, userIds } = await prepareSubscribers(enginePath, dataset);
  const api = await startApi({ MMS_DB: enginePath });
  try {
    const latency = await mmsLatency([api], token, userIds);
    return {
      meetings: dataset.meetings,
      endToEnd: measured,
      baselineSeconds,
      oneProcess: { ...latency, peakRssMb: peakRssMb(api.process) },
    };
  } finally {
    await api.process.stop();
  }
}

async function measureFloor(stamped: 'published' | 'due'): Promise<Latency & { peakRssMb: number }> {
  log(
    `floor: ${subscribers} subscribers of a bare graphql-yoga + graphql-ws server, events stamped when ${stamped}…`,
  );
  const floor = startServer(
    'floor server',
    'bench/floor-server.ts',
    [String(FLOOR_STEP_MS), ...(stamped === 'due' ? ['due'] : [])],
    {},
  );
  try {
    const url = await floor.line((l) => l.startsWith('http'), 30_000);
    const latency = await measureLatency({
      urls: [url],
      serverPids: [floor.child.pid as number],
      token: 'none',
      subscribers,
      migrations: subscriberMigrations,
      start: async (i) => {
        await graphql(url, 'none', 'mutation ($id: ID!) { startMeetingMigration(id: $id) }', {
          id: String(i),
        });
      },
      finished: () => new Promise((resolve) => setTimeout(resolve, 2 * FLOOR_STEP_MS)),
    });
    return { ...latency, peakRssMb: peakRssMb(floor) };
  } finally {
    await floor.stop();
  }
}

interface PostgresRun {
  workers: number;
  endToEnd: EndToEnd;
  latency: Latency;
  apiPeakRssMb: number[];
  workerPeakRssMb: number[];
}

interface PostgresFigures {
  meetings: number;
  baselineSeconds: number;
  runs: PostgresRun[];
}

async function measurePostgres(): Promise<PostgresFigures> {
  const databases = benchDatabases(values['postgres-url']);
  try {
    log(
      `PostgreSQL: seeding ${size.users} users × ${size.meetingsPerUser} meetings × ${size.attendees} attendees…`,
    );
    const templateUrl = await databases.create('template');
    const seeded = await openDatabase(templateUrl);
    const dataset = await writeDataset(seeded, size, new Date());
    await seeded.close();
    const total = dataset.meetings;

    log('PostgreSQL: baseline, plain SQL in batched transactions…');
    const baselineUrl = await databases.create('baseline', 'template');
    const baselineStarted = performance.now();
    const baselineRewritten = await runPostgresBaseline(
      baselineUrl,
      dataset.tenant,
      dataset.users,
      dataset.numbers,
    );
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    if (baselineRewritten !== total) throw new Error(`baseline rewrote ${baselineRewritten}`);
    await databases.drop('baseline');

    const runs: PostgresRun[] = [];
    for (const workers of workerCounts) {
      const name = `workers${workers}`;
      const database = await databases.create(name, 'template');
      const redis = {
        url: values['redis-url'],
        prefix: `mms-bench-${process.pid}-${randomBytes(4).toString('hex')}:`,
        unsentLimit: DEFAULT_UNSENT_LIMIT,
      };
      const env = { MMS_DATABASE_URL: database, MMS_REDIS_URL: redis.url, MMS_REDIS_PREFIX: redis.prefix };
      const started: Running[] = [];
      try {
        log(`PostgreSQL, ${workers} worker(s): two API processes and the workers…`);
        const apis = [];
        for (let i = 0; i < 2; i++) {
          const api = await startApi({ ...env, MMS_ENGINE: 'off' });
          started.push(api.process);
          apis.push(api);
        }
        const workerProcesses: Running[] = [];
        for (let i = 0; i < workers; i++) {
          const worker = await startWorker(env);
          started.push(worker);
          workerProcesses.push(worker);
        }
        log(`PostgreSQL, ${workers} worker(s): end to end, every user triggered at once by eight callers…`);
        const measured = await endToEnd(database, false, redis, total);
        log(`PostgreSQL, ${workers} worker(s): ${subscribers} subscribers over two API processes…`);
        const { token, userIds } = await prepareSubscribers(database, dataset);
        const latency = await mmsLatency(apis, token, userIds);
        runs.push({
          workers,
          endToEnd: measured,
          latency,
          apiPeakRssMb: apis.map((api) => peakRssMb(api.process)),
          workerPeakRssMb: workerProcesses.map(peakRssMb),
        });
      } finally {
        await Promise.all(started.map((process) => process.stop()));
        await databases.drop(name);
      }
    }
    return { meetings: total, baselineSeconds, runs };
  } finally {
    await databases.dropAll();
  }
}

try {
  const checks: TargetCheck[][] = [];
  for (let run = 1; run <= repeat; run++) {
    if (repeat > 1) log(`run ${run} of ${repeat}`);
    // Each run from nothing: its own SQLite files and credentials.
    for (const file of readdirSync(dir)) rmSync(join(dir, file), { recursive: true, force: true });
    const sqlite = backend === 'postgres' ? null : await measureSqlite();
    const floor = await measureFloor('published');
    const floorStampedWhenDue = await measureFloor('due');
    const postgres = backend === 'sqlite' ? null : await measurePostgres();
    if (repeat > 1) console.log(`\nRun ${run} of ${repeat}:`);
    checks.push(report(sqlite, floor, floorStampedWhenDue, postgres));
  }
  if (repeat > 1) reportMedians(checks);
} catch (error) {
  for (const { name, process } of servers) {
    const { pid, exitCode, signalCode } = process.child;
    log(
      `${name} ${pid} (exit ${exitCode ?? signalCode ?? 'none yet'}) printed: ${process.stderr().slice(-2000)}`,
    );
  }
  throw error;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** One figure held against its target, in one run: a ratio, or megabytes. */
interface TargetCheck {
  measure: string;
  value: number;
  unit: '' | '×' | ' MB';
  /** The figure is to be at least the target (else at most). */
  atLeast: boolean;
  target: number;
}

function isMet(check: Pick<TargetCheck, 'value' | 'atLeast' | 'target'>): boolean {
  return check.atLeast ? check.value >= check.target : check.value <= check.target;
}

/** Prints one run's table and JSON line; returns its figures held against targets. */
function report(
  sqlite: SqliteFigures | null,
  floor: Latency & { peakRssMb: number },
  floorStampedWhenDue: Latency,
  postgres: PostgresFigures | null,
): TargetCheck[] {
  const rows: string[] = [];
  const checks: TargetCheck[] = [];
  const row = (measure: string, value: string, target = '', met?: boolean) =>
    rows.push(`| ${measure} | ${value} | ${target}${met === undefined ? '' : met ? ': met' : ': NOT met'} |`);
  /** A row held against a target (`label` where it says more in the table than the figure's own name). */
  const checked = (check: TargetCheck, shown: string, label = check.measure) => {
    checks.push(check);
    row(label, shown, `${check.atLeast ? '≥' : '≤'} ${check.target}${check.unit}`, isMet(check));
  };
  const perSecond = (meetings: number, seconds: number) =>
    `${Math.round(meetings / seconds).toLocaleString('en')} meetings/s (${round(seconds)} s)`;
  const latency = (l: Latency) =>
    `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99 after the first migration ${l.p99AfterFirstMs} ms (${l.deliveries.toLocaleString('en')} deliveries, ${l.missedDeliveries} missed)`;
  const times = (value: number, of: number) => `${roundUp(value / of)}×`;
  const dataSize = `${size.users} users × ${size.meetingsPerUser} meetings, ${size.attendees} attendees each`;
  const migrationsRate = `a migration every ${MIGRATION_INTERVAL_MS} ms`;
  const json: Record<string, unknown> = {
    users: size.users,
    meetingsPerUser: size.meetingsPerUser,
    attendees: size.attendees,
    subscribers,
    floor,
    floorStampedWhenDue,
  };

  row(
    `floor: bare graphql-yoga + graphql-ws, in-process pubsub, ${subscribers} subscribers, ${migrationsRate}`,
    `${latency(floor)}; connected in ${floor.connectSeconds} s (${floor.connectCpuSeconds} s of CPU); peak RSS ${floor.peakRssMb} MB`,
  );
  row(
    "  the same, each event stamped when it was due (for information: then its events wait for one another as MMS's do)",
    latency(floorStampedWhenDue),
  );
  if (sqlite) {
    const ratio = sqlite.baselineSeconds / sqlite.endToEnd.seconds;
    const one = sqlite.oneProcess;
    row(
      `SQLite end to end (${dataSize}), trigger to last SUCCEEDED`,
      perSecond(sqlite.meetings, sqlite.endToEnd.seconds),
    );
    row(
      'SQLite plain SQL baseline, same rewrites, results and outbox rows',
      perSecond(sqlite.meetings, sqlite.baselineSeconds),
    );
    checked(
      {
        measure: 'SQLite end to end / baseline',
        value: ratio,
        unit: '',
        atLeast: true,
        target: TARGETS.sqliteRatio,
      },
      String(roundDown(ratio)),
    );
    checked(
      {
        measure: 'SQLite peak RSS of the end-to-end process',
        value: sqlite.endToEnd.peakRssMb,
        unit: ' MB',
        atLeast: false,
        target: TARGETS.sqlitePeakRssMb,
      },
      `${sqlite.endToEnd.peakRssMb} MB`,
    );
    row(
      `SQLite, ONE API process (engine inside), ${subscribers} subscribers, ${migrationsRate}`,
      latency(one),
    );
    checked(
      {
        measure: 'SQLite, ONE API process: p99 / floor p99',
        value: one.p99Ms / floor.p99Ms,
        unit: '×',
        atLeast: false,
        target: TARGETS.oneProcessP99,
      },
      `${times(one.p99Ms, floor.p99Ms)} (${times(one.p99AfterFirstMs, floor.p99AfterFirstMs)})`,
      '  its p99 / floor p99 (after the first migration)',
    );
    row('  its p50 / floor p50', times(one.p50Ms, floor.p50Ms));
    checked(
      {
        measure: 'SQLite, ONE API process: peak RSS / floor',
        value: one.peakRssMb / floor.peakRssMb,
        unit: '×',
        atLeast: false,
        target: TARGETS.oneProcessRss,
      },
      `${one.peakRssMb} MB, ${times(one.peakRssMb, floor.peakRssMb)}`,
      '  its peak RSS / floor',
    );
    checked(
      {
        measure: 'SQLite, ONE API process: time to connect / floor',
        value: one.connectSeconds / floor.connectSeconds,
        unit: '×',
        atLeast: false,
        target: TARGETS.oneProcessConnect,
      },
      `${one.connectSeconds} s, ${times(one.connectSeconds, floor.connectSeconds)} (CPU ${one.connectCpuSeconds} s, ${times(one.connectCpuSeconds, floor.connectCpuSeconds)})`,
      '  time to connect every subscriber / floor',
    );
    json.sqlite = {
      meetings: sqlite.meetings,
      endToEndSeconds: round(sqlite.endToEnd.seconds),
      endToEndMeetingsPerSecond: Math.round(sqlite.meetings / sqlite.endToEnd.seconds),
      baselineSeconds: round(sqlite.baselineSeconds),
      baselineMeetingsPerSecond: Math.round(sqlite.meetings / sqlite.baselineSeconds),
      ratio: roundDown(ratio),
      endToEndPeakRssMb: sqlite.endToEnd.peakRssMb,
      oneProcess: one,
    };
  }
  if (postgres) {
    const sqlitePerSecond = sqlite ? sqlite.meetings / sqlite.endToEnd.seconds : null;
    row('PostgreSQL plain SQL baseline, same writes', perSecond(postgres.meetings, postgres.baselineSeconds));
    const runs = [];
    for (const measured of postgres.runs) {
      const label = `PostgreSQL, ${measured.workers} worker${measured.workers === 1 ? '' : 's'}`;
      const ratio = postgres.baselineSeconds / measured.endToEnd.seconds;
      const perSecondHere = postgres.meetings / measured.endToEnd.seconds;
      const l = measured.latency;
      row(`${label}: end to end (${dataSize})`, perSecond(postgres.meetings, measured.endToEnd.seconds));
      checked(
        {
          measure: `${label}: end to end / PostgreSQL baseline`,
          value: ratio,
          unit: '',
          atLeast: true,
          target: TARGETS.postgresRatio,
        },
        String(roundDown(ratio)),
      );
      if (sqlitePerSecond !== null) {
        const toSqlite = perSecondHere / sqlitePerSecond;
        checked(
          {
            measure: `${label}: end to end / SQLite end to end`,
            value: toSqlite,
            unit: '',
            atLeast: true,
            target: TARGETS.postgresToSqlite,
          },
          String(roundDown(toSqlite)),
        );
      }
      row(
        `${label}: ${subscribers} subscribers over two API processes, through Redis, ${migrationsRate}`,
        latency(l),
      );
      checked(
        {
          measure: `${label}: p99 / floor p99`,
          value: l.p99Ms / floor.p99Ms,
          unit: '×',
          atLeast: false,
          target: TARGETS.acrossProcessesP99,
        },
        `${times(l.p99Ms, floor.p99Ms)} (${times(l.p99AfterFirstMs, floor.p99AfterFirstMs)})`,
        `${label}: p99 / floor p99 (after the first migration)`,
      );
      row(`${label}: p50 / floor p50`, times(l.p50Ms, floor.p50Ms));
      row(
        `${label}: time to connect / floor`,
        `${l.connectSeconds} s, ${times(l.connectSeconds, floor.connectSeconds)} (CPU of both ${l.connectCpuSeconds} s, ${times(l.connectCpuSeconds, floor.connectCpuSeconds)})`,
      );
      row(
        `${label}: peak RSS of each API process (/ floor)`,
        measured.apiPeakRssMb.map((mb) => `${mb} MB (${times(mb, floor.peakRssMb)})`).join(', '),
      );
      row(`${label}: peak RSS of each worker`, measured.workerPeakRssMb.map((mb) => `${mb} MB`).join(', '));
      runs.push({
        workers: measured.workers,
        endToEndSeconds: round(measured.endToEnd.seconds),
        endToEndMeetingsPerSecond: Math.round(perSecondHere),
        ratio: roundDown(ratio),
        toSqlite: sqlitePerSecond === null ? null : roundDown(perSecondHere / sqlitePerSecond),
        latency: l,
        apiPeakRssMb: measured.apiPeakRssMb,
        workerPeakRssMb: measured.workerPeakRssMb,
      });
    }
    json.postgres = {
      meetings: postgres.meetings,
      baselineSeconds: round(postgres.baselineSeconds),
      baselineMeetingsPerSecond: Math.round(postgres.meetings / postgres.baselineSeconds),
      runs,
    };
  }
  console.log(`
| measure | value | target |
| --- | --- | --- |
${rows.join('\n')}
`);
  console.log(JSON.stringify(json));
  return checks;
}

/**
 * Several runs: each target's figure in every run (each ratio taken within its own run), and their median
 * held against the target. One run scatters more on this kind of machine than most figures sit from their
 * targets; the median of several says which side a figure is on.
 */
function reportMedians(runs: TargetCheck[][]) {
  const rows: string[] = [];
  const medians: Record<string, unknown>[] = [];
  for (const [i, first] of (runs[0] ?? []).entries()) {
    const values = runs.map((checks) => checks[i]?.value ?? Number.NaN);
    // Of an even number of runs, the middle one further from the target.
    const sorted = [...values].sort((a, b) => a - b);
    const middle = (sorted.length - 1) / 2;
    const median = sorted[first.atLeast ? Math.floor(middle) : Math.ceil(middle)] as number;
    const shown = (value: number) =>
      first.unit === ' MB'
        ? `${Math.round(value)} MB`
        : `${(first.atLeast ? roundDown : roundUp)(value)}${first.unit}`;
    const met = isMet({ ...first, value: median });
    const metIn = values.filter((value) => isMet({ ...first, value })).length;
    rows.push(
      `| ${first.measure} | ${values.map(shown).join(', ')} | ${shown(median)} | ${first.atLeast ? '≥' : '≤'} ${first.target}${first.unit}: ${met ? 'met' : 'NOT met'} (met in ${metIn} of ${values.length}) |`,
    );
    medians.push({
      measure: first.measure,
      values,
      median,
      target: first.target,
      atLeast: first.atLeast,
      met,
    });
  }
  console.log(`
Medians of ${runs.length} runs:

| measure | each run | median | target |
| --- | --- | --- | --- |
${rows.join('\n')}
`);
  console.log(JSON.stringify({ runs: runs.length, medians }));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Ratios held against targets of two decimals are rounded toward missing them (down for an "at least", up
 * for an "at most"), so that a figure shown as meeting its target does: 0.497 is 0.49, not 0.5.
 */
function roundDown(value: number): number {
  return Math.floor(value * 100) / 100;
}

function roundUp(value: number): number {
  return Math.ceil(value * 100) / 100;
}
