/**
 * The TUI's GraphQL documents, typed from schema.graphql (through tui/graphql-env.d.ts): a document that
 * asks for something the schema does not have fails the type check, and results need no hand-written types.
 */
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
