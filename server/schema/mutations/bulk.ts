/**
 * Failures grouped by reason and fixed in bulk (SPEC §9): the reason groups, and retryMeetingMigrations /
 * cancelMeetingMigrations over a group or a list of ids, each with a dry run that changes nothing.
 */
import { createHash } from 'node:crypto';
import { bulkSelection, type FailureGroup, MAX_BULK_IDS } from '../../domain/failures.ts';
import type { MeetingMigration } from '../../domain/model.ts';
import type { BulkResult } from '../../services/migration-control.ts';
import { builder } from '../builder.ts';
import {
  decodeId,
  decodeOptionalId,
  EXPECTED_ERRORS,
  type LoadedOrder,
  loadedConnection,
  MigrationStateEnum,
} from '../common.ts';
import { viewerOf } from '../context.ts';
import { MeetingMigrationNode } from '../types/meeting-migration.ts';
import { queriedTenantId } from '../types/root.ts';

/** Skipped migrations a payload lists; the count says how many there were. */
const SKIPPED_LISTED = 100;

const FailureGroupType = builder.objectRef<FailureGroup>('MeetingMigrationFailureGroup').implement({
  description:
    'The users whose latest migration failed for one reason. A failure that a later run of the same user ' +
    'replaced is not counted.',
  fields: (t) => ({
    reason: t.exposeString('reason', {
      description:
        'Why: a reason meetings failed with, or the run’s own message without its attempt counter. Give it as ' +
        'failureReason to retryMeetingMigrations or cancelMeetingMigrations.',
    }),
    failedMigrations: t.exposeInt('failedMigrations', {
      description: 'FAILED migrations with this reason: retryMeetingMigrations puts them back in the queue.',
    }),
    retryingMigrations: t.exposeInt('retryingMigrations', {
      description:
        'PENDING migrations waiting to try again after a transient failure: cancelMeetingMigrations stops them.',
    }),
    meetings: t.exposeInt('meetings', {
      description:
        'Meetings that failed with this reason; for a run-level reason, the meetings its runs left not updated.',
    }),
  }),
});

/**
 * Largest group first. A group's position is its size and a digest of its reason, which also orders groups of
 * one size: a reason may be longer than a cursor can carry, and a cursor names the place a group held even
 * after that group has changed or gone.
 */
export const LARGEST_GROUP_FIRST: LoadedOrder<FailureGroup> = {
  positionOf: (group) => ({
    key: createHash('sha256').update(group.reason).digest('hex').slice(0, 32),
    id: group.failedMigrations + group.retryingMigrations,
  }),
  compare: (a, b) => b.id - a.id || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  keyKind: 'text',
};

builder.queryFields((t) => ({
  meetingMigrationFailureGroups: t.connection(
    {
      type: FailureGroupType,
      description:
        'The reasons the tenant’s users’ latest migrations failed with (FAILED, or waiting to try again after a ' +
        'transient failure), largest group first. totalCount counts the reasons.',
      args: { tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }) },
      resolve: async (_root, args, context) => {
        const groups = context.services.migrations.failureGroups(queriedTenantId(context, args.tenantId));
        const connection = await loadedConnection(args, groups, LARGEST_GROUP_FIRST);
        return { ...connection, countAll: async () => (await groups).length };
      },
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many reasons there are, on every page.',
          resolve: (parent) => parent.countAll(),
        }),
      }),
    },
  ),
}));

const SkippedMigrationType = builder
  .objectRef<{ migration: MeetingMigration; reason: string }>('SkippedMeetingMigration')
  .implement({
    description: 'A selected migration the command left alone, and why.',
    fields: (t) => ({
      meetingMigration: t.field({ type: MeetingMigrationNode, resolve: (skipped) => skipped.migration }),
      reason: t.exposeString('reason'),
    }),
  });

const ChangedMigrationType = builder.objectRef<MeetingMigration>('BulkChangedMeetingMigration').implement({
  description: 'A migration a bulk command changed: its id and its state right after the command.',
  fields: (t) => ({
    id: t.globalID({ resolve: (migration) => ({ type: 'MeetingMigration', id: migration.id }) }),
    state: t.field({ type: MigrationStateEnum, resolve: (migration) => migration.state }),
  }),
});

const bulkPayload = (name: string, verb: string) =>
  builder.objectRef<BulkResult>(name).implement({
    fields: (t) => ({
      dryRun: t.exposeBoolean('dryRun', {
        description: 'True: nothing was changed; the figures say what would be.',
      }),
      migrations: t.int({
        description: `How many migrations were ${verb} (would be, in a dry run).`,
        resolve: (result) => result.changed.length,
      }),
      meetings: t.exposeInt('meetings', {
        description:
          verb === 'retried'
            ? 'Meetings of those migrations not updated yet: the runs look at them again.'
            : 'Meetings of those migrations left not done.',
      }),
      meetingMigrations: t.field({
        type: [MeetingMigrationNode],
        description: `The first ${SKIPPED_LISTED} migrations ${verb} (in a dry run, those that would be).`,
        resolve: (result) => result.changed.slice(0, SKIPPED_LISTED),
      }),
      changedMeetingMigrations: t.field({
        type: [ChangedMigrationType],
        description:
          `Every migration ${verb} (would be, in a dry run), by id and state: what to follow in ` +
          `meetingMigrationUpdated, however many there are.`,
        resolve: (result) => result.changed,
      }),
      skipped: t.int({
        description: 'How many selected migrations were left alone.',
        resolve: (result) => result.skipped.length,
      }),
      skippedMeetingMigrations: t.field({
        type: [SkippedMigrationType],
        description: `The first ${SKIPPED_LISTED} of those left alone, with the reason.`,
        resolve: (result) => result.skipped.slice(0, SKIPPED_LISTED),
      }),
    }),
  });

builder.mutationFields((t) => {
  const inputFields = () => ({
    tenantId: t.input.id({
      required: false,
      description: "Defaults to the operator's tenant; the service admin must give it.",
    }),
    failureReason: t.input.string({
      required: false,
      description: 'Every migration of this reason group (meetingMigrationFailureGroups).',
    }),
    migrationIds: t.input.idList({
      required: false,
      description: `These migrations, at most ${MAX_BULK_IDS}, all of the tenant.`,
    }),
    dryRun: t.input.boolean({
      required: false,
      description: 'True: change nothing, and answer how many migrations and meetings it would touch.',
    }),
  });
  type BulkInput = {
    tenantId?: string | null;
    failureReason?: string | null;
    migrationIds?: readonly string[] | null;
    dryRun?: boolean | null;
  };
  const decoded = (given: BulkInput) => {
    const selection = bulkSelection(given);
    return {
      selection:
        'migrationIds' in selection
          ? {
              migrationIds: [
                ...new Set(
                  selection.migrationIds.map((id) => decodeId('migrationIds', id, 'MeetingMigration')),
                ),
              ],
            }
          : selection,
      tenantId: decodeOptionalId('tenantId', given.tenantId, 'Tenant'),
      dryRun: given.dryRun === true,
    };
  };
  return {
    retryMeetingMigrations: t.fieldWithInput({
      description:
        'Puts FAILED and CANCELLED migrations back in the queue: a reason group (failureReason) or a list ' +
        '(migrationIds). One per user, the newest; none of a user who has a PENDING migration. Those left alone ' +
        'are listed with the reason. dryRun: true answers the same and changes nothing.',
      type: bulkPayload('RetryMeetingMigrationsPayload', 'retried'),
      errors: { types: EXPECTED_ERRORS },
      input: inputFields(),
      resolve: (_root, args, context) =>
        context.services.migrations.retryMeetingMigrations(viewerOf(context), decoded(args.input)),
    }),
    cancelMeetingMigrations: t.fieldWithInput({
      description:
        'Stops PENDING and IN_PROGRESS migrations: a reason group (failureReason: those waiting to try again) ' +
        'or a list (migrationIds). Those left alone are listed with the reason. dryRun: true answers the same ' +
        'and changes nothing.',
      type: bulkPayload('CancelMeetingMigrationsPayload', 'cancelled'),
      errors: { types: EXPECTED_ERRORS },
      input: inputFields(),
      resolve: (_root, args, context) =>
        context.services.migrations.cancelMeetingMigrations(viewerOf(context), decoded(args.input)),
    }),
  };
});
