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

  async migrationTableSchema(db) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema;
  },

  // Processes starting at the same moment queue on a session lock; the first applies the migrations, the
  // others then find nothing left to apply. The lock is held on one connection for the whole run.
  exclusively: (db, migrate) =>
    db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        return await migrate(connection);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    }),
};
