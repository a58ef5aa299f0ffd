/** What a migration would do now, meeting by meeting, without writing anything (SPEC §9). */
import type { OwnBlockSituation } from '../domain/meeting-block.ts';
import { decideMeeting, ineligibility, isSelected } from '../domain/migration-run.ts';
import type { MeetingResultOutcome, SourceMeetingType, TargetMeetingType, User } from '../domain/model.ts';
import { requireUser, type ServiceDeps } from './deps.ts';
import type { Viewer } from './viewer.ts';

export interface MeetingPreview {
  meetingId: number;
  outcome: MeetingResultOutcome;
  reason: string;
  /** The block the meeting would get; null unless it would be updated. */
  newBlock: string | null;
  /** Where the meeting's own block is (SPEC §2); null unless it would be updated. */
  blocks: {
    situation: OwnBlockSituation;
    ownBlocks: number;
    otherBlocks: number;
    unclosedOpenings: number;
  } | null;
}

export interface MigrationPreview {
  user: User;
  sourceMeetingType: SourceMeetingType;
  targetMeetingType: TargetMeetingType;
  /** Why the user's meetings cannot be migrated at all, or null. */
  ineligibleBecause: string | null;
  meetings: MeetingPreview[];
}

const PAGE = 500;

export function preview(deps: ServiceDeps) {
  return {
    async previewMeetingMigration(
      viewer: Viewer,
      input: { userId: number; sourceMeetingType: SourceMeetingType; targetMeetingType: TargetMeetingType },
    ): Promise<MigrationPreview> {
      const { store } = deps;
      const user = await requireUser(store, viewer, input.userId, 'userId');
      const base = {
        user,
        sourceMeetingType: input.sourceMeetingType,
        targetMeetingType: input.targetMeetingType,
      };
      const ineligibleBecause = ineligibility(user);
      if (ineligibleBecause) return { ...base, ineligibleBecause, meetings: [] };
      const [tenant] = await store.tenants.byIds([user.tenantId]);
      if (!tenant) throw new Error(`tenant ${user.tenantId} is missing`);
      const numberIds = [user.defaultTollNumberId, user.defaultTollFreeNumberId].filter((id) => id !== null);
      const settings = {
        tenant,
        user,
        numbers: await store.bridges.numbersByIds(tenant.id, numberIds),
        sourceMeetingType: input.sourceMeetingType,
        targetMeetingType: input.targetMeetingType,
        maxParticipants: deps.config.maxParticipants,
      };
      const meetings: MeetingPreview[] = [];
      let afterId = 0;
      for (;;) {
        const batch = await store.engine.candidateMeetings(0, user.id, deps.now(), afterId, PAGE);
        for (const meeting of batch.filter((m) => isSelected(m, input.sourceMeetingType))) {
          const decision = decideMeeting(meeting, settings);
          meetings.push({
            meetingId: meeting.id,
            outcome: decision.outcome,
            reason: decision.reason,
            ...(decision.outcome === 'UPDATED'
              ? {
                  newBlock: decision.block,
                  blocks: {
                    situation: decision.survey.situation,
                    ownBlocks: decision.survey.own.length,
                    otherBlocks: decision.survey.blocks.length - decision.survey.own.length,
                    unclosedOpenings: decision.survey.unclosedOpenings,
                  },
                }
              : { newBlock: null, blocks: null }),
          });
        }
        const last = batch.at(-1);
        if (!last) break;
        afterId = last.id;
      }
      return { ...base, ineligibleBecause: null, meetings };
    },
  };
}
