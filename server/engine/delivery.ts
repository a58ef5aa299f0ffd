/**
 * Delivers queued invitation updates by SMTP (when MMS_SMTP_URL is set), recording SENT or the error.
 * Transient failures (4xx replies, lost connections) are retried with backoff; others fail for good.
 * A sender that dies mid-send leaves its claim to expire, so an update may go out twice, never zero times;
 * each message carries a stable Message-ID so receivers can tell.
 */
import nodemailer from 'nodemailer';
import { invitationFor, serviceMailbox } from '../domain/invitation.ts';
import type { InvitationUpdate } from '../domain/model.ts';
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

function isTransientSmtpError(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED', 'ECONNRESET', 'EDNS'].includes(code ?? '');
}

export type Delivery = ReturnType<typeof createDelivery>;

export function createDelivery(deps: {
  store: Store;
  config: DeliveryConfig;
  now: () => Date;
  logger: Pick<Console, 'error' | 'warn'>;
}) {
  const { store, config, now, logger } = deps;
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
    for (const update of updates) {
      if (stopping) break;
      const meeting = meetings.get(update.meetingId);
      const organizer = meeting ? organizers.get(meeting.organizerId) : undefined;
      const tenant = tenants.get(update.tenantId);
      if (!meeting || !organizer || !tenant) {
        await store.invitations.markFailed(update.id, 'the meeting no longer exists');
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
        await store.invitations.markSuperseded(update.id);
        continue;
      }
      await send(update, text, { meeting, organizer, sentBy });
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
  ) {
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
        messageId: `<invitation-update-${update.id}@${sentBy.split('@')[1] ?? 'mms'}>`,
        icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: text },
      });
      await store.invitations.markSent(update.id, now());
    } catch (error) {
      const message = (error as Error).message;
      const retries = update.attempts;
      if (isTransientSmtpError(error) && retries < config.retryScheduleMs.length) {
        await store.invitations.markRetry(
          update.id,
          message,
          new Date(now().getTime() + (config.retryScheduleMs[retries] ?? 0)),
        );
      } else {
        await store.invitations.markFailed(update.id, message);
      }
    }
  }

  async function loop() {
    try {
      while (!stopping && (await deliverBatch()) > 0) {
        // more may be due right away
      }
    } catch (error) {
      logger.error('delivery: could not deliver invitation updates', error);
    }
    if (!stopping) {
      timer = setTimeout(() => {
        active = loop();
      }, config.pollMs);
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
