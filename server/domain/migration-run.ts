/**
 * What one migration does to one meeting (SPEC §4 steps 2–3), as pure decisions: which meetings it
 * looks at, which it skips or fails and why, and the rewritten body of the ones it updates.
 */
import { meetingCoordinates } from './coordinates.ts';
import { findBlock, replaceBlock } from './meeting-block.ts';
import type {
  BridgeNumber,
  MeetingResultOutcome,
  OnlineMeetingProperties,
  OnlineMeetingType,
  SourceMeetingType,
  TargetMeetingType,
  Tenant,
  User,
} from './model.ts';

export interface MeetingToMigrate {
  uid: string;
  body: string;
  sequence: number;
  onlineMeeting: OnlineMeetingProperties | null;
  /** Attendees, not counting the organizer. */
  attendeeCount: number;
  /** The bodies of the series' overridden occurrences, by original start (none when left out). */
  overriddenOccurrences?: readonly OverrideBody[];
}

/** The body of one overridden occurrence, by its original start. */
export interface OverrideBody {
  recurrenceId: Date;
  body: string;
}

export interface RunSettings {
  tenant: Pick<Tenant, 'meetingUrl' | 'primaryDomain'>;
  user: User;
  /** The user's default toll and toll-free numbers. */
  numbers: BridgeNumber[];
  sourceMeetingType: SourceMeetingType;
  targetMeetingType: TargetMeetingType;
  /** Participants allowed, organizer included (MMS: 250). */
  maxParticipants: number;
}

export type MeetingDecision =
  | {
      outcome: Extract<MeetingResultOutcome, 'UPDATED'>;
      reason: string;
      body: string;
      /** The overridden occurrences whose bodies carried the block, rewritten; the others stay as they are. */
      overriddenOccurrences: OverrideBody[];
      sequence: number;
      onlineMeeting: OnlineMeetingProperties;
    }
  | { outcome: Exclude<MeetingResultOutcome, 'UPDATED'>; reason: string };

/** Why the user's meetings cannot be migrated at all, or null when they can. */
export function ineligibility(user: Pick<User, 'mailboxLocation' | 'skypeHosting'>): string | null {
  if (user.mailboxLocation === 'EXCHANGE_ON_PREMISES') {
    return 'the user’s mailbox is on Exchange on-premises, which MMS cannot update';
  }
  if (user.skypeHosting === 'ON_PREMISES') {
    return 'the user is homed on the on-premises Skype for Business server; move the user online first';
  }
  return null;
}

/** The meeting's online meeting type: from the add-in properties, else from a block pasted into the body. */
export function meetingTypeOf(
  meeting: Pick<MeetingToMigrate, 'body' | 'onlineMeeting'>,
): OnlineMeetingType | null {
  return meeting.onlineMeeting?.type ?? findBlock(meeting.body)?.type ?? null;
}

/** Whether the migration looks at this meeting at all: an online meeting of its source type. */
export function isSelected(
  meeting: Pick<MeetingToMigrate, 'body' | 'onlineMeeting'>,
  source: SourceMeetingType,
): boolean {
  const type = meetingTypeOf(meeting);
  return type !== null && (source === 'ALL' || source === type);
}

const typeName = (type: OnlineMeetingType) => (type === 'TEAMS' ? 'Teams' : 'Skype for Business');

/** Rewrites one selected meeting, or says why it is skipped or failed. */
export function decideMeeting(meeting: MeetingToMigrate, settings: RunSettings): MeetingDecision {
  if (!meeting.onlineMeeting) {
    return { outcome: 'SKIPPED', reason: 'online meeting block was not created by the add-in' };
  }
  const participants = meeting.attendeeCount + 1;
  if (participants > settings.maxParticipants) {
    return {
      outcome: 'FAILED',
      reason: `${participants} participants (organizer included) exceed the limit of ${settings.maxParticipants}`,
    };
  }
  const from = meeting.onlineMeeting.type;
  const to: OnlineMeetingType = settings.targetMeetingType === 'TEAMS' ? 'TEAMS' : from;
  const coordinates = meetingCoordinates({
    tenant: settings.tenant,
    user: settings.user,
    numbers: settings.numbers,
    type: to,
    meetingUid: meeting.uid,
  });
  const rewritten = replaceBlock(meeting.body, coordinates);
  if (!rewritten)
    return { outcome: 'SKIPPED', reason: 'the body no longer contains an online meeting block' };
  // Each overridden occurrence whose body carries the block is rewritten the same way as the master.
  const overriddenOccurrences: OverrideBody[] = [];
  const overrides = meeting.overriddenOccurrences ?? [];
  for (const override of overrides) {
    const rewrittenOverride = replaceBlock(override.body, coordinates);
    if (rewrittenOverride) {
      overriddenOccurrences.push({ recurrenceId: override.recurrenceId, body: rewrittenOverride.body });
    }
  }
  return {
    outcome: 'UPDATED',
    reason:
      (from === to
        ? `${typeName(to)} block rewritten with current coordinates`
        : `moved from ${typeName(from)} to ${typeName(to)}`) +
      (overrides.length > 0
        ? ` (also in ${overriddenOccurrences.length} of ${overrides.length} overridden occurrences)`
        : ''),
    body: rewritten.body,
    overriddenOccurrences,
    sequence: meeting.sequence + 1,
    onlineMeeting: {
      type: to,
      joinUrl: coordinates.joinUrl,
      conferenceId: coordinates.dialIn?.conferenceId ?? null,
    },
  };
}
