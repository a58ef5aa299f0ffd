import { sql } from 'kysely';
import type { SchemaHelper } from './index.ts';

export const ONE_RUNNING_MIGRATION_PER_USER = 'meeting_migrations_one_running_per_user';

/** The advisory lock key of MMS's schema migrations (any constant: it only has to be the same everywhere). */
const MIGRATION_LOCK_KEY = 7_250_113_001;

export const postgresSchema: SchemaHelper = {
  generatedId: (column) => column.primaryKey().generatedByDefaultAsIdentity(),

  async oneRunningMigrationPerUser(db) {
    await db.schema
      .createIndex(ONE_RUNNING_MIGRATION_PER_USER)
      .unique()
      .on('meeting_migrations')
      .column('user_id')
      .where(sql.ref('state'), '=', 'IN_PROGRESS')
      .execute();
  },

  // Processes starting at the same moment queue on a session lock; the first applies the migrations, the
  // others then find nothing left to apply. The lock is held on one connection for the whole run. The
  // schema is named because Kysely's migrator looks for its tables in every schema of the database: MMS in
  // one schema would take another schema's migration tables for its own, and fail.
  exclusively: (db, migrate) =>
    db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(connection);
        return await migrate(connection, rows[0]?.schema);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    }),
};
