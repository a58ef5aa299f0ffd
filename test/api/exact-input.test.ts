/**
 * Issue 9 §5: input is never changed in silence. What a mutation accepts comes back exactly as given; what it
 * would have to change (a lone surrogate, a control character, another spelling, a date out of range) is a typed
 * error naming the field, and nothing is stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createTenantWithOperator,
  createUser,
  meetingInput,
  mutate,
  rowCounts,
  runMutation,
} from '../support/fixtures.ts';
import {
  type ExpectedError,
  expectRejected as expectRejectedBy,
  invalid,
  visibleState,
} from '../support/rejections.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let tenantId: string;
let token: string;
let aliceId: string;
let bridgeId: string;

beforeAll(async () => {
  server = await startServer();
  ({ tenantId, token } = await createTenantWithOperator(server, 'contoso.com'));
  aliceId = await createUser(server, token, { userPrincipalName: 'alice@contoso.com', licensed: true });
  const bridge = await mutate(server, token, 'createBridge', { name: 'Main' }, 'bridge { id }');
  bridgeId = bridge.bridge.id;
});
afterAll(() => server.stop());

/** As the operator, or as the service admin (the tenant mutations); the operator's view must not change. */
const expectRejected = (
  name: string,
  input: Record<string, unknown>,
  expected: ExpectedError,
  as: 'operator' | 'admin' = 'operator',
) =>
  expectRejectedBy(
    server,
    { token: as === 'admin' ? server.adminToken : token, operatorToken: token },
    name,
    input,
    expected,
  );

const MEETING_FIELDS = `uid subject location body timeZone startsAt endsAt recurrence lastOccurrenceEndsAt
  sharedNotesUrl attendees { edges { node { email name } } } contentItems { edges { node { title url } } }`;

/** Schedules the meeting and returns it as the API lists it afterwards (not as the payload echoes it). */
async function scheduleAndRead(overrides: Record<string, unknown>): Promise<Record<string, any>> {
  const scheduled = await mutate(
    server,
    token,
    'scheduleMeeting',
    meetingInput(aliceId, overrides),
    'meeting { id }',
  );
  const data = await server.gql(
    token,
    `query($id: ID!) { node(id: $id) { ... on Meeting { ${MEETING_FIELDS} } } }`,
    {
      id: scheduled.meeting.id,
    },
  );
  return data.node;
}

async function createUserAndRead(input: Record<string, unknown>): Promise<Record<string, any>> {
  const created = await mutate(server, token, 'createUser', input, 'user { id }');
  const data = await server.gql(
    token,
    'query($id: ID!) { node(id: $id) { ... on User { userPrincipalName displayName sipAddress } } }',
    { id: created.user.id },
  );
  return data.node;
}

interface StringInput {
  mutation: string;
  field: string;
  /** One line of text, multi-line text (TAB, LF and CR allowed), or a value with a format of its own. */
  kind: 'line' | 'text' | 'formatted';
  input: (value: string) => Record<string, unknown>;
  as?: 'admin';
}

/** Every string input of every mutation, each with the given value placed inside an otherwise valid input. */
function stringInputs(): StringInput[] {
  const with_ =
    (base: () => Record<string, unknown>) =>
    (extra: (value: string) => Record<string, unknown>) =>
    (value: string) => ({ ...base(), ...extra(value) });
  const meeting = with_(() => meetingInput(aliceId));
  const provider = with_(() => ({
    userId: aliceId,
    provider: 'THIRD_PARTY',
    thirdPartyProviderName: 'Acme',
    thirdPartyDialInText: 'Dial +1 555 0100',
  }));
  const number = with_(() => ({
    bridgeId,
    number: '+14255550199',
    city: 'Redmond',
    country: 'US',
    language: 'en-US',
  }));
  const user = with_(() => ({ userPrincipalName: 'new@contoso.com', displayName: 'New' }));
  const tenant = with_(() => ({ name: 'Northwind', primaryDomain: 'northwind.example' }));
  const file = (title: string, url: string) => ({ contentItems: [{ kind: 'ATTACHMENT', title, url }] });
  const line = (mutation: string, field: string, input: StringInput['input']): StringInput => ({
    mutation,
    field,
    kind: 'line',
    input,
  });
  const formatted = (mutation: string, field: string, input: StringInput['input']): StringInput => ({
    mutation,
    field,
    kind: 'formatted',
    input,
  });
  const admin = (input: StringInput): StringInput => ({ ...input, as: 'admin' });
  return [
    line(
      'scheduleMeeting',
      'subject',
      meeting((subject) => ({ subject })),
    ),
    line(
      'scheduleMeeting',
      'location',
      meeting((location) => ({ location })),
    ),
    line(
      'scheduleMeeting',
      'uid',
      meeting((uid) => ({ uid })),
    ),
    { mutation: 'scheduleMeeting', field: 'body', kind: 'text', input: meeting((body) => ({ body })) },
    formatted(
      'scheduleMeeting',
      'timeZone',
      meeting((timeZone) => ({ timeZone })),
    ),
    formatted(
      'scheduleMeeting',
      'recurrence',
      meeting((r) => ({ recurrence: `FREQ=WEEKLY;COUNT=3${r}` })),
    ),
    formatted(
      'scheduleMeeting',
      'sharedNotesUrl',
      meeting((u) => ({ sharedNotesUrl: `https://x.example/${u}` })),
    ),
    formatted(
      'scheduleMeeting',
      'attendees[0].email',
      meeting((e) => ({ attendees: [{ email: `b${e}@x.example` }] })),
    ),
    line(
      'scheduleMeeting',
      'attendees[0].name',
      meeting((name) => ({ attendees: [{ email: 'b@x.example', name }] })),
    ),
    line(
      'scheduleMeeting',
      'contentItems[0].title',
      meeting((title) => file(title, 'https://x.example/f')),
    ),
    formatted(
      'scheduleMeeting',
      'contentItems[0].url',
      meeting((u) => file('F', `https://x.example/${u}`)),
    ),
    formatted(
      'createUser',
      'userPrincipalName',
      user((u) => ({ userPrincipalName: `n${u}@contoso.com` })),
    ),
    line(
      'createUser',
      'displayName',
      user((displayName) => ({ displayName })),
    ),
    formatted(
      'createUser',
      'sipAddress',
      user((s) => ({ sipAddress: `sip:n${s}@contoso.com` })),
    ),
    formatted('setUserSipAddress', 'sipAddress', (s) => ({
      userId: aliceId,
      sipAddress: `sip:a${s}@contoso.com`,
    })),
    formatted('setConferenceId', 'conferenceId', (c) => ({ userId: aliceId, conferenceId: `1234${c}` })),
    line(
      'setAudioConferencingProvider',
      'thirdPartyProviderName',
      provider((n) => ({ thirdPartyProviderName: n })),
    ),
    line(
      'setAudioConferencingProvider',
      'thirdPartyDialInText',
      provider((t) => ({ thirdPartyDialInText: t })),
    ),
    line('createBridge', 'name', (name) => ({ name })),
    formatted(
      'addBridgeNumber',
      'number',
      number((n) => ({ number: `+1425555${n}` })),
    ),
    line(
      'addBridgeNumber',
      'city',
      number((city) => ({ city })),
    ),
    formatted(
      'addBridgeNumber',
      'country',
      number((c) => ({ country: `U${c}` })),
    ),
    formatted(
      'addBridgeNumber',
      'language',
      number((l) => ({ language: `en${l}` })),
    ),
    formatted('updateTenantMeetingUrl', 'meetingUrl', (u) => ({
      meetingUrl: `https://meet.contoso.com/${u}`,
    })),
    admin(
      line(
        'createTenant',
        'name',
        tenant((name) => ({ name })),
      ),
    ),
    admin(
      formatted(
        'createTenant',
        'primaryDomain',
        tenant((d) => ({ primaryDomain: `n${d}.example` })),
      ),
    ),
    admin(
      formatted(
        'createTenant',
        'meetingUrl',
        tenant((u) => ({ meetingUrl: `https://meet.example/${u}` })),
      ),
    ),
    admin(line('createOperatorToken', 'name', (name) => ({ tenantId, name }))),
  ];
}

/** The character inside ordinary text. */
const around = (char: string) => `a${char}b`;

describe('lone surrogates', () => {
  test.each(['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDC00\uD800'])(
    'in every string input of every mutation (%j): InvalidValueError naming the field, nothing stored',
    async (surrogate) => {
      for (const { mutation, field, input, as } of stringInputs()) {
        await expectRejected(
          mutation,
          input(around(surrogate)),
          invalid(
            field,
            /has a lone surrogate \(U\+D[89A-F][0-9A-F]{2}\) at character \d+: it is not valid Unicode/,
          ),
          as,
        );
      }
    },
  );

  test('the error says which surrogate and where, counting characters (an astral one is one)', () =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { subject: '😀x\uDE00' }),
      invalid('subject', /lone surrogate \(U\+DE00\) at character 3/),
    ));

  test('a well-formed pair (an astral character) is no lone surrogate', async () => {
    const meeting = await scheduleAndRead({ subject: '\uD83D\uDE00 sync', uid: 'pair-\uD83D\uDE00' });
    expect(meeting.subject).toBe('😀 sync');
    expect(meeting.uid).toBe('pair-😀');
  });
});

describe('control characters', () => {
  const FORBIDDEN_EVERYWHERE = [
    '\u0000',
    '\u0007',
    '\u000B',
    '\u000C',
    '\u001B',
    '\u007F',
    '\u0085',
    '\u009F',
  ];

  test.each(FORBIDDEN_EVERYWHERE.map((char) => [hex(char), char]))(
    'U+%s in every string input of every mutation: InvalidValueError naming the field, nothing stored',
    async (_, char) => {
      for (const { mutation, field, kind, input, as } of stringInputs()) {
        // A formatted value (an e-mail address, a URL, a number) says it is not of its format.
        const message =
          kind === 'formatted' ? /./ : new RegExp(`control character U\\+${hex(char)} at character 2`);
        await expectRejected(mutation, input(around(char)), invalid(field, message), as);
      }
    },
  );

  test.each(['\t', '\n', '\r', '\r\n'])('%j in a one-line input: refused naming it', async (char) => {
    for (const { mutation, field, kind, input, as } of stringInputs().filter((i) => i.kind === 'line')) {
      const message = char === '\t' ? /control character U\+0009/ : /must be a single line/;
      await expectRejected(
        mutation,
        input(around(char)),
        invalid(field, kind === 'line' ? message : /./),
        as,
      );
    }
  });

  test('TAB, LF and CR in a body come back exactly as given', async () => {
    const body = 'Agenda:\r\n\t1. Budget\n\t2. Plans\rEnd\t';
    const meeting = await scheduleAndRead({ body });
    expect(meeting.body.slice(0, body.length)).toBe(body);
  });
});

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

describe('text comes back exactly as given', () => {
  test('subject, location, UID, attendee name, content item title with their spaces and forms', async () => {
    const given = {
      subject: '  Weekly sync\u00A0 ',
      location: ' Room 1 (Building 2) ',
      uid: ' Spaced-UID-1@contoso.com ',
      // Combining marks stay as sent: no Unicode normalisation (e + U+0301 is not turned into é).
      attendees: [{ email: 'Bob.Smith@Example.COM', name: ' Bo\u0301b ' }],
      contentItems: [{ kind: 'ATTACHMENT', title: ' Slides ', url: 'https://Example.com/a/b/?x=1#y' }],
      sharedNotesUrl: 'https://bücher.example/Notes/',
    };
    const meeting = await scheduleAndRead(given);
    expect(meeting).toMatchObject({
      subject: given.subject,
      location: given.location,
      uid: given.uid,
      sharedNotesUrl: given.sharedNotesUrl,
      attendees: { edges: [{ node: given.attendees[0] }] },
      contentItems: { edges: [{ node: { title: ' Slides ', url: 'https://Example.com/a/b/?x=1#y' } }] },
    });
  });

  test('a user’s display name and a bridge’s name keep their spaces', async () => {
    const created = await mutate(
      server,
      token,
      'createUser',
      { userPrincipalName: 'spaced@contoso.com', displayName: ' Zoë  Ångström ' },
      'user { displayName sipAddress }',
    );
    expect(created.user).toEqual({ displayName: ' Zoë  Ångström ', sipAddress: 'sip:spaced@contoso.com' });
    const bridge = await mutate(
      server,
      token,
      'createBridge',
      { name: ' Spare ', isDefault: false },
      'bridge { name }',
    );
    expect(bridge.bridge.name).toBe(' Spare ');
  });

  test.each([
    ['subject', { subject: '   ' }, /must not be empty/],
    ['subject', { subject: '' }, /must not be empty/],
    ['location', { location: '' }, /must not be empty \(send null for none\)/],
    ['location', { location: ' ' }, /must not be empty/],
    ['uid', { uid: '' }, /must not be empty/],
    ['attendees[0].name', { attendees: [{ email: 'b@x.example', name: '' }] }, /must not be empty/],
    ['sharedNotesUrl', { sharedNotesUrl: '' }, /not a valid URL/],
    ['sharedNotesUrl', { sharedNotesUrl: ' https://x.example/notes' }, /spaces or control characters/],
    ['sharedNotesUrl', { sharedNotesUrl: 'https://x.example/my notes' }, /spaces or control characters/],
    ['attendees[0].email', { attendees: [{ email: ' b@x.example' }] }, /not a valid e-mail address/],
  ])('%s %j is refused, not blanked, trimmed or dropped', (field, overrides, message) =>
    expectRejected('scheduleMeeting', meetingInput(aliceId, overrides), invalid(field, message)),
  );

  test('null for an optional value stays null', async () => {
    const meeting = await scheduleAndRead({ location: null, uid: null, sharedNotesUrl: null });
    expect(meeting.location).toBeNull();
    expect(meeting.sharedNotesUrl).toBeNull();
    expect(meeting.uid).toMatch(/@contoso\.com$/);
  });
});

describe('other spellings are refused with the canonical one', () => {
  test.each([
    [
      'createUser',
      'userPrincipalName',
      { userPrincipalName: 'Dave@Contoso.com', displayName: 'D' },
      /must be lower case: dave@contoso\.com/,
    ],
    [
      'createUser',
      'userPrincipalName',
      { userPrincipalName: ' dave@contoso.com', displayName: 'D' },
      /not a valid user principal name/,
    ],
    [
      'createUser',
      'sipAddress',
      { userPrincipalName: 'dave@contoso.com', displayName: 'D', sipAddress: 'dave@contoso.com' },
      /must be written sip:dave@contoso\.com/,
    ],
    [
      'createUser',
      'sipAddress',
      { userPrincipalName: 'dave@contoso.com', displayName: 'D', sipAddress: 'SIP:Dave@contoso.com' },
      /must be written sip:dave@contoso\.com/,
    ],
    [
      'addBridgeNumber',
      'country',
      { number: '+14255550142', city: 'R', country: 'us', language: 'en-US' },
      /must be upper case: US/,
    ],
    [
      'addBridgeNumber',
      'number',
      { number: ' +14255550142', city: 'R', country: 'US', language: 'en-US' },
      /not an E\.164/,
    ],
    [
      'addBridgeNumber',
      'language',
      { number: '+14255550142', city: 'R', country: 'US', language: 'en-US ' },
      /language tag/,
    ],
    [
      'updateTenantMeetingUrl',
      'meetingUrl',
      { meetingUrl: 'https://meet.contoso.com/' },
      /must be written https:\/\/meet\.contoso\.com$/,
    ],
    [
      'updateTenantMeetingUrl',
      'meetingUrl',
      { meetingUrl: 'HTTPS://Meet.Contoso.com/join' },
      /must be written https:\/\/meet\.contoso\.com\/join$/,
    ],
    [
      'updateTenantMeetingUrl',
      'meetingUrl',
      { meetingUrl: 'https://meet.contoso.com/join?x=1' },
      /no query or fragment/,
    ],
    [
      'updateTenantMeetingUrl',
      'meetingUrl',
      { meetingUrl: ' https://meet.contoso.com' },
      /spaces or control characters/,
    ],
  ])('%s with %s %j', (mutation, field, input, message) => {
    const withIds = mutation === 'addBridgeNumber' ? { ...input, bridgeId } : input;
    return expectRejected(mutation, withIds, invalid(field, message));
  });

  test.each([
    ['setUserSipAddress', { sipAddress: 'sip:Alice@contoso.com' }, /must be written sip:alice@contoso\.com/],
    ['setConferenceId', { conferenceId: ' 1234567' }, /4 to 15 digits/],
  ])('%s %j', (mutation, input, message) =>
    expectRejected(
      mutation,
      { userId: aliceId, ...input },
      invalid(Object.keys(input)[0] as string, message),
    ),
  );

  test('createTenant with a primary domain in capitals', () =>
    expectRejected(
      'createTenant',
      { name: 'Northwind', primaryDomain: 'Northwind.example' },
      invalid('primaryDomain', /must be lower case: northwind\.example/),
      'admin',
    ));

  test('the canonical spellings are kept exactly', async () => {
    const user = await mutate(
      server,
      token,
      'createUser',
      {
        userPrincipalName: 'erin@contoso.com',
        displayName: 'Erin',
        sipAddress: 'sip:erin.voice@contoso.com',
      },
      'user { userPrincipalName sipAddress }',
    );
    expect(user.user).toEqual({
      userPrincipalName: 'erin@contoso.com',
      sipAddress: 'sip:erin.voice@contoso.com',
    });
    const tenant = await mutate(
      server,
      token,
      'updateTenantMeetingUrl',
      { meetingUrl: 'https://join.contoso.com/meet' },
      'tenant { meetingUrl }',
    );
    expect(tenant.tenant.meetingUrl).toBe('https://join.contoso.com/meet');
    await mutate(
      server,
      token,
      'updateTenantMeetingUrl',
      { meetingUrl: 'https://meet.contoso.com' },
      'tenant { id }',
    );
  });
});

describe('dates', () => {
  const at = (startsAt: string, endsAt: string, extra: Record<string, unknown> = {}) =>
    meetingInput(aliceId, { startsAt, endsAt, ...extra });

  test.each([
    ['startsAt', '0001-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
    ['startsAt', '1899-12-31T23:59:59.999Z', '1900-01-01T01:00:00.000Z'],
    ['endsAt', '2199-12-31T23:00:00.000Z', '2200-01-01T00:00:00.000Z'],
    ['endsAt', '2030-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
    ['startsAt', '9999-12-31T22:00:00.000Z', '9999-12-31T23:00:00.000Z'],
  ])('%s out of 1900–2199 (%s – %s) is refused', (field, startsAt, endsAt) =>
    expectRejected(
      'scheduleMeeting',
      at(startsAt, endsAt),
      invalid(field, /must be from 1900-01-01 to 2199-12-31/),
    ),
  );

  test('the first and the last instant of the range are accepted and come back as given', async () => {
    const meeting = await scheduleAndRead({
      startsAt: '1900-01-01T00:00:00.000Z',
      endsAt: '2199-12-31T23:59:59.999Z',
    });
    expect(meeting).toMatchObject({
      startsAt: '1900-01-01T00:00:00.000Z',
      endsAt: '2199-12-31T23:59:59.999Z',
      lastOccurrenceEndsAt: '2199-12-31T23:59:59.999Z',
    });
  });

  test.each([
    ['a series running past 2199', '2199-11-01T09:00:00.000Z', 'FREQ=MONTHLY;COUNT=3'],
    ['an UNTIL in year 9999', '2030-01-01T09:00:00.000Z', 'FREQ=YEARLY;UNTIL=99991231T000000Z'],
  ])('%s is refused naming recurrence', (_, startsAt, recurrence) =>
    expectRejected(
      'scheduleMeeting',
      at(startsAt, startsAt.replace('T09', 'T10'), { recurrence }),
      invalid('recurrence', /last occurrence would end after 2199-12-31/),
    ),
  );

  test('a series ending in 2199, or never, is accepted', async () => {
    const ending = await scheduleAndRead({
      startsAt: '2199-10-01T09:00:00.000Z',
      endsAt: '2199-10-01T10:00:00.000Z',
      timeZone: 'UTC',
      recurrence: 'FREQ=MONTHLY;COUNT=3',
    });
    expect(ending.lastOccurrenceEndsAt).toBe('2199-12-01T10:00:00.000Z');
    const endless = await scheduleAndRead({ recurrence: 'FREQ=WEEKLY' });
    expect(endless.lastOccurrenceEndsAt).toBeNull();
  });

  test('a DateTime finer than a millisecond is refused, not cut; zeros beyond it are fine', async () => {
    const MUTATION = `mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { __typename } }`;
    const before = await visibleState(server, token);
    const fine = await server.request(token, MUTATION, {
      input: at('2030-03-04T09:00:00.000100Z', '2030-03-04T10:00:00.000Z'),
    });
    expect(fine.data ?? null, JSON.stringify(fine)).toBeNull();
    expect(fine.errors?.[0]?.message).toMatch(
      /2030-03-04T09:00:00\.000100Z is more precise than a millisecond/,
    );
    const literal = await server.request(
      token,
      '{ meetingMigrationSummary(from: "2030-01-01T00:00:00.0000001Z") { pending } }',
    );
    expect(literal.errors?.[0]?.message).toMatch(/more precise than a millisecond/);
    expect(await visibleState(server, token)).toEqual(before);
    const zeros = await scheduleAndRead({
      startsAt: '2030-03-04T09:00:00.123000Z',
      endsAt: '2030-03-04T10:00:00Z',
    });
    expect(zeros.startsAt).toBe('2030-03-04T09:00:00.123Z');
  });
});

describe('time zones', () => {
  test.each([
    'Asia/Kolkata',
    'Asia/Calcutta',
    'Europe/Kyiv',
    'Europe/Kiev',
    'US/Eastern',
    'UTC',
    'Etc/UTC',
    'GMT',
  ])('%s comes back exactly as given', async (timeZone) => {
    expect((await scheduleAndRead({ timeZone })).timeZone).toBe(timeZone);
  });

  test.each([
    ['asia/kolkata', 'Asia/Kolkata'],
    ['utc', 'UTC'],
    ['EUROPE/BERLIN', 'Europe/Berlin'],
  ])('%s is refused with the spelling of the tz database (%s)', (timeZone, spelled) =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { timeZone }),
      invalid('timeZone', new RegExp(`must be written ${spelled}$`)),
    ),
  );
});

describe('user principal names lie in the tenant’s domain', () => {
  test.each(['eve@fabrikam.com', 'eve@notcontoso.com', 'eve@contoso.com.evil.example', 'eve@contoso.co'])(
    'createUser with %s: refused naming userPrincipalName',
    (userPrincipalName) =>
      expectRejected(
        'createUser',
        { userPrincipalName, displayName: 'Eve' },
        invalid('userPrincipalName', /is not in the tenant's domain contoso\.com \(or a subdomain of it\)/),
      ),
  );

  test('a subdomain of the tenant’s domain is the tenant’s', async () => {
    const user = await mutate(
      server,
      token,
      'createUser',
      { userPrincipalName: 'frank@eu.contoso.com', displayName: 'Frank' },
      'user { userPrincipalName sipAddress }',
    );
    expect(user.user).toEqual({
      userPrincipalName: 'frank@eu.contoso.com',
      sipAddress: 'sip:frank@eu.contoso.com',
    });
  });

  test.each([
    ['contoso.com', /a tenant with primary domain contoso\.com already exists/],
    ['eu.contoso.com', /eu\.contoso\.com overlaps the primary domain contoso\.com of another tenant/],
  ])(
    'createTenant with %s: refused, a domain and its subdomains belong to one tenant',
    (primaryDomain, message) =>
      expectRejected(
        'createTenant',
        { name: 'X', primaryDomain },
        invalid('primaryDomain', message),
        'admin',
      ),
  );

  test('no tenant may take a parent or a child of another tenant’s domain; a look-alike is fine', async () => {
    await createTenantWithOperator(server, 'team.big.example');
    for (const primaryDomain of ['big.example', 'x.team.big.example']) {
      await expectRejected(
        'createTenant',
        { name: 'X', primaryDomain },
        invalid('primaryDomain', /overlaps the primary domain team\.big\.example of another tenant/),
        'admin',
      );
    }
    await createTenantWithOperator(server, 'steam.big.example');
  });
});

describe('meeting UIDs are unique per tenant', () => {
  test('a UID another meeting of the tenant has: refused naming uid, nothing stored', async () => {
    await scheduleAndRead({ uid: 'standup-1@contoso.com' });
    await expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { uid: 'standup-1@contoso.com', subject: 'Another' }),
      invalid('uid', /standup-1@contoso\.com is already used/),
    );
  });

  test('UIDs are compared exactly: another case or a space makes another UID', async () => {
    await scheduleAndRead({ uid: 'Exact-1' });
    for (const uid of ['exact-1', 'Exact-1 ', ' Exact-1'])
      expect((await scheduleAndRead({ uid })).uid).toBe(uid);
  });

  test('two tenants may each have a meeting with the same UID, without touching each other', async () => {
    const other = await createTenantWithOperator(server, 'fabrikam.com');
    const bob = await createUser(server, other.token, { userPrincipalName: 'bob@fabrikam.com' });
    const mine = await scheduleAndRead({ uid: 'shared-uid', subject: 'Contoso’s' });
    const theirs = await mutate(
      server,
      other.token,
      'scheduleMeeting',
      meetingInput(bob, { uid: 'shared-uid', subject: 'Fabrikam’s' }),
      'meeting { uid subject }',
    );
    expect(theirs.meeting).toEqual({ uid: 'shared-uid', subject: 'Fabrikam’s' });
    const listed = async (operatorToken: string) =>
      (
        await server.gql(
          operatorToken,
          '{ viewer { tenant { meetings(timing: ALL, first: 500) { edges { node { uid subject } } } } } }',
        )
      ).viewer.tenant.meetings.edges
        .map((edge: any) => edge.node)
        .filter((meeting: any) => meeting.uid === 'shared-uid');
    expect(await listed(token)).toEqual([{ uid: 'shared-uid', subject: mine.subject }]);
    expect(await listed(other.token)).toEqual([{ uid: 'shared-uid', subject: 'Fabrikam’s' }]);
  });

  test('concurrent schedules of one new UID: exactly one meeting, every other a typed error', async () => {
    const QUERY = `mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) {
      __typename ... on InvalidValueError { field message } } }`;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server.request(token, QUERY, {
          input: meetingInput(aliceId, { uid: 'race-1', subject: `Try ${i}` }),
        }),
      ),
    );
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const outcomes = results.map((result) => result.data?.scheduleMeeting);
    expect(outcomes.filter((o) => o.__typename === 'ScheduleMeetingPayload')).toHaveLength(1);
    expect(outcomes.filter((o) => o.__typename === 'InvalidValueError')).toEqual(
      Array.from({ length: 11 }, () => ({
        __typename: 'InvalidValueError',
        field: 'uid',
        message: 'uid: race-1 is already used',
      })),
    );
  });
});

describe('search arguments', () => {
  test.each([
    [
      'users(search:)',
      'query($s: String) { viewer { tenant { users(search: $s) { edges { node { id } } } } } }',
      'search',
    ],
    [
      'meetingMigrations(userSearch:)',
      'query($s: String) { meetingMigrations(userSearch: $s) { edges { node { id } } } }',
      'userSearch',
    ],
  ])(
    '%s with a lone surrogate: INVALID_VALUE naming it, not a search for U+FFFD',
    async (_, query, field) => {
      const result = await server.request(token, query, { s: 'ali\uD800' });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/lone surrogate \(U\+D800\) at character 4/),
          extensions: { code: 'INVALID_VALUE', field },
        }),
      ]);
    },
  );

  test('a search is not trimmed: a trailing space is part of what is looked for', async () => {
    await createUser(server, token, {
      userPrincipalName: 'grace.hopper@contoso.com',
      displayName: 'Grace Hopper',
    });
    const search = async (s: string) =>
      (
        await server.gql(
          token,
          'query($s: String) { viewer { tenant { users(search: $s) { edges { node { displayName } } } } } }',
          { s },
        )
      ).viewer.tenant.users.edges.map((edge: any) => edge.node.displayName);
    expect(await search('grace ')).toEqual(['Grace Hopper']);
    expect(await search('hopper ')).toEqual([]);
  });
});

describe('property: any Unicode text comes back byte-exact; a lone surrogate or a control character never passes', () => {
  const FORBIDDEN_IN_LINE = /\p{Cc}/u;
  const FORBIDDEN_IN_TEXT = /(?![\t\n\r])\p{Cc}/u;
  /** Full-range code points (astral included) and grapheme clusters with combining marks. */
  const unicode = (maxLength: number) =>
    fc
      .oneof(
        fc.string({ unit: 'binary', maxLength }),
        fc.string({ unit: 'grapheme', maxLength: maxLength / 4 }),
      )
      .filter((s) => s.length <= maxLength);
  const line = unicode(200).filter((s) => !FORBIDDEN_IN_LINE.test(s) && s.trim() !== '');
  const text = fc
    .oneof(unicode(2000), fc.constantFrom('a\r\nb', '\tx\n', 'y\r'))
    .filter((s) => !FORBIDDEN_IN_TEXT.test(s));

  test('subject, location, body, attendee name and display name', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(line, line, text, line, line, async (subject, location, body, name, displayName) => {
        const meeting = await scheduleAndRead({
          subject,
          location,
          body,
          attendees: [{ email: 'b@x.example', name }],
        });
        expect(meeting.subject).toBe(subject);
        expect(meeting.location).toBe(location);
        expect(meeting.body.slice(0, body.length)).toBe(body);
        expect(meeting.attendees.edges[0].node.name).toBe(name);
        const user = await createUserAndRead({ userPrincipalName: `p${n++}@contoso.com`, displayName });
        expect(user.displayName).toBe(displayName);
      }),
      { numRuns: 60 },
    );
  });

  /** A valid value with the bad character put somewhere in it. */
  const spoiled = (bad: fc.Arbitrary<string>) =>
    fc.tuple(unicode(100), bad, unicode(100)).map(([before, char, after]) => `x${before}${char}${after}`);
  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
  const lineControl = fc
    .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
    .map((c) => String.fromCharCode(c));
  const textControl = lineControl.filter((c) => !'\t\n\r'.includes(c));

  test('is refused naming the field, and nothing is stored', async () => {
    const rows = () => rowCounts(server);
    const before = await rows();
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom('subject', 'location', 'body', 'displayName')
          .chain((field) =>
            fc.tuple(
              fc.constant(field),
              spoiled(fc.oneof(loneSurrogate, field === 'body' ? textControl : lineControl)),
            ),
          ),
        async ([field, value]) => {
          const result =
            field === 'displayName'
              ? await runMutation(server, token, 'createUser', {
                  userPrincipalName: 'q@contoso.com',
                  displayName: value,
                })
              : await runMutation(
                  server,
                  token,
                  'scheduleMeeting',
                  meetingInput(aliceId, { [field]: value }),
                );
          expect(result, JSON.stringify(value)).toMatchObject({ __typename: 'InvalidValueError', field });
          expect(result.message).toMatch(/lone surrogate|control character|single line/);
        },
      ),
      { numRuns: 100 },
    );
    expect(await rows()).toEqual(before);
  });
});
