import type { SchemaHelper } from './index.ts';

export const sqliteSchema: SchemaHelper = {
  generatedId: (column) => column.primaryKey().autoIncrement(),
  // One writer at a time: a claim statement sees every earlier claim, so the claim itself keeps the rule.
  oneRunningMigrationPerUser: async () => {},
  // Kysely's migrator holds SQLite's write lock while it migrates.
  exclusively: (db, migrate) => migrate(db),
};
