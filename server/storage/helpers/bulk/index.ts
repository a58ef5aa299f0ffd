/**
 * Bulk loading for demo data and benchmarks: millions of rows, written the fastest way each database has
 * rather than row by row through Kysely.
 */
import type { Bridge, BridgeNumber, Meeting, Tenant, User } from '../../../domain/model.ts';

export type BulkTenant = Omit<Tenant, 'id' | 'createdAt'>;
export type BulkBridgeNumber = Omit<BridgeNumber, 'id' | 'tenantId' | 'bridgeId'>;
export type BulkUser = Omit<User, 'id' | 'createdAt'>;
/**
 * `lastOccurrenceEndsAt` must already be derived from the RRULE and the exceptions (lastOccurrenceEnd);
 * a meeting without exceptions may leave them out.
 */
export type BulkMeeting = Omit<
  Meeting,
  'id' | 'createdAt' | 'cancelledOccurrences' | 'overriddenOccurrences'
> &
  Partial<Pick<Meeting, 'cancelledOccurrences' | 'overriddenOccurrences'>>;

export interface BulkWriter {
  /**
   * Runs the work in one write transaction; calls inside it join it. The work must not run other writers
   * at the same time: they share the transaction.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  tenantIdByDomain(primaryDomain: string): Promise<number | null>;
  insertTenant(tenant: BulkTenant, now: Date): Promise<Tenant>;
  insertBridge(
    bridge: Omit<Bridge, 'id'>,
    numbers: readonly BulkBridgeNumber[],
  ): Promise<{ bridge: Bridge; numbers: BridgeNumber[] }>;
  /** Returns the stored users in the order given. */
  insertUsers(users: readonly BulkUser[], now: Date): Promise<User[]>;
  insertMeetings(
    meetings: readonly BulkMeeting[],
    now: Date,
  ): Promise<{ meetings: number; attendees: number }>;
}
