/** Root query fields: the viewer, tenants, and Get-CsMeetingMigrationStatus. */
import { z } from 'zod';
import { failureReasonText } from '../../domain/failures.ts';
import { searchTerm, timeWindow } from '../../domain/validation.ts';
import { targetTenantId } from '../../services/viewer.ts';
import type { MigrationSummary } from '../../storage/migrations-store.ts';
import { builder } from '../builder.ts';
import { cursorConnection, filterId, MigrationStateEnum, queryArgument } from '../common.ts';
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

  meetingMigrations: t.connection({
    type: MeetingMigrationNode,
    description: 'Migrations, newest first (Get-CsMeetingMigrationStatus).',
    args: {
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
      return cursorConnection(
        args,
        (page) =>
          context.services.store.migrations.list(
            tenantId,
            {
              userId,
              userSearch,
              states: args.states,
              withFailedInvitations: args.withFailedInvitations,
              latestPerUser: args.latestPerUser,
              failure,
              ...window,
            },
            page,
          ),
        (migration) => ({ key: migration.id, id: migration.id }),
      );
    },
  }),

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
