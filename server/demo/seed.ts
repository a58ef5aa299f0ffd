/**
 * Seeds the demo tenant Contoso: bridges, users in every situation of SPEC §3, and their meetings.
 * Everything is written in one transaction, so a failed seed leaves no half-made tenant behind; meetings
 * are generated and inserted one organizer at a time, so memory stays flat however many there are.
 */
import { bulkWriter } from '../storage/bulk.ts';
import type { OpenedDatabase } from '../storage/database.ts';
import {
  type BridgeWithNumbers,
  DEMO_BRIDGES,
  DEMO_DOMAIN,
  DEMO_TENANT,
  type DemoOrganizer,
  defaultNumbersOf,
  demoMeetings,
  demoUsers,
  type MeetingContext,
} from './generator.ts';

export { DEMO_DOMAIN };

/** The seed used when none is given: the demo looks the same on every machine. */
export const DEFAULT_DEMO_SEED = 20_261_124;

export interface SeedOptions {
  users: number;
  meetingsPerUser: number;
  seed?: number;
  /** Meetings are placed around this instant: some past, some ahead. */
  now: Date;
}

export interface SeedResult {
  tenantId: number;
  users: number;
  meetings: number;
  attendees: number;
}

export async function seedDemo(opened: OpenedDatabase, options: SeedOptions): Promise<SeedResult> {
  const { users: userCount, meetingsPerUser, now } = options;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isSafeInteger(userCount) || userCount < 1)
    throw new RangeError('users must be a whole number ≥ 1');
  if (!Number.isSafeInteger(meetingsPerUser) || meetingsPerUser < 0)
    throw new RangeError('meetingsPerUser must be a whole number ≥ 0');
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError('seed must be a whole number ≥ 0');
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');

  const writer = bulkWriter(opened);
  return writer.transaction(async () => {
    if ((await writer.tenantIdByDomain(DEMO_DOMAIN)) !== null) {
      throw new Error(`a tenant with primary domain ${DEMO_DOMAIN} already exists`);
    }
    const tenant = await writer.insertTenant(DEMO_TENANT, now);
    const bridges: BridgeWithNumbers[] = [];
    for (const { name, region, isDefault, numbers } of DEMO_BRIDGES) {
      bridges.push({
        region,
        ...(await writer.insertBridge({ tenantId: tenant.id, name, isDefault }, numbers)),
      });
    }
    const numbersById = new Map(bridges.flatMap((b) => b.numbers).map((n) => [n.id, n]));

    const planned = demoUsers(seed, userCount, tenant.id, bridges);
    const stored = await writer.insertUsers(
      planned.map((p) => p.user),
      now,
    );
    const organizers: DemoOrganizer[] = stored.map((user, i) => ({
      user,
      timeZone: planned[i]?.timeZone ?? 'UTC',
      numbers: defaultNumbersOf(user, numbersById),
    }));

    const context: MeetingContext = { seed, now, tenant, organizers };
    let meetings = 0;
    let attendees = 0;
    for (let i = 0; i < organizers.length; i++) {
      const inserted = await writer.insertMeetings(
        demoMeetings(context, i, meetingsPerUser, i * meetingsPerUser),
        now,
      );
      meetings += inserted.meetings;
      attendees += inserted.attendees;
    }
    return { tenantId: tenant.id, users: organizers.length, meetings, attendees };
  });
}
