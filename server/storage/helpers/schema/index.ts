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
   * Runs the schema migrations so that processes starting together apply them once. `ownSchema`, where the
   * database has schemas, is the one MMS's tables live in: the migrator's own tables go there too.
   */
  exclusively<T>(
    db: Kysely<unknown>,
    migrate: (db: Kysely<unknown>, ownSchema?: string) => Promise<T>,
  ): Promise<T>;
}
