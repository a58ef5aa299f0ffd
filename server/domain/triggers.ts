/**
 * The trigger rules of SPEC §3 and the hold-and-merge rule of §4.1, as pure decisions.
 * Admin commands describe what changed as a ProposedTrigger; the gates decide whether it may start a
 * migration; planMigration decides whether that means a new migration or merging into a pending one.
 */
import type {
  MailboxLocation,
  MeetingMigration,
  MigrationType,
  SourceMeetingType,
  TargetMeetingType,
  TenantSettings,
  TriggerKind,
  TriggerOutcome,
} from './model.ts';

export interface MigrationRequest {
  sourceMeetingType: SourceMeetingType;
  targetMeetingType: TargetMeetingType;
}

/** What an admin command changed, and what the §3 table says about it before the gates. */
export interface ProposedTrigger {
  kind: TriggerKind;
  detail: string;
  /** The migration the row asks for, or null when the row says "no" (ignoredBecause says why). */
  request: MigrationRequest | null;
  ignoredBecause?: string;
  /** The audio conferencing rows are also gated by automaticallyMigrateUserMeetings. */
  audioConferencing: boolean;
  /** A manual start is always queued, whatever the gates say. */
  manual?: boolean;
}

export type TriggerDecision = { start: true; request: MigrationRequest } | { start: false; reason: string };

/** Applies the gates of §3 to an automatic trigger; a manual start passes them all. */
export function decideTrigger(
  trigger: ProposedTrigger,
  tenant: TenantSettings,
  user: { mailboxLocation: MailboxLocation } | null,
): TriggerDecision {
  if (!trigger.request)
    return { start: false, reason: trigger.ignoredBecause ?? 'this change does not migrate meetings' };
  if (trigger.manual) return { start: true, request: trigger.request };
  if (!tenant.meetingMigrationEnabled)
    return { start: false, reason: 'meeting migration is disabled for the tenant' };
  if (trigger.audioConferencing && !tenant.automaticallyMigrateUserMeetings) {
    return {
      start: false,
      reason:
        'automaticallyMigrateUserMeetings is off, so audio conferencing changes do not migrate meetings',
    };
  }
  if (user?.mailboxLocation === 'EXCHANGE_ON_PREMISES') {
    return { start: false, reason: 'mailbox is on Exchange on-premises' };
  }
  return { start: true, request: trigger.request };
}

/** The Get-CsMeetingMigrationStatus MigrationType of a source/target pair. */
export function migrationTypeOf(request: MigrationRequest): MigrationType {
  const { sourceMeetingType: source, targetMeetingType: target } = request;
  if (source === 'TEAMS') return 'TEAMS_TO_TEAMS';
  if (source === 'SKYPE_FOR_BUSINESS') return target === 'TEAMS' ? 'SFB_TO_TEAMS' : 'SFB_TO_SFB';
  return target === 'TEAMS' ? 'ALL_TO_TEAMS' : 'TO_SAME_TYPE';
}

/** One migration that does the work of both: the union of the sources, Teams if either asks for it. */
export function mergeRequests(a: MigrationRequest, b: MigrationRequest): MigrationRequest {
  return {
    sourceMeetingType: a.sourceMeetingType === b.sourceMeetingType ? a.sourceMeetingType : 'ALL',
    targetMeetingType:
      a.targetMeetingType === 'TEAMS' || b.targetMeetingType === 'TEAMS' ? 'TEAMS' : 'CURRENT',
  };
}

export type MigrationPlan =
  | {
      action: 'create';
      outcome: Extract<TriggerOutcome, 'STARTED' | 'QUEUED'>;
      request: MigrationRequest;
      notBefore: Date;
    }
  | { action: 'merge'; migrationId: number; request: MigrationRequest; notBefore: Date };

/**
 * §4.1: a trigger for a user with a PENDING migration merges into it (and restarts its hold, so changes
 * made together stay together whatever their order); otherwise a new migration is created, queued
 * behind one IN_PROGRESS if there is one. A manual start is not held.
 */
export function planMigration(
  request: MigrationRequest,
  existing: { pending: MeetingMigration | null; inProgress: boolean },
  options: { now: Date; holdSeconds: number; manual: boolean },
): MigrationPlan {
  const heldUntil = new Date(options.now.getTime() + (options.manual ? 0 : options.holdSeconds * 1000));
  if (existing.pending) {
    const pending = existing.pending;
    return {
      action: 'merge',
      migrationId: pending.id,
      request: mergeRequests(pending, request),
      notBefore: options.manual
        ? pending.notBefore
        : new Date(Math.max(pending.notBefore.getTime(), heldUntil.getTime())),
    };
  }
  return {
    action: 'create',
    outcome: existing.inProgress ? 'QUEUED' : 'STARTED',
    request,
    notBefore: heldUntil,
  };
}

/** The outcome sentence an admin reads for a trigger. */
export function describeOutcome(
  outcome: TriggerOutcome,
  migration: { correlationId: string } | null,
  reason?: string,
): string {
  switch (outcome) {
    case 'STARTED':
      return `started migration ${migration?.correlationId}`;
    case 'MERGED':
      return `merged into pending migration ${migration?.correlationId}`;
    case 'QUEUED':
      return `queued migration ${migration?.correlationId} behind the one in progress`;
    case 'IGNORED':
      return `ignored: ${reason}`;
  }
}
