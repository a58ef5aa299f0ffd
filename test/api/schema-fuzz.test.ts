/**
 * No input reaches the database as an error (SPEC §6). Every mutation, every query field, and every field
 * with arguments reachable from a query is sent values made from its argument types in schema.graphql —
 * real and made-up global IDs, enums, input objects with fields missing, null or extra, long strings, odd
 * Unicode, numbers at their bounds, made-up cursors — as an operator and as the service admin. Whatever the
 * values, the answer is never an unexpected error, nothing is logged as one, and an input that was refused
 * (a typed error or a GraphQL error) changed nothing in the database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isRequiredArgument,
  isRequiredInputField,
  isUnionType,
} from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import {
  addBridge,
  createTenantWithOperator,
  createUser,
  globalId,
  mutate,
  scheduleMeeting,
  startMeetingMigration,
  tenantSnapshot,
} from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

const schema = buildSchema(readFileSync(join(PROJECT_ROOT, 'schema.graphql'), 'utf8'));

/**
 * Requests per operation: some 550 in all, half a minute or less per backend on a busy machine. Set
 * MMS_FUZZ_RUNS higher to search longer (each run draws new values: fast-check prints the seed of a failure).
 */
const RUNS = Number(process.env.MMS_FUZZ_RUNS ?? 12);

let server: TestServer;
let operatorToken: string;
/** Global IDs of real objects of both tenants, by type, harvested from what the operators can see. */
const realIds = new Map<string, string[]>();
/** The cursors of real pages, to be sent where any cursor goes. */
const realCursors: string[] = [];

beforeAll(async () => {
  server = await startServer();
  const contoso = await createTenantWithOperator(server, 'contoso.com');
  const fabrikam = await createTenantWithOperator(server, 'fabrikam.com');
  operatorToken = contoso.token;
  for (const [domain, token, prefix] of [
    ['contoso.com', contoso.token, '+1425555'],
    ['fabrikam.com', fabrikam.token, '+1206555'],
  ] as const) {
    await addBridge(server, token, {
      name: 'Main',
      numbers: [{ number: `${prefix}0100` }, { number: `${prefix}0101`, tollFree: true }],
    });
    const alice = await createUser(server, token, { userPrincipalName: `alice@${domain}`, licensed: true });
    const bob = await createUser(server, token, {
      userPrincipalName: `bob@${domain}`,
      skypeHosting: 'ON_PREMISES',
    });
    await scheduleMeeting(server, token, alice, { recurrence: 'FREQ=WEEKLY;COUNT=4' });
    await startMeetingMigration(server, token, alice);
    const { migrationId } = await startMeetingMigration(server, token, bob);
    await mutate(server, token, 'cancelMeetingMigration', { migrationId }, '__typename');
    harvest(await tenantSnapshot(server, token));
  }
  const page = await server.gql(operatorToken, '{ meetingMigrations(first: 1) { edges { cursor } } }');
  realCursors.push(...page.meetingMigrations.edges.map((edge: { cursor: string }) => edge.cursor));
}, 60_000);
afterAll(() => server?.stop());

/** Collects every `id` in a response, by the type its global ID names. */
function harvest(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) harvest(item);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'id' && typeof inner === 'string') {
        const typename = Buffer.from(inner, 'base64').toString('utf8').split(':')[0] as string;
        realIds.set(typename, [...new Set([...(realIds.get(typename) ?? []), inner])]);
      } else harvest(inner);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Values from types

const NODE_TYPES = schema.getPossibleTypes(schema.getType('Node') as never).map((type) => type.name);

const numberAtBounds = fc.constantFrom(
  0,
  -1,
  1,
  2,
  3,
  4,
  12,
  13,
  15,
  16,
  100,
  101,
  500,
  501,
  2 ** 31 - 1,
  -(2 ** 31),
);

const globalIds = fc.oneof(
  // null: no made-up ID, a real one instead.
  { weight: 4, arbitrary: fc.constant(null) },
  fc
    .tuple(
      fc.constantFrom(...NODE_TYPES, 'Nope', ''),
      fc.oneof(
        fc.integer({ min: -3, max: 40 }).map(String),
        fc.constantFrom(
          '0',
          '2147483647',
          '2147483648',
          '4294967296',
          '9007199254740993',
          '1e21',
          '1.5',
          ' 1',
          '0x10',
          'abc',
          '',
        ),
      ),
    )
    .map(([typename, id]) => globalId(typename, id)),
  fc.constantFrom('', 'abc', '=', 'VXNlcjox\n', '%%%', '\u0000', '😀'),
);

/** The type of object an ID argument or input field names, by its name; null where any node goes. */
function idTypeOf(name: string): string | null {
  const typename = {
    userId: 'User',
    organizerId: 'User',
    bridgeId: 'Bridge',
    bridgeNumberId: 'BridgeNumber',
    meetingId: 'Meeting',
    migrationId: 'MeetingMigration',
    tenantId: 'Tenant',
    invitationUpdateId: 'InvitationUpdate',
  }[name];
  return typename ?? null;
}

/** A global ID: mostly of a real object (either tenant's) of the type the field names, else made up. */
function idValue(name: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...NODE_TYPES),
      fc.nat(),
      fc.nat(3).map((n) => n > 0),
      globalIds,
    )
    .map(([anyType, index, ofTheNamedType, madeUp]) => {
      const typename = (ofTheNamedType && idTypeOf(name)) || anyType;
      const ids = realIds.get(typename) ?? [];
      return madeUp ?? ids[index % Math.max(ids.length, 1)] ?? globalId(typename, 1);
    });
}

const oddText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202eevil',
  '\u200d\u200b\ufeff',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '\u2028\u2029',
  'line\nbreak',
  'tab\there',
  '\r\n',
  "'; drop table users; --",
  '%',
  '_',
  '\\',
  '*',
  '"',
  'NULL',
  'null',
  '0',
  '-1',
  '1e309',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
);

const longText = fc
  .tuple(fc.constantFrom('a', 'é', '😀', ' ', '9'), fc.constantFrom(64, 255, 256, 257, 4096, 4097, 200_001))
  .map(([unit, length]) => unit.repeat(length));

/** Values that look right for the field named, so that checks past the first one are reached too. */
function plausibleText(name: string): fc.Arbitrary<string> {
  const alias = fc.constantFrom('alice', 'bob', 'carol', 'new.user', 'UPPER', 'x');
  const domain = fc.constantFrom(
    'contoso.com',
    'fabrikam.com',
    'sub.contoso.com',
    'example.org',
    'Contoso.com',
  );
  const lower = name.toLowerCase();
  if (/email|principalname/.test(lower)) return fc.tuple(alias, domain).map(([a, d]) => `${a}@${d}`);
  if (/sip/.test(lower)) return fc.tuple(alias, domain).map(([a, d]) => `sip:${a}@${d}`);
  if (/number/.test(lower))
    return fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((n) => `+1425555${String(n).padStart(4, '0')}`),
      fc.constantFrom('+1', '+0123456789', '14255550100'),
    );
  if (/domain/.test(lower)) return domain;
  if (/url/.test(lower))
    return fc.constantFrom(
      'https://meet.contoso.com',
      'https://example.com/notes',
      'http://a.b',
      'https://x.com/',
      'https://x.com?q=1',
      'ftp://x.com',
      'javascript:alert(1)',
      'https://exa mple.com',
    );
  if (/timezone/.test(lower))
    return fc.constantFrom(
      'Europe/Berlin',
      'UTC',
      'Asia/Calcutta',
      'europe/berlin',
      '+02:00',
      'Mars/Olympus',
    );
  if (/recurrence/.test(lower))
    return fc.constantFrom(
      'FREQ=WEEKLY;COUNT=10',
      'FREQ=DAILY',
      'FREQ=DAILY;UNTIL=22000101T000000Z',
      'FREQ=SECONDLY;COUNT=100000',
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      'FREQ=MONTHLY;BYDAY=5FR;COUNT=3',
      'RRULE:FREQ=WEEKLY',
      'FREQ=WEEKLY;INTERVAL=0',
      'FREQ=HOURLY;BYSETPOS=-400',
    );
  if (/country/.test(lower)) return fc.constantFrom('US', 'us', 'DE', 'USA', 'U1');
  if (/language/.test(lower)) return fc.constantFrom('en-US', 'de', 'EN', 'en-us', 'xx-YY');
  if (/conferenceid/.test(lower))
    return fc.integer({ min: 0, max: 20 }).chain((n) => fc.stringMatching(new RegExp(`^\\d{${n}}$`)));
  if (/after|before/.test(lower)) return cursors;
  return fc.constantFrom('Weekly sync', 'Main', 'Contoso Ltd', 'Ünïcödé', 'x');
}

/** Made-up cursors: base64url of JSON arrays of every shape, as well as real ones. */
const cursors = fc.oneof(
  // Read when the value is made, once beforeAll has found the real cursors.
  fc.constant(null).map(() => realCursors[0] ?? ''),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '2030-01-01T00:00:00.000Z',
          'alice@contoso.com',
          'not a date',
          '',
          1,
          1.5,
          -1,
          2 ** 31,
          1e300,
        ),
        fc.string(),
      ),
      fc.oneof(fc.constantFrom(1, 0, -1, 1.5, 2 ** 31, 2 ** 53, 1e300), fc.integer()),
    )
    .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url')),
  fc.constantFrom(
    '',
    'abc',
    Buffer.from('[]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ),
);

/**
 * Any code point, or half of a surrogate pair alone (fast-check's own 'binary' unit costs seconds to set
 * up, long enough for the server to drop the client's idle connection).
 */
const anyCodeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
);

/** Text thick with control characters, halves of surrogate pairs and characters of every width. */
const controlSoup = fc.string({
  unit: fc.constantFrom(
    '\u0000',
    '\u0001',
    '\u001f',
    '\u007f',
    '\u0085',
    '\ud800',
    '\udc00',
    'a',
    'é',
    '😀',
    '\n',
    '%',
  ),
  minLength: 1,
  maxLength: 12,
});

function stringValue(name: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: plausibleText(name) },
    { weight: 2, arbitrary: oddText },
    { weight: 1, arbitrary: controlSoup },
    { weight: 1, arbitrary: longText },
    { weight: 1, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  );
}

const dateTimes = fc.oneof(
  fc
    .date({
      min: new Date('1899-06-01T00:00:00Z'),
      max: new Date('2201-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '1900-01-01T00:00:00.000Z',
    '2199-12-31T23:59:59.999Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2030-03-04T09:00:00+14:00',
    '2030-03-04',
    'now',
    '',
  ),
);

/**
 * Whether values may also break the types: a wrong kind of value, null for a non-null type, an enum value
 * that does not exist, an input object missing a required field or with an unknown one. GraphQL itself
 * must refuse those cleanly; well-typed values reach the resolvers.
 */
type Typing = 'well-typed' | 'sloppy';

/** A value of the type (see Typing). */
function typedValue(type: GraphQLInputType, name: string, typing: Typing, depth = 0): fc.Arbitrary<unknown> {
  const or = (value: fc.Arbitrary<unknown>, wrong: fc.Arbitrary<unknown>) =>
    typing === 'sloppy' ? fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: wrong }) : value;
  const wrongKind = fc.constantFrom<unknown>(null, 'text', 12, 1.5, true, [], {});
  if (isNonNullType(type)) return or(typedValue(type.ofType, name, typing, depth), fc.constant(null));
  if (isListType(type)) {
    const item = typedValue(type.ofType, name, typing, depth + 1);
    return fc.oneof(
      { weight: 10, arbitrary: fc.array(item, { maxLength: depth > 0 ? 2 : 4 }) },
      { weight: 1, arbitrary: fc.array(item, { minLength: 101, maxLength: 120 }) },
    );
  }
  if (isEnumType(type)) {
    return or(fc.constantFrom(...type.getValues().map((v) => v.name)), fc.constantFrom('NOPE', '', 'all'));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const model = Object.fromEntries(
      fields.map((field) => [field.name, argumentValue(field.type, field.name, typing, depth + 1)]),
    );
    const required = fields.filter(isRequiredInputField).map((field) => field.name);
    const complete = fc.record(model, { requiredKeys: required });
    // Now and then only the required fields: an input that says nothing more than it must.
    const bare = fc.record(
      Object.fromEntries(required.map((field) => [field, model[field] as fc.Arbitrary<unknown>])),
    );
    return or(
      fc.oneof({ weight: 3, arbitrary: complete }, { weight: 1, arbitrary: bare }),
      fc.oneof(
        fc.record(model, { requiredKeys: [] }),
        complete.map((value) => ({ ...value, unknownField: 1 })),
        wrongKind,
      ),
    );
  }
  const scalar =
    type.name === 'ID'
      ? idValue(name)
      : type.name === 'Int'
        ? fc.oneof(numberAtBounds, fc.integer({ min: -5, max: 60 }))
        : type.name === 'Boolean'
          ? fc.boolean()
          : type.name === 'DateTime'
            ? dateTimes
            : stringValue(name);
  return or(scalar, wrongKind);
}

/** An argument or input field: a value, or for a nullable one also null or left out (see argumentsOf). */
function argumentValue(type: GraphQLInputType, name: string, typing: Typing, depth: number) {
  return isNonNullType(type)
    ? typedValue(type, name, typing, depth)
    : fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 4, arbitrary: typedValue(type, name, typing, depth) },
      );
}

// ---------------------------------------------------------------------------------------------------------
// Operations from the schema

interface Target {
  label: string;
  kind: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** The selection around the field: `viewer { tenant { … } }` for a field of Tenant. */
  wrap: (inner: string) => string;
}

/** The fields of a composite type without required arguments, leaves first; one level deep for objects. */
function selectionOf(type: GraphQLNamedType, depth: number, alias = ''): string {
  if (isLeafType(type)) return '';
  if (isUnionType(type) || isInterfaceType(type)) {
    const members = isUnionType(type) ? type.getTypes() : schema.getPossibleTypes(type);
    // Each member's fields under names of their own: fields of one name but different types would conflict.
    const fragments = members.map(
      (member) => `... on ${member.name} ${selectionOf(member, depth, `${member.name}_`)}`,
    );
    return `{ __typename ${fragments.join(' ')} }`;
  }
  const fields = Object.values((type as GraphQLObjectType).getFields()).filter(
    (field) => !field.args.some(isRequiredArgument),
  );
  const parts = fields.flatMap((field) => {
    const named = getNamedType(field.type);
    const name = alias ? `${alias}${field.name}: ${field.name}` : field.name;
    if (isLeafType(named)) return [name];
    return depth > 0 ? [`${name} ${selectionOf(named, depth - 1)}`] : [];
  });
  return `{ __typename ${parts.join(' ')} }`;
}

/** The shortest way from Query to each object type, through fields that need no arguments. */
function pathsFromQuery(): Map<string, (inner: string) => string> {
  const paths = new Map<string, (inner: string) => string>([['Query', (inner) => inner]]);
  const queue: GraphQLObjectType[] = [schema.getQueryType() as GraphQLObjectType];
  while (queue.length > 0) {
    const type = queue.shift() as GraphQLObjectType;
    const around = paths.get(type.name) as (inner: string) => string;
    for (const field of Object.values(type.getFields())) {
      if (field.args.some(isRequiredArgument)) continue;
      const named = getNamedType(field.type);
      const reached = isObjectType(named)
        ? [named]
        : isUnionType(named) || isInterfaceType(named)
          ? schema.getPossibleTypes(named)
          : [];
      for (const next of reached) {
        if (paths.has(next.name)) continue;
        const fragment =
          next === named ? (inner: string) => inner : (inner: string) => `... on ${next.name} { ${inner} }`;
        paths.set(next.name, (inner) => around(`${field.name} { __typename ${fragment(inner)} }`));
        queue.push(next);
      }
    }
  }
  return paths;
}

function targets(): Target[] {
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {}).map(
    (field): Target => ({ label: `mutation ${field.name}`, kind: 'mutation', field, wrap: (inner) => inner }),
  );
  const queries: Target[] = [];
  for (const [typename, wrap] of pathsFromQuery()) {
    const type = schema.getType(typename) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) {
      if (typename === 'Query' || field.args.length > 0) {
        queries.push({ label: `query ${typename}.${field.name}`, kind: 'query', field, wrap });
      }
    }
  }
  return [...mutations, ...queries];
}

/** A variable's type: the argument's, but nullable where the argument has a default, so it may be left out. */
function variableType(arg: GraphQLArgument): string {
  return (isRequiredArgument(arg) || !isNonNullType(arg.type) ? arg.type : arg.type.ofType).toString();
}

/** The operation text, its variables, and which token sends it. */
function requests(target: Target) {
  const args = target.field.args;
  const required = args.filter(isRequiredArgument).map((arg) => arg.name);
  const variablesOf = (typing: Typing) =>
    fc.record(
      Object.fromEntries(
        args.map((arg: GraphQLArgument) => [arg.name, argumentValue(arg.type, arg.name, typing, 0)]),
      ),
      // Optional arguments are left out now and then; sloppy requests may leave out required ones too.
      { requiredKeys: typing === 'sloppy' ? [] : required },
    );
  const variables = fc.oneof(
    { weight: 5, arbitrary: variablesOf('well-typed') },
    { weight: 1, arbitrary: variablesOf('sloppy') },
  );
  const declared = args.map((arg) => `$${arg.name}: ${variableType(arg)}`).join(', ');
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const call = `${target.field.name}${args.length > 0 ? `(${passed})` : ''} ${selectionOf(getNamedType(target.field.type), 1)}`;
  const query = `${target.kind}${declared ? `(${declared})` : ''} { ${target.wrap(call)} }`;
  return fc.record({ variables, asAdmin: fc.boolean() }).map((request) => ({ ...request, query }));
}

// ---------------------------------------------------------------------------------------------------------
// What must hold

/** Every row of every table, in a stable order: equal dumps mean nothing at all changed. */
async function databaseDump(): Promise<Record<string, unknown[]>> {
  const { db } = server.app.database;
  tables ??= (await db.introspection.getTables())
    .map((table) => table.name)
    // Each process's own heartbeat as a reader of the live events feed, renewed whatever the requests.
    .filter((name) => name !== 'live_event_readers');
  const dumps = await Promise.all(
    tables.map(async (name) => {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
      return [name, rows.rows.map((row) => JSON.stringify(row)).sort()] as const;
    }),
  );
  return Object.fromEntries(dumps);
}
let tables: string[] | undefined;

/** The tables whose rows differ between two dumps, each with a row that is new or changed. */
function changedTables(before: Record<string, unknown[]>, after: Record<string, unknown[]>) {
  return Object.keys({ ...before, ...after }).flatMap((table) => {
    const was = new Set(before[table] ?? []);
    const now = after[table] ?? [];
    if (now.length === was.size && now.every((row) => was.has(row))) return [];
    return [
      { table, rows: `${was.size} → ${now.length}`, differing: now.find((row) => !was.has(row)) ?? null },
    ];
  });
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A refusal: any GraphQL error, or a typed error (a member of the Error interface) anywhere in the data. */
function refused(answer: Answer): boolean {
  if (answer.errors && answer.errors.length > 0) return true;
  const errorTypes = new Set(
    schema.getPossibleTypes(schema.getType('Error') as never).map((type) => type.name),
  );
  const hasTypedError = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(hasTypedError)
      : value !== null && typeof value === 'object'
        ? errorTypes.has((value as { __typename?: string }).__typename ?? '') ||
          Object.values(value).some(hasTypedError)
        : false;
  return hasTypedError(answer.data);
}

describe.each(targets().map((target) => [target.label, target] as const))('%s', (_label, target) => {
  test(
    'never an unexpected error; a refusal changes nothing',
    async () => {
      let before = await databaseDump();
      await fc.assert(
        fc.asyncProperty(requests(target), async ({ query, variables, asAdmin }) => {
          const token = asAdmin ? server.adminToken : operatorToken;
          const response = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          });
          const text = await response.text();
          // Taken out at once, so that one failure is not reported again by every operation after it.
          const logged = server.loggedErrors.splice(0);
          const answer = JSON.parse(text) as Answer;
          const context = `${JSON.stringify(variables).slice(0, 2000)} → ${text.slice(0, 2000)}`;
          expect(response.status, context).toBeLessThan(500);
          expect(answer.errors?.map((error) => error.extensions?.code) ?? [], context).not.toContain(
            'INTERNAL_SERVER_ERROR',
          );
          expect(text, context).not.toMatch(/Unexpected error/i);
          expect(logged, context).toEqual([]);
          const after = await databaseDump();
          if (target.kind === 'query' || refused(answer))
            expect(changedTables(before, after), context).toEqual([]);
          before = after;
        }),
        { numRuns: RUNS },
      );
    },
    20_000 + RUNS * 2_000,
  );
});
