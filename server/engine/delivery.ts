/**
 * Delivers queued invitation updates by SMTP (when MMS_SMTP_URL is set), recording SENT or the reply.
 * Transient failures (4xx replies, lost connections) are retried on the schedule; a permanent 5xx fails the
 * update at once. Each outcome commits with its migration's counters as soon as the server answers, so
 * a sender that dies can lose only the moment between the server's 250 and that commit: its claim then
 * expires and the update goes out again (at least once, never zero times) with the same Message-ID, so
 * receivers can tell. Subscribers hear the new counts once per batch.
 */
import nodemailer from 'nodemailer';
import { deliveryOutcome } from '../domain/delivery-outcome.ts';
import { invitationFor, serviceMailbox } from '../domain/invitation.ts';
import type { InvitationUpdate } from '../domain/model.ts';
import type { Logger } from '../operations/logger.ts';
import type { WorkCounters } from '../operations/metrics.ts';
import type { DatabaseHealth } from '../services/database-health.ts';
import type { Events } from '../services/events.ts';
import type { Store } from '../storage/store.ts';

export interface DeliveryConfig {
  smtpUrl: string;
  /** The service mailbox that sends for organizers; mms@<tenant domain> when unset. */
  sender: string | null;
  retryScheduleMs: number[];
  pollMs: number;
  batchSize: number;
  claimSeconds: number;
}

/**
 * An update's outcome, recorded with its migration's counters in one transaction; `counted` names the
 * metric it moves once recorded (a retry or a superseded update moves none).
 */
type Outcome = {
  counted?: 'delivered' | 'failed';
  write: (invitations: Store['invitations']) => Promise<boolean>;
};

export type Delivery = ReturnType<typeof createDelivery>;

export function createDelivery(deps: {
  store: Store;
  events: Events;
  config: DeliveryConfig;
  now: () => Date;
  logger: Logger;
  health: DatabaseHealth;
  counters: WorkCounters;
}) {
  const { store, events, config, now, logger, health, counters } = deps;
  const transport = nodemailer.createTransport(config.smtpUrl);
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let active: Promise<void> | null = null;

  async function deliverBatch(): Promise<number> {
    const claimUntil = new Date(now().getTime() + config.claimSeconds * 1000);
    const updates = await store.invitations.claimDue(now(), claimUntil, config.batchSize);
    if (updates.length === 0) return 0;
    const meetings = new Map(
      (await store.meetings.byIds(null, [...new Set(updates.map((u) => u.meetingId))])).map((m) => [m.id, m]),
    );
    const organizers = new Map(
      (await store.users.byIds(null, [...new Set([...meetings.values()].map((m) => m.organizerId))])).map(
        (u) => [u.id, u],
      ),
    );
    // Every attendee and exception of each meeting, once per batch: each REQUEST lists them all.
    const meetingIds = [...meetings.keys()];
    const attendees = await store.meetings.attendeesOf(meetingIds);
    const exceptions = await store.meetings.exceptionsOf(meetingIds);
    const tenants = new Map(
      (await store.tenants.byIds([...new Set(updates.map((u) => u.tenantId))])).map((t) => [t.id, t]),
    );
    /** The migrations whose counts this batch moved, told to subscribers once the batch is done. */
    const counted = new Set<number>();
    // Each outcome is conditional on the update still being SENDING and moves the counters relatively, so it
    // waits for a batch of the running migration rather than losing to it (TransactionOptions).
    const record = async (update: InvitationUpdate, outcome: Outcome) => {
      if (await store.transaction((tx) => outcome.write(tx.invitations), { perStatement: true })) {
        counted.add(update.migrationId);
        if (outcome.counted) counters.invitationUpdates(outcome.counted, 1);
      }
    };
    /** Updates taken in hand: the one a failure interrupts stays claimed, for its outcome is unknown. */
    let taken = 0;
    try {
      while (taken < updates.length && !stopping) {
        const update = updates[taken++] as InvitationUpdate;
        const meeting = meetings.get(update.meetingId);
        const organizer = meeting ? organizers.get(meeting.organizerId) : undefined;
        const tenant = tenants.get(update.tenantId);
        if (!meeting || !organizer || !tenant) {
          await record(update, {
            counted: 'failed',
            write: (tx) => tx.recordFailed(update, 'the meeting no longer exists', now()),
          });
          continue;
        }
        const sentBy = serviceMailbox(tenant, config.sender);
        const text = invitationFor(
          update,
          { cancelledOccurrences: [], overriddenOccurrences: [], ...meeting, ...exceptions.get(meeting.id) },
          attendees.get(meeting.id) ?? [],
          organizer,
          sentBy,
        );
        if (text === null) {
          await record(update, { write: (tx) => tx.recordSuperseded(update, now()) });
          continue;
        }
        await record(update, await send(update, text, { meeting, organizer, sentBy }));
      }
    } finally {
      // Stopping (or a failure) hands back what this sender claimed and did not try, for any sender to
      // take at once rather than when the claim runs out.
      if (taken < updates.length)
        await store.invitations.releaseClaims(updates.slice(taken).map((u) => u.id));
      if (counted.size > 0) events.invitationsCounted(await store.migrations.byIds(null, [...counted]));
    }
    return updates.length;
  }

  async function send(
    update: InvitationUpdate,
    text: string,
    {
      meeting,
      organizer,
      sentBy,
    }: {
      meeting: { subject: string; body: string };
      organizer: { userPrincipalName: string; displayName: string };
      sentBy: string;
    },
  ): Promise<Outcome> {
    try {
      await transport.sendMail({
        from: { name: organizer.displayName, address: organizer.userPrincipalName },
        sender: sentBy,
        // Bounces go to the service mailbox, not to the organizer.
        envelope: { from: sentBy, to: update.attendee.email },
        to: update.attendee.name
          ? { name: update.attendee.name, address: update.attendee.email }
          : update.attendee.email,
        subject: `Updated: ${meeting.subject}`,
        text: meeting.body,
        // Stable across attempts and re-sends: a receiver that already has the message drops the copy.
        messageId: `<invitation-update-${update.id}@${sentBy.split('@')[1] ?? 'mms'}>`,
        icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: text },
      });
    } catch (error) {
      const outcome = deliveryOutcome(error, update.attempts, config.retryScheduleMs);
      if (outcome.kind === 'failed') {
        return { counted: 'failed', write: (tx) => tx.recordFailed(update, outcome.reply, now()) };
      }
      const at = new Date(now().getTime() + outcome.retryInMs);
      return { write: (tx) => tx.recordRetry(update, outcome.reply, at) };
    }
    // Recorded at once: the moment between the server's 250 and this commit is the only one in which a
    // crash makes the update go out twice.
    return { counted: 'delivered', write: (tx) => tx.recordSent(update, now()) };
  }

  async function loop() {
    try {
      while (!stopping && (await deliverBatch()) > 0) {
        health.succeeded();
      }
      health.succeeded();
    } catch (error) {
      if (!health.failed(error, 'deliver invitation updates')) {
        logger.error({ err: error }, 'delivery: could not deliver invitation updates');
      }
    }
    if (!stopping) {
      timer = setTimeout(() => {
        active = loop();
      }, health.delay(config.pollMs));
      timer.unref();
    }
  }

  return {
    start() {
      stopping = false;
      active = loop();
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await active;
      transport.close();
    },
  };
}
