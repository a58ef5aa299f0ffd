/** scheduleMeeting and the meeting lists, over HTTP. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const clock = new Date('2026-09-01T12:00:00.000Z');
let token: string;
let organizer: string;

const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

const SCHEDULE = `mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) {
  __typename
  ... on ScheduleMeetingPayload { meeting {
    id uid subject body sequence timeZone recurrence lastOccurrenceEndsAt sharedNotesUrl attendeeCount
    organizer { id }
    onlineMeeting { type joinUrl conferenceId }
    onlineMeetingBlock { type joinUrl conferenceId meetingId text start end }
    attendees { edges { node { email name } } }
    contentItems { edges { node { kind title url } } }
  } }
  ... on Error { message }
} }`;

function meetingInput(overrides: Record<string, unknown> = {}) {
  return {
    organizerId: organizer,
    subject: 'Quarterly review',
    startsAt: '2026-09-10T08:00:00.000Z',
    endsAt: '2026-09-10T09:00:00.000Z',
    timeZone: 'Europe/Berlin',
    attendees: [{ email: 'bob@contoso.com', name: 'Bob' }, { email: 'carol@example.org' }],
    ...overrides,
  };
}

beforeAll(async () => {
  server = await startServer({ now: () => clock });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  const bridge = await gql(
    `mutation { createBridge(input: { name: "US" }) { ... on CreateBridgePayload { bridge { id } } } }`,
  );
  await gql(
    `mutation($b: ID!) { addBridgeNumber(input: { bridgeId: $b, number: "+14255550100", city: "Redmond", country: "US", language: "en-US" }) { __typename } }`,
    { b: bridge.createBridge.bridge.id },
  );
  const user = await gql(
    `mutation { createUser(input: { userPrincipalName: "alice@contoso.com", displayName: "Alice" }) { ... on CreateUserPayload { user { id } } } }`,
  );
  organizer = user.createUser.user.id;
  await gql(`mutation($u: ID!) { assignAudioConferencingLicense(input: { userId: $u }) { __typename } }`, {
    u: organizer,
  });
});
afterAll(() => server.stop());

describe('scheduleMeeting', () => {
  test('keeps the organizer’s text byte for byte and appends a Skype block with the add-in properties', async () => {
    const text = 'Agenda 📅\r\nمرحبا بالجميع — שלום\r\nZoë e\u0301 👩🏽‍💻 漢字\r\n';
    const { scheduleMeeting } = await gql(SCHEDULE, { i: meetingInput({ body: text }) });
    const meeting = scheduleMeeting.meeting;
    expect(meeting.body.startsWith(text)).toBe(true);
    expect(meeting.onlineMeeting).toMatchObject({
      type: 'SKYPE_FOR_BUSINESS',
      joinUrl: expect.stringMatching(/^https:\/\/meet\.contoso\.com\/alice\/[A-Z0-9]{8}$/),
    });
    expect(meeting.onlineMeetingBlock).toMatchObject({
      type: 'SKYPE_FOR_BUSINESS',
      joinUrl: meeting.onlineMeeting.joinUrl,
      conferenceId: meeting.onlineMeeting.conferenceId,
    });
    expect(meeting.onlineMeeting.conferenceId).toMatch(/^\d{7}$/);
    expect(meeting.onlineMeetingBlock.text).toContain('+14255550100');
    // The block follows the body's CRLF line endings.
    expect(meeting.onlineMeetingBlock.text).toContain('\r\n');
    expect(meeting.body.slice(meeting.onlineMeetingBlock.start, meeting.onlineMeetingBlock.end)).toBe(
      meeting.onlineMeetingBlock.text,
    );
    expect(meeting).toMatchObject({
      sequence: 0,
      attendeeCount: 2,
      lastOccurrenceEndsAt: '2026-09-10T09:00:00.000Z',
    });
    expect(meeting.uid).toMatch(/@contoso\.com$/);
    expect(meeting.attendees.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { email: 'bob@contoso.com', name: 'Bob' },
      { email: 'carol@example.org', name: null },
    ]);
  });

  test('schedules a Teams meeting for a user whose upgrade mode schedules in Teams', async () => {
    await gql(
      `mutation($u: ID!) { grantTeamsUpgradePolicy(input: { userId: $u, mode: TEAMS_ONLY }) { __typename } }`,
      {
        u: organizer,
      },
    );
    const { scheduleMeeting } = await gql(SCHEDULE, { i: meetingInput({ body: 'Hi' }) });
    expect(scheduleMeeting.meeting.onlineMeeting.type).toBe('TEAMS');
    expect(scheduleMeeting.meeting.onlineMeetingBlock).toMatchObject({
      type: 'TEAMS',
      joinUrl: scheduleMeeting.meeting.onlineMeeting.joinUrl,
      meetingId: expect.stringMatching(/^\d{3} \d{3} \d{3} \d{3}$/),
    });
    expect(scheduleMeeting.meeting.body).toMatch(/^Hi\n\n_{80}\nMicrosoft Teams meeting\n/);
  });

  test('stores a recurring series with its last occurrence, shared notes and content items', async () => {
    const { scheduleMeeting } = await gql(SCHEDULE, {
      i: meetingInput({
        recurrence: 'FREQ=WEEKLY;COUNT=4',
        sharedNotesUrl: 'https://contoso.sharepoint.com/notes/1',
        contentItems: [{ kind: 'WHITEBOARD', title: 'Plan', url: 'https://whiteboard.example.com/1' }],
      }),
    });
    expect(scheduleMeeting.meeting).toMatchObject({
      recurrence: 'FREQ=WEEKLY;COUNT=4',
      lastOccurrenceEndsAt: '2026-10-01T09:00:00.000Z',
      sharedNotesUrl: 'https://contoso.sharepoint.com/notes/1',
      contentItems: {
        edges: [{ node: { kind: 'WHITEBOARD', title: 'Plan', url: 'https://whiteboard.example.com/1' } }],
      },
    });
  });
});

describe('tenant meetings', () => {
  test('UPCOMING holds meetings with an occurrence ahead, PAST the rest, ALL both, sorted by start', async () => {
    const past = await gql(SCHEDULE, {
      i: meetingInput({
        subject: 'Last month',
        startsAt: '2026-08-01T08:00:00Z',
        endsAt: '2026-08-01T09:00:00Z',
      }),
    });
    const endless = await gql(SCHEDULE, {
      i: meetingInput({
        subject: 'Standup',
        startsAt: '2026-01-05T08:00:00Z',
        endsAt: '2026-01-05T08:15:00Z',
        recurrence: 'FREQ=DAILY',
      }),
    });
    const QUERY = `query($timing: MeetingTiming!) { tenant { meetings(timing: $timing, first: 100) { edges { node { id subject startsAt } } } } }`;
    const ids = async (timing: string) =>
      (await gql(QUERY, { timing })).tenant.meetings.edges.map(
        (e: { node: { id: string } }) => e.node.id,
      ) as string[];
    const upcoming = await ids('UPCOMING');
    const pastOnes = await ids('PAST');
    const all = await ids('ALL');
    expect(pastOnes).toEqual([past.scheduleMeeting.meeting.id]);
    expect(upcoming[0]).toBe(endless.scheduleMeeting.meeting.id);
    expect(upcoming).not.toContain(past.scheduleMeeting.meeting.id);
    expect(all.length).toBe(upcoming.length + pastOnes.length);
    const starts = (await gql(QUERY, { timing: 'ALL' })).tenant.meetings.edges.map(
      (e: { node: { startsAt: string } }) => e.node.startsAt,
    );
    expect([...starts].sort()).toEqual(starts);
  });
});
