/** The engine end to end over HTTP: what a migration does to meetings, counters and results (SPEC §4). */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTenantWithOperator, rowCounts } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

async function createUser(upn: string) {
  const made = await gql(
    `mutation($u: String!) { createUser(input: { userPrincipalName: $u, displayName: "U" }) { ... on CreateUserPayload { user { id } } } }`,
    { u: upn },
  );
  return made.createUser.user.id as string;
}

async function schedule(organizerId: string, overrides: Record<string, unknown> = {}) {
  const result = await gql(
    `mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { ... on ScheduleMeetingPayload { meeting { id body sequence } } ... on Error { message } } }`,
    {
      i: {
        organizerId,
        subject: 'Sync',
        startsAt: '2030-01-01T08:00:00Z',
        endsAt: '2030-01-01T09:00:00Z',
        timeZone: 'Europe/Berlin',
        attendees: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }],
        ...overrides,
      },
    },
  );
  if (!result.scheduleMeeting.meeting) throw new Error(result.scheduleMeeting.message);
  return result.scheduleMeeting.meeting as { id: string; body: string; sequence: number };
}

const MIGRATION = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated lastMessage startedAt finishedAt
  meetingResults(first: 100) { edges { node { outcome reason meeting { id } } } }
} } }`;

async function waitForEnd(migrationId: string) {
  for (let i = 0; i < 200; i++) {
    const { node } = await gql(MIGRATION, { id: migrationId });
    if (node.state !== 'PENDING' && node.state !== 'IN_PROGRESS') return node;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('migration did not finish');
}

async function start(userId: string, targetMeetingType = 'CURRENT') {
  const result = await gql(
    `mutation($u: ID!, $t: TargetMeetingType!) { startMeetingMigration(input: { userId: $u, targetMeetingType: $t }) { ... on UserChangePayload { meetingMigration { id } } } }`,
    { u: userId, t: targetMeetingType },
  );
  return result.startMeetingMigration.meetingMigration.id as string;
}

beforeAll(async () => {
  server = await startServer({ engine: { maxParticipants: 5 }, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

describe('a migration run', () => {
  test('rewrites the user’s future meetings, skips past ones and ones they only attend, and counts it all', async () => {
    const alice = await createUser('alice@contoso.com');
    const bob = await createUser('bob@contoso.com');
    const future = await schedule(alice, { body: 'Hallo 👋 مرحبا\r\n' });
    const series = await schedule(alice, {
      startsAt: '2020-01-06T08:00:00Z',
      endsAt: '2020-01-06T09:00:00Z',
      recurrence: 'FREQ=WEEKLY',
    });
    const past = await schedule(alice, { startsAt: '2020-01-01T08:00:00Z', endsAt: '2020-01-01T09:00:00Z' });
    const crowded = await schedule(alice, {
      attendees: Array.from({ length: 5 }, (_, i) => ({ email: `p${i}@example.com` })),
    });
    const bobs = await schedule(bob, { attendees: [{ email: 'alice@contoso.com' }] });

    const migrationId = await start(alice, 'TEAMS');
    const done = await waitForEnd(migrationId);
    expect(done).toMatchObject({
      state: 'FAILED',
      totalMeetings: 3,
      succeededMeetings: 2,
      failedMeetings: 1,
      skippedMeetings: 0,
      invitesUpdated: 6,
      lastMessage: '1 meetings failed: 6 participants (organizer included) exceed the limit of 5 (1)',
    });
    const results = Object.fromEntries(
      done.meetingResults.edges.map((e: { node: { meeting: { id: string }; outcome: string } }) => [
        e.node.meeting.id,
        e.node.outcome,
      ]),
    );
    expect(results).toEqual({ [future.id]: 'UPDATED', [series.id]: 'UPDATED', [crowded.id]: 'FAILED' });

    const after = await gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Meeting { id body sequence onlineMeeting { type } onlineMeetingBlock { type } } } }`,
      { ids: [future.id, past.id, bobs.id] },
    );
    const [rewritten, untouchedPast, untouchedBobs] = after.nodes;
    expect(rewritten.body.startsWith('Hallo 👋 مرحبا\r\n')).toBe(true);
    expect(rewritten).toMatchObject({
      sequence: 1,
      onlineMeeting: { type: 'TEAMS' },
      onlineMeetingBlock: { type: 'TEAMS' },
    });
    expect(untouchedPast).toMatchObject({ body: past.body, sequence: 0 });
    expect(untouchedBobs).toMatchObject({ body: bobs.body, sequence: 0 });
  });

  test('a run whose meetings all go through ends in the statement that writes its last batch', async () => {
    const endings = () =>
      server.queries.filter((q) => /update "meeting_migrations" set .*"finished_at" = /s.test(q));
    const counts = /"succeeded_meetings" = "succeeded_meetings" \+/;

    const gina = await createUser('gina@contoso.com');
    await schedule(gina);
    await schedule(gina, { startsAt: '2030-02-01T08:00:00Z', endsAt: '2030-02-01T09:00:00Z' });
    const before = endings().length;
    expect(await waitForEnd(await start(gina, 'TEAMS'))).toMatchObject({
      state: 'SUCCEEDED',
      totalMeetings: 2,
      succeededMeetings: 2,
      lastMessage: null,
    });
    const succeeded = endings().slice(before);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatch(counts);

    // A run with a failed meeting ends on its own, after its reasons are read.
    const hugo = await createUser('hugo@contoso.com');
    await schedule(hugo);
    await schedule(hugo, {
      attendees: Array.from({ length: 5 }, (_, i) => ({ email: `r${i}@example.com` })),
    });
    const beforeFailure = endings().length;
    expect(await waitForEnd(await start(hugo, 'TEAMS'))).toMatchObject({
      state: 'FAILED',
      succeededMeetings: 1,
      failedMeetings: 1,
      lastMessage: '1 meetings failed: 6 participants (organizer included) exceed the limit of 5 (1)',
    });
    const failed = endings().slice(beforeFailure);
    expect(failed).toHaveLength(1);
    expect(failed[0]).not.toMatch(counts);
  });

  test('an ineligible user’s manual start ends FAILED with a clear message', async () => {
    const carol = await createUser('carol@contoso.com');
    await gql(
      `mutation($u: ID!) { setMailboxLocation(input: { userId: $u, mailboxLocation: EXCHANGE_ON_PREMISES }) { __typename } }`,
      {
        u: carol,
      },
    );
    const done = await waitForEnd(await start(carol));
    expect(done).toMatchObject({
      state: 'FAILED',
      lastMessage: expect.stringMatching(/^not eligible: .*Exchange on-premises/),
    });
  });

  test('a preview shows what a run would do, writes nothing, and the run then does exactly that', async () => {
    const dave = await createUser('dave@contoso.com');
    const plain = await schedule(dave, { body: 'Plan ✍🏽\n' });
    const crowded = await schedule(dave, {
      attendees: Array.from({ length: 6 }, (_, i) => ({ email: `q${i}@example.com` })),
    });
    const PREVIEW = `query($u: ID!) { meetingMigrationPreview(userId: $u, targetMeetingType: TEAMS) {
      migrationType ineligibleBecause totalMeetings updatedMeetings skippedMeetings failedMeetings
      meetings { edges { node { meeting { id body } outcome reason newBlock } } }
    } }`;
    const countsBefore = await rowCounts(server);
    const { meetingMigrationPreview: preview } = await gql(PREVIEW, { u: dave });
    expect(await rowCounts(server)).toEqual(countsBefore);
    expect(preview).toMatchObject({
      migrationType: 'ALL_TO_TEAMS',
      ineligibleBecause: null,
      totalMeetings: 2,
      updatedMeetings: 1,
      failedMeetings: 1,
    });
    const byMeeting = new Map(
      preview.meetings.edges.map((e: { node: { meeting: { id: string } } }) => [e.node.meeting.id, e.node]),
    );
    expect(byMeeting.get(plain.id)).toMatchObject({
      outcome: 'UPDATED',
      meeting: { body: plain.body },
      newBlock: expect.stringContaining('Microsoft Teams meeting'),
    });
    expect(byMeeting.get(crowded.id)).toMatchObject({ outcome: 'FAILED', newBlock: null });

    const done = await waitForEnd(await start(dave, 'TEAMS'));
    const actual = Object.fromEntries(
      done.meetingResults.edges.map(
        (e: { node: { meeting: { id: string }; outcome: string; reason: string } }) => [
          e.node.meeting.id,
          [e.node.outcome, e.node.reason],
        ],
      ),
    );
    expect(actual).toEqual({
      [plain.id]: ['UPDATED', (byMeeting.get(plain.id) as { reason: string }).reason],
      [crowded.id]: ['FAILED', (byMeeting.get(crowded.id) as { reason: string }).reason],
    });
    const after = await gql(
      `query($id: ID!) { node(id: $id) { ... on Meeting { onlineMeetingBlock { text } } } }`,
      { id: plain.id },
    );
    expect(after.node.onlineMeetingBlock.text).toBe(
      (byMeeting.get(plain.id) as { newBlock: string }).newBlock,
    );
  });

  test('a same-type run rewrites the dial-in part in place, skips pasted blocks, and keeps every other byte', async () => {
    const erin = await createUser('erin@contoso.com');
    const bridge = await gql(
      `mutation { createBridge(input: { name: "US" }) { ... on CreateBridgePayload { bridge { id } } } }`,
    );
    await gql(
      `mutation($b: ID!) { addBridgeNumber(input: { bridgeId: $b, number: "+14255550199", city: "Redmond", country: "US", language: "en-US" }) { __typename } }`,
      { b: bridge.createBridge.bridge.id },
    );
    const licensed = await gql(
      `mutation($u: ID!) { assignAudioConferencingLicense(input: { userId: $u }) { ... on UserChangePayload { meetingMigration { id } } } }`,
      { u: erin },
    );
    // That change started a migration of its own: let it finish before any meeting exists.
    await waitForEnd(licensed.assignAudioConferencingLicense.meetingMigration.id);
    const texts = [
      'Hello, world 👋🏽 — café, naïve, Zoë\r\n',
      'مرحبا بكم في الاجتماع\u200f — שלום לכולם\n',
      '会議のお知らせ：来週の予定 🗓️ / 회의 안내 / การประชุม\n',
      'Ελληνικά, Русский, हिन्दी, e\u0301\u0301 combining, 👨‍👩‍👧‍👦 family\n',
    ];
    const scheduled = [];
    for (const body of texts) scheduled.push(await schedule(erin, { body }));
    // A block pasted by hand: the same text, but no add-in properties.
    const pasted = await schedule(erin, { body: 'Pasted by hand:\n' });
    await sql`update meetings set online_meeting_type = null, online_meeting_join_url = null,
      online_meeting_conference_id = null
      where id = ${Number(Buffer.from(pasted.id, 'base64').toString().split(':')[1])}`.execute(
      server.app.database.db,
    );
    const oldConference = await gql(
      `query($u: ID!) { node(id: $u) { ... on User { audioConferencing { conferenceId } } } }`,
      { u: erin },
    );
    // The change itself starts the migration (audio conferencing changes keep each meeting's type).
    const changed = await gql(
      `mutation($u: ID!) { setConferenceId(input: { userId: $u, conferenceId: "5550123" }) { ... on UserChangePayload { meetingMigration { id migrationType } } } }`,
      { u: erin },
    );
    expect(changed.setConferenceId.meetingMigration.migrationType).toBe('TO_SAME_TYPE');
    const done = await waitForEnd(changed.setConferenceId.meetingMigration.id);
    expect(done).toMatchObject({
      state: 'SUCCEEDED',
      totalMeetings: 5,
      succeededMeetings: 4,
      skippedMeetings: 1,
    });
    const pastedResult = done.meetingResults.edges.find(
      (e: { node: { meeting: { id: string } } }) => e.node.meeting.id === pasted.id,
    );
    expect(pastedResult.node).toMatchObject({
      outcome: 'SKIPPED',
      reason: 'online meeting block was not created by the add-in',
    });

    const after = await gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Meeting { id body sequence onlineMeetingBlock { type conferenceId start end } } } }`,
      { ids: [...scheduled, pasted].map((m) => m.id) },
    );
    for (const [index, meeting] of after.nodes.slice(0, texts.length).entries()) {
      const before = scheduled[index]?.body ?? '';
      const block = meeting.onlineMeetingBlock;
      expect(block).toMatchObject({ type: 'SKYPE_FOR_BUSINESS', conferenceId: '5550123' });
      expect(meeting.sequence).toBe(1);
      // Every UTF-8 byte before and after the block is as it was.
      const oldBlockStart = before.indexOf('.'.repeat(80));
      expect(Buffer.from(meeting.body.slice(0, block.start))).toEqual(
        Buffer.from(before.slice(0, oldBlockStart)),
      );
      expect(Buffer.from(meeting.body.slice(block.end))).toEqual(
        Buffer.from(
          before.slice(before.lastIndexOf('.'.repeat(80)) + 80 + (before.endsWith('\r\n') ? 2 : 1)),
        ),
      );
    }
    expect(oldConference.node.audioConferencing.conferenceId).not.toBe('5550123');
    const untouched = after.nodes.at(-1);
    expect(untouched).toMatchObject({ body: pasted.body, sequence: 0 });
  });
});
