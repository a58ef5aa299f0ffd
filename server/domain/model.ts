/** The MMS domain model (SPEC §2): plain data, free of GraphQL and SQL. */
import type { OnlineMeetingType } from './meeting-block.ts';

export type { OnlineMeetingType };

export const ONLINE_MEETING_TYPES = ['SKYPE_FOR_BUSINESS', 'TEAMS'] as const;
export const SKYPE_HOSTINGS = ['ON_PREMISES', 'ONLINE'] as const;
export type SkypeHosting = (typeof SKYPE_HOSTINGS)[number];
export const TEAMS_UPGRADE_MODES = [
  'ISLANDS',
  'SFB_WITH_TEAMS_COLLAB',
  'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS',
  'TEAMS_ONLY',
] as const;
export type TeamsUpgradeMode = (typeof TEAMS_UPGRADE_MODES)[number];
export const MAILBOX_LOCATIONS = ['EXCHANGE_ONLINE', 'EXCHANGE_ON_PREMISES'] as const;
export type MailboxLocation = (typeof MAILBOX_LOCATIONS)[number];
export const AUDIO_CONFERENCING_PROVIDERS = ['NONE', 'MICROSOFT', 'THIRD_PARTY'] as const;
export type AudioConferencingProvider = (typeof AUDIO_CONFERENCING_PROVIDERS)[number];
export const MIGRATION_STATES = ['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];
export const MIGRATION_TYPES = [
  'SFB_TO_SFB',
  'SFB_TO_TEAMS',
  'TEAMS_TO_TEAMS',
  'ALL_TO_TEAMS',
  'TO_SAME_TYPE',
] as const;
export type MigrationType = (typeof MIGRATION_TYPES)[number];
/** Which meetings a migration selects (Start-CsExMeetingMigration -SourceMeetingType). */
export const SOURCE_MEETING_TYPES = ['ALL', 'SKYPE_FOR_BUSINESS', 'TEAMS'] as const;
export type SourceMeetingType = (typeof SOURCE_MEETING_TYPES)[number];
/** What the selected meetings become (-TargetMeetingType): their current type, or Teams. */
export const TARGET_MEETING_TYPES = ['CURRENT', 'TEAMS'] as const;
export type TargetMeetingType = (typeof TARGET_MEETING_TYPES)[number];
export const MEETING_RESULT_OUTCOMES = ['UPDATED', 'SKIPPED', 'FAILED'] as const;
export type MeetingResultOutcome = (typeof MEETING_RESULT_OUTCOMES)[number];
/**
 * QUEUED for delivery (or for export when no SMTP server is configured), SENDING by a delivery worker,
 * SENT, FAILED for good, or SUPERSEDED by a later update of the same meeting before it went out.
 */
export const INVITATION_STATES = ['QUEUED', 'SENDING', 'SENT', 'FAILED', 'SUPERSEDED'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];
export const CONTENT_ITEM_KINDS = ['WHITEBOARD', 'POLL', 'ATTACHMENT'] as const;
export type ContentItemKind = (typeof CONTENT_ITEM_KINDS)[number];
export const TRIGGER_KINDS = [
  'USER_MOVED',
  'TEAMS_UPGRADE',
  'TENANT_TEAMS_UPGRADE',
  'LICENSE_ASSIGNED',
  'LICENSE_REMOVED',
  'PROVIDER_CHANGED',
  'DIAL_IN_CHANGED',
  'CONFERENCE_ID_CHANGED',
  'CONFERENCE_ID_RESET',
  'BRIDGE_CHANGED',
  'BRIDGE_NUMBER_UNASSIGNED',
  'SIP_ADDRESS_CHANGED',
  'MEETING_URL_CHANGED',
  'MANUAL_START',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
/** STARTED a new migration, MERGED into a pending one, QUEUED behind one in progress, or IGNORED. */
export const TRIGGER_OUTCOMES = ['STARTED', 'MERGED', 'QUEUED', 'IGNORED'] as const;
export type TriggerOutcome = (typeof TRIGGER_OUTCOMES)[number];

export interface TenantSettings {
  meetingMigrationEnabled: boolean;
  automaticallyMigrateUserMeetings: boolean;
  automaticallyReplaceAcpProvider: boolean;
  automaticallySendEmailsToUsers: boolean;
  pinLength: number;
}

export interface Tenant extends TenantSettings {
  id: number;
  name: string;
  primaryDomain: string;
  meetingUrl: string;
  teamsUpgradeMode: TeamsUpgradeMode;
  createdAt: Date;
}

export interface Bridge {
  id: number;
  tenantId: number;
  name: string;
  isDefault: boolean;
}

export interface BridgeNumber {
  id: number;
  tenantId: number;
  bridgeId: number;
  number: string;
  tollFree: boolean;
  city: string;
  country: string;
  language: string;
}

export interface AudioConferencing {
  provider: AudioConferencingProvider;
  thirdPartyProviderName: string | null;
  thirdPartyDialInText: string | null;
  licensed: boolean;
  dialInEnabled: boolean;
  conferenceId: string | null;
  bridgeId: number | null;
  defaultTollNumberId: number | null;
  defaultTollFreeNumberId: number | null;
}

export interface User extends AudioConferencing {
  id: number;
  tenantId: number;
  userPrincipalName: string;
  displayName: string;
  sipAddress: string;
  skypeHosting: SkypeHosting;
  teamsUpgradeMode: TeamsUpgradeMode;
  mailboxLocation: MailboxLocation;
  createdAt: Date;
}

export interface Attendee {
  email: string;
  name: string | null;
}

export interface ContentItem {
  kind: ContentItemKind;
  title: string;
  url: string;
}

export interface OnlineMeetingProperties {
  type: OnlineMeetingType;
  joinUrl: string;
  conferenceId: string | null;
}

/**
 * One occurrence of a series changed on its own (RFC 5545 RECURRENCE-ID): its own times, subject, location
 * and body — organizer text with the meeting's online meeting block, like the master's.
 */
export interface OverriddenOccurrence {
  /** The original start of the occurrence. */
  recurrenceId: Date;
  startsAt: Date;
  endsAt: Date;
  subject: string;
  location: string | null;
  body: string;
}

export interface Meeting {
  id: number;
  tenantId: number;
  organizerId: number;
  uid: string;
  subject: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  recurrence: string | null;
  /**
   * End of the last occurrence; null for a series without end. Derived from the RRULE and the exceptions
   * when stored (lastOccurrenceEnd).
   */
  lastOccurrenceEndsAt: Date | null;
  location: string | null;
  body: string;
  sequence: number;
  sharedNotesUrl: string | null;
  onlineMeeting: OnlineMeetingProperties | null;
  attendees: Attendee[];
  contentItems: ContentItem[];
  /** Original starts of the occurrences of a series that are cancelled (RFC 5545 EXDATE), in order. */
  cancelledOccurrences: Date[];
  /** Occurrences of a series changed on their own, by original start. */
  overriddenOccurrences: OverriddenOccurrence[];
  createdAt: Date;
}

export interface MeetingMigration {
  id: number;
  correlationId: string;
  tenantId: number;
  userId: number;
  state: MigrationState;
  /** How many times its state changed, 1 for a new one: orders its changes as other processes tell them. */
  stateChanges: number;
  sourceMeetingType: SourceMeetingType;
  targetMeetingType: TargetMeetingType;
  createdAt: Date;
  modifiedAt: Date;
  notBefore: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  retryCount: number;
  nextAttemptAt: Date | null;
  /** The run's own message, then how many invitations failed and the last server reply (if any did). */
  lastMessage: string | null;
  totalMeetings: number;
  succeededMeetings: number;
  failedMeetings: number;
  skippedMeetings: number;
  invitesUpdated: number;
  /** Invitation updates of this run waiting to go out (queued, or being sent). */
  invitationsPending: number;
  invitationsDelivered: number;
  /** Invitation updates that failed for good; an operator can re-send them. */
  invitationsFailed: number;
}

export interface TriggerEvaluation {
  id: number;
  tenantId: number;
  userId: number | null;
  kind: TriggerKind;
  detail: string;
  occurredAt: Date;
  outcome: TriggerOutcome;
  message: string;
  migrationId: number | null;
}

export interface InvitationUpdate {
  id: number;
  tenantId: number;
  migrationId: number;
  meetingId: number;
  sequence: number;
  attendee: Attendee;
  state: InvitationState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export interface MeetingResult {
  migrationId: number;
  meetingId: number;
  outcome: MeetingResultOutcome;
  reason: string;
  recordedAt: Date;
}

/** A user without audio conferencing: no license, no provider, no dial-in. */
export const NO_AUDIO_CONFERENCING: AudioConferencing = {
  provider: 'NONE',
  thirdPartyProviderName: null,
  thirdPartyDialInText: null,
  licensed: false,
  dialInEnabled: false,
  conferenceId: null,
  bridgeId: null,
  defaultTollNumberId: null,
  defaultTollFreeNumberId: null,
};

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  meetingMigrationEnabled: true,
  automaticallyMigrateUserMeetings: true,
  automaticallyReplaceAcpProvider: false,
  automaticallySendEmailsToUsers: true,
  pinLength: 5,
};

/** An operator API token (SPEC §7); only a hash of the token itself is kept. */
export interface OperatorToken {
  id: number;
  tenantId: number;
  name: string;
  createdAt: Date;
  /** The token is refused from this instant on; null: until revoked. */
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const OPERATOR_TOKEN_STATES = ['ACTIVE', 'EXPIRED', 'REVOKED'] as const;
export type OperatorTokenState = (typeof OPERATOR_TOKEN_STATES)[number];

export function operatorTokenState(token: OperatorToken, now: Date): OperatorTokenState {
  if (token.revokedAt) return 'REVOKED';
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return 'ACTIVE';
}
