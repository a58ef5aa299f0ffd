import { NotFoundError } from '../../domain/errors.ts';
import { migrationTypeOf } from '../../domain/triggers.ts';
import type { MeetingPreview, MigrationPreview } from '../../services/preview.ts';
import { builder } from '../builder.ts';
import {
  byId,
  decodeId,
  loadedConnection,
  MeetingResultOutcomeEnum,
  MigrationTypeEnum,
  SourceMeetingTypeEnum,
  TargetMeetingTypeEnum,
} from '../common.ts';
import { viewerOf } from '../context.ts';
import { MeetingNode } from './meeting.ts';
import { UserNode } from './user.ts';

const OwnBlockSituationEnum = builder.enumType('OwnBlockSituation', {
  description: 'Where a meeting’s own online meeting block is: the one whose join URL is the meeting’s.',
  values: {
    FOUND: { description: 'Once: it is rewritten; everything else stays byte for byte.' },
    REPEATED: { description: 'Several times (a forwarded invitation pasted in): every copy is rewritten.' },
    MISSING: {
      description:
        'Deleted by the organizer: their text stays as it is and a fresh block is appended after it.',
    },
  } as const,
});

const BodyBlocksType = builder
  .objectRef<NonNullable<MeetingPreview['blocks']>>('MeetingBodyBlocks')
  .implement({
    description:
      'What the body holds that looks like an online meeting block, and which of it is the meeting’s own.',
    fields: (t) => ({
      situation: t.field({ type: OwnBlockSituationEnum, resolve: (blocks) => blocks.situation }),
      ownBlocks: t.exposeInt('ownBlocks', { description: 'Copies of the meeting’s own block.' }),
      otherBlocks: t.exposeInt('otherBlocks', {
        description: 'Complete blocks of other meetings (pasted or forwarded): left as they are.',
      }),
      unclosedOpenings: t.exposeInt('unclosedOpenings', {
        description: 'Opening lines without a closing line: organizer text, left as it is.',
      }),
    }),
  });

const MeetingPreviewType = builder.objectRef<MeetingPreview & { id: number }>('MeetingPreview').implement({
  description: 'What the migration would do to one meeting.',
  fields: (t) => ({
    meeting: t.field({ type: MeetingNode, resolve: (preview) => preview.meetingId }),
    outcome: t.field({ type: MeetingResultOutcomeEnum, resolve: (preview) => preview.outcome }),
    reason: t.exposeString('reason'),
    newBlock: t.exposeString('newBlock', {
      nullable: true,
      description: 'The online meeting block it would get.',
    }),
    blocks: t.field({
      type: BodyBlocksType,
      nullable: true,
      description: 'Which blocks of the body would be rewritten; null unless the meeting would be updated.',
      resolve: (preview) => preview.blocks,
    }),
  }),
});

const count = (preview: MigrationPreview, outcome: MeetingPreview['outcome']) =>
  preview.meetings.filter((m) => m.outcome === outcome).length;

const MigrationPreviewType = builder.objectRef<MigrationPreview>('MeetingMigrationPreview').implement({
  description: 'What a migration of the user would do now. Nothing is written.',
  fields: (t) => ({
    user: t.field({ type: UserNode, resolve: (preview) => preview.user }),
    sourceMeetingType: t.field({
      type: SourceMeetingTypeEnum,
      resolve: (preview) => preview.sourceMeetingType,
    }),
    targetMeetingType: t.field({
      type: TargetMeetingTypeEnum,
      resolve: (preview) => preview.targetMeetingType,
    }),
    migrationType: t.field({ type: MigrationTypeEnum, resolve: (preview) => migrationTypeOf(preview) }),
    ineligibleBecause: t.exposeString('ineligibleBecause', {
      nullable: true,
      description: 'Why the user’s meetings cannot be migrated at all; a migration would end FAILED with it.',
    }),
    totalMeetings: t.int({ resolve: (preview) => preview.meetings.length }),
    updatedMeetings: t.int({ resolve: (preview) => count(preview, 'UPDATED') }),
    skippedMeetings: t.int({ resolve: (preview) => count(preview, 'SKIPPED') }),
    failedMeetings: t.int({ resolve: (preview) => count(preview, 'FAILED') }),
    meetings: t.connection({
      type: MeetingPreviewType,
      resolve: (preview, args) =>
        loadedConnection(
          args,
          Promise.resolve(preview.meetings.map((meeting) => ({ ...meeting, id: meeting.meetingId }))),
          byId('asc'),
        ),
    }),
  }),
});

builder.queryField('meetingMigrationPreview', (t) =>
  t.field({
    type: MigrationPreviewType,
    nullable: true,
    description:
      'What startMeetingMigration would do for the user now, meeting by meeting; null for an unknown user.',
    args: {
      userId: t.arg.id(),
      sourceMeetingType: t.arg({ type: SourceMeetingTypeEnum, defaultValue: 'ALL' }),
      targetMeetingType: t.arg({ type: TargetMeetingTypeEnum, defaultValue: 'CURRENT' }),
    },
    resolve: async (_root, args, context) => {
      try {
        return await context.services.preview.previewMeetingMigration(viewerOf(context), {
          userId: decodeId('userId', args.userId, 'User'),
          sourceMeetingType: args.sourceMeetingType,
          targetMeetingType: args.targetMeetingType,
        });
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },
  }),
);
