/**
 * Prepared statements on the driver handle instead of Kysely: a seed writes millions of rows, and Kysely's
 * per-statement compilation would cost more than SQLite itself. Values follow the conventions of rows.ts
 * (ISO 8601 UTC strings, booleans as 0/1).
 */
import type SQLite from 'better-sqlite3';
import type { BridgeNumber, User } from '../../../domain/model.ts';
import { toFlag, toTime } from '../../rows.ts';
import type { BulkWriter } from './index.ts';

export function sqliteBulkWriter(sqlite: SQLite.Database): BulkWriter {
  const selectTenantByDomain = sqlite.prepare<[string], { id: number }>(
    'SELECT id FROM tenants WHERE primary_domain = ?',
  );
  const insertTenant = sqlite.prepare(
    `INSERT INTO tenants (name, primary_domain, meeting_url, teams_upgrade_mode, meeting_migration_enabled,
       automatically_migrate_user_meetings, automatically_replace_acp_provider,
       automatically_send_emails_to_users, pin_length, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBridge = sqlite.prepare('INSERT INTO bridges (tenant_id, name, is_default) VALUES (?, ?, ?)');
  const clearDefaultBridge = sqlite.prepare('UPDATE bridges SET is_default = 0 WHERE tenant_id = ?');
  const insertBridgeNumber = sqlite.prepare(
    `INSERT INTO bridge_numbers (tenant_id, bridge_id, number, toll_free, city, country, language)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertUser = sqlite.prepare(
    `INSERT INTO users (tenant_id, user_principal_name, display_name, sip_address, skype_hosting,
       teams_upgrade_mode, mailbox_location, provider, third_party_provider_name, third_party_dial_in_text,
       licensed, dial_in_enabled, conference_id, bridge_id, default_toll_number_id,
       default_toll_free_number_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMeeting = sqlite.prepare(
    `INSERT INTO meetings (tenant_id, organizer_id, uid, subject, starts_at, ends_at, time_zone, recurrence,
       last_occurrence_ends_at, location, body, sequence, shared_notes_url, online_meeting_type,
       online_meeting_join_url, online_meeting_conference_id, attendee_count, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttendee = sqlite.prepare(
    'INSERT INTO meeting_attendees (meeting_id, position, email, name) VALUES (?, ?, ?, ?)',
  );
  const insertContentItem = sqlite.prepare(
    'INSERT INTO meeting_content_items (meeting_id, position, kind, title, url) VALUES (?, ?, ?, ?, ?)',
  );

  const insertCancelledOccurrence = sqlite.prepare(
    'INSERT INTO meeting_cancelled_occurrences (meeting_id, recurrence_id) VALUES (?, ?)',
  );
  const insertOverriddenOccurrence = sqlite.prepare(
    `INSERT INTO meeting_overridden_occurrences (meeting_id, recurrence_id, starts_at, ends_at, subject, location, body)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );

  const transaction = <T>(work: () => T): T => sqlite.transaction(work).immediate();

  return {
    // Takes the write lock up front; inside a transaction already, the work joins it.
    async transaction(work) {
      if (sqlite.inTransaction) return work();
      sqlite.prepare('BEGIN IMMEDIATE').run();
      try {
        const result = await work();
        sqlite.prepare('COMMIT').run();
        return result;
      } catch (error) {
        if (sqlite.inTransaction) sqlite.prepare('ROLLBACK').run();
        throw error;
      }
    },

    async tenantIdByDomain(primaryDomain) {
      return selectTenantByDomain.get(primaryDomain)?.id ?? null;
    },

    async insertTenant(tenant, now) {
      const { lastInsertRowid } = insertTenant.run(
        tenant.name,
        tenant.primaryDomain,
        tenant.meetingUrl,
        tenant.teamsUpgradeMode,
        toFlag(tenant.meetingMigrationEnabled),
        toFlag(tenant.automaticallyMigrateUserMeetings),
        toFlag(tenant.automaticallyReplaceAcpProvider),
        toFlag(tenant.automaticallySendEmailsToUsers),
        tenant.pinLength,
        toTime(now),
      );
      return { ...tenant, id: Number(lastInsertRowid), createdAt: new Date(toTime(now)) };
    },

    async insertBridge(bridge, numbers) {
      return transaction(() => {
        // One default bridge per tenant, as bridgeStore.insert keeps it.
        if (bridge.isDefault) clearDefaultBridge.run(bridge.tenantId);
        const bridgeId = Number(
          insertBridge.run(bridge.tenantId, bridge.name, toFlag(bridge.isDefault)).lastInsertRowid,
        );
        const stored = numbers.map((n): BridgeNumber => {
          const { lastInsertRowid } = insertBridgeNumber.run(
            bridge.tenantId,
            bridgeId,
            n.number,
            toFlag(n.tollFree),
            n.city,
            n.country,
            n.language,
          );
          return { ...n, id: Number(lastInsertRowid), tenantId: bridge.tenantId, bridgeId };
        });
        return { bridge: { ...bridge, id: bridgeId }, numbers: stored };
      });
    },

    async insertUsers(users, now) {
      const createdAt = toTime(now);
      return transaction(() =>
        users.map((user): User => {
          const { lastInsertRowid } = insertUser.run(
            user.tenantId,
            user.userPrincipalName,
            user.displayName,
            user.sipAddress,
            user.skypeHosting,
            user.teamsUpgradeMode,
            user.mailboxLocation,
            user.provider,
            user.thirdPartyProviderName,
            user.thirdPartyDialInText,
            toFlag(user.licensed),
            toFlag(user.dialInEnabled),
            user.conferenceId,
            user.bridgeId,
            user.defaultTollNumberId,
            user.defaultTollFreeNumberId,
            createdAt,
          );
          return { ...user, id: Number(lastInsertRowid), createdAt: new Date(createdAt) };
        }),
      );
    },

    async insertMeetings(meetings, now) {
      const createdAt = toTime(now);
      return transaction(() => {
        let attendees = 0;
        for (const meeting of meetings) {
          const meetingId = insertMeeting.run(
            meeting.tenantId,
            meeting.organizerId,
            meeting.uid,
            meeting.subject,
            toTime(meeting.startsAt),
            toTime(meeting.endsAt),
            meeting.timeZone,
            meeting.recurrence,
            meeting.lastOccurrenceEndsAt ? toTime(meeting.lastOccurrenceEndsAt) : null,
            meeting.location,
            meeting.body,
            meeting.sequence,
            meeting.sharedNotesUrl,
            meeting.onlineMeeting?.type ?? null,
            meeting.onlineMeeting?.joinUrl ?? null,
            meeting.onlineMeeting?.conferenceId ?? null,
            meeting.attendees.length,
            createdAt,
          ).lastInsertRowid;
          meeting.attendees.forEach((attendee, position) => {
            insertAttendee.run(meetingId, position, attendee.email, attendee.name);
          });
          meeting.contentItems.forEach((item, position) => {
            insertContentItem.run(meetingId, position, item.kind, item.title, item.url);
          });
          for (const cancelled of meeting.cancelledOccurrences ?? []) {
            insertCancelledOccurrence.run(meetingId, toTime(cancelled));
          }
          for (const o of meeting.overriddenOccurrences ?? []) {
            insertOverriddenOccurrence.run(
              meetingId,
              toTime(o.recurrenceId),
              toTime(o.startsAt),
              toTime(o.endsAt),
              o.subject,
              o.location,
              o.body,
            );
          }
          attendees += meeting.attendees.length;
        }
        return { meetings: meetings.length, attendees };
      });
    },
  };
}
