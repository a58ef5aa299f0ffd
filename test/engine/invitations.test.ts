/** Invitation updates delivered to a real SMTP peer and parsed back as iCalendar REQUESTs. */
import type { AddressInfo } from 'node:net';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTenantWithOperator } from '../support/fixtures.ts';
import { expectStrictLines, parseCalendar } from '../support/icalendar.ts';
import { startServer, type TestServer } from '../support/server.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let smtp: SMTPServer;
const received: Received[] = [];
/** Recipients refused once with 451 (try again), and for good with 550. */
const refuseOnce = new Set(['later@example.com']);
const refuseAlways = new Set(['nobody@example.com']);
let server: TestServer;
let token: string;
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuseAlways.has(address.address))
        return callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      if (refuseOnce.delete(address.address))
        return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  server = await startServer({ engine: true, holdSeconds: 0, smtpUrl: `smtp://127.0.0.1:${port}` });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(async () => {
  await server.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('every attendee of every rewritten meeting gets a valid REQUEST with the new block', async () => {
  const made = await gql(
    `mutation { createUser(input: { userPrincipalName: "alice@contoso.com", displayName: "Alice Zoë" }) { ... on CreateUserPayload { user { id } } } }`,
  );
  const alice = made.createUser.user.id;
  const attendees = [
    { email: 'bob@example.com', name: 'Bob' },
    { email: 'later@example.com', name: 'Later' },
    { email: 'nobody@example.com' },
  ];
  const meetings: { id: string; uid: string }[] = [];
  for (const [subject, recurrence] of [
    ['Weekly 📅', 'FREQ=WEEKLY;COUNT=8'],
    ['Kickoff — مرحبا', null],
  ] as const) {
    const scheduled = await gql(
      `mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { ... on ScheduleMeetingPayload { meeting { id uid } } } }`,
      {
        i: {
          organizerId: alice,
          subject,
          recurrence,
          body: 'Agenda: שלום 👋\n',
          startsAt: '2031-03-03T17:00:00Z',
          endsAt: '2031-03-03T18:00:00Z',
          timeZone: 'America/Los_Angeles',
          attendees,
          // The series keeps its exceptions in what is delivered (DST starts 9 March 2031: 09:00 is 16:00 UTC).
          ...(recurrence
            ? {
                cancelledOccurrences: ['2031-03-10T16:00:00Z'],
                overriddenOccurrences: [
                  {
                    recurrenceId: '2031-03-17T16:00:00Z',
                    startsAt: '2031-03-18T16:00:00Z',
                    endsAt: '2031-03-18T17:00:00Z',
                  },
                ],
              }
            : {}),
        },
      },
    );
    meetings.push(scheduled.scheduleMeeting.meeting);
  }

  const started = await gql(
    `mutation($u: ID!) { startMeetingMigration(input: { userId: $u, targetMeetingType: TEAMS }) { ... on UserChangePayload { meetingMigration { id } } } }`,
    { u: alice },
  );
  const migrationId = started.startMeetingMigration.meetingMigration.id;
  const OUTBOX = `query($m: ID!) { node(id: $m) { ... on MeetingMigration { state invitesUpdated
    invitationUpdates(first: 50) { edges { node { attendeeEmail state attempts lastError sequence meeting { id } icalendar } } } } } }`;
  const done = await eventually(
    () => gql(OUTBOX, { m: migrationId }),
    // Finished first: until the run writes its batch, an empty outbox would look settled.
    (data) =>
      !['PENDING', 'IN_PROGRESS'].includes(data.node.state) &&
      data.node.invitationUpdates.edges.every((e: { node: { state: string } }) =>
        ['SENT', 'FAILED'].includes(e.node.state),
      ),
    'deliveries to settle',
  );
  expect(done.node).toMatchObject({ state: 'SUCCEEDED', invitesUpdated: 6 });
  const outbox = done.node.invitationUpdates.edges.map((e: { node: Record<string, any> }) => e.node);
  expect(outbox).toHaveLength(6);
  for (const entry of outbox) {
    if (entry.attendeeEmail === 'nobody@example.com') {
      expect(entry).toMatchObject({ state: 'FAILED', attempts: 1, lastError: expect.stringMatching(/550/) });
    } else if (entry.attendeeEmail === 'later@example.com' && entry.attempts === 2) {
      expect(entry).toMatchObject({ state: 'SENT' });
    } else {
      expect(entry).toMatchObject({ state: 'SENT', attempts: 1, lastError: null });
    }
  }
  expect(outbox.filter((e: { attempts: number }) => e.attempts === 2)).toHaveLength(1);

  // Four messages arrived: two meetings × (Bob, Later); one per attendee per meeting.
  expect(received.map((r) => r.to.join()).sort()).toEqual([
    'bob@example.com',
    'bob@example.com',
    'later@example.com',
    'later@example.com',
  ]);
  const now = await gql(
    `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Meeting { id uid sequence onlineMeeting { joinUrl } } } }`,
    {
      ids: meetings.map((m) => m.id),
    },
  );
  const byUid = new Map(now.nodes.map((m: { uid: string }) => [m.uid, m]));
  for (const message of received) {
    expect(message.from).toBe('mms@contoso.com');
    const mail = await simpleParser(message.raw);
    expect(mail.from?.value[0]).toMatchObject({ address: 'alice@contoso.com', name: 'Alice Zoë' });
    const calendarPart = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    if (!calendarPart) throw new Error('the message has no text/calendar part');
    const calendar = new ICAL.Component(ICAL.parse(calendarPart.content.toString('utf8')));
    const event = calendar.getFirstSubcomponent('vevent');
    const meeting = byUid.get(String(event?.getFirstPropertyValue('uid'))) as {
      sequence: number;
      onlineMeeting: { joinUrl: string };
    };
    expect(meeting).toBeDefined();
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event?.getFirstPropertyValue('sequence')).toBe(meeting.sequence);
    expect(meeting.sequence).toBe(1);
    expect(event?.getFirstProperty('organizer')?.getFirstValue()).toBe('mailto:alice@contoso.com');
    // Every attendee of the meeting, the recipient among them (RFC 5546 REQUEST).
    const listed = (event?.getAllProperties('attendee') ?? []).map((a) =>
      String(a.getFirstValue()).toLowerCase(),
    );
    expect(listed).toEqual(attendees.map((a) => `mailto:${a.email}`));
    expect(listed).toContain(`mailto:${message.to[0]}`);
    expectStrictLines(calendarPart.content.toString('utf8'));
    const parsed = parseCalendar(calendarPart.content.toString('utf8'));
    if (event?.hasProperty('rrule')) {
      expect(parsed.events.map((e) => [e.recurrenceId, e.exdates])).toEqual([
        [null, ['2031-03-10T16:00:00.000Z']],
        ['2031-03-17T16:00:00.000Z', []],
      ]);
    } else {
      expect(parsed.events).toHaveLength(1);
    }
    expect(event?.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('America/Los_Angeles');
    const description = String(event?.getFirstPropertyValue('description'));
    expect(description.startsWith('Agenda: שלום 👋\n')).toBe(true);
    expect(description).toContain('Microsoft Teams meeting');
    expect(description).toContain(meeting.onlineMeeting.joinUrl);
  }
  // The export of an entry is the same REQUEST.
  expect(outbox[0].icalendar).toMatch(/^BEGIN:VCALENDAR\r\n/);
});
