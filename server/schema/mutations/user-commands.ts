/** The §6 admin commands that change a user: each returns the user, the trigger outcome and the migration. */
import type { MeetingMigration, TriggerEvaluation, User } from '../../domain/model.ts';
import type { Services } from '../../services/index.ts';
import type { UserCommandResult } from '../../services/user-admin.ts';
import type { Viewer } from '../../services/viewer.ts';
import { builder } from '../builder.ts';
import {
  AudioConferencingProviderEnum,
  decodeId,
  EXPECTED_ERRORS,
  MailboxLocationEnum,
  SkypeHostingEnum,
  SourceMeetingTypeEnum,
  TargetMeetingTypeEnum,
  TeamsUpgradeModeEnum,
} from '../common.ts';
import { type Context, viewerOf } from '../context.ts';
import { MeetingMigrationNode } from '../types/meeting-migration.ts';
import { TriggerEvaluationNode } from '../types/trigger-evaluation.ts';
import { UserNode } from '../types/user.ts';

interface UserChangePayloadShape {
  user: User;
  evaluation: TriggerEvaluation;
  migration: MeetingMigration | null;
}

/** What every command on a user returns; clients may select it once for all of them. */
const UserChangePayload = builder.interfaceRef<UserChangePayloadShape>('UserChangePayload').implement({
  fields: (t) => ({
    user: t.field({ type: UserNode, resolve: (payload) => payload.user }),
    triggerEvaluation: t.field({
      type: TriggerEvaluationNode,
      description: 'How the change was evaluated against the trigger rules, and why.',
      resolve: (payload) => payload.evaluation,
    }),
    meetingMigration: t.field({
      type: MeetingMigrationNode,
      nullable: true,
      description: 'The migration the change started or merged into; null when it started none.',
      resolve: (payload) => payload.migration,
    }),
  }),
});

function userChangePayload(name: string) {
  return builder
    .objectRef<UserChangePayloadShape>(name)
    .implement({ interfaces: [UserChangePayload], fields: () => ({}) });
}

type Command<Input> = (
  services: Services,
  viewer: Viewer,
  input: Input & { userId: number },
) => Promise<UserCommandResult>;

/** Runs a user command with the user's global ID decoded. */
function runUserCommand<Input extends { userId: string }>(
  input: Input,
  context: Context,
  command: Command<Omit<Input, 'userId'>>,
): Promise<UserCommandResult> {
  const userId = decodeId('userId', input.userId, 'User');
  return command(context.services, viewerOf(context), { ...input, userId });
}

builder.mutationFields((t) => ({
  moveUser: t.fieldWithInput({
    description: 'Move-CsUser: moves a user between the on-premises Skype for Business server and the cloud.',
    type: userChangePayload('MoveUserPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: {
      userId: t.input.id(),
      target: t.input.field({ type: SkypeHostingEnum }),
      moveToTeams: t.input.boolean({ defaultValue: false, description: 'Also make the user TEAMS_ONLY.' }),
    },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) =>
        s.users.moveUser(viewer, { ...i, moveToTeams: i.moveToTeams ?? false }),
      ),
  }),

  grantTeamsUpgradePolicy: t.fieldWithInput({
    description:
      'Grant-CsTeamsUpgradePolicy for one user. (For the whole tenant see grantTenantTeamsUpgradePolicy.)',
    type: userChangePayload('GrantTeamsUpgradePolicyPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: {
      userId: t.input.id(),
      mode: t.input.field({ type: TeamsUpgradeModeEnum }),
      migrateMeetingsToTeams: t.input.boolean({ defaultValue: true }),
    },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) =>
        s.users.grantTeamsUpgradePolicy(viewer, {
          ...i,
          migrateMeetingsToTeams: i.migrateMeetingsToTeams ?? true,
        }),
      ),
  }),

  assignAudioConferencingLicense: t.fieldWithInput({
    type: userChangePayload('AssignAudioConferencingLicensePayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.assignAudioConferencingLicense(viewer, i)),
  }),

  removeAudioConferencingLicense: t.fieldWithInput({
    type: userChangePayload('RemoveAudioConferencingLicensePayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.removeAudioConferencingLicense(viewer, i)),
  }),

  setAudioConferencingProvider: t.fieldWithInput({
    type: userChangePayload('SetAudioConferencingProviderPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: {
      userId: t.input.id(),
      provider: t.input.field({ type: AudioConferencingProviderEnum }),
      thirdPartyProviderName: t.input.string({ required: false }),
      thirdPartyDialInText: t.input.string({ required: false }),
    },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.setAudioConferencingProvider(viewer, i)),
  }),

  setDialInConferencing: t.fieldWithInput({
    type: userChangePayload('SetDialInConferencingPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id(), enabled: t.input.boolean() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.setDialInConferencing(viewer, i)),
  }),

  setConferenceId: t.fieldWithInput({
    type: userChangePayload('SetConferenceIdPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id(), conferenceId: t.input.string({ description: '4 to 15 digits.' }) },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.setConferenceId(viewer, i)),
  }),

  resetConferenceId: t.fieldWithInput({
    type: userChangePayload('ResetConferenceIdPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.resetConferenceId(viewer, i)),
  }),

  moveUserToBridge: t.fieldWithInput({
    type: userChangePayload('MoveUserToBridgePayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id(), bridgeId: t.input.id() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) =>
        s.users.moveUserToBridge(viewer, { ...i, bridgeId: decodeId('bridgeId', i.bridgeId, 'Bridge') }),
      ),
  }),

  setUserSipAddress: t.fieldWithInput({
    description: 'Changes the SIP address. Never migrates meetings; the outcome is recorded all the same.',
    type: userChangePayload('SetUserSipAddressPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id(), sipAddress: t.input.string() },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) => s.users.setUserSipAddress(viewer, i)),
  }),

  startMeetingMigration: t.fieldWithInput({
    description:
      'Start-CsExMeetingMigration: always queued (merging into a pending migration of the user, if any), with no hold.',
    type: userChangePayload('StartMeetingMigrationPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: {
      userId: t.input.id(),
      sourceMeetingType: t.input.field({ type: SourceMeetingTypeEnum, defaultValue: 'ALL' }),
      targetMeetingType: t.input.field({ type: TargetMeetingTypeEnum, defaultValue: 'CURRENT' }),
    },
    resolve: (_root, { input }, context) =>
      runUserCommand(input, context, (s, viewer, i) =>
        s.users.startMeetingMigration(viewer, {
          userId: i.userId,
          sourceMeetingType: i.sourceMeetingType ?? 'ALL',
          targetMeetingType: i.targetMeetingType ?? 'CURRENT',
        }),
      ),
  }),

  setMailboxLocation: t.fieldWithInput({
    description:
      'Where the mailbox is. Not a trigger: a mailbox on Exchange on-premises makes the user ineligible.',
    type: builder.objectRef<{ user: User }>('SetMailboxLocationPayload').implement({
      fields: (p) => ({ user: p.field({ type: UserNode, resolve: (payload) => payload.user }) }),
    }),
    errors: { types: EXPECTED_ERRORS },
    input: { userId: t.input.id(), mailboxLocation: t.input.field({ type: MailboxLocationEnum }) },
    resolve: async (_root, { input }, context) => ({
      user: await context.services.users.setMailboxLocation(viewerOf(context), {
        userId: decodeId('userId', input.userId, 'User'),
        mailboxLocation: input.mailboxLocation,
      }),
    }),
  }),
}));
