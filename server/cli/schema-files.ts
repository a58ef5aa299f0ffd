/**
 * The files printed from the Pothos schema and checked in: schema.graphql, and the TUI's introspection
 * types that gql.tada types every document with (its own generator needs a TypeScript API that
 * TypeScript 7 no longer has, so they are printed here from the same schema).
 */

import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { introspectionFromSchema, printSchema } from 'graphql';
import { schema } from '../schema/index.ts';

export function schemaFiles(): { file: URL; content: string }[] {
  return [
    { file: new URL('../../schema.graphql', import.meta.url), content: `${printSchema(schema)}\n` },
    {
      file: new URL('../../tui/graphql-env.d.ts', import.meta.url),
      content: outputIntrospectionFile(minifyIntrospection(introspectionFromSchema(schema)), {
        fileType: '.d.ts',
        shouldPreprocess: true,
        preamble: '/* Printed by `npm run schema:print` from the server schema; do not edit. */\n\n',
      }),
    },
  ];
}
