/** Prints the schema to schema.graphql (npm run schema:print); a test fails when the file is stale. */
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../schema/index.ts';

const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

writeFileSync(SCHEMA_FILE, `${printSchema(schema)}\n`);
console.log(`wrote ${SCHEMA_FILE.pathname}`);
