/**
 * Versioned schema changes, applied in order at start. Never edit a released one: add the next. (What
 * differs per database goes through the schema helper; a released migration may start using it only if
 * the SQLite schema it makes stays the same.)
 */
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import type { SchemaHelper } from './helpers/schema/index.ts';

const migrationsFor = (schema: SchemaHelper): Record<string, Migration> => ({
  '0001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('primary_domain', 'text', (c) => c.notNull().unique())
        .addColumn('meeting_url', 'text', (c) => c.notNull())
        .addColumn('teams_upgrade_mode', 'text', (c) => c.notNull())
        .addColumn('meeting_migration_enabled', 'integer', (c) => c.notNull())
        .addColumn('automatically_migrate_user_meetings', 'integer', (c) => c.notNull())
        .addColumn('automatically_replace_acp_provider', 'integer', (c) => c.notNull())
        .addColumn('automatically_send_emails_to_users', 'integer', (c) => c.notNull())
        .addColumn('pin_length', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('bridges')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('bridges_tenant').on('bridges').columns(['tenant_id', 'id']).execute();

      await db.schema
        .createTable('bridge_numbers')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('bridge_id', 'integer', (c) => c.notNull().references('bridges.id'))
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('toll_free', 'integer', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addUniqueConstraint('bridge_numbers_unique_number', ['tenant_id', 'number'])
        .execute();
      await db.schema
        .createIndex('bridge_numbers_bridge')
        .on('bridge_numbers')
        .columns(['bridge_id', 'id'])
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('user_principal_name', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('sip_address', 'text', (c) => c.notNull())
        .addColumn('skype_hosting', 'text', (c) => c.notNull())
        .addColumn('teams_upgrade_mode', 'text', (c) => c.notNull())
        .addColumn('mailbox_location', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('third_party_provider_name', 'text')
        .addColumn('third_party_dial_in_text', 'text')
        .addColumn('licensed', 'integer', (c) => c.notNull())
        .addColumn('dial_in_enabled', 'integer', (c) => c.notNull())
        .addColumn('conference_id', 'text')
        .addColumn('bridge_id', 'integer', (c) => c.references('bridges.id'))
        .addColumn('default_toll_number_id', 'integer', (c) => c.references('bridge_numbers.id'))
        .addColumn('default_toll_free_number_id', 'integer', (c) => c.references('bridge_numbers.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('users_unique_upn', ['tenant_id', 'user_principal_name'])
        .execute();
      await db.schema
        .createIndex('users_default_toll')
        .on('users')
        .column('default_toll_number_id')
        .execute();
      await db.schema
        .createIndex('users_default_toll_free')
        .on('users')
        .column('default_toll_free_number_id')
        .execute();

      await db.schema
        .createTable('meetings')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('organizer_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('uid', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('recurrence', 'text')
        .addColumn('last_occurrence_ends_at', 'text')
        .addColumn('location', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('shared_notes_url', 'text')
        .addColumn('online_meeting_type', 'text')
        .addColumn('online_meeting_join_url', 'text')
        .addColumn('online_meeting_conference_id', 'text')
        .addColumn('attendee_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('meetings_unique_uid', ['tenant_id', 'uid'])
        .execute();
      await db.schema
        .createIndex('meetings_organizer')
        .on('meetings')
        .columns(['organizer_id', 'starts_at'])
        .execute();
      await db.schema
        .createIndex('meetings_tenant_start')
        .on('meetings')
        .columns(['tenant_id', 'starts_at', 'id'])
        .execute();

      await db.schema
        .createTable('meeting_attendees')
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addPrimaryKeyConstraint('meeting_attendees_pk', ['meeting_id', 'position'])
        .execute();

      await db.schema
        .createTable('meeting_content_items')
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('meeting_content_items_pk', ['meeting_id', 'position'])
        .execute();

      await db.schema
        .createTable('meeting_migrations')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('correlation_id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('source_meeting_type', 'text', (c) => c.notNull())
        .addColumn('target_meeting_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('modified_at', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('retry_count', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_message', 'text')
        .addColumn('total_meetings', 'integer', (c) => c.notNull())
        .addColumn('succeeded_meetings', 'integer', (c) => c.notNull())
        .addColumn('failed_meetings', 'integer', (c) => c.notNull())
        .addColumn('skipped_meetings', 'integer', (c) => c.notNull())
        .addColumn('invites_updated', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('meeting_migrations_tenant_created')
        .on('meeting_migrations')
        .columns(['tenant_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('meeting_migrations_user_state')
        .on('meeting_migrations')
        .columns(['user_id', 'state'])
        .execute();
      await db.schema
        .createIndex('meeting_migrations_state_due')
        .on('meeting_migrations')
        .columns(['state', 'not_before'])
        .execute();

      await db.schema
        .createTable('trigger_evaluations')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('user_id', 'integer', (c) => c.references('users.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('migration_id', 'integer', (c) =>
          c.references('meeting_migrations.id').onDelete('set null'),
        )
        .execute();
      await db.schema
        .createIndex('trigger_evaluations_tenant')
        .on('trigger_evaluations')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex('trigger_evaluations_user')
        .on('trigger_evaluations')
        .columns(['user_id', 'id'])
        .execute();
      await db.schema
        .createIndex('trigger_evaluations_migration')
        .on('trigger_evaluations')
        .columns(['migration_id', 'id'])
        .execute();

      await db.schema
        .createTable('meeting_results')
        .addColumn('migration_id', 'integer', (c) =>
          c.notNull().references('meeting_migrations.id').onDelete('cascade'),
        )
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('meeting_results_pk', ['migration_id', 'meeting_id'])
        .execute();

      await db.schema
        .createTable('operator_tokens')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('service_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },

  '0002-engine': {
    async up(db: Kysely<unknown>) {
      // A running migration is leased by one worker; an expired lease means that worker died.
      await db.schema.alterTable('meeting_migrations').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('meeting_migrations').addColumn('lease_expires_at', 'text').execute();

      await db.schema
        .createTable('invitation_updates')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('tenant_id', 'integer', (c) => c.notNull().references('tenants.id'))
        .addColumn('migration_id', 'integer', (c) =>
          c.notNull().references('meeting_migrations.id').onDelete('cascade'),
        )
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('attendee_email', 'text', (c) => c.notNull())
        .addColumn('attendee_name', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        // One update per attendee per meeting per run, whatever crashes and resumes happen.
        .addUniqueConstraint('invitation_updates_once', ['migration_id', 'meeting_id', 'attendee_email'])
        .execute();
      await db.schema
        .createIndex('invitation_updates_due')
        .on('invitation_updates')
        .columns(['state', 'next_attempt_at', 'id'])
        .execute();
      await db.schema
        .createIndex('invitation_updates_meeting')
        .on('invitation_updates')
        .columns(['meeting_id', 'id'])
        .execute();
      await db.schema
        .createIndex('meeting_migrations_lease')
        .on('meeting_migrations')
        .columns(['state', 'lease_expires_at'])
        .execute();
      await schema.oneRunningMigrationPerUser(db);
    },
  },

  '0003-outbox-by-meeting-and-state': {
    async up(db: Kysely<unknown>) {
      // Superseding a meeting's queued updates looks them up by meeting and state; without this index
      // SQLite walks every queued update of every meeting instead.
      await db.schema
        .createIndex('invitation_updates_meeting_state')
        .on('invitation_updates')
        .columns(['meeting_id', 'state'])
        .execute();
    },
  },

  '0004-trigger-evaluations-by-time': {
    async up(db: Kysely<unknown>) {
      // Live subscribers catching up after a disconnection ask for a tenant's evaluations since an instant.
      await db.schema
        .createIndex('trigger_evaluations_tenant_time')
        .on('trigger_evaluations')
        .columns(['tenant_id', 'occurred_at'])
        .execute();
    },
  },

  '0005-migrations-by-tenant-newest-first': {
    async up(db: Kysely<unknown>) {
      // The list pages through a tenant's migrations by id, with or without a state: without these indexes
      // SQLite sorts every migration of the tenant for each page.
      await db.schema
        .createIndex('meeting_migrations_tenant_id')
        .on('meeting_migrations')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex('meeting_migrations_tenant_state_id')
        .on('meeting_migrations')
        .columns(['tenant_id', 'state', 'id'])
        .execute();
    },
  },

  '0006-invitation-accounting': {
    async up(db: Kysely<unknown>) {
      // Each migration counts its invitation updates by outcome (SPEC §4.4), kept in the transaction that
      // changes an update's state: counting 500,000 updates per read would not do.
      for (const column of ['invitations_pending', 'invitations_delivered', 'invitations_failed']) {
        await db.schema
          .alterTable('meeting_migrations')
          .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      }
      await db.schema.alterTable('meeting_migrations').addColumn('last_invitation_failure', 'text').execute();
      await sql`UPDATE meeting_migrations SET
        invitations_pending = (SELECT count(*) FROM invitation_updates u
          WHERE u.migration_id = meeting_migrations.id AND u.state IN ('QUEUED', 'SENDING')),
        invitations_delivered = (SELECT count(*) FROM invitation_updates u
          WHERE u.migration_id = meeting_migrations.id AND u.state = 'SENT'),
        invitations_failed = (SELECT count(*) FROM invitation_updates u
          WHERE u.migration_id = meeting_migrations.id AND u.state = 'FAILED'),
        last_invitation_failure = (SELECT u.last_error FROM invitation_updates u
          WHERE u.migration_id = meeting_migrations.id AND u.state = 'FAILED' ORDER BY u.id DESC LIMIT 1)`.execute(
        db,
      );
      // The list of a tenant's migrations with failed invitations, newest first, reads only those.
      await db.schema
        .createIndex('meeting_migrations_tenant_failed_invitations')
        .on('meeting_migrations')
        .columns(['tenant_id', 'id'])
        .where(sql.ref('invitations_failed'), '>', 0)
        .execute();
    },
  },

  '0007-recurrence-exceptions': {
    async up(db: Kysely<unknown>) {
      // The exceptions of a recurring series (SPEC §5): cancelled occurrences (EXDATE) and occurrences
      // changed on their own (RECURRENCE-ID), each by its original start.
      await db.schema
        .createTable('meeting_cancelled_occurrences')
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('recurrence_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('meeting_cancelled_occurrences_pk', ['meeting_id', 'recurrence_id'])
        .execute();
      await db.schema
        .createTable('meeting_overridden_occurrences')
        .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
        .addColumn('recurrence_id', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('location', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('meeting_overridden_occurrences_pk', ['meeting_id', 'recurrence_id'])
        .execute();
    },
  },

  '0008-live-events': {
    async up(db: Kysely<unknown>) {
      // Live events between processes sharing the database (SPEC §8), in the order they were sent.
      await db.schema
        .createTable('live_events')
        .addColumn('id', 'integer', schema.generatedId)
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'integer', (c) => c.notNull())
        .addColumn('subject_id', 'integer', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('live_events_created_at').on('live_events').column('created_at').execute();
      await db.schema
        .createTable('live_event_readers')
        .addColumn('origin', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .execute();
    },
  },

  '0009-migration-state-changes': {
    async up(db: Kysely<unknown>) {
      // Counted with every state change, so that a process told about changes by others in a different
      // order (two processes, one migration) passes them on in the order they happened.
      await db.schema
        .alterTable('meeting_migrations')
        .addColumn('state_changes', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },

  '0010-meetings-by-organizer-and-id': {
    async up(db: Kysely<unknown>) {
      // A run reads its user's meetings in id order, a batch after the last: with this index that is one
      // range read, whatever the planner knows of the table (before its first ANALYZE, PostgreSQL would
      // rather combine the organizer index with a scan of every id).
      await db.schema
        .createIndex('meetings_organizer_id')
        .on('meetings')
        .columns(['organizer_id', 'id'])
        .execute();
    },
  },

  '0011-operator-token-lifecycle': {
    async up(db: Kysely<unknown>) {
      // Tokens as cloud API keys are (SPEC §7): an optional end of validity, the last use, and revocation.
      for (const column of ['expires_at', 'last_used_at', 'revoked_at']) {
        await db.schema.alterTable('operator_tokens').addColumn(column, 'text').execute();
      }
      await db.schema
        .createIndex('operator_tokens_tenant')
        .on('operator_tokens')
        .columns(['tenant_id', 'id'])
        .execute();
    },
  },

  '0012-current-migration-per-user-and-changes': {
    async up(db: Kysely<unknown>) {
      // The summary and the failure groups count each user by their current migration (by state, then the
      // newest id of each user of a tenant), read from this index alone.
      await db.schema
        .createIndex('meeting_migrations_tenant_user_id_state')
        .on('meeting_migrations')
        .columns(['tenant_id', 'user_id', 'id', 'state'])
        .execute();
      // A subscription that catches up (`since`) reads what changed from then on, not every migration.
      await db.schema
        .createIndex('meeting_migrations_tenant_modified')
        .on('meeting_migrations')
        .columns(['tenant_id', 'modified_at'])
        .execute();
    },
  },

  '0013-lists-in-any-order': {
    async up(db: Kysely<unknown>) {
      // meetingMigrations and users read a page in the order asked for, ties by id, from an index by tenant,
      // sort value and id rather than sorting every row of the tenant for each page. Changed since reads
      // by the same order, so this index takes the place of the one by tenant and change time.
      await db.schema.dropIndex('meeting_migrations_tenant_modified').execute();
      const byTenant: [table: string, column: string][] = [
        ['meeting_migrations', 'modified_at'],
        ['meeting_migrations', 'total_meetings'],
        ['meeting_migrations', 'failed_meetings'],
        ['users', 'display_name'],
        ['users', 'skype_hosting'],
        ['users', 'teams_upgrade_mode'],
        ['users', 'provider'],
        ['users', 'mailbox_location'],
      ];
      for (const [table, column] of byTenant) {
        await db.schema
          .createIndex(`${table}_tenant_${column}_id`)
          .on(table)
          .columns(['tenant_id', column, 'id'])
          .execute();
      }
    },
  },

  '0014-queue-in-claim-order': {
    async up(db: Kysely<unknown>) {
      // A claim takes the first due migration in (not_before, id) order: an index in that very order lets
      // it stop at the first one it may take, where the index by state and not_before alone left the
      // database to gather and sort every waiting migration at each claim, however long the queue.
      await db.schema.dropIndex('meeting_migrations_state_due').execute();
      await db.schema
        .createIndex('meeting_migrations_state_due_id')
        .on('meeting_migrations')
        .columns(['state', 'not_before', 'id'])
        .execute();
    },
  },

  '0015-invitation-updates-by-result': {
    async up(db: Kysely<unknown>) {
      // An update goes out because its meeting was rewritten in its run: referring to that result keeps the
      // run and the meeting as sure to exist as their own keys did, with one check per update queued instead
      // of three (on PostgreSQL each a query of its own; with the results' two, about half of a batch
      // statement's time). The tenant is the run's. A result with updates is deleted only with its run or its
      // meeting (a retry deletes the results of meetings not rewritten), and its updates go with it.
      await schema.invitationsBelongToResults(db);
    },
  },

  '0016-room-to-rewrite-meetings': {
    async up(db: Kysely<unknown>) {
      // A migration rewrites every future meeting of its user once: where a rewrite must otherwise add an entry
      // to each of the table's five indexes, it then touches none.
      await schema.roomToRewriteMeetings(db);
    },
  },
});

/** A schema migration (or the migrator itself, with no name) could not be applied; nothing of it was. */
export class SchemaMigrationError extends Error {
  constructor(migrationName: string | undefined, cause: unknown) {
    const what = migrationName ? `schema migration ${migrationName}` : 'the schema migrations';
    super(`${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Applies the schema migrations not applied yet, up to the one named (the newest when none is). */
export async function migrateSchema(db: Kysely<unknown>, schema: SchemaHelper, upTo?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(schema) };
  try {
    // Looked at first without the lock: where nothing is left to apply, a start takes no lock for it (on
    // SQLite, the write lock another process may hold for a while).
    const known = await new Migrator({ db, provider }).getMigrations();
    const last = upTo === undefined ? known.length - 1 : known.findIndex((m) => m.name === upTo);
    if (last < 0) throw new SchemaMigrationError(upTo, 'no such migration');
    if (known.slice(0, last + 1).every((migration) => migration.executedAt !== undefined)) return;
    await schema.exclusively(db, async (migrating, ownSchema) => {
      const migrator = new Migrator({ db: migrating, provider, migrationTableSchema: ownSchema });
      const { error, results } = await (upTo === undefined
        ? migrator.migrateToLatest()
        : migrator.migrateTo(upTo));
      const failed = results?.find((result) => result.status === 'Error');
      if (error || failed) throw new SchemaMigrationError(failed?.migrationName, error);
    });
  } catch (error) {
    // Also what stops them before any begins: another process holding SQLite's write lock past its wait.
    throw error instanceof SchemaMigrationError ? error : new SchemaMigrationError(undefined, error);
  }
}

/** Whether the newest schema migration applied to the database is the newest this code knows. */
export async function isSchemaCurrent(db: Kysely<unknown>, schema: SchemaHelper): Promise<boolean> {
  const latest = Object.keys(migrationsFor(schema)).at(-1);
  const { rows } = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(
    db,
  );
  return rows[0]?.name === latest;
}
