/**
 * The TUI's GraphQL documents, typed from schema.graphql (through tui/graphql-env.d.ts): every document is
 * written with `graphql()`, its result and variables read with ResultOf and VariablesOf, never written by
 * hand. gql.tada types a field the schema lacks as `unknown` rather than failing the type check, so
 * test/tui/documents.test.ts validates every document against schema.graphql as well.
 */
import { initGraphQLTada, type TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; ID: string };
  // A fragment shares a selection between documents; it hides nothing, so screens read its fields directly.
  disableMasking: true;
}>();

export type { ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';

/** A document as sent over graphql-ws or a plain HTTP POST: its text (fragments included) and variables. */
export function requestOf<Result, Variables>(
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
): { query: string; variables: Variables } {
  return { query: print(document), variables };
}
