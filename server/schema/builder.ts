/** The one Pothos schema builder. Every type module adds to it; index.ts turns it into the schema. */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import WithInputPlugin from '@pothos/plugin-with-input';
import { GraphQLError, GraphQLScalarType, type GraphQLSchema, isObjectType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits.ts';
import { BEARER_CHALLENGE, type Context } from './context.ts';
import { INPUT_LENGTHS_PLUGIN } from './input-limits.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean; serviceAdmin: boolean };
  Scalars: { DateTime: { Input: Date; Output: Date }; ID: { Input: string; Output: string | number } };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [
    ScopeAuthPlugin,
    ErrorsPlugin,
    RelayPlugin,
    DataloaderPlugin,
    ValidationPlugin,
    WithInputPlugin,
    INPUT_LENGTHS_PLUGIN,
  ],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.viewer !== null,
      serviceAdmin: context.viewer?.kind === 'serviceAdmin',
    }),
    unauthorizedError: (_parent, context, info) =>
      context.viewer
        ? new GraphQLError(
            `Not allowed: ${info.parentType.name}.${info.fieldName} needs the service-admin token`,
            {
              extensions: { code: 'FORBIDDEN' },
            },
          )
        : new GraphQLError('Not authenticated: send "Authorization: Bearer <token>"', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: BEARER_CHALLENGE } },
          }),
  },
  relay: {
    // A malformed global ID, or one of a type that is no node, names nothing: node and nodes answer null
    // for it exactly as for an unknown ID (a Tenant id 0, which no row has).
    decodeGlobalID: (globalId) => {
      try {
        const decoded = decodeGlobalID(globalId);
        if (nodeTypenames.has(decoded.typename)) return decoded;
      } catch {
        // not a global ID at all
      }
      return { typename: 'Tenant', id: '0' };
    },
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    firstArgOptions: {
      description: `Items from the start: ${DEFAULT_PAGE_SIZE} when neither first nor last is given, at most ${MAX_PAGE_SIZE} (more is refused with PAGE_SIZE_LIMIT).`,
    },
    lastArgOptions: {
      description: `Items from the end, at most ${MAX_PAGE_SIZE} (more is refused with PAGE_SIZE_LIMIT).`,
    },
  },
  errors: {
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
  },
  withInput: {
    argOptions: { required: true },
    typeOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Input` },
  },
  validation: {
    validationError: (result) =>
      new GraphQLError(
        result.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`).join('; '),
        {
          extensions: { code: 'INVALID_VALUE', field: issuePath(result.issues[0]?.path) },
        },
      ),
  },
});

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function issuePath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  return (path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
}

/** The object types that implement Node; filled once the schema is built (see index.ts). */
export const nodeTypenames = new Set<string>();

export function registerNodeTypes(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) && type.getInterfaces().some((node) => node.name === 'Node'))
      nodeTypenames.add(type.name);
  }
}

/** A Date keeps milliseconds: finer digits would be cut off in silence, so a value that has them is refused. */
function toMillisecondsOnly(value: unknown): unknown {
  const fraction = typeof value === 'string' ? /T\d\d:\d\d:\d\d\.\d{3}(\d+)/i.exec(value)?.[1] : undefined;
  if (fraction && /[1-9]/.test(fraction)) {
    throw new GraphQLError(
      `DateTime ${value} is more precise than a millisecond, which is the precision kept; round it`,
    );
  }
  return value;
}

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType({
    ...DateTimeResolver.toConfig(),
    parseValue: (value) => DateTimeResolver.parseValue(toMillisecondsOnly(value)),
    // graphql 17 coerces variables with this hook rather than parseValue.
    coerceInputValue: (value) => DateTimeResolver.parseValue(toMillisecondsOnly(value)),
    parseLiteral: (ast, variables) => {
      if (ast.kind === Kind.STRING) toMillisecondsOnly(ast.value);
      return DateTimeResolver.parseLiteral(ast, variables);
    },
  }),
  {},
);

builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });
