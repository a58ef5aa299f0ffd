import { NotFoundError } from '../../domain/errors.ts';
import { migrationTypeOf } from '../../domain/triggers.ts';
import type { MeetingPreview, MigrationPreview } from '../../services/preview.ts';
import { builder } from '../builder.ts';
import {
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
