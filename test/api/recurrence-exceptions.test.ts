/**
 * Recurring series keep their exceptions (SPEC §5) and every REQUEST is one a strict parser accepts
 * (RFC 5545/5546): scheduled, read back, refused, migrated and exported over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_OCCURRENCES } from '../../server/domain/recurrence.ts';
import { createTenantWithOperator, runMutation } from '../support/fixtures.ts';
import { asIcalText, expectStrictLines, parseCalendar } from '../support/icalendar.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let organizer: string;
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

const MEETING_FIELDS = `id uid subject body sequence recurrence startsAt lastOccurrenceEndsAt
  onlineMeeting { joinUrl }
  cancelledOccurrences
  overriddenOccurrences { recurrenceId startsAt endsAt subject location body }`;

/** Bodies with every script, emoji, each line ending, tabs and the characters TEXT escapes. */
const HARD_TEXT =
  'Agenda; items, notes\\n — not a line break\r\n' +
  'Latin é ß, Ελληνικά, Кириллица, עברית, العربية, हिन्दी, ไทย, 中文, 日本語, 한국어\n' +
  'Emoji 👩🏽‍💻 👨‍👩‍👧‍👦 🇩🇪 🏳️‍🌈\tafter a tab\rafter a lone CR\r\n' +
  `${'long line ✅ '.repeat(20)}\n\ttab-indented, last line`;

const attendees = [
  { email: 'bob@example.com', name: 'Bob "the Builder"; Jr.' },
  { email: 'carol@example.org', name: null },
  { email: 'dave@contoso.com', name: 'Dave Ümlaut' },
];

// Mondays at 09:00 Berlin time from 5 October 2026 (10:00 in the summer, 08:00 UTC from 26 October).
const series = {
  subject: 'Weekly sync; team, all',
  startsAt: '2026-10-05T07:00:00.000Z',
  endsAt: '2026-10-05T07:30:00.000Z',
  timeZone: 'Europe/Berlin',
  recurrence: 'FREQ=WEEKLY;COUNT=8;BYDAY=MO',
};

async function schedule(input: Record<string, unknown>) {
  return runMutation(
    server,
    token,
    'scheduleMeeting',
    { organizerId: organizer, attendees, ...input },
    `meeting { ${MEETING_FIELDS} }`,
  );
}

async function meetingCount(): Promise<number> {
  const data = await gql(`{ tenant { meetings(timing: ALL, first: 100) { edges { node { id } } } } }`);
  return data.tenant.meetings.edges.length;
}

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0, now: () => new Date('2026-09-01T12:00:00Z') });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  const user = await gql(
    `mutation { createUser(input: { userPrincipalName: "alice@contoso.com", displayName: "Alice \\\\ Zoë; A, B" }) { ... on CreateUserPayload { user { id } } } }`,
  );
  organizer = user.createUser.user.id;
});
afterAll(() => server.stop());

describe('scheduleMeeting with exceptions', () => {
  test('stores cancelled and overridden occurrences and reads them back, each override with the block', async () => {
    const result = await schedule({
      ...series,
      uid: 'series-1@contoso.com',
      body: 'Master text\n',
      // Given out of order: read back earliest first.
      cancelledOccurrences: ['2026-11-23T08:00:00.000Z', '2026-10-12T07:00:00.000Z'],
      overriddenOccurrences: [
        {
          recurrenceId: '2026-11-02T08:00:00.000Z',
          startsAt: '2026-11-03T15:00:00.000Z',
          endsAt: '2026-11-03T16:00:00.000Z',
          subject: 'Moved to Tuesday',
          location: 'Room 4',
          body: 'Only this week: bring slides\n',
        },
        // Nothing but the time changes: subject, location and body are the master's.
        {
          recurrenceId: '2026-10-19T07:00:00.000Z',
          startsAt: '2026-10-19T08:00:00.000Z',
          endsAt: '2026-10-19T08:30:00.000Z',
        },
      ],
    });
    expect(result.__typename).toBe('ScheduleMeetingPayload');
    const meeting = result.meeting;
    expect(meeting.cancelledOccurrences).toEqual(['2026-10-12T07:00:00.000Z', '2026-11-23T08:00:00.000Z']);
    const [first, second] = meeting.overriddenOccurrences;
    expect(first).toEqual({
      recurrenceId: '2026-10-19T07:00:00.000Z',
      startsAt: '2026-10-19T08:00:00.000Z',
      endsAt: '2026-10-19T08:30:00.000Z',
      subject: series.subject,
      location: null,
      body: meeting.body,
    });
    const block = meeting.body.slice('Master text\n\n'.length);
    expect(block).toContain(meeting.onlineMeeting.joinUrl);
    expect(second).toMatchObject({ subject: 'Moved to Tuesday', location: 'Room 4' });
    expect(second.body).toBe(`Only this week: bring slides\n\n${block}`);
    // The eighth and last Monday, 23 November, is cancelled: the series ends with the seventh.
    expect(meeting.lastOccurrenceEndsAt).toBe('2026-11-16T08:30:00.000Z');
  });

  test('a series whose last occurrences are cancelled has ended: it is PAST, not UPCOMING', async () => {
    // Daily at 09:00 UTC, 25 August to 3 September; the clock says 1 September, 12:00.
    const result = await schedule({
      subject: 'Ended early',
      startsAt: '2026-08-25T09:00:00.000Z',
      endsAt: '2026-08-25T10:00:00.000Z',
      timeZone: 'UTC',
      recurrence: 'FREQ=DAILY;COUNT=10',
      cancelledOccurrences: ['2026-09-02T09:00:00.000Z', '2026-09-03T09:00:00.000Z'],
    });
    expect(result.meeting.lastOccurrenceEndsAt).toBe('2026-09-01T10:00:00.000Z');
    const QUERY = `query($t: MeetingTiming!) { tenant { meetings(timing: $t, first: 100) { edges { node { id } } } } }`;
    const ids = async (timing: string) =>
      (await gql(QUERY, { t: timing })).tenant.meetings.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids('PAST')).toContain(result.meeting.id);
    expect(await ids('UPCOMING')).not.toContain(result.meeting.id);
  });

  test.each([
    [
      'an exception of a meeting that does not recur',
      { recurrence: null, cancelledOccurrences: [series.startsAt] },
      'cancelledOccurrences[0]',
      'does not recur',
    ],
    [
      'an override that is not an occurrence of the series',
      {
        overriddenOccurrences: [
          { recurrenceId: '2026-10-12T07:00:00.000Z', startsAt: series.startsAt, endsAt: series.endsAt },
          // A Tuesday.
          { recurrenceId: '2026-10-13T07:00:00.000Z', startsAt: series.startsAt, endsAt: series.endsAt },
        ],
      },
      'overriddenOccurrences[1].recurrenceId',
      'not the start of an occurrence',
    ],
    [
      'the same occurrence cancelled twice',
      { cancelledOccurrences: ['2026-10-12T07:00:00.000Z', '2026-10-12T07:00:00.000Z'] },
      'cancelledOccurrences[1]',
      'same occurrence',
    ],
    [
      'an occurrence cancelled and overridden',
      {
        cancelledOccurrences: ['2026-10-12T07:00:00.000Z'],
        overriddenOccurrences: [
          { recurrenceId: '2026-10-12T07:00:00.000Z', startsAt: series.startsAt, endsAt: series.endsAt },
        ],
      },
      'overriddenOccurrences[0].recurrenceId',
      'cancelled too',
    ],
    [
      'an override with a subject on two lines',
      {
        overriddenOccurrences: [
          {
            recurrenceId: '2026-10-12T07:00:00.000Z',
            startsAt: series.startsAt,
            endsAt: series.endsAt,
            subject: 'a\nb',
          },
        ],
      },
      'overriddenOccurrences[0].subject',
      'single line',
    ],
    [
      'a series longer than the occurrence limit',
      { recurrence: `FREQ=DAILY;COUNT=${MAX_OCCURRENCES + 1}` },
      'recurrence',
      `more than ${MAX_OCCURRENCES} occurrences (the limit)`,
    ],
    [
      'an EXDATE line in the recurrence',
      { recurrence: 'FREQ=WEEKLY;COUNT=8;BYDAY=MO\nEXDATE:20261012T070000Z' },
      'recurrence',
      'cancelledOccurrences',
    ],
  ])('refuses %s, naming the field, and stores nothing', async (_name, input, field, message) => {
    const before = await meetingCount();
    const result = await schedule({ ...series, ...input });
    expect(result).toMatchObject({
      __typename: 'InvalidValueError',
      field,
      message: expect.stringContaining(message),
    });
    expect(await meetingCount()).toBe(before);
  });
});

describe('a migration of a series with exceptions', () => {
  test('rewrites the block in the master and every override, keeps every exception, and each REQUEST is strict', async () => {
    const uid = 'odd;uid,with\\chars@contoso.com';
    const scheduled = await schedule({
      ...series,
      uid,
      subject: 'Sync; all, hands \\ 🚀',
      location: 'Room 1; floor 2, \\ east',
      body: HARD_TEXT,
      cancelledOccurrences: ['2026-10-12T07:00:00.000Z'],
      overriddenOccurrences: [
        {
          recurrenceId: '2026-11-02T08:00:00.000Z',
          startsAt: '2026-11-03T15:00:00.000Z',
          endsAt: '2026-11-03T16:00:00.000Z',
          subject: 'Moved; once, only',
          body: `Override: ${HARD_TEXT}`,
        },
        {
          recurrenceId: '2026-10-19T07:00:00.000Z',
          startsAt: '2026-10-19T07:30:00.000Z',
          endsAt: '2026-10-19T08:00:00.000Z',
        },
      ],
    });
    expect(scheduled.__typename).toBe('ScheduleMeetingPayload');
    const before = scheduled.meeting;

    const started = await gql(
      `mutation($u: ID!) { startMeetingMigration(input: { userId: $u, targetMeetingType: TEAMS }) { ... on UserChangePayload { meetingMigration { id } } } }`,
      { u: organizer },
    );
    const migrationId = started.startMeetingMigration.meetingMigration.id;
    const MIGRATION = `query($m: ID!) { node(id: $m) { ... on MeetingMigration { state lastMessage
      invitationUpdates(first: 50) { edges { node { attendeeEmail sequence meeting { uid } icalendar } } } } } }`;
    let migration: Record<string, any> = {};
    for (let i = 0; i < 400; i++) {
      migration = (await gql(MIGRATION, { m: migrationId })).node;
      if (['SUCCEEDED', 'FAILED'].includes(migration.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(migration).toMatchObject({ state: 'SUCCEEDED', lastMessage: null });

    const after = (
      await gql(`query($id: ID!) { node(id: $id) { ... on Meeting { ${MEETING_FIELDS} } } }`, {
        id: before.id,
      })
    ).node;
    expect(after.sequence).toBe(before.sequence + 1);
    const oldUrl = before.onlineMeeting.joinUrl;
    const newUrl = after.onlineMeeting.joinUrl;
    expect(newUrl).toContain('teams.microsoft.com');
    // Every exception kept, with its own times and subject; every body now holds the new block only.
    expect(after.cancelledOccurrences).toEqual(before.cancelledOccurrences);
    expect(after.overriddenOccurrences).toHaveLength(2);
    for (const [i, override] of after.overriddenOccurrences.entries()) {
      const { body: oldBody, ...kept } = before.overriddenOccurrences[i];
      expect(override).toMatchObject(kept);
      expect(oldBody).toContain(oldUrl);
      expect(override.body).toContain(newUrl);
      expect(override.body).not.toContain(oldUrl);
    }
    // The organizer's text before the block survives byte for byte, in master and override.
    expect(after.body.startsWith(HARD_TEXT)).toBe(true);
    expect(after.overriddenOccurrences[1].body.startsWith(`Override: ${HARD_TEXT}`)).toBe(true);
    const results = await gql(
      `query($m: ID!) { node(id: $m) { ... on MeetingMigration { meetingResults(first: 10) { edges { node { reason meeting { uid } } } } } } }`,
      { m: migrationId },
    );
    const reasons = results.node.meetingResults.edges
      .filter((e: { node: { meeting: { uid: string } } }) => e.node.meeting.uid === uid)
      .map((e: { node: { reason: string } }) => e.node.reason);
    expect(reasons).toEqual([
      'moved from Skype for Business to Teams (also in 2 of 2 overridden occurrences)',
    ]);

    const requests = migration.invitationUpdates.edges
      .map((e: { node: Record<string, any> }) => e.node)
      .filter((n: { meeting: { uid: string } }) => n.meeting.uid === uid);
    expect(requests.map((r: { attendeeEmail: string }) => r.attendeeEmail).sort()).toEqual(
      attendees.map((a) => a.email).sort(),
    );
    for (const request of requests) {
      expectStrictLines(request.icalendar);
      const parsed = parseCalendar(request.icalendar);
      expect(parsed.method).toBe('REQUEST');
      expect(parsed.events).toHaveLength(3);
      const [master, ...overrides] = parsed.events;
      for (const event of parsed.events) {
        expect(event.uid).toBe(uid);
        expect(event.sequence).toBe(after.sequence);
        expect(event.organizer).toBe('mailto:alice@contoso.com');
        // Every attendee, the recipient among them.
        expect(event.attendees.sort()).toEqual(attendees.map((a) => a.email).sort());
        expect(event.attendees).toContain(request.attendeeEmail);
      }
      expect(master).toMatchObject({
        recurrenceId: null,
        summary: 'Sync; all, hands \\ 🚀',
        location: 'Room 1; floor 2, \\ east',
        description: asIcalText(after.body),
        start: series.startsAt,
        exdates: after.cancelledOccurrences,
      });
      expect(
        overrides.map((o) => ({
          recurrenceId: o.recurrenceId,
          start: o.start,
          end: o.end,
          summary: o.summary,
          description: o.description,
        })),
      ).toEqual(
        after.overriddenOccurrences.map((o: { [key: string]: string }) => ({
          recurrenceId: o.recurrenceId,
          start: o.startsAt,
          end: o.endsAt,
          summary: o.subject,
          description: asIcalText(String(o.body)),
        })),
      );
    }
  });
});
