/**
 * /metrics during a real migration: one process queues it (serving the API), another runs it and delivers
 * its invitation updates to a real SMTP peer. Each process counts its own work; the gauges read from the
 * database agree on both. The counters end at the totals the database records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeDataset } from '../../bench/dataset.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { testDatabase } from '../support/backend.ts';
import { globalId, parseGlobalId, startMeetingMigration } from '../support/fixtures.ts';
import { subscribeOverSse, subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

const MEETINGS = 60;
const ATTENDEES = 1;
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';
/** An attendee the mail server refuses for good: its updates fail. */
const REFUSED = 'guest0.0@example.org';

let dir: string;
let api: TestServer;
let worker: TestServer;
let smtp: SmtpPeer;
let token: string;
let userId: number;

/** The samples of a scrape by series as printed (`name{label="value"}`). */
async function scrape(server: TestServer, bearer = METRICS_TOKEN): Promise<Map<string, number>> {
  const response = await fetch(new URL('/metrics', server.url), {
    headers: { authorization: `Bearer ${bearer}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** Scrapes until the samples satisfy the check, for at most ten seconds. */
async function scrapeUntil(
  server: TestServer,
  check: (samples: Map<string, number>) => boolean,
  what: string,
): Promise<Map<string, number>> {
  for (
    const started = Date.now();
    Date.now() - started < 10_000;
    await new Promise((r) => setTimeout(r, 20))
  ) {
    const samples = await scrape(server);
    if (check(samples)) return samples;
  }
  throw new Error(`not within 10 s: ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-metrics-'));
  const database = await testDatabase(join(dir, 'mms.sqlite'));
  const seeding = await openDatabase(database);
  const dataset = await writeDataset(
    seeding,
    { users: 1, meetingsPerUser: MEETINGS, attendees: ATTENDEES },
    new Date(),
  );
  await seeding.close();
  userId = dataset.users[0]?.id ?? 0;
  smtp = await startSmtpPeer();
  smtp.refusals.set(REFUSED, { code: 550, text: 'no such user' });
  api = await startServer({ database, holdSeconds: 0, metricsToken: METRICS_TOKEN });
  ({ token } = await api.app.services.tenancy.createOperatorToken(
    { kind: 'serviceAdmin' },
    { tenantId: dataset.tenant.id, name: 'metrics' },
  ));
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('requests, subscriptions, queue and migrations, then the work of the process that runs it', async () => {
  const subscriptions = [subscribeOverWebSocket, subscribeOverSse].map((subscribe) =>
    subscribe(api.url, token, 'subscription { meetingMigrationUpdated { id state } }'),
  );
  // Open once the server has taken them: each connects on its own time.
  await scrapeUntil(api, (samples) => samples.get('mms_open_subscriptions') === 2, 'both subscriptions open');
  const { migrationId } = await startMeetingMigration(api, token, globalId('User', userId), {
    sourceMeetingType: 'ALL',
    targetMeetingType: 'TEAMS',
  });
  const queued = await scrape(api);
  expect(
    queued.get('graphql_envelop_request{operationType="mutation",rootField="startMeetingMigration"}'),
  ).toBe(1);
  expect(
    queued.get(
      'graphql_envelop_request_duration_count{operationType="mutation",rootField="startMeetingMigration"}',
    ),
  ).toBe(1);
  expect(queued.get('mms_migrations{state="PENDING"}')).toBe(1);
  expect(queued.get('mms_queue_depth{queue="migrations"}')).toBe(1);
  expect(queued.get('mms_queue_oldest_due_age_seconds{queue="migrations"}')).toBeGreaterThanOrEqual(0);
  expect(queued.get('mms_meetings_rewritten_total')).toBe(0);

  worker = await startServer({
    database: api.database,
    engine: { batchSize: 5 },
    smtpUrl: smtp.url,
    metricsToken: METRICS_TOKEN,
  });
  const progress = async () =>
    (
      await api.gql(
        token,
        'query($id: ID!) { node(id: $id) { ... on MeetingMigration { state succeededMeetings invitationsPending } } }',
        { id: migrationId },
      )
    ).node;
  /** The rewritten-meetings counter at each scrape while the run goes on. */
  const seen: number[] = [];
  for (
    let run = await progress();
    run.state !== 'SUCCEEDED' || run.invitationsPending > 0;
    run = await progress()
  ) {
    expect(run.state).not.toBe('FAILED');
    seen.push((await scrape(worker)).get('mms_meetings_rewritten_total') ?? Number.NaN);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(
    seen.some((count) => count > 0 && count < MEETINGS),
    seen.join(' '),
  ).toBe(true);

  const { db } = worker.app.database;
  const id = parseGlobalId(migrationId).id;
  const outbox = async (state?: string) => {
    let query = db
      .selectFrom('invitation_updates')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('migration_id', '=', id);
    if (state) query = query.where('state', '=', state);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const done = await scrape(worker);
  expect(done.get('mms_meetings_rewritten_total')).toBe((await progress()).succeededMeetings);
  expect(done.get('mms_meetings_rewritten_total')).toBe(MEETINGS);
  expect(done.get('mms_invitation_updates_total{outcome="queued"}')).toBe(await outbox());
  expect(await outbox()).toBe(MEETINGS * ATTENDEES);
  expect(done.get('mms_invitation_updates_total{outcome="delivered"}')).toBe(await outbox('SENT'));
  expect(done.get('mms_invitation_updates_total{outcome="failed"}')).toBe(await outbox('FAILED'));
  expect(await outbox('FAILED')).toBe(1);
  expect(smtp.received).toHaveLength(MEETINGS * ATTENDEES - 1);
  expect(done.get('mms_queue_depth{queue="invitation_updates"}')).toBe(0);

  // Shared state reads the same on both; what a process did is its own.
  const after = await scrape(api);
  for (const samples of [done, after]) {
    // The process's own metrics, on each app in it.
    expect(samples.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(samples.get('mms_migrations{state="SUCCEEDED"}')).toBe(1);
    expect(samples.get('mms_migrations{state="PENDING"}')).toBe(0);
    expect(samples.get('mms_queue_depth{queue="migrations"}')).toBe(0);
    expect(samples.get('mms_queue_oldest_due_age_seconds{queue="migrations"}')).toBe(0);
  }
  expect(after.get('mms_meetings_rewritten_total')).toBe(0);
  expect(after.get('mms_invitation_updates_total{outcome="queued"}')).toBe(0);

  await Promise.all(subscriptions.map((subscription) => subscription.close()));
  const closed = await scrapeUntil(
    api,
    (samples) => samples.get('mms_open_subscriptions') === 0,
    'the subscriptions are counted closed',
  );
  // A subscription counts as a request once it ends.
  expect(
    closed.get('graphql_envelop_request{operationType="subscription",rootField="meetingMigrationUpdated"}'),
  ).toBe(2);
}, 60_000);

test('names chosen by clients never become labels: operation names, fields the schema lacks', async () => {
  for (const name of ['Probe1', 'Probe2', 'Probe3']) {
    await api.gql(token, `query ${name} { viewer { tenant { name } } }`);
  }
  for (const field of ['madeUpField1', 'madeUpField2']) {
    const refused = await api.request(token, `query Probe4 { ${field} }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  }
  expect((await api.request(token, '{ viewer { tenant { name } }')).errors).toHaveLength(1);
  const samples = await scrape(api);
  expect(
    samples.get('graphql_envelop_request{operationType="query",rootField="viewer"}'),
  ).toBeGreaterThanOrEqual(3);
  expect([...samples.keys()].filter((series) => /Probe|madeUp/.test(series))).toEqual([]);
  expect(
    samples.get('graphql_envelop_error_result{operationType="query",rootField="invalid",phase="validate"}'),
  ).toBe(2);
});

test('/metrics asks for its token, and is off without one', async () => {
  const url = new URL('/metrics', api.url);
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer wrong' },
    { authorization: `Bearer ${token}` },
    { authorization: `Bearer ${api.adminToken}` },
  ]) {
    const response = await fetch(url, { headers });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/mms_/);
  }
  const off = await startServer();
  try {
    const response = await fetch(new URL('/metrics', off.url), {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringContaining('MMS_METRICS_TOKEN') });
  } finally {
    await off.stop();
  }
});

test('MMS_METRICS_TOKEN must be long enough to go unguessed', () => {
  for (const value of ['short', 'x'.repeat(31), `${'x'.repeat(20)} ${'x'.repeat(20)}`]) {
    expect(() => loadConfig({ MMS_METRICS_TOKEN: value })).toThrow(
      /^MMS_METRICS_TOKEN must be at least 32 characters without spaces/,
    );
  }
  expect(loadConfig({ MMS_METRICS_TOKEN: METRICS_TOKEN }).metricsToken).toBe(METRICS_TOKEN);
  expect(loadConfig({}).metricsToken).toBeNull();
});
