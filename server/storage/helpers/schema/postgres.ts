import {
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import { addInvitationResultKey, type SchemaHelper } from './index.ts';

export const ONE_RUNNING_MIGRATION_PER_USER = 'meeting_migrations_one_running_per_user';

/** How full PostgreSQL fills the meetings table's pages on insert, in percent. */
const MEETINGS_FILL_PERCENT = 50;

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

  async invitationsBelongToResults(db) {
    // The names PostgreSQL gave the column constraints of 0002.
    for (const column of ['tenant_id', 'migration_id', 'meeting_id']) {
      await db.schema
        .alterTable('invitation_updates')
        .dropConstraint(`invitation_updates_${column}_fkey`)
        .execute();
    }
    await addInvitationResultKey(db.schema.alterTable('invitation_updates')).execute();
  },

  async roomToRewriteMeetings(db) {
    // An update writes a new version of the row; one that fits on the row's own page and changes no indexed
    // column (a rewrite changes the body, sequence and online meeting) is found through the old one's index
    // entries, and no index is written. With pages half full, three rewrites in four fit (100,000 meetings of
    // the benchmark's data set, 2026-12-05; 1 in 300 with full pages). It holds for pages written from now on.
    await sql`alter table meetings set (fillfactor = ${sql.lit(MEETINGS_FILL_PERCENT)})`.execute(db);
  },

  // Processes starting at the same moment queue on a session lock; the first applies the migrations, the
  // others then find nothing left to apply. The lock is held on one connection for the whole run. The
  // schema is named so that the migrator's own tables are looked for in it alone.
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

/**
 * Kysely's introspection on PostgreSQL reads every schema of the database, and fails when another schema's
 * tables are dropped while it reads ("schema … does not exist"); its migrator uses it at every start. MMS
 * keeps to the schema its connections are in, and this looks at that one alone: schemas and tables by name,
 * which is what the migrator asks (no columns).
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.#db);
    return rows;
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p', 'f')
      order by c.relname`.execute(this.#db);
    return rows
      .filter((row) => options.withInternalKyselyTables || !row.name.startsWith('kysely_migration'))
      .map(({ name, schema, kind }) => ({
        name,
        schema,
        isView: kind === 'v',
        isForeign: kind === 'f',
        columns: [],
      }));
  }
}

/** PostgreSQL through pg, introspecting its own schema only (see OwnSchemaIntrospector). */
export class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}
