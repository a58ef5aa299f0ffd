/** Conversions between database rows and domain objects. */
import { migrationMessage } from '../domain/delivery-outcome.ts';
import type {
  AudioConferencingProvider,
  Bridge,
  BridgeNumber,
  MailboxLocation,
  Meeting,
  MeetingMigration,
  MigrationState,
  OnlineMeetingType,
  SkypeHosting,
  SourceMeetingType,
  TargetMeetingType,
  TeamsUpgradeMode,
  Tenant,
  TriggerEvaluation,
  TriggerKind,
  TriggerOutcome,
  User,
} from '../domain/model.ts';
import type {
  BridgeNumberRow,
  BridgeRow,
  MeetingMigrationRow,
  MeetingRow,
  TenantRow,
  TriggerEvaluationRow,
  UserRow,
} from './tables.ts';

export const toTime = (date: Date): string => date.toISOString();
export const fromTime = (value: string): Date => new Date(value);
const fromOptionalTime = (value: string | null): Date | null => (value === null ? null : new Date(value));
export const toFlag = (value: boolean): number => (value ? 1 : 0);

export function tenantFromRow(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    primaryDomain: row.primary_domain,
    meetingUrl: row.meeting_url,
    teamsUpgradeMode: row.teams_upgrade_mode as TeamsUpgradeMode,
    meetingMigrationEnabled: row.meeting_migration_enabled === 1,
    automaticallyMigrateUserMeetings: row.automatically_migrate_user_meetings === 1,
    automaticallyReplaceAcpProvider: row.automatically_replace_acp_provider === 1,
    automaticallySendEmailsToUsers: row.automatically_send_emails_to_users === 1,
    pinLength: row.pin_length,
    createdAt: fromTime(row.created_at),
  };
}

export function bridgeFromRow(row: BridgeRow): Bridge {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, isDefault: row.is_default === 1 };
}

export function bridgeNumberFromRow(row: BridgeNumberRow): BridgeNumber {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    bridgeId: row.bridge_id,
    number: row.number,
    tollFree: row.toll_free === 1,
    city: row.city,
    country: row.country,
    language: row.language,
  };
}

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userPrincipalName: row.user_principal_name,
    displayName: row.display_name,
    sipAddress: row.sip_address,
    skypeHosting: row.skype_hosting as SkypeHosting,
    teamsUpgradeMode: row.teams_upgrade_mode as TeamsUpgradeMode,
    mailboxLocation: row.mailbox_location as MailboxLocation,
    provider: row.provider as AudioConferencingProvider,
    thirdPartyProviderName: row.third_party_provider_name,
    thirdPartyDialInText: row.third_party_dial_in_text,
    licensed: row.licensed === 1,
    dialInEnabled: row.dial_in_enabled === 1,
    conferenceId: row.conference_id,
    bridgeId: row.bridge_id,
    defaultTollNumberId: row.default_toll_number_id,
    defaultTollFreeNumberId: row.default_toll_free_number_id,
    createdAt: fromTime(row.created_at),
  };
}

/** The columns of a user that admin commands may change. */
export function userChangesToRow(changes: Partial<User>): Partial<UserRow> {
  const row: Partial<UserRow> = {};
  if (changes.displayName !== undefined) row.display_name = changes.displayName;
  if (changes.sipAddress !== undefined) row.sip_address = changes.sipAddress;
  if (changes.skypeHosting !== undefined) row.skype_hosting = changes.skypeHosting;
  if (changes.teamsUpgradeMode !== undefined) row.teams_upgrade_mode = changes.teamsUpgradeMode;
  if (changes.mailboxLocation !== undefined) row.mailbox_location = changes.mailboxLocation;
  if (changes.provider !== undefined) row.provider = changes.provider;
  if (changes.thirdPartyProviderName !== undefined)
    row.third_party_provider_name = changes.thirdPartyProviderName;
  if (changes.thirdPartyDialInText !== undefined) row.third_party_dial_in_text = changes.thirdPartyDialInText;
  if (changes.licensed !== undefined) row.licensed = toFlag(changes.licensed);
  if (changes.dialInEnabled !== undefined) row.dial_in_enabled = toFlag(changes.dialInEnabled);
  if (changes.conferenceId !== undefined) row.conference_id = changes.conferenceId;
  if (changes.bridgeId !== undefined) row.bridge_id = changes.bridgeId;
  if (changes.defaultTollNumberId !== undefined) row.default_toll_number_id = changes.defaultTollNumberId;
  if (changes.defaultTollFreeNumberId !== undefined)
    row.default_toll_free_number_id = changes.defaultTollFreeNumberId;
  return row;
}

/** A meeting row without its attendees, content items and exceptions, which are loaded separately. */
export function meetingFromRow(row: MeetingRow): Omit<
  Meeting,
  'attendees' | 'contentItems' | 'cancelledOccurrences' | 'overriddenOccurrences'
> & {
  attendeeCount: number;
} {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    organizerId: row.organizer_id,
    uid: row.uid,
    subject: row.subject,
    startsAt: fromTime(row.starts_at),
    endsAt: fromTime(row.ends_at),
    timeZone: row.time_zone,
    recurrence: row.recurrence,
    lastOccurrenceEndsAt: fromOptionalTime(row.last_occurrence_ends_at),
    location: row.location,
    body: row.body,
    sequence: row.sequence,
    sharedNotesUrl: row.shared_notes_url,
    onlineMeeting:
      row.online_meeting_type && row.online_meeting_join_url
        ? {
            type: row.online_meeting_type as OnlineMeetingType,
            joinUrl: row.online_meeting_join_url,
            conferenceId: row.online_meeting_conference_id,
          }
        : null,
    attendeeCount: row.attendee_count,
    createdAt: fromTime(row.created_at),
  };
}

export function migrationFromRow(row: MeetingMigrationRow): MeetingMigration {
  return {
    id: row.id,
    correlationId: row.correlation_id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    state: row.state as MigrationState,
    stateChanges: row.state_changes,
    sourceMeetingType: row.source_meeting_type as SourceMeetingType,
    targetMeetingType: row.target_meeting_type as TargetMeetingType,
    createdAt: fromTime(row.created_at),
    modifiedAt: fromTime(row.modified_at),
    notBefore: fromTime(row.not_before),
    startedAt: fromOptionalTime(row.started_at),
    finishedAt: fromOptionalTime(row.finished_at),
    retryCount: row.retry_count,
    nextAttemptAt: fromOptionalTime(row.next_attempt_at),
    lastMessage: migrationMessage(row.last_message, row.invitations_failed, row.last_invitation_failure),
    totalMeetings: row.total_meetings,
    succeededMeetings: row.succeeded_meetings,
    failedMeetings: row.failed_meetings,
    skippedMeetings: row.skipped_meetings,
    invitesUpdated: row.invites_updated,
    invitationsPending: row.invitations_pending,
    invitationsDelivered: row.invitations_delivered,
    invitationsFailed: row.invitations_failed,
  };
}

export function triggerEvaluationFromRow(row: TriggerEvaluationRow): TriggerEvaluation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    kind: row.kind as TriggerKind,
    detail: row.detail,
    occurredAt: fromTime(row.occurred_at),
    outcome: row.outcome as TriggerOutcome,
    message: row.message,
    migrationId: row.migration_id,
  };
}
