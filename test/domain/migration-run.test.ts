import { describe, expect, test } from 'vitest';
import { meetingCoordinates } from '../../server/domain/coordinates.ts';
import { findBlock, renderBlock } from '../../server/domain/meeting-block.ts';
import {
  decideMeeting,
  ineligibility,
  isSelected,
  type RunSettings,
} from '../../server/domain/migration-run.ts';
import { NO_AUDIO_CONFERENCING, type User } from '../../server/domain/model.ts';
import { scheduledOverrideBody } from '../../server/domain/overrides.ts';

const tenant = { meetingUrl: 'https://meet.contoso.com', primaryDomain: 'contoso.com' };
const user: User = {
  id: 1,
  tenantId: 1,
  userPrincipalName: 'alice@contoso.com',
  displayName: 'Alice',
  sipAddress: 'sip:alice@contoso.com',
  skypeHosting: 'ONLINE',
  teamsUpgradeMode: 'ISLANDS',
  mailboxLocation: 'EXCHANGE_ONLINE',
  createdAt: new Date(0),
  ...NO_AUDIO_CONFERENCING,
  provider: 'MICROSOFT',
  licensed: true,
  dialInEnabled: true,
  conferenceId: '7654321',
};
const numbers = [
  {
    id: 1,
    tenantId: 1,
    bridgeId: 1,
    number: '+14255550100',
    tollFree: false,
    city: 'Redmond',
    country: 'US',
    language: 'en-US',
  },
];
const settings: RunSettings = {
  tenant,
  user,
  numbers,
  sourceMeetingType: 'ALL',
  targetMeetingType: 'CURRENT',
  maxParticipants: 250,
};

/** A meeting scheduled by the add-in before the user's coordinates changed. */
function scheduled(type: 'SKYPE_FOR_BUSINESS' | 'TEAMS', organizerText: string, attendeeCount = 3) {
  const before = meetingCoordinates({
    tenant,
    user: { ...user, conferenceId: '1111111' },
    numbers: [],
    type,
    meetingUid: 'uid-1',
  });
  return {
    uid: 'uid-1',
    body: `${organizerText}${renderBlock(before)}Signature — ✍🏽`,
    sequence: 2,
    onlineMeeting: { type, joinUrl: before.joinUrl, conferenceId: '1111111' },
    attendeeCount,
  };
}

describe('decideMeeting', () => {
  test('rewrites the block with current coordinates, bumps SEQUENCE and keeps every other byte', () => {
    const meeting = scheduled('SKYPE_FOR_BUSINESS', 'Hello שלום 👋\n\n');
    const decision = decideMeeting(meeting, settings);
    expect(decision.outcome).toBe('UPDATED');
    if (decision.outcome !== 'UPDATED') return;
    expect(decision.sequence).toBe(3);
    expect(decision.body.startsWith('Hello שלום 👋\n\n')).toBe(true);
    expect(decision.body.endsWith('Signature — ✍🏽')).toBe(true);
    expect(findBlock(decision.body)).toMatchObject({ type: 'SKYPE_FOR_BUSINESS', conferenceId: '7654321' });
    expect(decision.onlineMeeting).toEqual({
      type: 'SKYPE_FOR_BUSINESS',
      joinUrl: meeting.onlineMeeting.joinUrl,
      conferenceId: '7654321',
    });
  });

  test('moves a Skype meeting to Teams when the target is TEAMS', () => {
    const decision = decideMeeting(scheduled('SKYPE_FOR_BUSINESS', 'x\n'), {
      ...settings,
      targetMeetingType: 'TEAMS',
    });
    expect(decision).toMatchObject({
      outcome: 'UPDATED',
      reason: 'moved from Skype for Business to Teams',
      onlineMeeting: { type: 'TEAMS' },
    });
  });

  test('skips a block pasted by hand', () => {
    const meeting = { ...scheduled('TEAMS', 'x\n'), onlineMeeting: null };
    expect(decideMeeting(meeting, settings)).toEqual({
      outcome: 'SKIPPED',
      reason: 'online meeting block was not created by the add-in',
    });
  });

  test('fails a meeting with more participants than the limit, counting the organizer', () => {
    expect(decideMeeting(scheduled('TEAMS', 'x\n', 249), settings).outcome).toBe('UPDATED');
    expect(decideMeeting(scheduled('TEAMS', 'x\n', 250), settings)).toEqual({
      outcome: 'FAILED',
      reason: '251 participants (organizer included) exceed the limit of 250',
    });
  });

  test('appends a fresh block after the organizer’s text when they deleted the block, and says so', () => {
    const meeting = { ...scheduled('TEAMS', 'x\n'), body: 'no block any more\r\nsecond line' };
    const decision = decideMeeting(meeting, settings);
    if (decision.outcome !== 'UPDATED') throw new Error(decision.reason);
    expect(decision.body).toBe(`no block any more\r\nsecond line\r\n\r\n${decision.block}`);
    expect(decision.block).toContain('\r\n');
    expect(decision.survey.situation).toBe('MISSING');
    expect(decision.reason).toContain('the organizer had deleted the online meeting block');
  });
});

describe('selection and eligibility', () => {
  test('selects online meetings of the source type, by properties or by pasted block', () => {
    const skype = scheduled('SKYPE_FOR_BUSINESS', '');
    expect(isSelected(skype, 'ALL')).toBe(true);
    expect(isSelected(skype, 'SKYPE_FOR_BUSINESS')).toBe(true);
    expect(isSelected(skype, 'TEAMS')).toBe(false);
    expect(isSelected({ ...scheduled('TEAMS', ''), onlineMeeting: null }, 'TEAMS')).toBe(true);
    expect(isSelected({ body: 'just text', onlineMeeting: null }, 'ALL')).toBe(false);
  });

  test('a mailbox on Exchange on-premises or a user homed on-premises is not eligible', () => {
    expect(ineligibility(user)).toBeNull();
    expect(ineligibility({ ...user, mailboxLocation: 'EXCHANGE_ON_PREMISES' })).toMatch(
      /Exchange on-premises/,
    );
    expect(ineligibility({ ...user, skypeHosting: 'ON_PREMISES' })).toMatch(/move the user online first/);
  });
});

describe('decideMeeting on a series with overridden occurrences', () => {
  test('rewrites the block in each override that carries it, keeps the others, and says so', () => {
    const meeting = scheduled('TEAMS', 'Weekly\n');
    const withBlock = { recurrenceId: new Date('2026-03-09T16:00:00Z'), body: `Moved ✅\r\n${meeting.body}` };
    const withoutBlock = { recurrenceId: new Date('2026-03-16T16:00:00Z'), body: 'In person only, no link' };
    const decision = decideMeeting(
      { ...meeting, overriddenOccurrences: [withBlock, withoutBlock] },
      settings,
    );
    expect(decision.outcome).toBe('UPDATED');
    if (decision.outcome !== 'UPDATED') return;
    expect(decision.reason).toBe(
      'Teams block rewritten with current coordinates (also in 1 of 2 overridden occurrences)',
    );
    // The override is rewritten exactly as the master: the same new block, every other byte kept.
    expect(decision.overriddenOccurrences).toEqual([
      { recurrenceId: withBlock.recurrenceId, body: `Moved ✅\r\n${decision.body}` },
    ]);
    expect(findBlock(decision.body)?.conferenceId).toBe('7654321');
  });
});

describe('scheduledOverrideBody', () => {
  const coordinates = meetingCoordinates({ tenant, user, numbers, type: 'TEAMS', meetingUid: 'uid-1' });
  const other = meetingCoordinates({ tenant, user, numbers, type: 'TEAMS', meetingUid: 'uid-2' });

  test('appends the meeting’s block to the organizer’s text, as for the master', () => {
    expect(scheduledOverrideBody('Only this week', coordinates)).toBe(
      `Only this week\n\n${renderBlock(coordinates)}`,
    );
  });

  test('keeps a text that already holds the meeting’s own block as it is', () => {
    const text = `Forwarded:\r\n${renderBlock(coordinates, '\r\n')}thanks`;
    expect(scheduledOverrideBody(text, coordinates)).toBe(text);
  });

  test('a block pasted from another meeting is text: the own block is still appended', () => {
    const text = `See also:\n${renderBlock(other)}`;
    expect(scheduledOverrideBody(text, coordinates)).toBe(`${text}\n${renderBlock(coordinates)}`);
  });
});
