/** Prints schema.graphql and the TUI's document types (npm run schema:print); a test fails when one is stale. */
import { writeFileSync } from 'node:fs';
import { schemaFiles } from './schema-files.ts';

for (const { file, content } of schemaFiles()) {
  writeFileSync(file, content);
  console.log(`wrote ${file.pathname}`);
}
