import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { GraphQLEnumType } from 'graphql';
import { describe, expect, test } from 'vitest';
import { schemaFiles } from '../server/cli/schema-files.ts';
import { schema } from '../server/schema/index.ts';

describe('schema.graphql', () => {
  test.each(schemaFiles().map(({ file, content }) => [basename(file.pathname), file, content] as const))(
    '%s is printed from the schema the code builds (run `npm run schema:print` after changing the schema)',
    (_name, file, content) => {
      expect(readFileSync(file, 'utf8')).toBe(content);
    },
  );

  const queryFields = Object.keys(schema.getQueryType()?.getFields() ?? {});
  const mutationFields = Object.keys(schema.getMutationType()?.getFields() ?? {});

  test.each(['node', 'nodes', 'viewer', 'tenant', 'tenants', 'meetingMigrations', 'meetingMigrationSummary'])(
    'has the query %s',
    (name) => {
      expect(queryFields).toContain(name);
    },
  );

  test.each([
    'startMeetingMigration',
    'setTenantMigrationConfiguration',
    'setDialInConferencingTenantSettings',
    'updateTenantMeetingUrl',
    'moveUser',
    'grantTeamsUpgradePolicy',
    'assignAudioConferencingLicense',
    'removeAudioConferencingLicense',
    'setAudioConferencingProvider',
    'setDialInConferencing',
    'setConferenceId',
    'resetConferenceId',
    'moveUserToBridge',
    'unassignBridgeNumber',
    'setUserSipAddress',
    'setMailboxLocation',
    'scheduleMeeting',
    'retryMeetingMigration',
    'cancelMeetingMigration',
    'createTenant',
    'createOperatorToken',
    'createUser',
    'createBridge',
    'addBridgeNumber',
  ])('has the mutation %s with one input argument and a result union with typed errors', (name) => {
    const field = schema.getMutationType()?.getFields()[name];
    expect(mutationFields).toContain(name);
    expect(field?.args.map((arg) => arg.name)).toEqual(['input']);
    const result = field?.type.toString().replace('!', '') ?? '';
    const union = schema.getType(result);
    const members = union && 'getTypes' in union ? union.getTypes().map((type) => type.name) : [];
    expect(members).toEqual(
      expect.arrayContaining(['NotFoundError', 'InvalidValueError', 'NotAllowedError']),
    );
  });

  test('every enum value is SCREAMING_CASE', () => {
    const enums = Object.values(schema.getTypeMap()).filter(
      (type): type is GraphQLEnumType => type instanceof GraphQLEnumType && !type.name.startsWith('__'),
    );
    const values = enums.flatMap((type) => type.getValues().map((value) => value.name));
    expect(values.length).toBeGreaterThan(30);
    for (const value of values) expect(value).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});
