/**
 * The longest value of every String (and ID) input of the schema, declared here in one place, and checked
 * before a field's resolver runs: a mutation answers with InvalidValueError naming the input field, a query
 * or subscription with an INVALID_VALUE error naming the argument. Nothing is read or changed first.
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import {
  GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { InvalidValueError } from '../domain/errors.ts';
import { MAX_BODY_LENGTH, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_URL_LENGTH } from '../domain/validation.ts';

/** An invalid query argument: queries have no payload, so it is a GraphQL error naming the argument. */
export function invalidArgument(error: InvalidValueError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: 'INVALID_VALUE', field: error.field } });
}

const MAX_ID_LENGTH = 256;
const MAX_CURSOR_LENGTH = 2048;
const MAX_EMAIL_LENGTH = 254;
/** sip: and an e-mail address. */
const MAX_SIP_ADDRESS_LENGTH = 258;
const MAX_DOMAIN_LENGTH = 253;

/**
 * The longest value of every String input of the schema, by coordinate. IDs are at most MAX_ID_LENGTH and
 * cursors (after, before) at most MAX_CURSOR_LENGTH. A String input missing here stops the server from
 * building its schema.
 */
export const INPUT_STRING_LIMITS: Record<string, number> = {
  'AddBridgeNumberInput.city': MAX_NAME_LENGTH,
  'AddBridgeNumberInput.country': MAX_NAME_LENGTH,
  'AddBridgeNumberInput.language': MAX_NAME_LENGTH,
  'AddBridgeNumberInput.number': MAX_NAME_LENGTH,
  'AttendeeInput.email': MAX_EMAIL_LENGTH,
  'CancelMeetingMigrationsInput.failureReason': MAX_TEXT_LENGTH,
  'AttendeeInput.name': MAX_NAME_LENGTH,
  'ContentItemInput.title': MAX_NAME_LENGTH,
  'ContentItemInput.url': MAX_URL_LENGTH,
  'CreateBridgeInput.name': MAX_NAME_LENGTH,
  'CreateOperatorTokenInput.name': MAX_NAME_LENGTH,
  'CreateTenantInput.meetingUrl': MAX_URL_LENGTH,
  'CreateTenantInput.name': MAX_NAME_LENGTH,
  'CreateTenantInput.primaryDomain': MAX_DOMAIN_LENGTH,
  'CreateUserInput.displayName': MAX_NAME_LENGTH,
  'CreateUserInput.sipAddress': MAX_SIP_ADDRESS_LENGTH,
  'CreateUserInput.userPrincipalName': MAX_EMAIL_LENGTH,
  'OverriddenOccurrenceInput.body': MAX_BODY_LENGTH,
  'OverriddenOccurrenceInput.location': MAX_NAME_LENGTH,
  'OverriddenOccurrenceInput.subject': MAX_NAME_LENGTH,
  'Query.meetingMigrations(failureReason:)': MAX_TEXT_LENGTH,
  'Query.meetingMigrations(userSearch:)': MAX_NAME_LENGTH,
  'RetryMeetingMigrationsInput.failureReason': MAX_TEXT_LENGTH,
  'ScheduleMeetingInput.body': MAX_BODY_LENGTH,
  'ScheduleMeetingInput.location': MAX_NAME_LENGTH,
  'ScheduleMeetingInput.recurrence': MAX_TEXT_LENGTH,
  'ScheduleMeetingInput.sharedNotesUrl': MAX_URL_LENGTH,
  'ScheduleMeetingInput.subject': MAX_NAME_LENGTH,
  'ScheduleMeetingInput.timeZone': MAX_NAME_LENGTH,
  'ScheduleMeetingInput.uid': MAX_NAME_LENGTH,
  'SetAudioConferencingProviderInput.thirdPartyDialInText': MAX_TEXT_LENGTH,
  'SetAudioConferencingProviderInput.thirdPartyProviderName': MAX_NAME_LENGTH,
  'SetConferenceIdInput.conferenceId': MAX_NAME_LENGTH,
  'SetUserSipAddressInput.sipAddress': MAX_SIP_ADDRESS_LENGTH,
  'Tenant.users(search:)': MAX_NAME_LENGTH,
  'UpdateMeetingBodyInput.body': MAX_BODY_LENGTH,
  'UpdateTenantMeetingUrlInput.meetingUrl': MAX_URL_LENGTH,
};

/** The longest value a String or ID input at this coordinate takes; null for inputs of other types. */
function stringLimit(type: GraphQLInputType, coordinate: string, name: string): number | null {
  const scalar = getNamedType(type);
  if (!isScalarType(scalar)) return null;
  if (scalar.name === 'ID') return MAX_ID_LENGTH;
  if (scalar.name !== 'String') return null;
  if (name === 'after' || name === 'before') return MAX_CURSOR_LENGTH;
  const limit = INPUT_STRING_LIMITS[coordinate];
  if (limit === undefined) throw new Error(`${coordinate} has no length limit in INPUT_STRING_LIMITS`);
  return limit;
}

interface LengthViolation {
  field: string;
  limit: number;
}

/** The first string in `value` longer than its input allows. */
function tooLong(
  value: unknown,
  type: GraphQLInputType,
  coordinate: string,
  name: string,
  path: string,
): LengthViolation | null {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return tooLong(value, nullable.ofType, coordinate, name, path);
    for (const [index, item] of value.entries()) {
      const found = tooLong(item, nullable.ofType, coordinate, name, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(nullable)) {
    for (const field of Object.values(nullable.getFields())) {
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      const found = tooLong(
        (value as Record<string, unknown>)[field.name],
        field.type,
        `${nullable.name}.${field.name}`,
        field.name,
        fieldPath,
      );
      if (found) return found;
    }
    return null;
  }
  const limit = stringLimit(nullable, coordinate, name);
  return limit !== null && typeof value === 'string' && value.length > limit ? { field: path, limit } : null;
}

/** The first over-long string among a field's arguments, as the error its clients get; null when none. */
function lengthViolation(
  field: GraphQLField<unknown, unknown>,
  parentName: string,
  args: Record<string, unknown>,
  isMutation: boolean,
): InvalidValueError | null {
  for (const arg of field.args) {
    const found = tooLong(
      args[arg.name],
      arg.type,
      `${parentName}.${field.name}(${arg.name}:)`,
      arg.name,
      // A mutation's fields are named as in its input, as its other checks name them.
      isMutation ? '' : arg.name,
    );
    if (found) return new InvalidValueError(found.field, `must be at most ${found.limit} characters`);
  }
  return null;
}

/**
 * Checks the arguments of every field that has any. It wraps inside the scope and errors plugins: access is
 * checked first, and a mutation's InvalidValueError becomes its payload.
 */
class InputLengthsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private guard<R extends GraphQLFieldResolver<unknown, Types['Context'], object>>(
    run: R,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): R {
    if (Object.keys(fieldConfig.args).length === 0) return run;
    const isMutation = fieldConfig.kind === 'Mutation';
    return ((source: unknown, args: Record<string, unknown>, context: object, info: GraphQLResolveInfo) => {
      const definition = info.parentType.getFields()[info.fieldName];
      const error = definition && lengthViolation(definition, info.parentType.name, args, isMutation);
      if (error) throw isMutation ? error : invalidArgument(error);
      return run(source, args, context, info);
    }) as R;
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ) {
    return this.guard(resolver, fieldConfig);
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ) {
    return subscribe && this.guard(subscribe, fieldConfig);
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      inputLengths: InputLengthsPlugin<Types>;
    }
  }
}

export const INPUT_LENGTHS_PLUGIN = 'inputLengths';
SchemaBuilder.registerPlugin(INPUT_LENGTHS_PLUGIN, InputLengthsPlugin);

/** Stops the schema from being built while a String input has no declared limit. */
export function checkInputLimitsDeclared(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        stringLimit(field.type, `${type.name}.${field.name}`, field.name);
    }
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args)
          stringLimit(arg.type, `${type.name}.${field.name}(${arg.name}:)`, arg.name);
      }
    }
  }
}
