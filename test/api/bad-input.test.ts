/**
 * SPEC §6: an invalid value comes back as a typed error naming the input field and saying what is wrong —
 * and changes nothing. Invalid query arguments are GraphQL errors with code INVALID_VALUE and the field.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { refuseDeletes } from '../support/backend.ts';
import {
  addBridge,
  createTenantWithOperator,
  createUser,
  globalId,
  meetingInput,
  parseGlobalId,
  runMutation,
  scheduleMeeting,
  startMeetingMigration,
  unknownId,
} from '../support/fixtures.ts';
import {
  type ExpectedError,
  expectRejected as expectRejectedBy,
  invalid,
  visibleState,
} from '../support/rejections.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let aliceId: string;
let bridgeId: string;
let numberId: string;
let meetingId: string;
let migrationId: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com'));
  const bridge = await addBridge(server, token, {
    name: 'Main',
    numbers: [{ number: '+14255550100' }, { number: '+18005550100', tollFree: true }],
  });
  bridgeId = bridge.bridgeId;
  numberId = bridge.numberIds[0] as string;
  aliceId = await createUser(server, token, { userPrincipalName: 'alice@contoso.com', licensed: true });
  await createUser(server, token, { userPrincipalName: 'bob@contoso.com' });
  meetingId = await scheduleMeeting(server, token, aliceId);
  ({ migrationId } = await startMeetingMigration(server, token, aliceId));
});
afterAll(() => server.stop());

/** What the operator can see of the tenant plus the row count of every table. */
const state = () => visibleState(server, token);

/** Runs the mutation, expects the typed error, and that nothing at all changed. */
const expectRejected = (name: string, input: Record<string, unknown>, expected: ExpectedError) =>
  expectRejectedBy(server, { token }, name, input, expected);

describe('IDs that name nothing', () => {
  const malformed = (type: string) => [
    ['unknown', unknownId(type)],
    ['not base64 of anything', 'abc'],
    ['empty', ''],
    ['not a number', globalId(type, 'abc')],
    ['zero', globalId(type, 0)],
    ['negative', globalId(type, -1)],
    ['not a node type', globalId('Nope', 1)],
  ];
  /**
   * An existing object of another type. Every first object has the database id 1, so each of these carries the
   * number of a real object of the expected type: only the type tells them apart.
   */
  const otherTypes = () => ({
    User: migrationId,
    Bridge: numberId,
    BridgeNumber: bridgeId,
    MeetingMigration: meetingId,
    Tenant: aliceId,
  });

  const CASES: [string, string, string, (id: string) => Record<string, unknown>][] = [
    ['setConferenceId', 'userId', 'User', (userId) => ({ userId, conferenceId: '1234567' })],
    ['moveUserToBridge', 'bridgeId', 'Bridge', (bridge) => ({ userId: aliceId, bridgeId: bridge })],
    [
      'addBridgeNumber',
      'bridgeId',
      'Bridge',
      (bridge) => ({
        bridgeId: bridge,
        number: '+14255550111',
        city: 'Redmond',
        country: 'US',
        language: 'en-US',
      }),
    ],
    ['unassignBridgeNumber', 'bridgeNumberId', 'BridgeNumber', (id) => ({ bridgeNumberId: id })],
    ['cancelMeetingMigration', 'migrationId', 'MeetingMigration', (id) => ({ migrationId: id })],
    ['scheduleMeeting', 'organizerId', 'User', (id) => meetingInput(id)],
    [
      'createUser',
      'tenantId',
      'Tenant',
      (id) => ({ tenantId: id, userPrincipalName: 'x@contoso.com', displayName: 'X' }),
    ],
    ['setDialInConferencingTenantSettings', 'tenantId', 'Tenant', (id) => ({ tenantId: id, pinLength: 7 })],
  ];

  test('the objects of different types used below share the database id 1', () => {
    const numbers = [aliceId, bridgeId, numberId, meetingId, migrationId].map((id) => parseGlobalId(id).id);
    expect(numbers).toEqual([1, 1, 1, 1, 1]);
  });

  test.each(CASES)(
    '%s with a bad %s: NotFoundError naming it, nothing changed',
    async (name, field, type, input) => {
      const ids = [
        ...malformed(type),
        ['an ID of another type', otherTypes()[type as keyof ReturnType<typeof otherTypes>]],
      ];
      for (const [, id] of ids) {
        await expectRejected(name, input(id as string), {
          __typename: 'NotFoundError',
          field,
          message: new RegExp(`^${type} not found$`),
        });
      }
    },
  );

  test('node(id) and nodes(ids) with a malformed ID read as an unknown one: null, or INVALID_VALUE naming it', async () => {
    const NODE = 'query($id: ID!) { node(id: $id) { id } }';
    const NODES = 'query($id: ID!) { nodes(ids: [$id]) { id } }';
    expect(await server.request(token, NODE, { id: unknownId('User') })).toEqual({
      status: 200,
      data: { node: null },
    });
    expect(await server.request(token, NODES, { id: unknownId('User') })).toEqual({
      status: 200,
      data: { nodes: [null] },
    });
    for (const id of ['abc', '', globalId('Nope', 1), globalId('Viewer', 1)]) {
      for (const [query, field, asUnknown] of [
        [NODE, /^id$/, { node: null }],
        [NODES, /^ids/, { nodes: [null] }],
      ] as const) {
        const result = await server.request(token, query, { id });
        if (!result.errors) expect(result.data).toEqual(asUnknown);
        for (const error of result.errors ?? []) {
          expect(error.extensions, `${query} with ${JSON.stringify(id)}: ${error.message}`).toMatchObject({
            code: 'INVALID_VALUE',
            field: expect.stringMatching(field),
          });
        }
      }
    }
  });
});

describe('malformed values', () => {
  test.each(['alice', 'alice@', '@contoso.com', 'a b@contoso.com', 'alice@contoso', 'alice@@contoso.com'])(
    'createUser with the UPN %j',
    (upn) =>
      expectRejected(
        'createUser',
        { userPrincipalName: upn, displayName: 'Alice' },
        invalid('userPrincipalName', /is not a valid user principal name/),
      ),
  );

  test.each(['not-an-email', 'bob@', 'bob@example', 'bob example@example.com'])(
    'scheduleMeeting with the attendee e-mail %j names that attendee',
    (email) =>
      expectRejected(
        'scheduleMeeting',
        meetingInput(aliceId, { attendees: [{ email: 'bob@example.com' }, { email, name: 'X' }] }),
        invalid('attendees[1].email', /is not a valid e-mail address/),
      ),
  );

  test.each(['12ab567', '１２３４５６７', '123', '1234567890123456', '', '123 4567'])(
    'setConferenceId with %j',
    (conferenceId) =>
      expectRejected(
        'setConferenceId',
        { userId: aliceId, conferenceId },
        invalid('conferenceId', /4 to 15 digits/),
      ),
  );

  test.each([3, 13, 0, -5])('setDialInConferencingTenantSettings with pinLength %i', (pinLength) =>
    expectRejected(
      'setDialInConferencingTenantSettings',
      { pinLength, automaticallySendEmailsToUsers: false },
      invalid('pinLength', /4 to 12/),
    ),
  );

  test.each([
    '4255550100',
    '+1 425 555 0100',
    '+1-425-555-0100',
    '+04255550100',
    'tel:+14255550100',
    '+1425',
    '+1234567890123456',
  ])('addBridgeNumber with the number %j', (number) =>
    expectRejected(
      'addBridgeNumber',
      { bridgeId, number, city: 'Redmond', country: 'US', language: 'en-US' },
      invalid('number', /is not an E\.164 phone number/),
    ),
  );

  test.each([
    ['before', '2030-03-04T08:59:59.999Z'],
    ['equal to', '2030-03-04T09:00:00.000Z'],
  ])('scheduleMeeting with endsAt %s startsAt', (_, endsAt) =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { startsAt: '2030-03-04T09:00:00.000Z', endsAt }),
      invalid('endsAt', /must be after startsAt/),
    ),
  );

  test('scheduleMeeting with no attendees', () =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { attendees: [] }),
      invalid('attendees', /must not be empty/),
    ));

  test.each(['Mars/Olympus', 'Europe/Nowhere', 'UTC+2', '', '+02:00'])(
    'scheduleMeeting with the time zone %j',
    (timeZone) =>
      expectRejected(
        'scheduleMeeting',
        meetingInput(aliceId, { timeZone }),
        invalid('timeZone', /is not an IANA time zone/),
      ),
  );

  test.each([
    ['garbage', /is not an RRULE/],
    ['FREQ=SOMETIMES', /not a valid RRULE/],
    ['INTERVAL=2', /has no FREQ/],
    ['FREQ=WEEKLY;COUNT=0', /positive COUNT/],
    ['FREQ=DAILY;COUNT=3;UNTIL=20300101T000000Z', /both COUNT and UNTIL/],
    ['FREQ=WEEKLY;BYDAY=XX', /not a valid RRULE/],
    ['FREQ=WEEKLY;COLOR=RED', /unknown part COLOR/],
  ])('scheduleMeeting with the recurrence %j', (recurrence, message) =>
    expectRejected('scheduleMeeting', meetingInput(aliceId, { recurrence }), invalid('recurrence', message)),
  );

  test.each([
    ['not a url', 'not a url', /is not a valid URL/],
    ['no scheme', 'meet.contoso.com', /is not a valid URL/],
    ['ftp', 'ftp://meet.contoso.com', /http or https/],
    ['javascript', 'javascript:alert(1)', /http or https/],
    ['2100 characters', `https://meet.contoso.com/${'a'.repeat(2100)}`, /at most 2048/],
  ])('updateTenantMeetingUrl (%s) changes neither the URL nor records a trigger', (_, meetingUrl, message) =>
    expectRejected('updateTenantMeetingUrl', { meetingUrl }, invalid('meetingUrl', message)),
  );
});

describe('oversized values', () => {
  test('a 300-character displayName', () =>
    expectRejected(
      'createUser',
      { userPrincipalName: 'long@contoso.com', displayName: 'D'.repeat(300) },
      invalid('displayName', /at most 256 characters/),
    ));

  test('a 300-character subject', () =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { subject: 'S'.repeat(300) }),
      invalid('subject', /at most 256/),
    ));

  test('a 300-character attendee name', () =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { attendees: [{ email: 'bob@example.com', name: 'N'.repeat(300) }] }),
      invalid('attendees[0].name', /at most 256/),
    ));

  test('a 300-character bridge name', () =>
    expectRejected('createBridge', { name: 'B'.repeat(300) }, invalid('name', /at most 256/)));

  test('a body over 200,000 characters (one over the limit)', () =>
    expectRejected(
      'scheduleMeeting',
      meetingInput(aliceId, { body: 'b'.repeat(200_001) }),
      invalid('body', /at most 200000/),
    ));

  test('a body of exactly 200,000 characters is accepted (the limit is the documented one)', async () => {
    const result = await runMutation(
      server,
      token,
      'scheduleMeeting',
      meetingInput(aliceId, { body: 'b'.repeat(200_000) }),
    );
    expect(result.__typename).toBe('ScheduleMeetingPayload');
  });
});

describe('duplicates', () => {
  // Other spellings of it (ALICE@Contoso.com) are refused as such: see exact-input.test.ts.
  test('createUser with the existing UPN', () =>
    expectRejected(
      'createUser',
      { userPrincipalName: 'alice@contoso.com', displayName: 'Alice again' },
      invalid('userPrincipalName', /alice@contoso\.com already exists/),
    ));

  test('addBridgeNumber with a number already on this bridge, or on another bridge of the tenant', async () => {
    const other = await addBridge(server, token, { name: 'Second', isDefault: false });
    for (const target of [bridgeId, other.bridgeId]) {
      await expectRejected(
        'addBridgeNumber',
        { bridgeId: target, number: '+14255550100', city: 'Redmond', country: 'US', language: 'en-US' },
        invalid('number', /\+14255550100 is already assigned/),
      );
    }
  });
});

describe('query arguments', () => {
  const LIST = `query($from: DateTime, $to: DateTime, $after: String, $before: String) {
    meetingMigrations(from: $from, to: $to, after: $after, before: $before) { edges { node { id } } }
  }`;
  const SUMMARY = `query($from: DateTime, $to: DateTime) { meetingMigrationSummary(from: $from, to: $to) { pending } }`;

  test.each([
    ['meetingMigrations', LIST],
    ['meetingMigrationSummary', SUMMARY],
  ])('%s with a window whose end precedes its start: INVALID_VALUE naming window.to', async (_, query) => {
    const result = await server.request(token, query, {
      from: '2026-05-02T00:00:00.000Z',
      to: '2026-05-01T23:59:59.999Z',
    });
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/must not be before from/),
        extensions: { code: 'INVALID_VALUE', field: 'window.to' },
      }),
    ]);
    // The same window the right way round is fine.
    const ok = await server.request(token, query, {
      from: '2026-05-01T23:59:59.999Z',
      to: '2026-05-02T00:00:00.000Z',
    });
    expect(ok.errors).toBeUndefined();
  });

  const garbage = [
    'garbage',
    Buffer.from('["x"]').toString('base64url'),
    Buffer.from('{"key":1,"id":1}').toString('base64url'),
    Buffer.from('[1,"x"]').toString('base64url'),
  ];

  test.each(['after', 'before'])(
    'meetingMigrations with a garbage %s cursor: INVALID_VALUE naming it',
    async (argument) => {
      for (const cursor of garbage) {
        const result = await server.request(token, LIST, { [argument]: cursor });
        expect(result.errors, cursor).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/not a cursor/),
            extensions: { code: 'INVALID_VALUE', field: argument },
          }),
        ]);
      }
    },
  );

  test('a nested list with a garbage cursor: INVALID_VALUE naming it', async () => {
    const result = await server.request(
      token,
      'query($c: String) { viewer { tenant { users(after: $c) { edges { node { id } } } } } }',
      { c: 'garbage' },
    );
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'after' });
  });

  test('an oversized search string: INVALID_VALUE naming it', async () => {
    const result = await server.request(
      token,
      'query($s: String) { viewer { tenant { users(search: $s) { edges { node { id } } } } } }',
      { s: 's'.repeat(300) },
    );
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'search' });
  });

  test('a negative page size: INVALID_VALUE naming it', async () => {
    const result = await server.request(token, '{ meetingMigrations(first: -1) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'INVALID_VALUE', field: 'first' });
  });

  /** A cursor as the server writes them: base64url of [sort key, id]. */
  const cursor = (key: unknown, id: unknown) => Buffer.from(JSON.stringify([key, id])).toString('base64url');

  // Each is well-formed JSON of the right shape, but its key is not of the kind the list is sorted by, or its
  // id is beyond any row's: PostgreSQL refused to compare them with the column, an unexpected error.
  test.each([
    ['meetingMigrations (by id) with a text key', LIST, cursor('', 1)],
    ['meetingMigrations with an id beyond 32 bits', LIST, cursor(1, 2 ** 31)],
    ['meetingMigrations with a fractional id', LIST, cursor(1, 1.5)],
    [
      'users (by principal name) with a NUL in the key',
      'query($after: String) { viewer { tenant { users(after: $after) { edges { node { id } } } } } }',
      cursor('alice\u0000@contoso.com', 1),
    ],
    [
      'users (by principal name) with a number for the key',
      'query($after: String) { viewer { tenant { users(after: $after) { edges { node { id } } } } } }',
      cursor(1, 1),
    ],
    [
      'meetings (by start) with a key that is no instant',
      'query($after: String) { viewer { tenant { meetings(after: $after) { edges { node { id } } } } } }',
      cursor('not a date', 1),
    ],
    [
      'meetings (by start) with an instant not written as the list writes it',
      'query($after: String) { viewer { tenant { meetings(after: $after) { edges { node { id } } } } } }',
      cursor('2030-01-01', 1),
    ],
    [
      'bridges (by id) with a text key',
      'query($after: String) { viewer { tenant { bridges(after: $after) { edges { node { id } } } } } }',
      cursor('', 1),
    ],
  ])('%s: INVALID_VALUE naming the cursor', async (_case, query, after) => {
    const result = await server.request(token, query, { after });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'after: not a cursor of this list',
        extensions: { code: 'INVALID_VALUE', field: 'after' },
      }),
    ]);
    expect(server.loggedErrors).toEqual([]);
  });

  test.each(['users', 'meetings', 'bridges'])(
    'a real cursor of %s is taken back: the checks refuse only what the list does not write',
    async (list) => {
      const page = await server.gql(token, `{ viewer { tenant { ${list} { edges { cursor } } } } }`);
      const after = page.viewer.tenant[list].edges[0].cursor;
      const next = await server.request(
        token,
        `query($after: String) { viewer { tenant { ${list}(after: $after) { edges { cursor } } } } }`,
        { after },
      );
      expect(next.errors).toBeUndefined();
    },
  );

  test.each([
    ['search', 'query($s: String) { viewer { tenant { users(search: $s) { edges { node { id } } } } } }'],
    ['userSearch', 'query($s: String) { meetingMigrations(userSearch: $s) { edges { node { id } } } }'],
  ])('a %s with a NUL: INVALID_VALUE naming it (PostgreSQL text cannot hold one)', async (field, query) => {
    const result = await server.request(token, query, { s: 'ali\u0000ce' });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `${field}: has the control character U+0000 at character 4`,
        extensions: { code: 'INVALID_VALUE', field },
      }),
    ]);
    expect(server.loggedErrors).toEqual([]);
  });

  test('an ID beyond 32 bits names nothing, as an unknown one: null, and a typed error in a mutation', async () => {
    const beyond = globalId('Tenant', 2 ** 31);
    expect(await server.request(token, 'query($id: ID) { tenant(id: $id) { id } }', { id: beyond })).toEqual({
      status: 200,
      data: { tenant: null },
    });
    await expectRejected(
      'setConferenceId',
      { userId: globalId('User', 2 ** 31), conferenceId: '1234567' },
      {
        __typename: 'NotFoundError',
        field: 'userId',
        message: /not found/,
      },
    );
    expect(server.loggedErrors).toEqual([]);
  });
});

describe('an input that changes nothing', () => {
  test('setDialInConferencingTenantSettings with no setting: the settings as they stand, nothing written', async () => {
    const before = await state();
    const result = await runMutation(
      server,
      token,
      'setDialInConferencingTenantSettings',
      {},
      `tenant { dialInConferencingSettings {
        automaticallyMigrateUserMeetings automaticallyReplaceAcpProvider automaticallySendEmailsToUsers pinLength
      } }`,
    );
    expect(result).toEqual({
      __typename: 'SetDialInConferencingTenantSettingsPayload',
      tenant: { dialInConferencingSettings: before.snapshot.viewer.tenant.dialInConferencingSettings },
    });
    // Nulls say nothing either ("only the fields given change").
    const nulls = await runMutation(server, token, 'setDialInConferencingTenantSettings', {
      pinLength: null,
      automaticallyMigrateUserMeetings: null,
    });
    expect(nulls.__typename).toBe('SetDialInConferencingTenantSettingsPayload');
    expect(await state()).toEqual(before);
    expect(server.loggedErrors).toEqual([]);
  });
});

describe('unexpected errors', () => {
  test('a failure midway through a mutation is masked for the client, logged in full, and rolls back', async () => {
    const before = await state();
    // Unassigning Alice's default number changes her, records a trigger and starts a migration before the
    // number itself is deleted — which is where the storage fails, as a broken disk would.
    const alice = before.snapshot.viewer.tenant.users.edges.find((e: any) => e.node.id === aliceId).node;
    expect(alice.audioConferencing.defaultTollNumber).toEqual({ id: numberId });
    const logged = server.loggedErrors.length;
    const allowDeletes = await refuseDeletes(server.app.database.db, 'bridge_numbers', 'disk on fire');
    try {
      const result = await server.request(
        token,
        'mutation($n: ID!) { unassignBridgeNumber(input: { bridgeNumberId: $n }) { __typename } }',
        { n: numberId },
      );
      expect(result.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
      expect(result.data ?? null).toBeNull();
      expect(JSON.stringify(result)).not.toMatch(/disk on fire|sqlite|postgres|bridge_numbers/i);
      expect(JSON.stringify(server.loggedErrors.slice(logged))).toMatch(/disk on fire/);
    } finally {
      await allowDeletes();
    }
    expect(await state()).toEqual(before);
  });
});
