/**
 * The GraphQL side of the limits (README "Security and limits"), all enforced before a resolver runs:
 * - tokens, depth, aliases and directives of a document (graphql-armor), refused with a typed 400;
 * - page sizes, `nodes(ids:)` and the cost of an operation, computed with its variables applied;
 * - the length of every input string, declared here for the whole schema.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import {
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { InvalidValueError } from '../domain/errors.ts';
import {
  MAX_BODY_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
} from '../domain/validation.ts';
import {
  DEFAULT_PAGE_SIZE,
  LIMIT_CODES,
  type Limits,
  MAX_NODE_IDS,
  MAX_PAGE_SIZE,
} from '../limits.ts';
import { invalidArgument } from './common.ts';
import type { Context } from './context.ts';

/** A refusal of the whole operation: HTTP 400, `extensions.code` naming the limit. */
export function limitError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/* Documents: tokens, depth, aliases and directives. */

function armorRejection(code: string) {
  return (_context: unknown, error: GraphQLError) => {
    throw limitError(code, error.message.replace(/^Syntax Error: /, ''));
  };
}

function documentLimitsPlugin(limits: Limits) {
  return EnvelopArmorPlugin({
    maxTokens: { n: limits.maxTokens, onReject: [armorRejection(LIMIT_CODES.tokens)] },
    maxDepth: { n: limits.maxDepth, onReject: [armorRejection(LIMIT_CODES.depth)] },
    maxAliases: { n: limits.maxAliases, onReject: [armorRejection(LIMIT_CODES.aliases)] },
    maxDirectives: { onReject: [armorRejection(LIMIT_CODES.directives)] },
    // The cost is computed below, with the operation's variables.
    costLimit: { enabled: false },
  });
}

/* Operations: page sizes, node ids and cost, with the variables applied. */

type Variables = Record<string, unknown>;

/** An argument's value as sent, a variable replaced by its value (or its default). */
function argumentValue(
  field: FieldNode,
  name: string,
  variables: Variables,
  defaults: Variables,
): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  const value: ValueNode = argument.value;
  if (value.kind === Kind.VARIABLE) {
    const variable = value.name.value;
    return variable in variables ? variables[variable] : defaults[variable];
  }
  return valueFromASTUntyped(value, variables);
}

/**
 * The cost of an operation: each field counts once for every item of the pages it is in, so a connection's
 * fields count once per item its `first`/`last` asks for (50 when neither is given), and nested connections
 * multiply. Throws at the first page size or id list over its limit.
 */
function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Variables,
): number {
  const defaults: Variables = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      defaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  // A fragment costs the same wherever it is spread, times the items around it: each is reckoned once.
  const fragmentCosts = new Map<string, number>();

  function itemsPerParent(field: FieldNode, definition: GraphQLField<unknown, unknown>, where: string) {
    const args = new Set(definition.args.map((arg) => arg.name));
    if (args.has('first') && args.has('last')) {
      const first = argumentValue(field, 'first', variables, defaults);
      const last = argumentValue(field, 'last', variables, defaults);
      const size = typeof first === 'number' ? first : typeof last === 'number' ? last : DEFAULT_PAGE_SIZE;
      if (size > MAX_PAGE_SIZE) {
        throw limitError(
          LIMIT_CODES.pageSize,
          `${where}: at most ${MAX_PAGE_SIZE} items a page, not ${size}; ask for the next page with after`,
          { field: where, limit: MAX_PAGE_SIZE },
        );
      }
      return Math.max(size, 0);
    }
    if (where === 'Query.nodes') {
      const ids = argumentValue(field, 'ids', variables, defaults);
      const count = Array.isArray(ids) ? ids.length : 1;
      if (count > MAX_NODE_IDS) {
        throw limitError(LIMIT_CODES.nodes, `nodes: at most ${MAX_NODE_IDS} ids, not ${count}`, {
          field: 'ids',
          limit: MAX_NODE_IDS,
        });
      }
      return count;
    }
    return 1;
  }

  function cost(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, path: string[]): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const definition =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        // Unknown fields were refused by validation already.
        if (!definition || !parent) continue;
        const items = itemsPerParent(selection, definition, `${parent.name}.${name}`);
        total += 1;
        if (selection.selectionSet)
          total += items * cost(selection.selectionSet, getNamedType(definition.type), path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += cost(selection.selectionSet, type, path);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment spread within itself was refused by validation already.
        if (!fragment || path.includes(name)) continue;
        let fragmentCost = fragmentCosts.get(name);
        if (fragmentCost === undefined) {
          fragmentCost = cost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), [
            ...path,
            name,
          ]);
          fragmentCosts.set(name, fragmentCost);
        }
        total += fragmentCost;
      }
    }
    return total;
  }

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return cost(operation.selectionSet, root ?? undefined, []);
}

/** Why the operation about to run is refused, or null. */
function operationLimitError(args: ExecutionArgs, limits: Limits): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!args.operationName || definition.name?.value === args.operationName)
    )
      operation ??= definition;
  }
  // No operation to run: execution itself says so.
  if (!operation) return null;
  const variables = (args.variableValues ?? {}) as Variables;
  try {
    const cost = operationCost(args.schema, operation, fragments, variables);
    if (cost <= limits.maxCost) return null;
    return limitError(
      LIMIT_CODES.cost,
      `The operation costs ${cost}, over the limit of ${limits.maxCost}: ask for smaller pages or fewer fields`,
      { cost, limit: limits.maxCost },
    );
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
}

/** Refuses an operation over a limit before it runs, over HTTP and graphql-ws alike. */
function operationLimitsPlugin(limits: Limits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = operationLimitError(args, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = operationLimitError(args, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

export function graphqlLimitsPlugins(limits: Limits): Plugin[] {
  return [documentLimitsPlugin(limits), operationLimitsPlugin(limits)];
}

/* graphql-ws. */

/** The refusal of one more operation on a socket that has `open` running already, or null. */
export function subscriptionLimitError(open: number, max: number): GraphQLError | null {
  return open < max
    ? null
    : limitError(
        LIMIT_CODES.subscriptions,
        `At most ${max} operations may run at once on one WebSocket: complete one first, or open another socket`,
        { limit: max },
      );
}

/** What `prepare` returns, or the GraphQL error it threw (a syntax error, a document over a limit). */
export async function operationFailure<T>(prepare: () => Promise<T>): Promise<T | GraphQLError[]> {
  try {
    return await prepare();
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}

/* Input strings. */

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
  'Query.meetingMigrations(userSearch:)': MAX_NAME_LENGTH,
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

function hasStrings(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    if (seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((field) => hasStrings(field.type, seen));
  }
  return named.name === 'String' || named.name === 'ID';
}

/** Every input's own coordinate checked once, so a String input without a declared limit stops start-up. */
function checkDeclared(schema: GraphQLSchema): void {
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

/**
 * Refuses an over-long input string before the field's resolver runs. A mutation answers with its
 * InvalidValueError, as for any bad value; a query or subscription argument is a GraphQL error naming it.
 * Without a viewer the field's own access check answers first.
 */
export function limitInputStrings(schema: GraphQLSchema): void {
  checkDeclared(schema);
  const mutationType = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((arg) => hasStrings(arg.type))) continue;
      const violation = (args: Record<string, unknown>) => {
        for (const arg of field.args) {
          const found = tooLong(
            args[arg.name],
            arg.type,
            `${type.name}.${field.name}(${arg.name}:)`,
            arg.name,
            // A mutation's fields are named as in its input, as its other checks name them.
            type === mutationType ? '' : arg.name,
          );
          if (found) return new InvalidValueError(found.field, `must be at most ${found.limit} characters`);
        }
        return null;
      };
      const guard = <R extends (...a: any[]) => unknown>(run: R | undefined, answer: 'result' | 'throw') => {
        if (!run) return run;
        return ((source: unknown, args: Record<string, unknown>, context: Context, info: unknown) => {
          const error = context.viewer ? violation(args) : null;
          if (!error) return run(source, args, context, info);
          if (answer === 'result') return error;
          throw invalidArgument(error);
        }) as unknown as R;
      };
      field.resolve = guard(field.resolve, type === mutationType ? 'result' : 'throw');
      field.subscribe = guard(field.subscribe, 'throw');
    }
  }
}
