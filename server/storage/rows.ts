/** Conversions between database rows and domain objects. */

import type { Insertable } from 'kysely';
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
  OverriddenOccurrence,
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
  BridgeNumberTable,
  BridgeRow,
  MeetingMigrationRow,
  MeetingOverriddenOccurrenceTable,
  MeetingRow,
  MeetingTable,
  TenantRow,
  TenantTable,
  TriggerEvaluationRow,
  UserRow,
  UserTable,
} from './tables.ts';

export const toTime = (date: Date): string => date.toISOString();
export const fromTime = (value: string): Date => new Date(value);
const fromOptionalTime = (value: string | null): Date | null => (value === null ? null : new Date(value));
export const toFlag = (value: boolean): number => (value ? 1 : 0);

/** The row of a new tenant, user, bridge number or meeting: one mapping for single and bulk inserts. */
export function tenantToRow(tenant: Omit<Tenant, 'id' | 'createdAt'>, now: Date): Insertable<TenantTable> {
  return {
    name: tenant.name,
    primary_domain: tenant.primaryDomain,
    meeting_url: tenant.meetingUrl,
    teams_upgrade_mode: tenant.teamsUpgradeMode,
    meeting_migration_enabled: toFlag(tenant.meetingMigrationEnabled),
    automatically_migrate_user_meetings: toFlag(tenant.automaticallyMigrateUserMeetings),
    automatically_replace_acp_provider: toFlag(tenant.automaticallyReplaceAcpProvider),
    automatically_send_emails_to_users: toFlag(tenant.automaticallySendEmailsToUsers),
    pin_length: tenant.pinLength,
    created_at: toTime(now),
  };
}

export function userToRow(user: Omit<User, 'id' | 'createdAt'>, now: Date): Insertable<UserTable> {
  return {
    tenant_id: user.tenantId,
    user_principal_name: user.userPrincipalName,
    display_name: user.displayName,
    sip_address: user.sipAddress,
    skype_hosting: user.skypeHosting,
    teams_upgrade_mode: user.teamsUpgradeMode,
    mailbox_location: user.mailboxLocation,
    provider: user.provider,
    third_party_provider_name: user.thirdPartyProviderName,
    third_party_dial_in_text: user.thirdPartyDialInText,
    licensed: toFlag(user.licensed),
    dial_in_enabled: toFlag(user.dialInEnabled),
    conference_id: user.conferenceId,
    bridge_id: user.bridgeId,
    default_toll_number_id: user.defaultTollNumberId,
    default_toll_free_number_id: user.defaultTollFreeNumberId,
    created_at: toTime(now),
  };
}

export function bridgeNumberToRow(number: Omit<BridgeNumber, 'id'>): Insertable<BridgeNumberTable> {
  return {
    tenant_id: number.tenantId,
    bridge_id: number.bridgeId,
    number: number.number,
    toll_free: toFlag(number.tollFree),
    city: number.city,
    country: number.country,
    language: number.language,
  };
}

/** The row of an occurrence of a meeting's series changed on its own. */
export function overriddenOccurrenceToRow(
  meetingId: number,
  occurrence: OverriddenOccurrence,
): Insertable<MeetingOverriddenOccurrenceTable> {
  return {
    meeting_id: meetingId,
    recurrence_id: toTime(occurrence.recurrenceId),
    starts_at: toTime(occurrence.startsAt),
    ends_at: toTime(occurrence.endsAt),
    subject: occurrence.subject,
    location: occurrence.location,
    body: occurrence.body,
  };
}

export function meetingToRow(
  meeting: Omit<
    Meeting,
    'id' | 'createdAt' | 'contentItems' | 'cancelledOccurrences' | 'overriddenOccurrences'
  >,
  now: Date,
): Insertable<MeetingTable> {
  return {
    tenant_id: meeting.tenantId,
    organizer_id: meeting.organizerId,
    uid: meeting.uid,
    subject: meeting.subject,
    starts_at: toTime(meeting.startsAt),
    ends_at: toTime(meeting.endsAt),
    time_zone: meeting.timeZone,
    recurrence: meeting.recurrence,
    last_occurrence_ends_at: meeting.lastOccurrenceEndsAt ? toTime(meeting.lastOccurrenceEndsAt) : null,
    location: meeting.location,
    body: meeting.body,
    sequence: meeting.sequence,
    shared_notes_url: meeting.sharedNotesUrl,
    online_meeting_type: meeting.onlineMeeting?.type ?? null,
    online_meeting_join_url: meeting.onlineMeeting?.joinUrl ?? null,
    online_meeting_conference_id: meeting.onlineMeeting?.conferenceId ?? null,
    attendee_count: meeting.attendees.length,
    created_at: toTime(now),
  };
}

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
