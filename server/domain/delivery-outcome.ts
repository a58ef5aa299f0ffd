/**
 * What an SMTP attempt means for an invitation update (SPEC §4.4), how failed invitations show on their
 * migration, and which invitations an operator asks to re-send.
 */
import { InvalidValueError } from './errors.ts';

/** Errors of the connection itself, before any reply: worth another try. */
const CONNECTION_ERRORS = ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EDNS'];

export type DeliveryOutcome =
  | { kind: 'retry'; reply: string; retryInMs: number }
  | { kind: 'failed'; reply: string };

/** The server's own reply when there was one ("550 5.1.1 <bob@…>: mailbox unavailable"), else the error. */
export function smtpReply(error: unknown): string {
  const { response, message } = error as { response?: unknown; message?: unknown };
  if (typeof response === 'string' && response.trim() !== '') return response.trim();
  return typeof message === 'string' && message !== '' ? message : String(error);
}

/**
 * A permanent reply (5xx) fails the invitation at once; a transient one (4xx) or a lost connection is
 * tried again on the schedule, until the schedule is spent. `attemptsBefore` counts the attempts so far.
 */
export function deliveryOutcome(
  error: unknown,
  attemptsBefore: number,
  retryScheduleMs: readonly number[],
): DeliveryOutcome {
  const reply = smtpReply(error);
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  const transient =
    typeof responseCode === 'number'
      ? responseCode >= 400 && responseCode < 500
      : CONNECTION_ERRORS.includes(code ?? '');
  const retryInMs = retryScheduleMs[attemptsBefore];
  return transient && retryInMs !== undefined
    ? { kind: 'retry', reply, retryInMs }
    : { kind: 'failed', reply };
}

/**
 * A migration's message with its failed invitations named: the run's own message (if any), then how many
 * invitations failed and the last server reply. Without failed invitations, the run's message alone.
 */
export function migrationMessage(
  runMessage: string | null,
  failedInvitations: number,
  lastFailureReply: string | null,
): string | null {
  if (failedInvitations <= 0) return runMessage;
  const noun = failedInvitations === 1 ? 'invitation' : 'invitations';
  const failures = `${failedInvitations} ${noun} failed: ${lastFailureReply ?? 'no reply recorded'}`;
  return runMessage ? `${runMessage}; ${failures}` : failures;
}

/** Which failed invitation updates to send again: exactly one of these (Id: a database or global id). */
export type ResendSelector<Id = number> =
  | { invitationUpdateId: Id }
  | { meetingId: Id }
  | { migrationId: Id }
  | { allFailed: true };

const SELECTOR_FIELDS = ['invitationUpdateId', 'meetingId', 'migrationId', 'allFailed'] as const;

/** The one selector given; none, several, or `allFailed: false` is an error naming the field. */
export function resendSelector<Id>(input: {
  invitationUpdateId?: Id | null;
  meetingId?: Id | null;
  migrationId?: Id | null;
  allFailed?: boolean | null;
}): ResendSelector<Id> {
  const given = SELECTOR_FIELDS.filter((field) => input[field] !== null && input[field] !== undefined);
  const [first, second] = given;
  if (second) throw new InvalidValueError(second, `give only one of ${SELECTOR_FIELDS.join(', ')}`);
  if (!first) throw new InvalidValueError('input', `give one of ${SELECTOR_FIELDS.join(', ')}`);
  if (first === 'allFailed') {
    if (input.allFailed !== true) throw new InvalidValueError('allFailed', 'must be true when given');
    return { allFailed: true };
  }
  return { [first]: input[first] } as ResendSelector<Id>;
}
