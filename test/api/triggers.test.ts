/** Every row and gate of the SPEC §3 trigger table, over real HTTP. */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseGlobalId } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

const HOLD_SECONDS = 90;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const HELD_UNTIL = new Date(NOW.getTime() + HOLD_SECONDS * 1000).toISOString();

let server: TestServer;
let tenantCount = 0;

beforeAll(async () => {
  server = await startServer({ holdSeconds: HOLD_SECONDS, now: () => NOW });
});
afterAll(() => server.stop());

/** Every command on a user returns a UserChangePayload, or a typed error. */
const CHANGE_SELECTION = `
  ... on Error { __typename message }
  ... on UserChangePayload {
    user {
      id skypeHosting teamsUpgradeMode
      audioConferencing {
        provider licensed dialInEnabled conferenceId bridge { id } defaultTollNumber { number } defaultTollFreeNumber { number }
      }
    }
    triggerEvaluation { kind outcome message detail meetingMigration { id } }
    meetingMigration { id correlationId state migrationType sourceMeetingType targetMeetingType notBefore }
  }
`;

interface Change {
  user: {
    id: string;
    skypeHosting: string;
    teamsUpgradeMode: string;
    audioConferencing: Record<string, any>;
  };
  triggerEvaluation: { kind: string; outcome: string; message: string; detail: string };
  meetingMigration: {
    id: string;
    correlationId: string;
    state: string;
    migrationType: string;
    sourceMeetingType: string;
    targetMeetingType: string;
    notBefore: string;
  } | null;
}

/** A fresh tenant with an operator, a default bridge with a toll and a toll-free number, and a second bridge. */
async function tenant() {
  tenantCount += 1;
  const domain = `t${tenantCount}.example.com`;
  const created = await server.gql(
    server.adminToken,
    `mutation($d: String!) { createTenant(input: { name: "T", primaryDomain: $d }) { ... on CreateTenantPayload { tenant { id } } } }`,
    { d: domain },
  );
  const tenantId = created.createTenant.tenant.id;
  const issued = await server.gql(
    server.adminToken,
    `mutation($t: ID!) { createOperatorToken(input: { tenantId: $t, name: "ops" }) { ... on CreateOperatorTokenPayload { token } } }`,
    { t: tenantId },
  );
  const token: string = issued.createOperatorToken.token;
  const gql = (query: string, variables?: Record<string, unknown>) => server.gql(token, query, variables);

  async function bridge(name: string, numbers: { number: string; tollFree: boolean }[]) {
    const made = await gql(
      `mutation($n: String!) { createBridge(input: { name: $n }) { ... on CreateBridgePayload { bridge { id } } } }`,
      { n: name },
    );
    const bridgeId: string = made.createBridge.bridge.id;
    const ids: string[] = [];
    for (const n of numbers) {
      const added = await gql(
        `mutation($b: ID!, $n: String!, $f: Boolean!) {
          addBridgeNumber(input: { bridgeId: $b, number: $n, tollFree: $f, city: "Seattle", country: "US", language: "en-US" }) {
            ... on AddBridgeNumberPayload { bridgeNumber { id } } ... on Error { message }
          }
        }`,
        { b: bridgeId, n: n.number, f: n.tollFree },
      );
      ids.push(added.addBridgeNumber.bridgeNumber.id);
    }
    return { id: bridgeId, numberIds: ids };
  }

  const prefix = `+1425${tenantCount}`;
  const defaultBridge = await bridge('Default', [
    { number: `${prefix}00001`, tollFree: false },
    { number: `${prefix}00002`, tollFree: true },
    { number: `${prefix}00003`, tollFree: false },
  ]);
  const otherBridge = await bridge('Europe', [
    { number: `+4930${tenantCount}000001`, tollFree: false },
    { number: `+49800${tenantCount}00001`, tollFree: true },
  ]);

  let userCount = 0;
  async function user(
    fields: { skypeHosting?: string; teamsUpgradeMode?: string; mailboxLocation?: string } = {},
  ) {
    userCount += 1;
    const made = await gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { ... on CreateUserPayload { user { id } } ... on Error { message } } }`,
      { i: { userPrincipalName: `user${userCount}@${domain}`, displayName: `User ${userCount}`, ...fields } },
    );
    return made.createUser.user.id as string;
  }

  async function change(mutation: string, input: Record<string, unknown>): Promise<Change> {
    const result = await gql(
      `mutation($i: ${mutation[0]?.toUpperCase()}${mutation.slice(1)}Input!) { r: ${mutation}(input: $i) { ${CHANGE_SELECTION} } }`,
      { i: input },
    );
    if (result.r.__typename) throw new Error(`${mutation}: ${result.r.__typename}: ${result.r.message}`);
    return result.r as Change;
  }

  async function licensedUser(fields: Parameters<typeof user>[0] = {}) {
    const id = await user(fields);
    await change('assignAudioConferencingLicense', { userId: id });
    await clearOpenMigrations();
    return id;
  }

  /** Settles the user's migrations so the next trigger starts a fresh one (the engine is not under test here). */
  async function clearOpenMigrations() {
    await sql`update meeting_migrations set state = 'SUCCEEDED' where state = 'PENDING'`.execute(
      server.app.database.db,
    );
  }

  async function settings(input: Record<string, unknown>) {
    await gql(
      `mutation($i: SetDialInConferencingTenantSettingsInput!) { setDialInConferencingTenantSettings(input: $i) { __typename } }`,
      { i: input },
    );
  }

  async function migrationsOf(userId: string) {
    const data = await gql(
      `query($u: ID!) { meetingMigrations(userId: $u) { edges { node { id state migrationType triggers { edges { node { kind outcome } } } } } } }`,
      { u: userId },
    );
    return data.meetingMigrations.edges.map((edge: { node: unknown }) => edge.node) as {
      id: string;
      state: string;
      migrationType: string;
      triggers: { edges: { node: { kind: string; outcome: string } }[] };
    }[];
  }

  return {
    tenantId,
    gql,
    user,
    licensedUser,
    change,
    settings,
    migrationsOf,
    clearOpenMigrations,
    defaultBridge,
    otherBridge,
  };
}

type Tenant = Awaited<ReturnType<typeof tenant>>;

function expectStarted(change: Change, kind: string, migrationType: string) {
  expect(change.triggerEvaluation).toMatchObject({ kind, outcome: 'STARTED' });
  expect(change.meetingMigration).toMatchObject({ state: 'PENDING', migrationType, notBefore: HELD_UNTIL });
  expect(change.triggerEvaluation.message).toBe(
    `started migration ${change.meetingMigration?.correlationId}`,
  );
}

function expectIgnored(change: Change, kind: string, reason: RegExp) {
  expect(change.triggerEvaluation).toMatchObject({ kind, outcome: 'IGNORED' });
  expect(change.triggerEvaluation.message).toMatch(/^ignored: /);
  expect(change.triggerEvaluation.message).toMatch(reason);
  expect(change.meetingMigration).toBeNull();
}

describe('§3 rows', () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await tenant();
  });

  test('moved on-premises → online starts SfB → SfB', async () => {
    const id = await t.user({ skypeHosting: 'ON_PREMISES' });
    const moved = await t.change('moveUser', { userId: id, target: 'ONLINE' });
    expect(moved.user.skypeHosting).toBe('ONLINE');
    expectStarted(moved, 'USER_MOVED', 'SFB_TO_SFB');
  });

  test('moved on-premises → online with moveToTeams starts SfB → Teams and makes the user TEAMS_ONLY', async () => {
    const id = await t.user({ skypeHosting: 'ON_PREMISES' });
    const moved = await t.change('moveUser', { userId: id, target: 'ONLINE', moveToTeams: true });
    expect(moved.user.teamsUpgradeMode).toBe('TEAMS_ONLY');
    expectStarted(moved, 'USER_MOVED', 'SFB_TO_TEAMS');
  });

  test('moved on-premises → online when already TEAMS_ONLY starts SfB → Teams', async () => {
    const id = await t.user({ skypeHosting: 'ON_PREMISES', teamsUpgradeMode: 'TEAMS_ONLY' });
    expectStarted(await t.change('moveUser', { userId: id, target: 'ONLINE' }), 'USER_MOVED', 'SFB_TO_TEAMS');
  });

  test('moved online → on-premises starts nothing', async () => {
    const id = await t.user({ skypeHosting: 'ONLINE' });
    const moved = await t.change('moveUser', { userId: id, target: 'ON_PREMISES' });
    expect(moved.user.skypeHosting).toBe('ON_PREMISES');
    expectIgnored(moved, 'USER_MOVED', /manually/);
    expect(await t.migrationsOf(id)).toEqual([]);
  });

  test('license assigned starts a same-type migration and enables dial-in on the default bridge', async () => {
    const id = await t.user();
    const assigned = await t.change('assignAudioConferencingLicense', { userId: id });
    expectStarted(assigned, 'LICENSE_ASSIGNED', 'TO_SAME_TYPE');
    expect(assigned.user.audioConferencing).toMatchObject({
      provider: 'MICROSOFT',
      licensed: true,
      dialInEnabled: true,
      bridge: { id: t.defaultBridge.id },
      defaultTollNumber: { number: expect.stringMatching(/00001$/) },
      defaultTollFreeNumber: { number: expect.stringMatching(/00002$/) },
    });
    expect(assigned.user.audioConferencing.conferenceId).toMatch(/^\d{7}$/);
  });

  test('license removed starts a same-type migration', async () => {
    const id = await t.licensedUser();
    const removed = await t.change('removeAudioConferencingLicense', { userId: id });
    expectStarted(removed, 'LICENSE_REMOVED', 'TO_SAME_TYPE');
    expect(removed.user.audioConferencing).toMatchObject({ licensed: false, dialInEnabled: false });
  });

  test('license assigned to a THIRD_PARTY user changes nothing while automaticallyReplaceAcpProvider is off', async () => {
    const id = await t.user();
    await t.change('setAudioConferencingProvider', {
      userId: id,
      provider: 'THIRD_PARTY',
      thirdPartyProviderName: 'Intercall',
      thirdPartyDialInText: 'Dial +1 555 0100, code 1234',
    });
    const assigned = await t.change('assignAudioConferencingLicense', { userId: id });
    expectIgnored(assigned, 'LICENSE_ASSIGNED', /Intercall.*automaticallyReplaceAcpProvider is off/);
    expect(assigned.user.audioConferencing.provider).toBe('THIRD_PARTY');
    expect(await t.migrationsOf(id)).toEqual([]);
  });

  test('license assigned to a THIRD_PARTY user with automaticallyReplaceAcpProvider on makes Microsoft the provider and starts', async () => {
    const own = await tenant();
    await own.settings({ automaticallyReplaceAcpProvider: true });
    const id = await own.user();
    await own.change('setAudioConferencingProvider', {
      userId: id,
      provider: 'THIRD_PARTY',
      thirdPartyProviderName: 'Intercall',
      thirdPartyDialInText: 'Dial +1 555 0100',
    });
    const assigned = await own.change('assignAudioConferencingLicense', { userId: id });
    expectStarted(assigned, 'LICENSE_ASSIGNED', 'TO_SAME_TYPE');
    expect(assigned.triggerEvaluation.detail).toMatch(/replacing Intercall/);
    expect(assigned.user.audioConferencing).toMatchObject({
      provider: 'MICROSOFT',
      licensed: true,
      dialInEnabled: true,
    });
  });

  test('license removed from a THIRD_PARTY user starts nothing', async () => {
    const id = await t.user();
    await t.change('setAudioConferencingProvider', {
      userId: id,
      provider: 'THIRD_PARTY',
      thirdPartyProviderName: 'Intercall',
      thirdPartyDialInText: 'Dial +1 555 0100',
    });
    await t.change('assignAudioConferencingLicense', { userId: id });
    expectIgnored(
      await t.change('removeAudioConferencingLicense', { userId: id }),
      'LICENSE_REMOVED',
      /provider is Intercall/,
    );
  });

  test('provider changed to MICROSOFT starts a migration; to THIRD_PARTY or NONE does not', async () => {
    const id = await t.licensedUser();
    const toThirdParty = await t.change('setAudioConferencingProvider', {
      userId: id,
      provider: 'THIRD_PARTY',
      thirdPartyProviderName: 'PGi',
      thirdPartyDialInText: 'Dial in with PGi',
    });
    expectIgnored(toThirdParty, 'PROVIDER_CHANGED', /only a change to MICROSOFT/);
    const toMicrosoft = await t.change('setAudioConferencingProvider', { userId: id, provider: 'MICROSOFT' });
    expectStarted(toMicrosoft, 'PROVIDER_CHANGED', 'TO_SAME_TYPE');
    expect(toMicrosoft.user.audioConferencing).toMatchObject({ provider: 'MICROSOFT', dialInEnabled: true });
  });

  test('dial-in conferencing disabled and enabled each start a migration', async () => {
    const id = await t.licensedUser();
    expectStarted(
      await t.change('setDialInConferencing', { userId: id, enabled: false }),
      'DIAL_IN_CHANGED',
      'TO_SAME_TYPE',
    );
    await t.clearOpenMigrations();
    const enabled = await t.change('setDialInConferencing', { userId: id, enabled: true });
    expectStarted(enabled, 'DIAL_IN_CHANGED', 'TO_SAME_TYPE');
    expect(enabled.user.audioConferencing.dialInEnabled).toBe(true);
  });

  test('conference ID changed starts a migration', async () => {
    const id = await t.licensedUser();
    const changed = await t.change('setConferenceId', { userId: id, conferenceId: '4455667' });
    expectStarted(changed, 'CONFERENCE_ID_CHANGED', 'TO_SAME_TYPE');
    expect(changed.user.audioConferencing.conferenceId).toBe('4455667');
  });

  test('conference ID reset starts a migration with a new ID', async () => {
    const id = await t.licensedUser();
    const before = await t.gql(
      `query($u: ID!) { node(id: $u) { ... on User { audioConferencing { conferenceId } } } }`,
      {
        u: id,
      },
    );
    const reset = await t.change('resetConferenceId', { userId: id });
    expectStarted(reset, 'CONFERENCE_ID_RESET', 'TO_SAME_TYPE');
    expect(reset.user.audioConferencing.conferenceId).toMatch(/^\d{7}$/);
    expect(reset.user.audioConferencing.conferenceId).not.toBe(before.node.audioConferencing.conferenceId);
  });

  test('moved to another bridge starts a migration and takes that bridge’s numbers', async () => {
    const id = await t.licensedUser();
    const moved = await t.change('moveUserToBridge', { userId: id, bridgeId: t.otherBridge.id });
    expectStarted(moved, 'BRIDGE_CHANGED', 'TO_SAME_TYPE');
    expect(moved.user.audioConferencing).toMatchObject({
      bridge: { id: t.otherBridge.id },
      defaultTollNumber: { number: expect.stringMatching(/^\+4930/) },
      defaultTollFreeNumber: { number: expect.stringMatching(/^\+49800/) },
    });
  });

  test('a number unassigned from a bridge starts a migration for each user whose default it was, with a new default', async () => {
    const own = await tenant();
    const a = await own.licensedUser();
    const b = await own.licensedUser();
    const elsewhere = await own.licensedUser();
    await own.change('moveUserToBridge', { userId: elsewhere, bridgeId: own.otherBridge.id });
    await own.clearOpenMigrations();
    const tollNumberId = own.defaultBridge.numberIds[0];
    const result = await own.gql(
      `mutation($n: ID!) { unassignBridgeNumber(input: { bridgeNumberId: $n }) {
        ... on UnassignBridgeNumberPayload { triggerEvaluations { kind outcome user { id audioConferencing { defaultTollNumber { number } } } meetingMigration { migrationType } } }
        ... on Error { message }
      } }`,
      { n: tollNumberId },
    );
    const evaluations = result.unassignBridgeNumber.triggerEvaluations;
    expect(evaluations.map((e: { user: { id: string } }) => e.user.id).sort()).toEqual([a, b].sort());
    for (const evaluation of evaluations) {
      expect(evaluation).toMatchObject({
        kind: 'BRIDGE_NUMBER_UNASSIGNED',
        outcome: 'STARTED',
        meetingMigration: { migrationType: 'TO_SAME_TYPE' },
        user: { audioConferencing: { defaultTollNumber: { number: expect.stringMatching(/00003$/) } } },
      });
    }
    // Its default was another bridge's number: nothing new for it, only its two settled migrations.
    expect((await own.migrationsOf(elsewhere)).map((m) => m.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const gone = await own.gql(`query($n: ID!) { node(id: $n) { id } }`, { n: tollNumberId });
    expect(gone.node).toBeNull();
  });

  test.each(['TEAMS_ONLY', 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS'])(
    'Teams upgrade to %s starts SfB → Teams',
    async (mode) => {
      const id = await t.user();
      const upgraded = await t.change('grantTeamsUpgradePolicy', { userId: id, mode });
      expect(upgraded.user.teamsUpgradeMode).toBe(mode);
      expectStarted(upgraded, 'TEAMS_UPGRADE', 'SFB_TO_TEAMS');
    },
  );

  test('Teams upgrade with migrateMeetingsToTeams: false starts nothing', async () => {
    const id = await t.user();
    const upgraded = await t.change('grantTeamsUpgradePolicy', {
      userId: id,
      mode: 'TEAMS_ONLY',
      migrateMeetingsToTeams: false,
    });
    expectIgnored(upgraded, 'TEAMS_UPGRADE', /migrateMeetingsToTeams was false/);
  });

  test.each(['ISLANDS', 'SFB_WITH_TEAMS_COLLAB'])('Teams upgrade to %s starts nothing', async (mode) => {
    const id = await t.user({ teamsUpgradeMode: 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS' });
    expectIgnored(
      await t.change('grantTeamsUpgradePolicy', { userId: id, mode }),
      'TEAMS_UPGRADE',
      /does not schedule meetings in Teams/,
    );
  });

  test('a tenant-wide Teams upgrade starts nothing and says so', async () => {
    const own = await tenant();
    const id = await own.user();
    const result = await own.gql(
      `mutation { grantTenantTeamsUpgradePolicy(input: { mode: TEAMS_ONLY }) {
        ... on GrantTenantTeamsUpgradePolicyPayload { tenant { teamsUpgradeMode } triggerEvaluation { kind outcome message meetingMigration { id } } }
      } }`,
    );
    expect(result.grantTenantTeamsUpgradePolicy).toMatchObject({
      tenant: { teamsUpgradeMode: 'TEAMS_ONLY' },
      triggerEvaluation: { kind: 'TENANT_TEAMS_UPGRADE', outcome: 'IGNORED', meetingMigration: null },
    });
    expect(await own.migrationsOf(id)).toEqual([]);
  });

  test('a SIP address change starts nothing', async () => {
    const id = await t.user();
    const changed = await t.change('setUserSipAddress', {
      userId: id,
      sipAddress: 'sip:someone.else@example.com',
    });
    expectIgnored(changed, 'SIP_ADDRESS_CHANGED', /SIP address changes do not migrate/);
  });

  test('a tenant meeting URL change starts nothing', async () => {
    const own = await tenant();
    await own.user();
    const result = await own.gql(
      `mutation { updateTenantMeetingUrl(input: { meetingUrl: "https://meet2.example.com" }) {
        ... on UpdateTenantMeetingUrlPayload { tenant { meetingUrl } triggerEvaluation { kind outcome message } }
      } }`,
    );
    expect(result.updateTenantMeetingUrl).toMatchObject({
      tenant: { meetingUrl: 'https://meet2.example.com' },
      triggerEvaluation: { kind: 'MEETING_URL_CHANGED', outcome: 'IGNORED' },
    });
    const summary = await own.gql('{ meetingMigrationSummary { pending } }');
    expect(summary.meetingMigrationSummary.pending).toBe(0);
  });

  test.each([
    ['ALL', 'CURRENT', 'TO_SAME_TYPE'],
    ['ALL', 'TEAMS', 'ALL_TO_TEAMS'],
    ['SKYPE_FOR_BUSINESS', 'CURRENT', 'SFB_TO_SFB'],
    ['SKYPE_FOR_BUSINESS', 'TEAMS', 'SFB_TO_TEAMS'],
    ['TEAMS', 'CURRENT', 'TEAMS_TO_TEAMS'],
  ])(
    'startMeetingMigration %s → %s is queued as %s with no hold',
    async (sourceMeetingType, targetMeetingType, type) => {
      const id = await t.user();
      const started = await t.change('startMeetingMigration', {
        userId: id,
        sourceMeetingType,
        targetMeetingType,
      });
      expect(started.triggerEvaluation).toMatchObject({ kind: 'MANUAL_START', outcome: 'STARTED' });
      expect(started.meetingMigration).toMatchObject({
        state: 'PENDING',
        migrationType: type,
        notBefore: NOW.toISOString(),
      });
    },
  );
});

describe('§3 gates', () => {
  test('tenant meetingMigrationEnabled off: no automatic trigger starts one; a manual start is still queued', async () => {
    const t = await tenant();
    const onPremises = await t.user({ skypeHosting: 'ON_PREMISES' });
    const plain = await t.user();
    await t.gql(
      `mutation { setTenantMigrationConfiguration(input: { meetingMigrationEnabled: false }) { __typename } }`,
    );
    expectIgnored(
      await t.change('moveUser', { userId: onPremises, target: 'ONLINE' }),
      'USER_MOVED',
      /disabled for the tenant/,
    );
    expectIgnored(
      await t.change('assignAudioConferencingLicense', { userId: plain }),
      'LICENSE_ASSIGNED',
      /disabled/,
    );
    expectIgnored(
      await t.change('grantTeamsUpgradePolicy', { userId: plain, mode: 'TEAMS_ONLY' }),
      'TEAMS_UPGRADE',
      /disabled/,
    );
    const manual = await t.change('startMeetingMigration', { userId: plain });
    expect(manual.triggerEvaluation.outcome).toBe('STARTED');
  });

  test('automaticallyMigrateUserMeetings off: audio conferencing rows start nothing; moves and upgrades still do', async () => {
    const t = await tenant();
    const licensed = await t.licensedUser();
    await t.settings({ automaticallyMigrateUserMeetings: false });
    const off = /automaticallyMigrateUserMeetings is off/;
    expectIgnored(
      await t.change('setDialInConferencing', { userId: licensed, enabled: false }),
      'DIAL_IN_CHANGED',
      off,
    );
    expectIgnored(
      await t.change('setDialInConferencing', { userId: licensed, enabled: true }),
      'DIAL_IN_CHANGED',
      off,
    );
    expectIgnored(
      await t.change('setConferenceId', { userId: licensed, conferenceId: '5556667' }),
      'CONFERENCE_ID_CHANGED',
      off,
    );
    expectIgnored(await t.change('resetConferenceId', { userId: licensed }), 'CONFERENCE_ID_RESET', off);
    expectIgnored(
      await t.change('moveUserToBridge', { userId: licensed, bridgeId: t.otherBridge.id }),
      'BRIDGE_CHANGED',
      off,
    );
    expectIgnored(
      await t.change('removeAudioConferencingLicense', { userId: licensed }),
      'LICENSE_REMOVED',
      off,
    );
    expectIgnored(
      await t.change('assignAudioConferencingLicense', { userId: licensed }),
      'LICENSE_ASSIGNED',
      off,
    );
    const onPremises = await t.user({ skypeHosting: 'ON_PREMISES' });
    expectStarted(
      await t.change('moveUser', { userId: onPremises, target: 'ONLINE' }),
      'USER_MOVED',
      'SFB_TO_SFB',
    );
    const islands = await t.user();
    expectStarted(
      await t.change('grantTeamsUpgradePolicy', { userId: islands, mode: 'TEAMS_ONLY' }),
      'TEAMS_UPGRADE',
      'SFB_TO_TEAMS',
    );
  });

  test('a mailbox on Exchange on-premises is not eligible; a manual start is queued all the same', async () => {
    const t = await tenant();
    const id = await t.user({ skypeHosting: 'ON_PREMISES', mailboxLocation: 'EXCHANGE_ON_PREMISES' });
    expectIgnored(
      await t.change('moveUser', { userId: id, target: 'ONLINE' }),
      'USER_MOVED',
      /mailbox is on Exchange on-premises/,
    );
    expectIgnored(
      await t.change('assignAudioConferencingLicense', { userId: id }),
      'LICENSE_ASSIGNED',
      /Exchange on-premises/,
    );
    expect(await t.migrationsOf(id)).toEqual([]);
    const manual = await t.change('startMeetingMigration', { userId: id });
    expect(manual.meetingMigration?.state).toBe('PENDING');
  });

  test('setMailboxLocation moves a user in and out of eligibility and is not itself a trigger', async () => {
    const t = await tenant();
    const id = await t.user();
    await t.gql(
      `mutation($u: ID!) { setMailboxLocation(input: { userId: $u, mailboxLocation: EXCHANGE_ON_PREMISES }) { __typename } }`,
      {
        u: id,
      },
    );
    expectIgnored(
      await t.change('grantTeamsUpgradePolicy', { userId: id, mode: 'TEAMS_ONLY' }),
      'TEAMS_UPGRADE',
      /on-premises/,
    );
    const evaluations = await t.gql('{ tenant { triggerEvaluations { edges { node { kind } } } } }');
    expect(
      evaluations.tenant.triggerEvaluations.edges.map((e: { node: { kind: string } }) => e.node.kind),
    ).toEqual(['TEAMS_UPGRADE']);
  });
});

describe('hold and merge (§4.1)', () => {
  test('changes made together become one migration, whatever their order', async () => {
    const t = await tenant();
    // The order MMS gets wrong: the move first, then the license.
    const moveFirst = await t.user({ skypeHosting: 'ON_PREMISES' });
    const moved = await t.change('moveUser', { userId: moveFirst, target: 'ONLINE', moveToTeams: true });
    const licensed = await t.change('assignAudioConferencingLicense', { userId: moveFirst });
    expect(licensed.triggerEvaluation.outcome).toBe('MERGED');
    expect(licensed.triggerEvaluation.message).toBe(
      `merged into pending migration ${moved.meetingMigration?.correlationId}`,
    );
    expect(licensed.meetingMigration?.id).toBe(moved.meetingMigration?.id);

    const licenseFirst = await t.user({ skypeHosting: 'ON_PREMISES' });
    await t.change('assignAudioConferencingLicense', { userId: licenseFirst });
    await t.change('moveUser', { userId: licenseFirst, target: 'ONLINE', moveToTeams: true });

    for (const id of [moveFirst, licenseFirst]) {
      const migrations = await t.migrationsOf(id);
      expect(migrations).toHaveLength(1);
      expect(migrations[0]).toMatchObject({ state: 'PENDING', migrationType: 'ALL_TO_TEAMS' });
      expect(migrations[0]?.triggers.edges.map((e) => e.node.kind).sort()).toEqual([
        'LICENSE_ASSIGNED',
        'USER_MOVED',
      ]);
    }
  });

  test('a trigger while one is IN_PROGRESS queues one more, and later triggers merge into that one', async () => {
    const t = await tenant();
    const id = await t.licensedUser();
    const first = await t.change('setConferenceId', { userId: id, conferenceId: '1112223' });
    await sql`update meeting_migrations set state = 'IN_PROGRESS'
      where correlation_id = ${first.meetingMigration?.correlationId}`.execute(server.app.database.db);
    const queued = await t.change('setConferenceId', { userId: id, conferenceId: '1112224' });
    expect(queued.triggerEvaluation.outcome).toBe('QUEUED');
    expect(queued.triggerEvaluation.message).toMatch(/behind the one in progress/);
    expect(queued.meetingMigration?.id).not.toBe(first.meetingMigration?.id);
    const merged = await t.change('resetConferenceId', { userId: id });
    expect(merged.triggerEvaluation.outcome).toBe('MERGED');
    expect(merged.meetingMigration?.id).toBe(queued.meetingMigration?.id);
    // Newest first: the queued one, the one in progress, and the license's settled one.
    expect((await t.migrationsOf(id)).map((m) => m.state)).toEqual(['PENDING', 'IN_PROGRESS', 'SUCCEEDED']);
  });
});

describe('triggers for one user at the same instant', () => {
  test('ten manual starts sent at once make one pending migration, the others merged into it', async () => {
    const t = await tenant();
    const id = await t.licensedUser();
    // The license's own migration is settled first, so that only the ten below are in play.
    await sql`update meeting_migrations set state = 'SUCCEEDED' where user_id = ${parseGlobalId(id).id}`.execute(
      server.app.database.db,
    );
    const changes = await Promise.all(
      Array.from({ length: 10 }, () => t.change('startMeetingMigration', { userId: id })),
    );
    const outcomes = changes.map((change) => change.triggerEvaluation.outcome).sort();
    expect(outcomes).toEqual([...Array(9).fill('MERGED'), 'STARTED']);
    expect(new Set(changes.map((change) => change.meetingMigration?.id)).size).toBe(1);
    expect((await t.migrationsOf(id)).filter((m) => m.state === 'PENDING')).toHaveLength(1);
  });
});

describe('every evaluated trigger is recorded', () => {
  test('the tenant’s trigger evaluations list every outcome, newest first, filterable by user', async () => {
    const t = await tenant();
    const id = await t.user({ skypeHosting: 'ON_PREMISES' });
    await t.change('setUserSipAddress', { userId: id, sipAddress: 'sip:x@example.com' });
    await t.change('moveUser', { userId: id, target: 'ONLINE' });
    await t.change('assignAudioConferencingLicense', { userId: id });
    await t.user();
    const data = await t.gql(
      `query($u: ID!) { tenant { triggerEvaluations(userId: $u) { edges { node { kind outcome user { id } } } } } }`,
      { u: id },
    );
    expect(
      data.tenant.triggerEvaluations.edges.map((e: { node: { kind: string; outcome: string } }) => [
        e.node.kind,
        e.node.outcome,
      ]),
    ).toEqual([
      ['LICENSE_ASSIGNED', 'MERGED'],
      ['USER_MOVED', 'STARTED'],
      ['SIP_ADDRESS_CHANGED', 'IGNORED'],
    ]);
  });
});
