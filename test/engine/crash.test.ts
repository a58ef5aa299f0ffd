/**
 * SPEC §4.5 against a real crash: the server process is killed with SIGKILL in the middle of a migration
 * of 20,000 meetings, started again, and the result is exactly what an uninterrupted run gives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { meetingCoordinates } from '../../server/domain/coordinates.ts';
import { appendBlock } from '../../server/domain/meeting-block.ts';
import { DEFAULT_TENANT_SETTINGS, NO_AUDIO_CONFERENCING } from '../../server/domain/model.ts';
import { generateToken, hashToken } from '../../server/services/access.ts';
import { type BulkMeeting, bulkWriter } from '../../server/storage/bulk.ts';
import { openDatabase } from '../../server/storage/database.ts';
import { createStore } from '../../server/storage/store.ts';
import { databaseEnv, testDatabase } from '../support/backend.ts';

const FUTURE_MEETINGS = 20_000;
const PAST_MEETINGS = 300;
const ATTENDEES = 3;
const ADMIN_TOKEN = 'crash-test-admin-token-long-enough-to-pass';
const root = new URL('../..', import.meta.url).pathname;

let dir: string;
let database: string;
let operatorToken: string;
let userId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mms-crash-'));
  database = await testDatabase(join(dir, 'mms.sqlite'));
  const opened = await openDatabase(database);
  const writer = bulkWriter(opened);
  const now = new Date();
  const tenant = await writer.insertTenant(
    {
      name: 'Crash',
      primaryDomain: 'crash.example.com',
      meetingUrl: 'https://meet.crash.example.com',
      teamsUpgradeMode: 'ISLANDS',
      ...DEFAULT_TENANT_SETTINGS,
    },
    now,
  );
  const { bridge, numbers } = await writer.insertBridge(
    { tenantId: tenant.id, name: 'Main', isDefault: true },
    [{ number: '+14255550100', tollFree: false, city: 'Redmond', country: 'US', language: 'en-US' }],
  );
  const [user] = await writer.insertUsers(
    [
      {
        tenantId: tenant.id,
        userPrincipalName: 'alice@crash.example.com',
        displayName: 'Alice',
        sipAddress: 'sip:alice@crash.example.com',
        skypeHosting: 'ONLINE',
        teamsUpgradeMode: 'ISLANDS',
        mailboxLocation: 'EXCHANGE_ONLINE',
        ...NO_AUDIO_CONFERENCING,
        provider: 'MICROSOFT',
        licensed: true,
        dialInEnabled: true,
        conferenceId: '1234567',
        bridgeId: bridge.id,
        defaultTollNumberId: numbers[0]?.id ?? null,
      },
    ],
    now,
  );
  if (!user) throw new Error('no user');
  const meetings: BulkMeeting[] = [];
  for (let i = 0; i < FUTURE_MEETINGS + PAST_MEETINGS; i++) {
    const past = i >= FUTURE_MEETINGS;
    const uid = `m${i}@crash.example.com`;
    const startsAt = new Date(Date.UTC(past ? 2020 : 2035, 0, 1) + i * 3_600_000);
    const endsAt = new Date(startsAt.getTime() + 1_800_000);
    const coordinates = meetingCoordinates({
      tenant,
      user: { ...user, conferenceId: '7777777' },
      numbers,
      type: 'SKYPE_FOR_BUSINESS',
      meetingUid: uid,
    });
    meetings.push({
      tenantId: tenant.id,
      organizerId: user.id,
      uid,
      subject: `Meeting ${i}`,
      startsAt,
      endsAt,
      timeZone: 'UTC',
      recurrence: null,
      lastOccurrenceEndsAt: endsAt,
      location: null,
      body: appendBlock(`Meeting ${i} — ✅ שלום\n`, coordinates),
      sequence: 0,
      sharedNotesUrl: null,
      onlineMeeting: { type: 'SKYPE_FOR_BUSINESS', joinUrl: coordinates.joinUrl, conferenceId: '7777777' },
      attendees: Array.from({ length: ATTENDEES }, (_, a) => ({
        email: `guest${a}.${i}@example.com`,
        name: null,
      })),
      contentItems: [],
    });
  }
  await writer.transaction(() => writer.insertMeetings(meetings, now));
  operatorToken = generateToken('mms_op');
  await createStore(opened).tokens.insertOperatorToken(
    { tenantId: tenant.id, name: 'crash test', expiresAt: null },
    hashToken(operatorToken),
    now,
  );
  userId = Buffer.from(`User:${user.id}`).toString('base64');
  await opened.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first row a query answers, counts as numbers (PostgreSQL gives them as strings), on a connection of its own. */
async function firstRow(query: string): Promise<Record<string, number | string>> {
  const check = await openDatabase(database);
  try {
    const row = (await sql.raw<Record<string, unknown>>(query).execute(check.db)).rows[0] ?? {};
    return Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as number | string),
      ]),
    );
  } finally {
    await check.close();
  }
}

/** Starts `npm start`'s entry point as its own process; resolves with its URL. */
function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'server/main.ts')], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ...databaseEnv(database),
      MMS_ADMIN_TOKEN: ADMIN_TOKEN,
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      MMS_HOLD_SECONDS: '0',
      MMS_BATCH_SIZE: '100',
      MMS_LEASE_SECONDS: '2',
      MMS_POLL_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/\S+\/graphql)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: any; errors?: unknown };
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

const PROGRESS = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated
} } }`;

async function pollUntil(url: string, migrationId: string, done: (m: Record<string, any>) => boolean) {
  for (let i = 0; i < 2_400; i++) {
    const { node } = await gql(url, PROGRESS, { id: migrationId });
    if (done(node)) return node;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('timed out');
}

test('SIGKILL mid-run, restart: every meeting rewritten once, every attendee told once, counters exact', async () => {
  const first = await startServerProcess();
  const started = await gql(
    first.url,
    `mutation($u: ID!) { startMeetingMigration(input: { userId: $u, targetMeetingType: TEAMS }) { ... on UserChangePayload { meetingMigration { id } } } }`,
    { u: userId },
  );
  const migrationId = started.startMeetingMigration.meetingMigration.id;
  const midway = await pollUntil(first.url, migrationId, (m) => m.succeededMeetings >= 1_000);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  expect(midway.state).toBe('IN_PROGRESS');

  // What the dead process left: counters that match the results, which match the rewrites.
  const left = await firstRow(
    `select m.state, m.succeeded_meetings as succeeded, m.invites_updated as invites,
      (select count(*) from meeting_results r where r.migration_id = m.id) as results,
      (select count(*) from meetings where sequence = 1) as rewritten,
      (select count(*) from invitation_updates) as outbox
     from meeting_migrations m`,
  );
  expect(left.state).toBe('IN_PROGRESS');
  expect(left.succeeded).toBe(left.results);
  expect(left.rewritten).toBe(left.results);
  expect(left.outbox).toBe((left.results as number) * ATTENDEES);
  expect(left.invites).toBe(left.outbox);
  expect(left.results).toBeGreaterThan(0);
  expect(left.results).toBeLessThan(FUTURE_MEETINGS);

  const second = await startServerProcess();
  try {
    const finished = await pollUntil(
      second.url,
      migrationId,
      (m) => m.state !== 'IN_PROGRESS' && m.state !== 'PENDING',
    );
    expect(finished).toEqual({
      state: 'SUCCEEDED',
      totalMeetings: FUTURE_MEETINGS,
      succeededMeetings: FUTURE_MEETINGS,
      failedMeetings: 0,
      skippedMeetings: 0,
      invitesUpdated: FUTURE_MEETINGS * ATTENDEES,
    });
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }

  const count = async (query: string) => (await firstRow(query)).n;
  // Every future meeting rewritten exactly once (SEQUENCE 0 → 1, now a Teams block); past ones untouched.
  expect(
    await count("select count(*) as n from meetings where sequence = 1 and online_meeting_type = 'TEAMS'"),
  ).toBe(FUTURE_MEETINGS);
  expect(await count('select count(*) as n from meetings where sequence = 0')).toBe(PAST_MEETINGS);
  expect(
    await count("select count(*) as n from meetings where sequence = 0 and body like '%Join Skype Meeting%'"),
  ).toBe(PAST_MEETINGS);
  expect(
    await count(
      "select count(*) as n from meetings where sequence = 1 and body like '%Microsoft Teams meeting%' and body like 'Meeting % — ✅ שלום%'",
    ),
  ).toBe(FUTURE_MEETINGS);
  // One result per meeting, one update per attendee per rewritten meeting, all at the new SEQUENCE.
  expect(
    await count("select count(distinct meeting_id) as n from meeting_results where outcome = 'UPDATED'"),
  ).toBe(FUTURE_MEETINGS);
  expect(await count('select count(*) as n from meeting_results')).toBe(FUTURE_MEETINGS);
  expect(await count('select count(*) as n from invitation_updates')).toBe(FUTURE_MEETINGS * ATTENDEES);
  expect(
    await count(
      'select count(*) as n from (select distinct meeting_id, attendee_email from invitation_updates) as pairs',
    ),
  ).toBe(FUTURE_MEETINGS * ATTENDEES);
  expect(await count('select count(*) as n from invitation_updates where sequence != 1')).toBe(0);
  // The finished run holds no lease: no claim is left for a worker to wait out.
  expect(
    await count(
      'select count(*) as n from meeting_migrations where lease_owner is not null or lease_expires_at is not null',
    ),
  ).toBe(0);
}, 120_000);
