import type { Tenant } from '../../domain/model.ts';
import { searchTerm } from '../../domain/validation.ts';
import { type UserOrderField, userSortKind } from '../../storage/users.ts';
import { builder } from '../builder.ts';
import {
  cursorConnection,
  filterId,
  listOrder,
  MeetingTimingEnum,
  type OrderArgument,
  OrderDirectionEnum,
  queryArgument,
  TeamsUpgradeModeEnum,
} from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { loadInOrder } from '../loaders.ts';
import { BridgeNode } from './bridge.ts';
import { MeetingNode } from './meeting.ts';
import { OperatorTokenNode } from './operator-token.ts';
import { TriggerEvaluationNode } from './trigger-evaluation.ts';
import { UserNode } from './user.ts';

export const TenantNode = builder.loadableNodeRef<Tenant, string | number>('Tenant', {
  id: { resolve: (tenant) => tenant.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) => {
      const only = tenantFilterOf(context);
      return context.services.store.tenants.byIds(only === null ? ids : ids.filter((id) => id === only));
    }),
});

const UserOrderFieldEnum = builder.enumType('UserOrderField', {
  description: 'What a tenant’s users can be sorted by.',
  values: {
    USER_PRINCIPAL_NAME: {},
    DISPLAY_NAME: {},
    LATEST_MIGRATION_STATE: {
      description: 'The state of the user’s latest migration, by name; users with none first.',
    },
    LATEST_MIGRATION_CREATED_AT: {
      description: 'When the user’s latest migration was created; users with none first.',
    },
    SKYPE_HOSTING: {},
    TEAMS_UPGRADE_MODE: {},
    AUDIO_CONFERENCING_PROVIDER: {},
    MAILBOX_LOCATION: {},
  } satisfies Record<UserOrderField, unknown>,
});

const DEFAULT_USER_ORDER: OrderArgument<UserOrderField> = { field: 'USER_PRINCIPAL_NAME', direction: 'ASC' };

const UserOrder = builder.inputType('UserOrder', {
  description: 'An order of a tenant’s users: a field, ties broken by id in the same direction.',
  fields: (t) => ({
    field: t.field({ type: UserOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

const MigrationConfiguration = builder.objectRef<Tenant>('TenantMigrationConfiguration').implement({
  description: 'Set-CsTenantMigrationConfiguration.',
  fields: (t) => ({
    meetingMigrationEnabled: t.exposeBoolean('meetingMigrationEnabled', {
      description: 'Off: no meeting is ever migrated automatically.',
    }),
  }),
});

const DialInConferencingSettings = builder.objectRef<Tenant>('DialInConferencingTenantSettings').implement({
  description: 'Set-CsOnlineDialInConferencingTenantSettings.',
  fields: (t) => ({
    automaticallyMigrateUserMeetings: t.exposeBoolean('automaticallyMigrateUserMeetings', {
      description: 'Off: audio conferencing changes do not start migrations; moves and upgrades still do.',
    }),
    automaticallyReplaceAcpProvider: t.exposeBoolean('automaticallyReplaceAcpProvider', {
      description:
        'On: assigning the audio conferencing license to a user of a third-party provider switches them to Microsoft.',
    }),
    automaticallySendEmailsToUsers: t.exposeBoolean('automaticallySendEmailsToUsers'),
    pinLength: t.exposeInt('pinLength'),
  }),
});

TenantNode.implement({
  description: 'An organization whose users’ meetings are migrated.',
  fields: (t) => ({
    name: t.exposeString('name'),
    primaryDomain: t.exposeString('primaryDomain'),
    meetingUrl: t.exposeString('meetingUrl', { description: 'Base of Skype for Business join links.' }),
    teamsUpgradeMode: t.field({ type: TeamsUpgradeModeEnum, resolve: (tenant) => tenant.teamsUpgradeMode }),
    migrationConfiguration: t.field({ type: MigrationConfiguration, resolve: (tenant) => tenant }),
    dialInConferencingSettings: t.field({ type: DialInConferencingSettings, resolve: (tenant) => tenant }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    users: t.connection(
      {
        type: UserNode,
        description:
          'Users sorted by user principal name unless orderBy says otherwise. totalCount counts every user the ' +
          'search matches.',
        args: {
          search: t.arg.string({
            required: false,
            description: 'Part of the user principal name or display name.',
          }),
          orderBy: t.arg({
            type: UserOrder,
            required: false,
            defaultValue: DEFAULT_USER_ORDER,
            description:
              'The order to read in (null: the default, by user principal name). A cursor is taken only by the ' +
              'order that gave it: another order refuses it with INVALID_VALUE.',
          }),
        },
        resolve: async (tenant, args, context) => {
          const search = queryArgument(() => searchTerm('search', args.search));
          const { order, name } = listOrder(args.orderBy, DEFAULT_USER_ORDER);
          const { users } = context.services.store;
          const connection = await cursorConnection(
            args,
            (page) => users.list(tenant.id, { search }, order, page),
            (user) => ({ key: user.sortKey, id: user.id }),
            userSortKind(order.field),
            name,
          );
          return { ...connection, countAll: () => users.count(tenant.id, { search }) };
        },
      },
      {
        fields: (connection) => ({
          totalCount: connection.int({
            description: 'How many users match the search, on every page (counted only when asked for).',
            resolve: (parent) => parent.countAll(),
          }),
        }),
      },
    ),
    operatorTokens: t.connection({
      type: OperatorTokenNode,
      description: 'Operator API tokens, the revoked and expired ones too, oldest first.',
      resolve: (tenant, args, context) =>
        cursorConnection(
          args,
          (page) => context.services.store.tokens.operatorTokensOfTenant(tenant.id, page),
          (token) => ({ key: token.id, id: token.id }),
        ),
    }),
    bridges: t.connection({
      type: BridgeNode,
      resolve: (tenant, args, context) =>
        cursorConnection(
          args,
          (page) => context.services.store.bridges.list(tenant.id, page),
          (bridge) => ({ key: bridge.id, id: bridge.id }),
        ),
    }),
    meetings: t.connection({
      type: MeetingNode,
      description: 'Meetings sorted by start time.',
      args: {
        timing: t.arg({ type: MeetingTimingEnum, defaultValue: 'UPCOMING' }),
        organizerId: t.arg.id({ required: false }),
      },
      resolve: (tenant, args, context) => {
        const organizerId = args.organizerId ? filterId(args.organizerId, 'User') : null;
        return cursorConnection(
          args,
          (page) =>
            context.services.store.meetings.list(
              tenant.id,
              { timing: args.timing, organizerId, now: context.services.now() },
              page,
            ),
          (meeting) => ({ key: meeting.startsAt.toISOString(), id: meeting.id }),
          'time',
        );
      },
    }),
    triggerEvaluations: t.connection({
      type: TriggerEvaluationNode,
      description: 'Every evaluated trigger with its outcome, newest first.',
      args: { userId: t.arg.id({ required: false }) },
      resolve: (tenant, args, context) => {
        const userId = args.userId ? filterId(args.userId, 'User') : null;
        return cursorConnection(
          args,
          (page) => context.services.store.migrations.triggerEvaluations(tenant.id, { userId }, page),
          (evaluation) => ({ key: evaluation.id, id: evaluation.id }),
        );
      },
    }),
  }),
});
