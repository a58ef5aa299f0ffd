/**
 * A real SMTP server (smtp-server) for tests, whose replies a test sets per recipient. A message counts as
 * received only when its 250 went out on a connection still open, as a real mail server would deliver it.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  messageId: string;
  to: string;
  raw: string;
}

/** A reply a recipient gets at RCPT TO instead of acceptance: `times` times (forever when absent). */
export interface Refusal {
  code: number;
  text: string;
  times?: number;
}

export interface SmtpPeer {
  url: string;
  received: ReceivedMessage[];
  /** Refusals by recipient address; delete one to accept that recipient again. */
  refusals: Map<string, Refusal>;
  /**
   * While true, the reply to each message's data is held back: the message stays in flight until its
   * sender hangs up (it then counts as not received) or holding stops.
   */
  holdReplies: boolean;
  /** Messages whose data arrived and whose reply has not gone out yet. */
  readonly inFlight: number;
  /** How many messages carried this Message-ID. */
  count(messageId: string): number;
  /** Resolves once `predicate` holds, checked after each message event. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: ReceivedMessage[] = [];
  const refusals = new Map<string, Refusal>();
  const closedSessions = new Set<string>();
  /** Replies held back, by session. */
  const held = new Map<string, () => void>();
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const wake of [...waiters]) wake();
  };
  let inFlight = 0;
  let holding = false;
  const peer = {
    url: '',
    received,
    refusals,
    get holdReplies() {
      return holding;
    },
    set holdReplies(hold: boolean) {
      holding = hold;
      if (hold) return;
      for (const [id, reply] of held) {
        held.delete(id);
        reply();
      }
    },
    get inFlight() {
      return inFlight;
    },
    count: (messageId: string) => received.filter((m) => m.messageId === messageId).length,
    until(predicate: () => boolean, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP peer: condition not met in ${timeoutMs} ms; ${received.length} received`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = refusals.get(address.address);
      if (!refusal) return callback();
      if (refusal.times !== undefined && --refusal.times <= 0) refusals.delete(address.address);
      callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inFlight += 1;
        changed();
        const reply = () => {
          inFlight -= 1;
          if (!closedSessions.has(session.id)) {
            const raw = Buffer.concat(chunks).toString('utf8');
            received.push({
              messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? '',
              to: session.envelope.rcptTo.map((r) => r.address).join(),
              raw,
            });
          }
          callback();
          changed();
        };
        if (holding) held.set(session.id, reply);
        else reply();
      });
    },
    onClose(session) {
      closedSessions.add(session.id);
      // The sender hung up before its reply: never received, as a real server would drop it.
      if (held.delete(session.id)) {
        inFlight -= 1;
        changed();
      }
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  peer.url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  return peer;
}
