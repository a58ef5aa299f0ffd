import { randomInt } from 'node:crypto';
import { NotFoundError } from '../domain/errors.ts';
import type { Bridge, BridgeNumber, MeetingMigration, Tenant, User } from '../domain/model.ts';
import type { StoredMeeting } from '../storage/meetings.ts';
import type { Store } from '../storage/store.ts';
import type { Events } from './events.ts';
import { tenantFilter, type Viewer } from './viewer.ts';

export interface ServiceConfig {
  /** How long a new automatic migration waits for more changes to merge (SPEC §4.1). */
  holdSeconds: number;
  /** The mailbox invitation updates are sent from; null for mms@<tenant domain>. */
  smtpSender: string | null;
  /** Participants allowed per meeting, organizer included, for previews. */
  maxParticipants: number;
  /** Most events a subscription starts with before its live ones; more is refused (REPLAY_LIMIT). */
  maxReplayEvents: number;
}

export interface ServiceDeps {
  store: Store;
  config: ServiceConfig;
  now: () => Date;
  /** Told of every committed change that subscribers or the engine care about. */
  events: Events;
  /** Called when a migration may have become due, so the engine looks at once. */
  onMigrationQueued?: () => void;
}

/** Tells subscribers and the engine about migrations a committed transaction created or changed. */
export function announceMigrations(deps: ServiceDeps, migrations: (MeetingMigration | null)[]): void {
  let queued = false;
  for (const migration of migrations) {
    if (!migration) continue;
    deps.events.migrationStateChanged(migration);
    queued ||= migration.state === 'PENDING';
  }
  if (queued) deps.onMigrationQueued?.();
}

/** A fresh 7-digit conference ID, as Microsoft's bridges hand out. */
export function newConferenceId(): string {
  return String(randomInt(1_000_000, 10_000_000));
}

/* Lookups that treat another tenant's object exactly as a missing one. */

export async function requireTenant(
  store: Store,
  viewer: Viewer,
  id: number,
  field: string,
): Promise<Tenant> {
  const filter = tenantFilter(viewer);
  const [tenant] = filter === null || filter === id ? await store.tenants.byIds([id]) : [];
  if (!tenant) throw new NotFoundError('Tenant', field);
  return tenant;
}

/** The tenant an object the viewer can see belongs to: it exists, or the data is broken. */
export async function tenantOf(store: Store, object: { tenantId: number }): Promise<Tenant> {
  const [tenant] = await store.tenants.byIds([object.tenantId]);
  if (!tenant) throw new Error(`tenant ${object.tenantId} is missing`);
  return tenant;
}

export async function requireUser(store: Store, viewer: Viewer, id: number, field: string): Promise<User> {
  const [user] = await store.users.byIds(tenantFilter(viewer), [id]);
  if (!user) throw new NotFoundError('User', field);
  return user;
}

export async function requireBridge(
  store: Store,
  viewer: Viewer,
  id: number,
  field: string,
): Promise<Bridge> {
  const [bridge] = await store.bridges.byIds(tenantFilter(viewer), [id]);
  if (!bridge) throw new NotFoundError('Bridge', field);
  return bridge;
}

export async function requireBridgeNumber(
  store: Store,
  viewer: Viewer,
  id: number,
  field: string,
): Promise<BridgeNumber> {
  const [number] = await store.bridges.numbersByIds(tenantFilter(viewer), [id]);
  if (!number) throw new NotFoundError('BridgeNumber', field);
  return number;
}

export async function requireMigration(
  store: Store,
  viewer: Viewer,
  id: number,
  field: string,
): Promise<MeetingMigration> {
  const [migration] = await store.migrations.byIds(tenantFilter(viewer), [id]);
  if (!migration) throw new NotFoundError('MeetingMigration', field);
  return migration;
}

export async function requireMeeting(
  store: Store,
  viewer: Viewer,
  id: number,
  field: string,
): Promise<StoredMeeting> {
  const [meeting] = await store.meetings.byIds(tenantFilter(viewer), [id]);
  if (!meeting) throw new NotFoundError('Meeting', field);
  return meeting;
}
