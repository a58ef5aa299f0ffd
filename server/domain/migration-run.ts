/**
 * What one migration does to one meeting (SPEC §4 steps 2–3), as pure decisions: which meetings it
 * looks at, which it skips or fails and why, and the rewritten body of the ones it updates.
 */
import { meetingCoordinates } from './coordinates.ts';
import { type BlockSurvey, findBlock, rewriteOwnBlock, surveyBody } from './meeting-block.ts';
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
      /** The block the meeting gets, in the body's line ending. */
      block: string;
      /** What the body held before: the own block once, several times or not at all, and other blocks. */
      survey: BlockSurvey;
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
  const rewritten = rewriteOwnBlock(meeting.body, meeting.onlineMeeting, coordinates);
  // Each overridden occurrence whose body carries the own block is rewritten the same way as the master;
  // one without it (the organizer removed it from that occurrence) stays as it is.
  const overriddenOccurrences: OverrideBody[] = [];
  const overrides = meeting.overriddenOccurrences ?? [];
  for (const override of overrides) {
    if (surveyBody(override.body, meeting.onlineMeeting).own.length === 0) continue;
    const { body } = rewriteOwnBlock(override.body, meeting.onlineMeeting, coordinates);
    overriddenOccurrences.push({ recurrenceId: override.recurrenceId, body });
  }
  const change =
    from === to
      ? `${typeName(to)} block rewritten with current coordinates`
      : `moved from ${typeName(from)} to ${typeName(to)}`;
  const inOverrides =
    overrides.length > 0
      ? ` (also in ${overriddenOccurrences.length} of ${overrides.length} overridden occurrences)`
      : '';
  return {
    outcome: 'UPDATED',
    reason: change + inOverrides + blockNotes(rewritten.survey, to),
    body: rewritten.body,
    overriddenOccurrences,
    sequence: meeting.sequence + 1,
    block: rewritten.block,
    survey: rewritten.survey,
    onlineMeeting: {
      type: to,
      joinUrl: coordinates.joinUrl,
      conferenceId: coordinates.dialIn?.conferenceId ?? null,
    },
  };
}

/** What the result says beyond the rewrite: a deleted block, copies, other meetings' blocks left alone. */
function blockNotes(survey: BlockSurvey, to: OnlineMeetingType): string {
  const notes: string[] = [];
  if (survey.situation === 'MISSING') {
    notes.push(
      `the organizer had deleted the online meeting block, so a fresh ${typeName(to)} block was appended after their text`,
    );
  }
  if (survey.situation === 'REPEATED')
    notes.push(`all ${survey.own.length} copies of the block were rewritten`);
  const others = survey.blocks.length - survey.own.length;
  if (others === 1) notes.push('1 block of another meeting left as it was');
  if (others > 1) notes.push(`${others} blocks of other meetings left as they were`);
  return notes.map((note) => `; ${note}`).join('');
}
