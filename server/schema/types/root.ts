/** Root query fields: the viewer, tenants, and Get-CsMeetingMigrationStatus. */
import { z } from 'zod';
import { failureReasonText } from '../../domain/failures.ts';
import { searchTerm, timeWindow } from '../../domain/validation.ts';
import { targetTenantId } from '../../services/viewer.ts';
import {
  type MigrationOrderField,
  type MigrationSummary,
  migrationSortKind,
} from '../../storage/migrations-store.ts';
import { builder } from '../builder.ts';
import {
  cursorConnection,
  filterId,
  listOrder,
  MigrationStateEnum,
  type OrderArgument,
  OrderDirectionEnum,
  queryArgument,
} from '../common.ts';
import { type Context, viewerOf } from '../context.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { TenantNode } from './tenant.ts';

const ViewerKindEnum = builder.enumType('ViewerKind', { values: ['SERVICE_ADMIN', 'OPERATOR'] as const });

const ViewerType = builder.objectRef<Context['viewer'] & object>('Viewer').implement({
  description: 'Who the token belongs to.',
  fields: (t) => ({
    kind: t.field({
      type: ViewerKindEnum,
      resolve: (viewer) => (viewer.kind === 'serviceAdmin' ? 'SERVICE_ADMIN' : 'OPERATOR'),
    }),
    tenant: t.field({
      type: TenantNode,
      nullable: true,
      description: "An operator's tenant; null for the service admin.",
      resolve: (viewer) => (viewer.kind === 'operator' ? viewer.tenantId : null),
    }),
  }),
});

interface SummaryShape extends MigrationSummary {
  from: Date | null;
  to: Date | null;
}

export const SummaryType = builder.objectRef<SummaryShape>('MeetingMigrationSummary').implement({
  description:
    'How many users are in each state, each counted once by their latest migration — the one running, else the one ' +
    'waiting, else the newest (Get-CsMeetingMigrationStatus -SummaryOnly): a user whose failed run was followed by ' +
    'one that succeeded counts as succeeded. Within a time window, by their latest migration created in it. And ' +
    'how the invitation updates of all the migrations fared.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', nullable: true }),
    to: t.expose('to', { type: 'DateTime', nullable: true }),
    pending: t.int({ resolve: (summary) => summary.PENDING }),
    inProgress: t.int({ resolve: (summary) => summary.IN_PROGRESS }),
    succeeded: t.int({ resolve: (summary) => summary.SUCCEEDED }),
    failed: t.int({ resolve: (summary) => summary.FAILED }),
    cancelled: t.int({ resolve: (summary) => summary.CANCELLED }),
    invitationsPending: t.exposeInt('invitationsPending', {
      description: 'Invitation updates of these migrations not delivered yet.',
    }),
    invitationsDelivered: t.exposeInt('invitationsDelivered'),
    invitationsFailed: t.exposeInt('invitationsFailed', {
      description:
        'Invitation updates that failed for good; resendInvitationUpdates(allFailed: true) sends them again.',
    }),
    migrationsWithFailedInvitations: t.exposeInt('migrationsWithFailedInvitations', {
      description:
        'How many migrations have failed invitation updates (meetingMigrations(withFailedInvitations: true)).',
    }),
  }),
});

const MigrationOrderFieldEnum = builder.enumType('MeetingMigrationOrderField', {
  description: 'What meetingMigrations can be sorted by.',
  values: {
    CREATED_AT: { description: 'When the migration was created (its creation order).' },
    MODIFIED_AT: { description: 'When it last changed.' },
    STATE: { description: 'Its state, by name.' },
    USER: { description: 'Its user’s principal name.' },
    TOTAL_MEETINGS: { description: 'How many meetings it selected.' },
    FAILED_MEETINGS: { description: 'How many of its meetings failed.' },
    TYPE: { description: 'Its migration type, by name.' },
  } satisfies Record<MigrationOrderField, unknown>,
});

const DEFAULT_MIGRATION_ORDER: OrderArgument<MigrationOrderField> = {
  field: 'CREATED_AT',
  direction: 'DESC',
};

const MigrationOrder = builder.inputType('MeetingMigrationOrder', {
  description: 'An order of meetingMigrations: a field, ties broken by id in the same direction.',
  fields: (t) => ({
    field: t.field({ type: MigrationOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

/**
 * The tenant a tenant-scoped query reads: an operator's own unless another is named (which then reads as
 * one that does not exist); the service admin must name one.
 */
export function queriedTenantId(context: Context, tenantId: string | null | undefined): number {
  const viewer = viewerOf(context);
  if (!tenantId) return queryArgument(() => targetTenantId(viewer, null));
  const id = filterId(tenantId, 'Tenant');
  return viewer.kind === 'operator' && id !== viewer.tenantId ? 0 : id;
}

builder.queryFields((t) => ({
  viewer: t.field({ type: ViewerType, resolve: (_root, _args, context) => viewerOf(context) }),

  tenant: t.field({
    type: TenantNode,
    nullable: true,
    description: "An operator's own tenant (id may be omitted); the service admin names one.",
    args: { id: t.arg.id({ required: false }) },
    resolve: (_root, args, context) => queriedTenantId(context, args.id) || null,
  }),

  tenants: t.connection({
    type: TenantNode,
    authScopes: { serviceAdmin: true },
    resolve: (_root, args, context) =>
      cursorConnection(
        args,
        (page) => context.services.store.tenants.list(page),
        (tenant) => ({ key: tenant.id, id: tenant.id }),
      ),
  }),

  meetingMigrations: t.connection(
    {
      type: MeetingMigrationNode,
      description:
        'Migrations, newest first unless orderBy says otherwise (Get-CsMeetingMigrationStatus). totalCount counts ' +
        'every migration the filters match.',
      args: {
        orderBy: t.arg({
          type: MigrationOrder,
          required: false,
          defaultValue: DEFAULT_MIGRATION_ORDER,
          description:
            'The order to read in (null: the default, newest first). A cursor is taken only by the order that ' +
            'gave it: another order refuses it with INVALID_VALUE.',
        }),
        tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }),
        userId: t.arg.id({ required: false }),
        userSearch: t.arg.string({
          required: false,
          description: 'Part of the user principal name or display name of the migration’s user.',
        }),
        states: t.arg({
          type: [MigrationStateEnum],
          required: false,
          validate: z.array(z.string()).max(5).nullish(),
        }),
        from: t.arg({ type: 'DateTime', required: false, description: 'Created at or after.' }),
        to: t.arg({ type: 'DateTime', required: false, description: 'Created at or before.' }),
        withFailedInvitations: t.arg.boolean({
          required: false,
          description: 'true: only migrations with failed invitation updates; false: only those without.',
        }),
        latestPerUser: t.arg.boolean({
          required: false,
          description:
            'true: only each user’s latest migration, the one meetingMigrationSummary counts the user by (a failure ' +
            'a later run replaced is left out).',
        }),
        failureReason: t.arg.string({
          required: false,
          description:
            'Only the users’ latest migrations that failed for this reason (a reason of meetingMigrationFailureGroups).',
        }),
      },
      resolve: async (_root, args, context) => {
        const window = queryArgument(() => timeWindow('window', { from: args.from, to: args.to }));
        const userSearch = queryArgument(() => searchTerm('userSearch', args.userSearch));
        const tenantId = queriedTenantId(context, args.tenantId);
        const userId = args.userId ? filterId(args.userId, 'User') : null;
        const failure =
          args.failureReason != null
            ? await context.services.migrations.failureSelector(
                tenantId,
                queryArgument(() => failureReasonText('failureReason', args.failureReason as string)),
              )
            : null;
        const filter = {
          userId,
          userSearch,
          states: args.states,
          withFailedInvitations: args.withFailedInvitations,
          latestPerUser: args.latestPerUser,
          failure,
          ...window,
        };
        const { order, name } = listOrder(args.orderBy, DEFAULT_MIGRATION_ORDER);
        const { migrations } = context.services.store;
        const connection = await cursorConnection(
          args,
          (page) => migrations.list(tenantId, filter, order, page),
          (migration) => ({ key: migration.sortKey, id: migration.id }),
          migrationSortKind(order.field),
          name,
        );
        return { ...connection, countAll: () => migrations.count(tenantId, filter) };
      },
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many migrations match the filters, on every page (counted only when asked for).',
          resolve: (parent) => parent.countAll(),
        }),
      }),
    },
  ),

  meetingMigrationSummary: t.field({
    type: SummaryType,
    description:
      'Per-state user counts for a tenant, each user by their latest migration, optionally within a time window ' +
      '(-SummaryOnly).',
    args: {
      tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }),
      from: t.arg({ type: 'DateTime', required: false }),
      to: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: async (_root, args, context) => {
      const window = queryArgument(() => timeWindow('window', { from: args.from, to: args.to }));
      const tenantId = queriedTenantId(context, args.tenantId);
      return { ...(await context.services.store.migrations.summary(tenantId, window)), ...window };
    },
  }),
}));
