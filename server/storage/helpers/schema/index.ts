import type { ColumnDefinitionBuilder, ForeignKeyConstraintBuilderCallback, Kysely } from 'kysely';

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
   * Makes each invitation update refer to its meeting's result in its run (which refers to the run and the
   * meeting, and goes with either) in place of its three foreign keys to the tenant, the run and the meeting.
   */
  invitationsBelongToResults(db: Kysely<unknown>): Promise<void>;
  /**
   * Leaves room in the meetings table's pages for a rewritten copy of each row, where the database keeps
   * one beside the old (PostgreSQL), so that a rewrite touches no index.
   */
  roomToRewriteMeetings(db: Kysely<unknown>): Promise<void>;
  /**
   * Runs the schema migrations so that processes starting together apply them once. `ownSchema`, where the
   * database has schemas, is the one MMS's tables live in: the migrator's own tables go there too.
   */
  exclusively<T>(
    db: Kysely<unknown>,
    migrate: (db: Kysely<unknown>, ownSchema?: string) => Promise<T>,
  ): Promise<T>;
}

/** Adds the foreign key from an invitation update to its meeting's result in its run, to a table made or altered. */
export const addInvitationResultKey = <T>(table: {
  addForeignKeyConstraint(
    name: string,
    columns: string[],
    targetTable: string,
    targetColumns: string[],
    build: ForeignKeyConstraintBuilderCallback,
  ): T;
}): T =>
  table.addForeignKeyConstraint(
    'invitation_updates_result',
    ['migration_id', 'meeting_id'],
    'meeting_results',
    ['migration_id', 'meeting_id'],
    (constraint) => constraint.onDelete('cascade'),
  );
