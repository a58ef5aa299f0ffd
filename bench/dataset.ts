/** The benchmark data set: many users, each with future meetings scheduled by the add-in. */
import { meetingCoordinates } from '../server/domain/coordinates.ts';
import { appendBlock } from '../server/domain/meeting-block.ts';
import {
  type BridgeNumber,
  DEFAULT_TENANT_SETTINGS,
  NO_AUDIO_CONFERENCING,
  type Tenant,
  type User,
} from '../server/domain/model.ts';
import { type BulkMeeting, bulkWriter } from '../server/storage/bulk.ts';
import type { OpenedDatabase } from '../server/storage/database.ts';

export interface Dataset {
  tenant: Tenant;
  users: User[];
  /** The users' default toll and toll-free numbers. */
  numbers: BridgeNumber[];
  meetings: number;
}

export async function writeDataset(
  opened: OpenedDatabase,
  size: { users: number; meetingsPerUser: number; attendees: number },
  now: Date,
): Promise<Dataset> {
  const writer = bulkWriter(opened);
  return writer.transaction(async () => {
    const tenant = await writer.insertTenant(
      {
        name: 'Bench',
        primaryDomain: 'bench.example.com',
        meetingUrl: 'https://meet.bench.example.com',
        teamsUpgradeMode: 'ISLANDS',
        ...DEFAULT_TENANT_SETTINGS,
      },
      now,
    );
    const { bridge, numbers } = await writer.insertBridge(
      { tenantId: tenant.id, name: 'Main', isDefault: true },
      [
        { number: '+14255550100', tollFree: false, city: 'Redmond', country: 'US', language: 'en-US' },
        { number: '+18005550100', tollFree: true, city: 'United States', country: 'US', language: 'en-US' },
      ],
    );
    const users = await writer.insertUsers(
      Array.from({ length: size.users }, (_, i) => ({
        tenantId: tenant.id,
        userPrincipalName: `user${i}@bench.example.com`,
        displayName: `User ${i}`,
        sipAddress: `sip:user${i}@bench.example.com`,
        skypeHosting: 'ONLINE' as const,
        teamsUpgradeMode: 'ISLANDS' as const,
        mailboxLocation: 'EXCHANGE_ONLINE' as const,
        ...NO_AUDIO_CONFERENCING,
        provider: 'MICROSOFT' as const,
        licensed: true,
        dialInEnabled: true,
        conferenceId: String(1_000_000 + i),
        bridgeId: bridge.id,
        defaultTollNumberId: numbers[0]?.id ?? null,
        defaultTollFreeNumberId: numbers[1]?.id ?? null,
      })),
      now,
    );
    let meetings = 0;
    for (const user of users) {
      const batch: BulkMeeting[] = [];
      for (let m = 0; m < size.meetingsPerUser; m++) {
        const uid = `${user.id}-${m}@bench.example.com`;
        const startsAt = new Date(now.getTime() + (m + 1) * 86_400_000);
        const endsAt = new Date(startsAt.getTime() + 3_600_000);
        // Scheduled before the coordinates changed: an older conference ID in the block.
        const before = meetingCoordinates({
          tenant,
          user: { ...user, conferenceId: '9999999' },
          numbers,
          type: 'SKYPE_FOR_BUSINESS',
          meetingUid: uid,
        });
        batch.push({
          tenantId: tenant.id,
          organizerId: user.id,
          uid,
          subject: `Meeting ${m}`,
          startsAt,
          endsAt,
          timeZone: 'Europe/Berlin',
          recurrence: null,
          lastOccurrenceEndsAt: endsAt,
          location: null,
          body: appendBlock(`Agenda for meeting ${m} — ✅ شكرا 👋\n`, before),
          sequence: 0,
          sharedNotesUrl: null,
          onlineMeeting: { type: 'SKYPE_FOR_BUSINESS', joinUrl: before.joinUrl, conferenceId: '9999999' },
          attendees: Array.from({ length: size.attendees }, (_, a) => ({
            email: `guest${a}.${m}@example.org`,
            name: null,
          })),
          contentItems: [],
        });
      }
      meetings += (await writer.insertMeetings(batch, now)).meetings;
    }
    return { tenant, users, numbers, meetings };
  });
}
