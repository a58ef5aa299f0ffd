/** A user's current meeting coordinates: what the online meeting block of their meetings must say. */
import { createHash } from 'node:crypto';
import type { BlockCoordinates, OnlineMeetingType } from './meeting-block.ts';
import type { BridgeNumber, TeamsUpgradeMode, Tenant, User } from './model.ts';

const TEAMS_JOIN_BASE = 'https://teams.microsoft.com/l/meetup-join';
const TEAMS_HELP_URL = 'https://aka.ms/JoinTeamsMeeting';
const TEAMS_DIAL_IN_BASE = 'https://dialin.teams.microsoft.com';

/** The meeting type a user's new meetings get from the scheduling add-in. */
export function schedulingMeetingType(user: { teamsUpgradeMode: TeamsUpgradeMode }): OnlineMeetingType {
  return user.teamsUpgradeMode === 'TEAMS_ONLY' ||
    user.teamsUpgradeMode === 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS'
    ? 'TEAMS'
    : 'SKYPE_FOR_BUSINESS';
}

/**
 * The block coordinates for one meeting. Meeting keys, IDs and passcodes derive from the meeting's UID,
 * so rendering the same meeting twice gives the same bytes (a resumed migration rewrites identically).
 */
export function meetingCoordinates(input: {
  tenant: Pick<Tenant, 'meetingUrl' | 'primaryDomain'>;
  user: Pick<
    User,
    | 'userPrincipalName'
    | 'provider'
    | 'licensed'
    | 'dialInEnabled'
    | 'conferenceId'
    | 'thirdPartyProviderName'
    | 'thirdPartyDialInText'
  >;
  /** The user's default toll and toll-free numbers. */
  numbers: BridgeNumber[];
  type: OnlineMeetingType;
  meetingUid: string;
}): BlockCoordinates {
  const { tenant, user, numbers, type, meetingUid } = input;
  const digest = createHash('sha256').update(`${tenant.primaryDomain}\n${meetingUid}`).digest();
  const hasDialIn =
    user.provider === 'MICROSOFT' && user.licensed && user.dialInEnabled && user.conferenceId !== null;
  const dialInNumbers = numbers.map((n) => ({
    number: n.number,
    tollFree: n.tollFree,
    city: n.city,
    country: n.country,
    language: n.language,
  }));
  const thirdPartyDialIn =
    user.provider === 'THIRD_PARTY' && user.thirdPartyDialInText
      ? {
          provider: user.thirdPartyProviderName ?? 'Audio conferencing provider',
          text: user.thirdPartyDialInText,
        }
      : null;

  if (type === 'SKYPE_FOR_BUSINESS') {
    const alias = user.userPrincipalName.split('@')[0] ?? user.userPrincipalName;
    const meetingKey = digest
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 8)
      .toUpperCase();
    return {
      type,
      joinUrl: `${tenant.meetingUrl}/${encodeURIComponent(alias)}/${meetingKey}`,
      dialIn:
        hasDialIn && user.conferenceId
          ? {
              numbers: dialInNumbers,
              conferenceId: user.conferenceId,
              localNumbersUrl: `${tenant.meetingUrl}/dialin`,
            }
          : null,
      thirdPartyDialIn,
      helpUrl: `${tenant.meetingUrl}/help`,
    };
  }
  const threadId = `19:meeting_${digest.toString('base64url').slice(0, 32)}@thread.v2`;
  const context = JSON.stringify({ Tid: tenant.primaryDomain, Oid: user.userPrincipalName });
  const meetingId = (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, '0');
  return {
    type,
    joinUrl: `${TEAMS_JOIN_BASE}/${encodeURIComponent(threadId)}/0?context=${encodeURIComponent(context)}`,
    meetingId: meetingId.replace(/(\d{3})(?=\d)/g, '$1 '),
    passcode: digest
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(8, 14),
    dialIn:
      hasDialIn && user.conferenceId
        ? {
            numbers: dialInNumbers,
            conferenceId: user.conferenceId,
            localNumbersUrl: `${TEAMS_DIAL_IN_BASE}/${encodeURIComponent(tenant.primaryDomain)}?id=${user.conferenceId}`,
          }
        : null,
    thirdPartyDialIn,
    helpUrl: TEAMS_HELP_URL,
    meetingOptionsUrl: `https://teams.microsoft.com/meetingOptions/?threadId=${encodeURIComponent(threadId)}`,
    resetPinUrl: `${TEAMS_DIAL_IN_BASE}/usp/pstnconferencing`,
  };
}
