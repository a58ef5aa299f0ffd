/** The one Pothos schema builder. Every type module adds to it; index.ts turns it into the schema. */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import WithInputPlugin from '@pothos/plugin-with-input';
import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean; serviceAdmin: boolean };
  Scalars: { DateTime: { Input: Date; Output: Date }; ID: { Input: string; Output: string | number } };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin, ValidationPlugin, WithInputPlugin],
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
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
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
      new GraphQLError(result.issues.map((issue) => `${issuePath(issue.path)}${issue.message}`).join('; '), {
        extensions: { code: 'INVALID_VALUE' },
      }),
  },
});

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function issuePath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  if (!path || path.length === 0) return '';
  return `${path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}: `;
}

builder.addScalarType('DateTime', DateTimeResolver, {});

builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });
