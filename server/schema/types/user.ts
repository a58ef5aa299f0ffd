import type { User } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import {
  AudioConferencingProviderEnum,
  MailboxLocationEnum,
  SkypeHostingEnum,
  TeamsUpgradeModeEnum,
} from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { groupedLoader, loadInOrder } from '../loaders.ts';
import { BridgeNode, BridgeNumberNode } from './bridge.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { TenantNode } from './tenant.ts';

export const UserNode = builder.loadableNodeRef<User, string | number>('User', {
  id: { resolve: (user) => user.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) => context.services.store.users.byIds(tenantFilterOf(context), ids)),
});

const latestMigration = groupedLoader(async (ids, context) => {
  const migrations = await context.services.store.migrations.latestForUsers(ids);
  return new Map(migrations.map((migration) => [migration.userId, [migration]]));
});

const AudioConferencing = builder.objectRef<User>('AudioConferencing').implement({
  description: "The user's audio conferencing (dial-in) coordinates.",
  fields: (t) => ({
    provider: t.field({ type: AudioConferencingProviderEnum, resolve: (user) => user.provider }),
    thirdPartyProviderName: t.exposeString('thirdPartyProviderName', { nullable: true }),
    thirdPartyDialInText: t.exposeString('thirdPartyDialInText', { nullable: true }),
    licensed: t.exposeBoolean('licensed', { description: 'Has the audio conferencing license.' }),
    dialInEnabled: t.exposeBoolean('dialInEnabled'),
    conferenceId: t.exposeString('conferenceId', { nullable: true }),
    bridge: t.field({ type: BridgeNode, nullable: true, resolve: (user) => user.bridgeId }),
    defaultTollNumber: t.field({
      type: BridgeNumberNode,
      nullable: true,
      resolve: (user) => user.defaultTollNumberId,
    }),
    defaultTollFreeNumber: t.field({
      type: BridgeNumberNode,
      nullable: true,
      resolve: (user) => user.defaultTollFreeNumberId,
    }),
  }),
});

UserNode.implement({
  description: 'A user whose meetings may be migrated.',
  fields: (t) => ({
    userPrincipalName: t.exposeString('userPrincipalName'),
    displayName: t.exposeString('displayName'),
    sipAddress: t.exposeString('sipAddress'),
    skypeHosting: t.field({ type: SkypeHostingEnum, resolve: (user) => user.skypeHosting }),
    teamsUpgradeMode: t.field({ type: TeamsUpgradeModeEnum, resolve: (user) => user.teamsUpgradeMode }),
    mailboxLocation: t.field({ type: MailboxLocationEnum, resolve: (user) => user.mailboxLocation }),
    audioConferencing: t.field({ type: AudioConferencing, resolve: (user) => user }),
    tenant: t.field({ type: TenantNode, resolve: (user) => user.tenantId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    latestMeetingMigration: t.field({
      type: MeetingMigrationNode,
      nullable: true,
      resolve: async (user, _args, context) => (await latestMigration(context).load(user.id))[0] ?? null,
    }),
  }),
});
