/** What an SMTP attempt means for an invitation update, how failures read on a migration, and re-send selectors. */
import { describe, expect, test } from 'vitest';
import {
  deliveryOutcome,
  migrationMessage,
  resendSelector,
  smtpReply,
} from '../../server/domain/delivery-outcome.ts';
import { InvalidValueError } from '../../server/domain/errors.ts';

/** An error as nodemailer reports a server's reply. */
const replied = (responseCode: number, response: string) =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
    code: 'EENVELOPE',
    responseCode,
    response,
  });
const connection = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:25`), { code });
const SCHEDULE = [60_000, 300_000];

describe('deliveryOutcome', () => {
  test('a permanent 5xx fails at the first attempt, with the reply as the server wrote it', () => {
    expect(
      deliveryOutcome(replied(550, '550 5.1.1 <bob@example.com>: mailbox unavailable'), 0, SCHEDULE),
    ).toEqual({
      kind: 'failed',
      reply: '550 5.1.1 <bob@example.com>: mailbox unavailable',
    });
    expect(deliveryOutcome(replied(554, '554 5.7.1 relay denied'), 0, SCHEDULE).kind).toBe('failed');
  });

  test('a 4xx waits the next step of the schedule, and fails with the last reply once it is spent', () => {
    const busy = replied(451, '451 4.3.2 try again later');
    expect(deliveryOutcome(busy, 0, SCHEDULE)).toEqual({
      kind: 'retry',
      reply: '451 4.3.2 try again later',
      retryInMs: 60_000,
    });
    expect(deliveryOutcome(busy, 1, SCHEDULE)).toMatchObject({ kind: 'retry', retryInMs: 300_000 });
    expect(deliveryOutcome(busy, 2, SCHEDULE)).toEqual({
      kind: 'failed',
      reply: '451 4.3.2 try again later',
    });
    expect(deliveryOutcome(busy, 0, [])).toEqual({ kind: 'failed', reply: '451 4.3.2 try again later' });
  });

  test('a lost or refused connection is retried; an error that is neither a reply nor a connection fails', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'EDNS']) {
      expect(deliveryOutcome(connection(code), 0, SCHEDULE)).toEqual({
        kind: 'retry',
        reply: `connect ${code} 127.0.0.1:25`,
        retryInMs: 60_000,
      });
    }
    expect(deliveryOutcome(new Error('bad address'), 0, SCHEDULE)).toEqual({
      kind: 'failed',
      reply: 'bad address',
    });
  });
});

test('smtpReply prefers the server reply, then the message, then the value itself', () => {
  expect(smtpReply(replied(550, ' 550 no such user \r\n'))).toBe('550 no such user');
  expect(smtpReply(Object.assign(new Error('lost'), { response: '' }))).toBe('lost');
  expect(smtpReply('odd')).toBe('odd');
});

test('migrationMessage names failed invitations after the run’s own message, only while some are failed', () => {
  expect(migrationMessage(null, 0, '550 x')).toBeNull();
  expect(migrationMessage('cancelled by an operator', 0, '550 x')).toBe('cancelled by an operator');
  expect(migrationMessage(null, 1, '550 no such user')).toBe('1 invitation failed: 550 no such user');
  expect(migrationMessage('2 meetings failed: too many participants (2)', 3, '452 mailbox full')).toBe(
    '2 meetings failed: too many participants (2); 3 invitations failed: 452 mailbox full',
  );
  expect(migrationMessage(null, 2, null)).toBe('2 invitations failed: no reply recorded');
});

describe('resendSelector', () => {
  const fieldOf = (input: Parameters<typeof resendSelector>[0]) => {
    try {
      resendSelector(input);
    } catch (error) {
      if (error instanceof InvalidValueError) return error.field;
      throw error;
    }
    return null;
  };

  test('exactly one selector is taken as given', () => {
    expect(resendSelector({ invitationUpdateId: 4 })).toEqual({ invitationUpdateId: 4 });
    expect(resendSelector({ meetingId: 'TWVldGluZzox', migrationId: null })).toEqual({
      meetingId: 'TWVldGluZzox',
    });
    expect(resendSelector({ migrationId: 9, allFailed: null })).toEqual({ migrationId: 9 });
    expect(resendSelector({ allFailed: true })).toEqual({ allFailed: true });
  });

  test('none, several, or allFailed false is an error naming the field', () => {
    expect(fieldOf({})).toBe('input');
    expect(fieldOf({ invitationUpdateId: null, meetingId: undefined })).toBe('input');
    expect(fieldOf({ invitationUpdateId: 1, meetingId: 2 })).toBe('meetingId');
    expect(fieldOf({ meetingId: 2, migrationId: 3, allFailed: true })).toBe('migrationId');
    expect(fieldOf({ migrationId: 3, allFailed: false })).toBe('allFailed');
    expect(fieldOf({ allFailed: false })).toBe('allFailed');
  });
});
