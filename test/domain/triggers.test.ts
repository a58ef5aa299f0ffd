import { describe, expect, test } from 'vitest';
import { DEFAULT_TENANT_SETTINGS, type MeetingMigration } from '../../server/domain/model.ts';
import {
  decideTrigger,
  type MigrationRequest,
  mergeRequests,
  migrationTypeOf,
  type ProposedTrigger,
  planMigration,
} from '../../server/domain/triggers.ts';
import { migrationAt } from '../support/migration.ts';

const toSameType: MigrationRequest = { sourceMeetingType: 'ALL', targetMeetingType: 'CURRENT' };
const skypeToTeams: MigrationRequest = {
  sourceMeetingType: 'SKYPE_FOR_BUSINESS',
  targetMeetingType: 'TEAMS',
};
const licenseAssigned: ProposedTrigger = {
  kind: 'LICENSE_ASSIGNED',
  detail: 'license',
  request: toSameType,
  audioConferencing: true,
};
const userMoved: ProposedTrigger = {
  kind: 'USER_MOVED',
  detail: 'move',
  request: skypeToTeams,
  audioConferencing: false,
};
const onlineMailbox = { mailboxLocation: 'EXCHANGE_ONLINE' as const };

describe('migrationTypeOf', () => {
  test.each([
    ['SKYPE_FOR_BUSINESS', 'CURRENT', 'SFB_TO_SFB'],
    ['SKYPE_FOR_BUSINESS', 'TEAMS', 'SFB_TO_TEAMS'],
    ['TEAMS', 'CURRENT', 'TEAMS_TO_TEAMS'],
    ['TEAMS', 'TEAMS', 'TEAMS_TO_TEAMS'],
    ['ALL', 'TEAMS', 'ALL_TO_TEAMS'],
    ['ALL', 'CURRENT', 'TO_SAME_TYPE'],
  ] as const)('%s → %s is %s', (sourceMeetingType, targetMeetingType, expected) => {
    expect(migrationTypeOf({ sourceMeetingType, targetMeetingType })).toBe(expected);
  });
});

describe('mergeRequests', () => {
  test('is the same whatever the order, and covers both', () => {
    expect(mergeRequests(toSameType, skypeToTeams)).toEqual({
      sourceMeetingType: 'ALL',
      targetMeetingType: 'TEAMS',
    });
    expect(mergeRequests(skypeToTeams, toSameType)).toEqual(mergeRequests(toSameType, skypeToTeams));
    expect(mergeRequests(skypeToTeams, skypeToTeams)).toEqual(skypeToTeams);
  });
});

describe('decideTrigger gates', () => {
  test('tenant migration off stops every automatic trigger but not a manual start', () => {
    const off = { ...DEFAULT_TENANT_SETTINGS, meetingMigrationEnabled: false };
    expect(decideTrigger(userMoved, off, onlineMailbox)).toEqual({
      start: false,
      reason: 'meeting migration is disabled for the tenant',
    });
    expect(decideTrigger({ ...userMoved, manual: true }, off, onlineMailbox)).toEqual({
      start: true,
      request: skypeToTeams,
    });
  });

  test('automaticallyMigrateUserMeetings off stops the audio conferencing rows only', () => {
    const off = { ...DEFAULT_TENANT_SETTINGS, automaticallyMigrateUserMeetings: false };
    expect(decideTrigger(licenseAssigned, off, onlineMailbox).start).toBe(false);
    expect(decideTrigger(userMoved, off, onlineMailbox).start).toBe(true);
  });

  test('a mailbox on Exchange on-premises is not eligible', () => {
    expect(
      decideTrigger(userMoved, DEFAULT_TENANT_SETTINGS, { mailboxLocation: 'EXCHANGE_ON_PREMISES' }),
    ).toEqual({
      start: false,
      reason: 'mailbox is on Exchange on-premises',
    });
  });

  test('a row that says no keeps its reason', () => {
    const ignored: ProposedTrigger = { ...userMoved, request: null, ignoredBecause: 'because' };
    expect(decideTrigger(ignored, DEFAULT_TENANT_SETTINGS, onlineMailbox)).toEqual({
      start: false,
      reason: 'because',
    });
  });
});

describe('planMigration', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const pending: MeetingMigration = {
    ...migrationAt('PENDING', 1, 0),
    correlationId: 'c',
    userId: 1,
    ...toSameType,
    createdAt: now,
    modifiedAt: now,
    notBefore: new Date('2026-01-01T00:00:30Z'),
    totalMeetings: 0,
  };

  test('creates a held migration when the user has none open', () => {
    expect(
      planMigration(
        skypeToTeams,
        { pending: null, inProgress: false },
        { now, holdSeconds: 60, manual: false },
      ),
    ).toEqual({
      action: 'create',
      outcome: 'STARTED',
      request: skypeToTeams,
      notBefore: new Date('2026-01-01T00:01:00Z'),
    });
  });

  test('queues one more behind a migration in progress', () => {
    const plan = planMigration(
      skypeToTeams,
      { pending: null, inProgress: true },
      { now, holdSeconds: 60, manual: false },
    );
    expect(plan).toMatchObject({ action: 'create', outcome: 'QUEUED' });
  });

  test('merges into a pending migration, widening it and restarting its hold', () => {
    const plan = planMigration(
      skypeToTeams,
      { pending, inProgress: true },
      { now, holdSeconds: 60, manual: false },
    );
    expect(plan).toEqual({
      action: 'merge',
      migrationId: 7,
      request: { sourceMeetingType: 'ALL', targetMeetingType: 'TEAMS' },
      notBefore: new Date('2026-01-01T00:01:00Z'),
    });
  });

  test('a manual start is not held, and does not extend a pending hold', () => {
    expect(
      planMigration(toSameType, { pending: null, inProgress: false }, { now, holdSeconds: 60, manual: true }),
    ).toMatchObject({
      notBefore: now,
    });
    expect(
      planMigration(toSameType, { pending, inProgress: false }, { now, holdSeconds: 60, manual: true }),
    ).toMatchObject({
      notBefore: pending.notBefore,
    });
  });
});
