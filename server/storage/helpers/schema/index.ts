import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

/** What the versioned schema migrations write differently per database. */
export interface SchemaHelper {
  /** Makes the column an integer primary key the database numbers by itself. */
  generatedId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /**
   * Where claims can race (several writers at once), at most one running migration per user, enforced by
   * the database.
   */
  oneRunningMigrationPerUser(db: Kysely<unknown>): Promise<void>;
  /**
   * The schema that holds the migrator's own tables: on PostgreSQL the current one, named, for the migrator
   * would otherwise take another schema's tables (another deployment's, or another test's) for its own.
   */
  migrationTableSchema(db: Kysely<unknown>): Promise<string | undefined>;
  /** Runs the schema migrations so that processes starting together apply them once. */
  exclusively<T>(db: Kysely<unknown>, migrate: (db: Kysely<unknown>) => Promise<T>): Promise<T>;
}
