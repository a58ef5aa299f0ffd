/** Row shapes of the database, as Kysely sees them. Times are ISO 8601 UTC strings; booleans are 0/1. */
import type { Generated, Selectable } from 'kysely';

export interface TenantTable {
  id: Generated<number>;
  name: string;
  primary_domain: string;
  meeting_url: string;
  teams_upgrade_mode: string;
  meeting_migration_enabled: number;
  automatically_migrate_user_meetings: number;
  automatically_replace_acp_provider: number;
  automatically_send_emails_to_users: number;
  pin_length: number;
  created_at: string;
}

export interface BridgeTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  is_default: number;
}

export interface BridgeNumberTable {
  id: Generated<number>;
  tenant_id: number;
  bridge_id: number;
  number: string;
  toll_free: number;
  city: string;
  country: string;
  language: string;
}

export interface UserTable {
  id: Generated<number>;
  tenant_id: number;
  user_principal_name: string;
  display_name: string;
  sip_address: string;
  skype_hosting: string;
  teams_upgrade_mode: string;
  mailbox_location: string;
  provider: string;
  third_party_provider_name: string | null;
  third_party_dial_in_text: string | null;
  licensed: number;
  dial_in_enabled: number;
  conference_id: string | null;
  bridge_id: number | null;
  default_toll_number_id: number | null;
  default_toll_free_number_id: number | null;
  created_at: string;
}

export interface MeetingTable {
  id: Generated<number>;
  tenant_id: number;
  organizer_id: number;
  uid: string;
  subject: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  recurrence: string | null;
  last_occurrence_ends_at: string | null;
  location: string | null;
  body: string;
  sequence: number;
  shared_notes_url: string | null;
  online_meeting_type: string | null;
  online_meeting_join_url: string | null;
  online_meeting_conference_id: string | null;
  attendee_count: number;
  created_at: string;
}

export interface MeetingAttendeeTable {
  meeting_id: number;
  position: number;
  email: string;
  name: string | null;
}

export interface MeetingContentItemTable {
  meeting_id: number;
  position: number;
  kind: string;
  title: string;
  url: string;
}

/** A cancelled occurrence of a series (EXDATE), by its original start. */
export interface MeetingCancelledOccurrenceTable {
  meeting_id: number;
  recurrence_id: string;
}

/** An occurrence of a series changed on its own (RECURRENCE-ID), by its original start. */
export interface MeetingOverriddenOccurrenceTable {
  meeting_id: number;
  recurrence_id: string;
  starts_at: string;
  ends_at: string;
  subject: string;
  location: string | null;
  body: string;
}

export interface MeetingMigrationTable {
  id: Generated<number>;
  /** How many times its state changed (1 for a new one): orders its events across processes. */
  state_changes: Generated<number>;
  correlation_id: string;
  tenant_id: number;
  user_id: number;
  state: string;
  source_meeting_type: string;
  target_meeting_type: string;
  created_at: string;
  modified_at: string;
  not_before: string;
  started_at: string | null;
  finished_at: string | null;
  retry_count: number;
  next_attempt_at: string | null;
  last_message: string | null;
  total_meetings: number;
  succeeded_meetings: number;
  failed_meetings: number;
  skipped_meetings: number;
  invites_updated: number;
  /** Invitation updates of this run by outcome: QUEUED or SENDING, SENT, FAILED. */
  invitations_pending: Generated<number>;
  invitations_delivered: Generated<number>;
  invitations_failed: Generated<number>;
  /** The server's reply to the last invitation update that failed. */
  last_invitation_failure: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export interface TriggerEvaluationTable {
  id: Generated<number>;
  tenant_id: number;
  user_id: number | null;
  kind: string;
  detail: string;
  occurred_at: string;
  outcome: string;
  message: string;
  migration_id: number | null;
}

export interface MeetingResultTable {
  migration_id: number;
  meeting_id: number;
  outcome: string;
  reason: string;
  recorded_at: string;
}

export interface InvitationUpdateTable {
  id: Generated<number>;
  tenant_id: number;
  migration_id: number;
  meeting_id: number;
  sequence: number;
  attendee_email: string;
  attendee_name: string | null;
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface OperatorTokenTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ServiceSettingTable {
  key: string;
  value: string;
}

/** The change feed other processes tail (see server/services/event-relay.ts): what changed, not how. */
export interface LiveEventTable {
  id: Generated<number>;
  /** The process that published it: it delivered the event itself, so it skips the row. */
  origin: string;
  kind: string;
  tenant_id: number;
  /** The changed object's id (a migration, a trigger evaluation); the tenant's own for settings. */
  subject_id: number;
  /** A migration's state as it was sent (JSON): every state change reaches the readers, not only the last. */
  payload: string | null;
  created_at: string;
}

/** Processes that serve subscribers, with when they last said so: publishers write the feed only for them. */
export interface LiveEventReaderTable {
  origin: string;
  seen_at: string;
}

export interface Database {
  tenants: TenantTable;
  bridges: BridgeTable;
  bridge_numbers: BridgeNumberTable;
  users: UserTable;
  meetings: MeetingTable;
  meeting_attendees: MeetingAttendeeTable;
  meeting_content_items: MeetingContentItemTable;
  meeting_cancelled_occurrences: MeetingCancelledOccurrenceTable;
  meeting_overridden_occurrences: MeetingOverriddenOccurrenceTable;
  meeting_migrations: MeetingMigrationTable;
  trigger_evaluations: TriggerEvaluationTable;
  meeting_results: MeetingResultTable;
  invitation_updates: InvitationUpdateTable;
  operator_tokens: OperatorTokenTable;
  service_settings: ServiceSettingTable;
  live_events: LiveEventTable;
  live_event_readers: LiveEventReaderTable;
}

export type TenantRow = Selectable<TenantTable>;
export type BridgeRow = Selectable<BridgeTable>;
export type BridgeNumberRow = Selectable<BridgeNumberTable>;
export type UserRow = Selectable<UserTable>;
export type MeetingRow = Selectable<MeetingTable>;
export type MeetingMigrationRow = Selectable<MeetingMigrationTable>;
export type InvitationUpdateRow = Selectable<InvitationUpdateTable>;
export type TriggerEvaluationRow = Selectable<TriggerEvaluationTable>;
