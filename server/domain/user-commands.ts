/**
 * The admin commands of SPEC §6 that change a user, as pure functions: each returns the changes to make
 * and the trigger (§3) they amount to. Loading, saving and gating happen elsewhere.
 */
import { NotAllowedError } from './errors.ts';
import type {
  AudioConferencingProvider,
  BridgeNumber,
  SkypeHosting,
  TeamsUpgradeMode,
  User,
} from './model.ts';
import type { MigrationRequest, ProposedTrigger } from './triggers.ts';

export interface UserChange {
  changes: Partial<User>;
  trigger: ProposedTrigger;
}

/** Audio conferencing changes update the dial-in part of every meeting, keeping each meeting's type. */
const SAME_TYPE: MigrationRequest = { sourceMeetingType: 'ALL', targetMeetingType: 'CURRENT' };
const SKYPE_TO_TEAMS: MigrationRequest = {
  sourceMeetingType: 'SKYPE_FOR_BUSINESS',
  targetMeetingType: 'TEAMS',
};

function audioConferencingTrigger(kind: ProposedTrigger['kind'], detail: string): ProposedTrigger {
  return { kind, detail, request: SAME_TYPE, audioConferencing: true };
}

/** Move-CsUser: between the on-premises Skype for Business server and the cloud. */
export function moveUser(user: User, target: SkypeHosting, moveToTeams: boolean): UserChange {
  if (user.skypeHosting === target) {
    throw new NotAllowedError(
      `${user.userPrincipalName} is already homed ${target === 'ONLINE' ? 'online' : 'on-premises'}`,
    );
  }
  if (target === 'ON_PREMISES') {
    if (moveToTeams)
      throw new NotAllowedError('moveToTeams applies only to moves from on-premises to online');
    return {
      changes: {
        skypeHosting: 'ON_PREMISES',
        teamsUpgradeMode: user.teamsUpgradeMode === 'TEAMS_ONLY' ? 'ISLANDS' : user.teamsUpgradeMode,
      },
      trigger: {
        kind: 'USER_MOVED',
        detail: 'moved from online to on-premises',
        request: null,
        ignoredBecause: 'moves to on-premises do not migrate meetings; start a migration manually if needed',
        audioConferencing: false,
      },
    };
  }
  const teamsOnly = moveToTeams || user.teamsUpgradeMode === 'TEAMS_ONLY';
  return {
    changes: { skypeHosting: 'ONLINE', ...(moveToTeams ? { teamsUpgradeMode: 'TEAMS_ONLY' as const } : {}) },
    trigger: {
      kind: 'USER_MOVED',
      detail: `moved from on-premises to online${moveToTeams ? ' and to Teams' : ''}`,
      request: teamsOnly
        ? SKYPE_TO_TEAMS
        : { sourceMeetingType: 'SKYPE_FOR_BUSINESS', targetMeetingType: 'CURRENT' },
      audioConferencing: false,
    },
  };
}

/** Grant-CsTeamsUpgradePolicy for one user. */
export function grantTeamsUpgradePolicy(
  user: User,
  mode: TeamsUpgradeMode,
  migrateMeetingsToTeams: boolean,
): UserChange {
  const detail = `Teams upgrade mode ${user.teamsUpgradeMode} → ${mode}`;
  const meetingsInTeams = mode === 'TEAMS_ONLY' || mode === 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS';
  const trigger: ProposedTrigger = { kind: 'TEAMS_UPGRADE', detail, request: null, audioConferencing: false };
  if (!meetingsInTeams) trigger.ignoredBecause = `mode ${mode} does not schedule meetings in Teams`;
  else if (!migrateMeetingsToTeams) trigger.ignoredBecause = 'migrateMeetingsToTeams was false';
  else if (user.teamsUpgradeMode === mode) trigger.ignoredBecause = `the user already has mode ${mode}`;
  else trigger.request = SKYPE_TO_TEAMS;
  return { changes: { teamsUpgradeMode: mode }, trigger };
}

export interface DialInDefaults {
  conferenceId: string;
  bridgeId: number | null;
  tollNumberId: number | null;
  tollFreeNumberId: number | null;
}

/** Assigning the audio conferencing license enables dial-in with Microsoft as the provider. */
export function assignAudioConferencingLicense(
  user: User,
  replaceThirdPartyProvider: boolean,
  defaults: DialInDefaults,
): UserChange {
  if (user.licensed)
    throw new NotAllowedError(`${user.userPrincipalName} already has an audio conferencing license`);
  if (user.provider === 'THIRD_PARTY' && !replaceThirdPartyProvider) {
    return {
      changes: { licensed: true },
      trigger: {
        kind: 'LICENSE_ASSIGNED',
        detail: 'audio conferencing license assigned',
        request: null,
        ignoredBecause: `the user's audio conferencing provider is ${user.thirdPartyProviderName ?? 'a third party'} and automaticallyReplaceAcpProvider is off`,
        audioConferencing: true,
      },
    };
  }
  const replaced =
    user.provider === 'THIRD_PARTY'
      ? ` (replacing ${user.thirdPartyProviderName ?? 'the third-party provider'})`
      : '';
  return {
    changes: {
      licensed: true,
      provider: 'MICROSOFT',
      thirdPartyProviderName: null,
      thirdPartyDialInText: null,
      dialInEnabled: true,
      conferenceId: user.conferenceId ?? defaults.conferenceId,
      bridgeId: user.bridgeId ?? defaults.bridgeId,
      defaultTollNumberId: user.defaultTollNumberId ?? defaults.tollNumberId,
      defaultTollFreeNumberId: user.defaultTollFreeNumberId ?? defaults.tollFreeNumberId,
    },
    trigger: audioConferencingTrigger('LICENSE_ASSIGNED', `audio conferencing license assigned${replaced}`),
  };
}

export function removeAudioConferencingLicense(user: User): UserChange {
  if (!user.licensed)
    throw new NotAllowedError(`${user.userPrincipalName} has no audio conferencing license`);
  if (user.provider === 'THIRD_PARTY') {
    return {
      changes: { licensed: false },
      trigger: {
        kind: 'LICENSE_REMOVED',
        detail: 'audio conferencing license removed',
        request: null,
        ignoredBecause: `the user's audio conferencing provider is ${user.thirdPartyProviderName ?? 'a third party'}`,
        audioConferencing: true,
      },
    };
  }
  return {
    changes: {
      licensed: false,
      dialInEnabled: false,
      provider: user.provider === 'MICROSOFT' ? 'NONE' : user.provider,
    },
    trigger: audioConferencingTrigger('LICENSE_REMOVED', 'audio conferencing license removed'),
  };
}

export function setAudioConferencingProvider(
  user: User,
  provider: AudioConferencingProvider,
  thirdParty: { name: string; dialInText: string } | null,
): UserChange {
  if (provider === 'THIRD_PARTY' && !thirdParty) {
    throw new NotAllowedError('a THIRD_PARTY provider needs thirdPartyProviderName and thirdPartyDialInText');
  }
  if (provider === 'MICROSOFT' && !user.licensed) {
    throw new NotAllowedError(
      `${user.userPrincipalName} needs an audio conferencing license for Microsoft as provider`,
    );
  }
  const changes: Partial<User> = {
    provider,
    thirdPartyProviderName: thirdParty?.name ?? null,
    thirdPartyDialInText: thirdParty?.dialInText ?? null,
    dialInEnabled: provider === 'MICROSOFT' ? user.dialInEnabled : false,
  };
  const detail = `audio conferencing provider ${user.provider} → ${provider}${thirdParty ? ` (${thirdParty.name})` : ''}`;
  if (provider === 'MICROSOFT' && user.provider !== 'MICROSOFT') {
    return {
      changes: { ...changes, dialInEnabled: true },
      trigger: audioConferencingTrigger('PROVIDER_CHANGED', detail),
    };
  }
  return {
    changes,
    trigger: {
      kind: 'PROVIDER_CHANGED',
      detail,
      request: null,
      ignoredBecause:
        provider === 'MICROSOFT'
          ? 'the provider was already MICROSOFT'
          : 'only a change to MICROSOFT as provider migrates meetings',
      audioConferencing: true,
    },
  };
}

export function setDialInConferencing(user: User, enabled: boolean): UserChange {
  if (enabled && (!user.licensed || user.provider !== 'MICROSOFT')) {
    throw new NotAllowedError(
      `${user.userPrincipalName} needs an audio conferencing license with Microsoft as provider`,
    );
  }
  const detail = `dial-in conferencing ${enabled ? 'enabled' : 'disabled'}`;
  if (user.dialInEnabled === enabled) {
    return {
      changes: {},
      trigger: {
        kind: 'DIAL_IN_CHANGED',
        detail,
        request: null,
        ignoredBecause: `dial-in conferencing was already ${enabled ? 'enabled' : 'disabled'}`,
        audioConferencing: true,
      },
    };
  }
  return {
    changes: { dialInEnabled: enabled },
    trigger: audioConferencingTrigger('DIAL_IN_CHANGED', detail),
  };
}

export function setConferenceId(user: User, conferenceId: string): UserChange {
  requireMicrosoftDialIn(user);
  if (user.conferenceId === conferenceId) {
    return {
      changes: {},
      trigger: {
        kind: 'CONFERENCE_ID_CHANGED',
        detail: `conference ID ${conferenceId}`,
        request: null,
        ignoredBecause: 'the conference ID did not change',
        audioConferencing: true,
      },
    };
  }
  return {
    changes: { conferenceId },
    trigger: audioConferencingTrigger(
      'CONFERENCE_ID_CHANGED',
      `conference ID ${user.conferenceId ?? 'none'} → ${conferenceId}`,
    ),
  };
}

export function resetConferenceId(user: User, newConferenceId: string): UserChange {
  requireMicrosoftDialIn(user);
  return {
    changes: { conferenceId: newConferenceId },
    trigger: audioConferencingTrigger(
      'CONFERENCE_ID_RESET',
      `conference ID reset ${user.conferenceId ?? 'none'} → ${newConferenceId}`,
    ),
  };
}

/** Moving to another bridge also takes that bridge's default numbers. */
export function moveUserToBridge(
  user: User,
  bridge: { id: number; name: string },
  bridgeNumbers: BridgeNumber[],
): UserChange {
  requireMicrosoftDialIn(user);
  if (user.bridgeId === bridge.id)
    throw new NotAllowedError(`${user.userPrincipalName} is already on bridge ${bridge.name}`);
  return {
    changes: {
      bridgeId: bridge.id,
      defaultTollNumberId: bridgeNumbers.find((n) => !n.tollFree)?.id ?? null,
      defaultTollFreeNumberId: bridgeNumbers.find((n) => n.tollFree)?.id ?? null,
    },
    trigger: audioConferencingTrigger('BRIDGE_CHANGED', `moved to bridge ${bridge.name}`),
  };
}

/** A default number was taken off the bridge: the user gets the bridge's next number of that kind. */
export function bridgeNumberUnassigned(removed: BridgeNumber, remaining: BridgeNumber[]): UserChange {
  const replacement =
    remaining.find((n) => n.tollFree === removed.tollFree && n.bridgeId === removed.bridgeId) ?? null;
  const changes: Partial<User> = removed.tollFree
    ? { defaultTollFreeNumberId: replacement?.id ?? null }
    : { defaultTollNumberId: replacement?.id ?? null };
  return {
    changes,
    trigger: audioConferencingTrigger(
      'BRIDGE_NUMBER_UNASSIGNED',
      `default ${removed.tollFree ? 'toll-free' : 'toll'} number ${removed.number} unassigned; new default ${replacement?.number ?? 'none'}`,
    ),
  };
}

export function setUserSipAddress(user: User, sipAddress: string): UserChange {
  return {
    changes: { sipAddress },
    trigger: {
      kind: 'SIP_ADDRESS_CHANGED',
      detail: `SIP address ${user.sipAddress} → ${sipAddress}`,
      request: null,
      ignoredBecause: 'SIP address changes do not migrate meetings',
      audioConferencing: false,
    },
  };
}

export function manualStart(request: MigrationRequest): ProposedTrigger {
  return {
    kind: 'MANUAL_START',
    detail: `started by an operator (source ${request.sourceMeetingType}, target ${request.targetMeetingType})`,
    request,
    audioConferencing: false,
    manual: true,
  };
}

function requireMicrosoftDialIn(user: User): void {
  if (!user.licensed || user.provider !== 'MICROSOFT') {
    throw new NotAllowedError(`${user.userPrincipalName} has no Microsoft audio conferencing`);
  }
}
