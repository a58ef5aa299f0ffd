/** The §6 admin commands on users and bridges: change, then evaluate the trigger, in one transaction. */
import { NotAllowedError } from '../domain/errors.ts';
import type {
  AudioConferencingProvider,
  BridgeNumber,
  SkypeHosting,
  SourceMeetingType,
  TargetMeetingType,
  TeamsUpgradeMode,
  Tenant,
  User,
} from '../domain/model.ts';
import * as commands from '../domain/user-commands.ts';
import * as validate from '../domain/validation.ts';
import type { Store } from '../storage/store.ts';
import {
  newConferenceId,
  requireBridge,
  requireBridgeNumber,
  requireUser,
  type ServiceDeps,
  tenantOf,
} from './deps.ts';
import { announceTriggers, recordTrigger, type TriggerRecord } from './triggers.ts';
import type { Viewer } from './viewer.ts';

export interface UserCommandResult extends TriggerRecord {
  user: User;
}

export function userAdmin(deps: ServiceDeps) {
  /** Loads the user, applies the command's change and records its trigger, all in one transaction. */
  async function changeUser(
    viewer: Viewer,
    userId: number,
    command: (user: User, tenant: Tenant, tx: Store) => commands.UserChange | Promise<commands.UserChange>,
  ): Promise<UserCommandResult> {
    const result = await deps.store.transaction(async (tx) => {
      const now = deps.now();
      const user = await requireUser(tx, viewer, userId, 'userId');
      const tenant = await tenantOf(tx, user);
      const change = await command(user, tenant, tx);
      const updated =
        Object.keys(change.changes).length > 0 ? await tx.users.update(user.id, change.changes) : user;
      return { user: updated, ...(await recordTrigger(tx, deps, now, tenant, updated, change.trigger)) };
    });
    announceTriggers(deps, [result]);
    return result;
  }

  /** The default bridge of the tenant and its first toll and toll-free numbers. */
  async function dialInDefaults(tx: Store, tenantId: number): Promise<commands.DialInDefaults> {
    const bridge = await tx.bridges.defaultForTenant(tenantId);
    const numbers = bridge ? await tx.bridges.numbersOfBridges([bridge.id]) : [];
    return {
      conferenceId: newConferenceId(),
      bridgeId: bridge?.id ?? null,
      tollNumberId: numbers.find((n) => !n.tollFree)?.id ?? null,
      tollFreeNumberId: numbers.find((n) => n.tollFree)?.id ?? null,
    };
  }

  return {
    moveUser(viewer: Viewer, input: { userId: number; target: SkypeHosting; moveToTeams: boolean }) {
      return changeUser(viewer, input.userId, (user) =>
        commands.moveUser(user, input.target, input.moveToTeams),
      );
    },

    grantTeamsUpgradePolicy(
      viewer: Viewer,
      input: { userId: number; mode: TeamsUpgradeMode; migrateMeetingsToTeams: boolean },
    ) {
      return changeUser(viewer, input.userId, (user) =>
        commands.grantTeamsUpgradePolicy(user, input.mode, input.migrateMeetingsToTeams),
      );
    },

    assignAudioConferencingLicense(viewer: Viewer, input: { userId: number }) {
      return changeUser(viewer, input.userId, async (user, tenant, tx) =>
        commands.assignAudioConferencingLicense(
          user,
          tenant.automaticallyReplaceAcpProvider,
          await dialInDefaults(tx, tenant.id),
        ),
      );
    },

    removeAudioConferencingLicense(viewer: Viewer, input: { userId: number }) {
      return changeUser(viewer, input.userId, (user) => commands.removeAudioConferencingLicense(user));
    },

    setAudioConferencingProvider(
      viewer: Viewer,
      input: {
        userId: number;
        provider: AudioConferencingProvider;
        thirdPartyProviderName?: string | null;
        thirdPartyDialInText?: string | null;
      },
    ) {
      let thirdParty: { name: string; dialInText: string } | null = null;
      if (input.provider === 'THIRD_PARTY') {
        thirdParty = {
          name: validate.requiredName('thirdPartyProviderName', input.thirdPartyProviderName ?? ''),
          dialInText: validate.boundedText(
            'thirdPartyDialInText',
            validate.requiredName(
              'thirdPartyDialInText',
              input.thirdPartyDialInText ?? '',
              validate.MAX_TEXT_LENGTH,
            ),
          ),
        };
      } else if (input.thirdPartyProviderName || input.thirdPartyDialInText) {
        throw new NotAllowedError(
          'thirdPartyProviderName and thirdPartyDialInText apply only to a THIRD_PARTY provider',
        );
      }
      return changeUser(viewer, input.userId, (user) =>
        commands.setAudioConferencingProvider(user, input.provider, thirdParty),
      );
    },

    setDialInConferencing(viewer: Viewer, input: { userId: number; enabled: boolean }) {
      return changeUser(viewer, input.userId, (user) => commands.setDialInConferencing(user, input.enabled));
    },

    setConferenceId(viewer: Viewer, input: { userId: number; conferenceId: string }) {
      const conferenceId = validate.conferenceId('conferenceId', input.conferenceId);
      return changeUser(viewer, input.userId, (user) => commands.setConferenceId(user, conferenceId));
    },

    resetConferenceId(viewer: Viewer, input: { userId: number }) {
      return changeUser(viewer, input.userId, (user) => {
        let fresh = newConferenceId();
        while (fresh === user.conferenceId) fresh = newConferenceId();
        return commands.resetConferenceId(user, fresh);
      });
    },

    moveUserToBridge(viewer: Viewer, input: { userId: number; bridgeId: number }) {
      return changeUser(viewer, input.userId, async (user, _tenant, tx) => {
        const bridge = await requireBridge(tx, viewer, input.bridgeId, 'bridgeId');
        if (bridge.tenantId !== user.tenantId)
          throw new NotAllowedError('the bridge belongs to another tenant');
        return commands.moveUserToBridge(user, bridge, await tx.bridges.numbersOfBridges([bridge.id]));
      });
    },

    setUserSipAddress(viewer: Viewer, input: { userId: number; sipAddress: string }) {
      const sipAddress = validate.sipAddress('sipAddress', input.sipAddress);
      return changeUser(viewer, input.userId, (user) => commands.setUserSipAddress(user, sipAddress));
    },

    /** Not a trigger (§3): it only decides whether later triggers are eligible. */
    async setMailboxLocation(
      viewer: Viewer,
      input: { userId: number; mailboxLocation: User['mailboxLocation'] },
    ) {
      return deps.store.transaction(async (tx) => {
        const user = await requireUser(tx, viewer, input.userId, 'userId');
        return tx.users.update(user.id, { mailboxLocation: input.mailboxLocation });
      });
    },

    /** Takes a number off its bridge; each user whose default it was gets a new default, and a trigger. */
    async unassignBridgeNumber(viewer: Viewer, input: { bridgeNumberId: number }) {
      const result = await deps.store.transaction(async (tx) => {
        const now = deps.now();
        const removed = await requireBridgeNumber(tx, viewer, input.bridgeNumberId, 'bridgeNumberId');
        const tenant = await tenantOf(tx, removed);
        const affected = await tx.users.withDefaultNumber(removed.id);
        const remaining = (await tx.bridges.numbersOfBridges([removed.bridgeId])).filter(
          (n) => n.id !== removed.id,
        );
        const records: (TriggerRecord & { user: User })[] = [];
        for (const user of affected) {
          const change = commands.bridgeNumberUnassigned(removed, remaining);
          const updated = await tx.users.update(user.id, change.changes);
          records.push({
            user: updated,
            ...(await recordTrigger(tx, deps, now, tenant, updated, change.trigger)),
          });
        }
        await tx.bridges.deleteNumber(removed.id);
        const [bridge] = await tx.bridges.byIds(null, [removed.bridgeId]);
        return { removed: removed satisfies BridgeNumber, bridge: bridge ?? null, records };
      });
      announceTriggers(deps, result.records);
      return result;
    },

    startMeetingMigration(
      viewer: Viewer,
      input: { userId: number; sourceMeetingType: SourceMeetingType; targetMeetingType: TargetMeetingType },
    ) {
      return changeUser(viewer, input.userId, () => ({
        changes: {},
        trigger: commands.manualStart({
          sourceMeetingType: input.sourceMeetingType,
          targetMeetingType: input.targetMeetingType,
        }),
      }));
    },
  };
}
