/**
 * Failures grouped by reason and fixed in bulk (SPEC §9): what a failure's reason is, which migrations an
 * operator selects, and what a bulk retry or cancel would do to each of them — decided before anything
 * changes, so that a dry run and the real run answer alike.
 */
import { InvalidValueError } from './errors.ts';
import type { MeetingMigration, MigrationState } from './model.ts';
import { boundedText } from './validation.ts';

/** Ids one bulk command takes, as `nodes(ids:)` does. */
export const MAX_BULK_IDS = 100;

/**
 * The reason of a run-level failure, without what changes from one attempt to the next, so that a
 * migration waiting out a transient failure and one that gave up on it fall in one group.
 */
export function failureReason(lastMessage: string | null): string {
  if (!lastMessage) return 'failed without a message';
  return lastMessage
    .replace(/^transient failure, retry \d+ of \d+: /, '')
    .replace(/^gave up after \d+ retries: /, '');
}

/** One reason and the users' latest migrations it holds. */
export interface FailureGroup {
  reason: string;
  /** FAILED migrations: a retry applies to them. */
  failedMigrations: number;
  /** Open migrations waiting to try again after a transient failure: a cancel applies to them. */
  retryingMigrations: number;
  /** Meetings that failed with this reason, or for a run-level reason the meetings its runs left undone. */
  meetings: number;
}

/** Rows of the same reason merged (messages that differ only in their attempt counter), largest first. */
export function mergeFailureGroups(rows: readonly FailureGroup[]): FailureGroup[] {
  const byReason = new Map<string, FailureGroup>();
  for (const row of rows) {
    const group = byReason.get(row.reason) ?? {
      reason: row.reason,
      failedMigrations: 0,
      retryingMigrations: 0,
      meetings: 0,
    };
    group.failedMigrations += row.failedMigrations;
    group.retryingMigrations += row.retryingMigrations;
    group.meetings += row.meetings;
    byReason.set(row.reason, group);
  }
  return [...byReason.values()].sort(
    (a, b) =>
      b.failedMigrations + b.retryingMigrations - (a.failedMigrations + a.retryingMigrations) ||
      (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0),
  );
}

/** Which migrations a bulk command names: one failure group, or a list of ids. */
export type BulkSelection<Id = number> = { failureReason: string } | { migrationIds: Id[] };

/** The one selection given, ids without repeats; none, both, an empty one or too many ids is an error. */
/** A reason as meetingMigrationFailureGroups names it: text (a NUL or other control character is none), not blank. */
export function failureReasonText(field: string, reason: string): string {
  boundedText(field, reason);
  if (reason.trim() === '') throw new InvalidValueError(field, 'must not be empty');
  return reason;
}

export function bulkSelection<Id>(input: {
  failureReason?: string | null;
  migrationIds?: readonly Id[] | null;
}): BulkSelection<Id> {
  const { failureReason: reason, migrationIds: ids } = input;
  if (reason != null && ids != null) {
    throw new InvalidValueError('migrationIds', 'give either failureReason or migrationIds, not both');
  }
  if (reason != null) {
    return { failureReason: failureReasonText('failureReason', reason) };
  }
  if (ids == null) throw new InvalidValueError('input', 'give failureReason or migrationIds');
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new InvalidValueError('migrationIds', 'give at least one id');
  if (unique.length > MAX_BULK_IDS) {
    throw new InvalidValueError('migrationIds', `at most ${MAX_BULK_IDS} ids, not ${unique.length}`);
  }
  return { migrationIds: unique };
}

export type BulkAction = 'retry' | 'cancel';

const APPLIES_TO: Record<BulkAction, readonly MigrationState[]> = {
  retry: ['FAILED', 'CANCELLED'],
  cancel: ['PENDING', 'IN_PROGRESS'],
};

/** Meetings the action touches in one migration: looked at again (retry), or left undone (cancel). */
export function meetingsTouched(action: BulkAction, migration: MeetingMigration): number {
  const done =
    action === 'retry'
      ? migration.succeededMeetings
      : migration.succeededMeetings + migration.failedMeetings + migration.skippedMeetings;
  return Math.max(0, migration.totalMeetings - done);
}

export interface BulkPlan {
  /** The migrations the action changes. */
  apply: MeetingMigration[];
  /** Those it leaves alone, and why. */
  skipped: { migration: MeetingMigration; reason: string }[];
  meetings: number;
}

/**
 * What the action does to each selected migration. A retry takes FAILED and CANCELLED ones, one per user
 * (the newest) and none of a user who has a PENDING migration already; a cancel takes open ones.
 */
export function planBulk(
  action: BulkAction,
  selected: readonly MeetingMigration[],
  usersWithPending: ReadonlySet<number> = new Set(),
): BulkPlan {
  const plan: BulkPlan = { apply: [], skipped: [], meetings: 0 };
  const takenUsers = new Set<number>();
  const verb = action === 'retry' ? 'retried' : 'cancelled';
  for (const migration of [...selected].sort((a, b) => b.id - a.id)) {
    let reason: string | null = null;
    if (!APPLIES_TO[action].includes(migration.state)) {
      reason = `only a ${APPLIES_TO[action].join(' or ')} migration can be ${verb}; this one is ${migration.state}`;
    } else if (action === 'retry' && usersWithPending.has(migration.userId)) {
      reason = 'the user already has a pending migration';
    } else if (action === 'retry' && takenUsers.has(migration.userId)) {
      reason = 'a newer migration of the same user is retried';
    }
    if (reason) {
      plan.skipped.push({ migration, reason });
      continue;
    }
    takenUsers.add(migration.userId);
    plan.apply.push(migration);
    plan.meetings += meetingsTouched(action, migration);
  }
  plan.apply.reverse();
  plan.skipped.reverse();
  return plan;
}
