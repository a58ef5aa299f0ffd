import { type Kysely, sql } from 'kysely';
import { addInvitationResultKey, type SchemaHelper } from './index.ts';

/** Every column of invitation_updates, in their order. */
const INVITATION_UPDATE_COLUMNS = sql.join(
  [
    'id',
    'tenant_id',
    'migration_id',
    'meeting_id',
    'sequence',
    'attendee_email',
    'attendee_name',
    'state',
    'attempts',
    'next_attempt_at',
    'last_error',
    'sent_at',
    'created_at',
  ].map((column) => sql.ref(column)),
);

/**
 * SQLite cannot change a table's constraints: invitation_updates is made anew with the foreign key to its
 * result in place of the three, its rows copied (each checked against the new key) and its indexes made
 * again. Ids go on from where they were: AUTOINCREMENT never gives one twice. The columns are those 0002
 * made, stated again: a released migration is never edited, nor made to share code.
 */
async function rebuildInvitationUpdates(db: Kysely<unknown>) {
  const table = db.schema
    .createTable('invitation_updates_next')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'integer', (c) => c.notNull())
    .addColumn('migration_id', 'integer', (c) => c.notNull())
    .addColumn('meeting_id', 'integer', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('attendee_email', 'text', (c) => c.notNull())
    .addColumn('attendee_name', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('invitation_updates_once', ['migration_id', 'meeting_id', 'attendee_email']);
  await addInvitationResultKey(table).execute();
  await sql`insert into invitation_updates_next (${INVITATION_UPDATE_COLUMNS})
    select ${INVITATION_UPDATE_COLUMNS} from invitation_updates order by id`.execute(db);
  const { rows } = await sql<{ seq: number }>`
    select seq from sqlite_sequence where name = 'invitation_updates'`.execute(db);
  await db.schema.dropTable('invitation_updates').execute();
  // Renaming renames the table's row of sqlite_sequence too.
  await db.schema.alterTable('invitation_updates_next').renameTo('invitation_updates').execute();
  const numberedUpTo = rows[0]?.seq;
  if (numberedUpTo !== undefined) {
    await sql`update sqlite_sequence set seq = max(seq, ${numberedUpTo})
      where name = 'invitation_updates'`.execute(db);
  }
  const indexes: [name: string, columns: string[]][] = [
    ['invitation_updates_due', ['state', 'next_attempt_at', 'id']],
    ['invitation_updates_meeting', ['meeting_id', 'id']],
    ['invitation_updates_meeting_state', ['meeting_id', 'state']],
  ];
  for (const [name, columns] of indexes) {
    await db.schema.createIndex(name).on('invitation_updates').columns(columns).execute();
  }
}

export const sqliteSchema: SchemaHelper = {
  generatedId: (column) => column.primaryKey().autoIncrement(),
  // One writer at a time: a claim statement sees every earlier claim, so the claim itself keeps the rule.
  oneRunningMigrationPerUser: async () => {},

  // SQLite writes an updated row in place of the old one.
  roomToRewriteMeetings: async () => {},

  invitationsBelongToResults: rebuildInvitationUpdates,

  // Kysely runs SQLite's migrations outside a transaction: they run in one here, which takes the write lock
  // as it begins. Processes starting together on one file apply them one after the other, the later finding
  // nothing left to do; a migration that fails, or a crash midway, leaves nothing of the run behind.
  exclusively: async (db, migrate) => {
    await sql`begin immediate`.execute(db);
    try {
      const migrated = await migrate(db);
      await sql`commit`.execute(db);
      return migrated;
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  },
};
