/** Tenants, their settings, tokens, users and bridges. */
import { InvalidValueError, NotAllowedError, NotFoundError } from '../domain/errors.ts';
import {
  DEFAULT_TENANT_SETTINGS,
  type MailboxLocation,
  NO_AUDIO_CONFERENCING,
  type SkypeHosting,
  type TeamsUpgradeMode,
  type Tenant,
  type TenantSettings,
} from '../domain/model.ts';
import * as validate from '../domain/validation.ts';
import type { Store } from '../storage/store.ts';
import { generateToken, hashToken } from './access.ts';
import { requireBridge, requireTenant, type ServiceDeps } from './deps.ts';
import { announceTriggers, recordTrigger, type TriggerRecord } from './triggers.ts';
import { targetTenantId, tenantFilter, type Viewer } from './viewer.ts';

export interface NewUserInput {
  tenantId?: number | null;
  userPrincipalName: string;
  displayName: string;
  sipAddress?: string | null;
  skypeHosting?: SkypeHosting | null;
  teamsUpgradeMode?: TeamsUpgradeMode | null;
  mailboxLocation?: MailboxLocation | null;
}

export function tenancy(deps: ServiceDeps) {
  const { store } = deps;

  async function requireOperatorToken(tx: Store, viewer: Viewer, id: number) {
    const [token] = await tx.tokens.operatorTokensByIds(tenantFilter(viewer), [id]);
    if (!token) throw new NotFoundError('OperatorToken', 'operatorTokenId');
    return token;
  }

  function requireServiceAdmin(viewer: Viewer): void {
    if (viewer.kind !== 'serviceAdmin') throw new NotAllowedError('only the service admin may do this');
  }

  /** Changes a tenant in one transaction, then tells subscribers of its settings and of the trigger, if any. */
  async function changeTenant<T extends { tenant: Tenant } & Partial<TriggerRecord>>(
    viewer: Viewer,
    tenantId: number | null | undefined,
    change: (tx: Store, tenant: Tenant, now: Date) => Promise<T>,
  ): Promise<T> {
    const result = await store.transaction(async (tx) =>
      change(tx, await requireTenant(tx, viewer, targetTenantId(viewer, tenantId), 'tenantId'), deps.now()),
    );
    deps.events.tenantSettingsChanged(result.tenant);
    if (result.evaluation)
      announceTriggers(deps, [{ evaluation: result.evaluation, migration: result.migration ?? null }]);
    return result;
  }

  async function changeTenantSettings(
    viewer: Viewer,
    tenantId: number | null | undefined,
    changes: Partial<TenantSettings>,
  ): Promise<Tenant> {
    const { tenant } = await changeTenant(viewer, tenantId, async (tx, current) => ({
      tenant: await tx.tenants.update(current.id, changes),
    }));
    return tenant;
  }

  return {
    async createTenant(
      viewer: Viewer,
      input: { name: string; primaryDomain: string; meetingUrl?: string | null },
    ) {
      requireServiceAdmin(viewer);
      const name = validate.requiredName('name', input.name);
      const primaryDomain = validate.domainName('primaryDomain', input.primaryDomain);
      const meetingUrl = validate.baseUrl('meetingUrl', input.meetingUrl ?? `https://meet.${primaryDomain}`);
      return store.transaction(async (tx) => {
        // A domain and its subdomains belong to one tenant: its users' principal names live under it.
        const overlapping = await tx.tenants.withOverlappingDomain(primaryDomain);
        if (overlapping?.primaryDomain === primaryDomain) {
          throw new InvalidValueError(
            'primaryDomain',
            `a tenant with primary domain ${primaryDomain} already exists`,
          );
        }
        if (overlapping) {
          throw new InvalidValueError(
            'primaryDomain',
            `${primaryDomain} overlaps the primary domain ${overlapping.primaryDomain} of another tenant (a domain and its subdomains belong to one tenant)`,
          );
        }
        return tx.tenants.insert(
          { name, primaryDomain, meetingUrl, teamsUpgradeMode: 'ISLANDS', ...DEFAULT_TENANT_SETTINGS },
          deps.now(),
        );
      });
    },

    /** Returns the plain token once; only its hash is stored. */
    async createOperatorToken(
      viewer: Viewer,
      input: { tenantId: number; name: string; expiresAt?: Date | null },
    ) {
      requireServiceAdmin(viewer);
      const name = validate.requiredName('name', input.name);
      const expiresAt = validate.tokenExpiry('expiresAt', input.expiresAt, deps.now());
      const tenant = await requireTenant(store, viewer, input.tenantId, 'tenantId');
      const token = generateToken('mms_op');
      const stored = await store.tokens.insertOperatorToken(
        { tenantId: tenant.id, name, expiresAt },
        hashToken(token),
        deps.now(),
      );
      return { token, stored, tenant };
    },

    /**
     * Revokes a token of the viewer's tenant (any, for the service admin): it is refused from now on, and
     * the WebSockets it opened, in every process, are closed.
     */
    async revokeOperatorToken(viewer: Viewer, input: { operatorTokenId: number }) {
      const revoked = await store.transaction(async (tx) => {
        const token = await requireOperatorToken(tx, viewer, input.operatorTokenId);
        return tx.tokens.revokeOperatorToken(token.id, deps.now());
      });
      if (!revoked) throw new NotAllowedError('the token is revoked already');
      deps.events.operatorTokenRevoked(revoked);
      return { stored: revoked };
    },

    /**
     * A new token in place of one of the viewer's tenant: the same name, and the given expiry (or the old
     * one's, if still ahead). The old one is revoked in the same transaction; the new one is shown once.
     */
    async rotateOperatorToken(viewer: Viewer, input: { operatorTokenId: number; expiresAt?: Date | null }) {
      const now = deps.now();
      const token = generateToken('mms_op');
      const { stored, revoked } = await store.transaction(async (tx) => {
        const old = await requireOperatorToken(tx, viewer, input.operatorTokenId);
        const revoked = await tx.tokens.revokeOperatorToken(old.id, now);
        if (!revoked) throw new NotAllowedError('the token is revoked already: create a new one');
        const keptExpiry = old.expiresAt && old.expiresAt.getTime() > now.getTime() ? old.expiresAt : null;
        const expiresAt =
          input.expiresAt === undefined || input.expiresAt === null
            ? keptExpiry
            : validate.tokenExpiry('expiresAt', input.expiresAt, now);
        const stored = await tx.tokens.insertOperatorToken(
          { tenantId: old.tenantId, name: old.name, expiresAt },
          hashToken(token),
          now,
        );
        return { stored, revoked };
      });
      deps.events.operatorTokenRevoked(revoked);
      return { token, stored, revoked };
    },

    async createUser(viewer: Viewer, input: NewUserInput) {
      const tenantId = targetTenantId(viewer, input.tenantId);
      const userPrincipalName = validate.userPrincipalName('userPrincipalName', input.userPrincipalName);
      const displayName = validate.requiredName('displayName', input.displayName);
      const sipAddress = validate.sipAddress('sipAddress', input.sipAddress ?? `sip:${userPrincipalName}`);
      return store.transaction(async (tx) => {
        const tenant = await requireTenant(tx, viewer, tenantId, 'tenantId');
        validate.principalNameInDomain('userPrincipalName', userPrincipalName, tenant.primaryDomain);
        if (await tx.users.byUserPrincipalName(tenantId, userPrincipalName)) {
          throw new InvalidValueError(
            'userPrincipalName',
            `${userPrincipalName} already exists in this tenant`,
          );
        }
        return tx.users.insert(
          {
            tenantId,
            userPrincipalName,
            displayName,
            sipAddress,
            skypeHosting: input.skypeHosting ?? 'ONLINE',
            teamsUpgradeMode: input.teamsUpgradeMode ?? 'ISLANDS',
            mailboxLocation: input.mailboxLocation ?? 'EXCHANGE_ONLINE',
            ...NO_AUDIO_CONFERENCING,
          },
          deps.now(),
        );
      });
    },

    async createBridge(
      viewer: Viewer,
      input: { tenantId?: number | null; name: string; isDefault?: boolean | null },
    ) {
      const tenantId = targetTenantId(viewer, input.tenantId);
      const name = validate.requiredName('name', input.name);
      return store.transaction(async (tx) => {
        await requireTenant(tx, viewer, tenantId, 'tenantId');
        const isDefault = input.isDefault ?? (await tx.bridges.defaultForTenant(tenantId)) === null;
        return tx.bridges.insert({ tenantId, name, isDefault });
      });
    },

    async addBridgeNumber(
      viewer: Viewer,
      input: {
        bridgeId: number;
        number: string;
        tollFree: boolean;
        city: string;
        country: string;
        language: string;
      },
    ) {
      const number = validate.e164('number', input.number);
      const city = validate.requiredName('city', input.city);
      const country = validate.countryCode('country', input.country);
      const language = validate.languageTag('language', input.language);
      return store.transaction(async (tx) => {
        const bridge = await requireBridge(tx, viewer, input.bridgeId, 'bridgeId');
        if (await tx.bridges.numberExists(bridge.tenantId, number)) {
          throw new InvalidValueError('number', `${number} is already assigned to a bridge`);
        }
        const added = await tx.bridges.insertNumber({
          tenantId: bridge.tenantId,
          bridgeId: bridge.id,
          number,
          tollFree: input.tollFree,
          city,
          country,
          language,
        });
        return { bridge, number: added };
      });
    },

    setTenantMigrationConfiguration(
      viewer: Viewer,
      input: { tenantId?: number | null; meetingMigrationEnabled: boolean },
    ) {
      return changeTenantSettings(viewer, input.tenantId, {
        meetingMigrationEnabled: input.meetingMigrationEnabled,
      });
    },

    setDialInConferencingTenantSettings(
      viewer: Viewer,
      input: { tenantId?: number | null } & { [K in keyof TenantSettings]?: TenantSettings[K] | null },
    ) {
      const changes: Partial<TenantSettings> = {};
      if (input.automaticallyMigrateUserMeetings != null)
        changes.automaticallyMigrateUserMeetings = input.automaticallyMigrateUserMeetings;
      if (input.automaticallyReplaceAcpProvider != null)
        changes.automaticallyReplaceAcpProvider = input.automaticallyReplaceAcpProvider;
      if (input.automaticallySendEmailsToUsers != null)
        changes.automaticallySendEmailsToUsers = input.automaticallySendEmailsToUsers;
      if (input.pinLength != null) changes.pinLength = validate.pinLength('pinLength', input.pinLength);
      // Nothing given changes nothing, as Set-CsOnlineDialInConferencingTenantSettings without parameters:
      // the settings as they stand, and no event.
      if (Object.keys(changes).length === 0) {
        return requireTenant(store, viewer, targetTenantId(viewer, input.tenantId), 'tenantId');
      }
      return changeTenantSettings(viewer, input.tenantId, changes);
    },

    /** Never migrates: existing join links simply break, as in MMS. The outcome is recorded all the same. */
    updateTenantMeetingUrl(viewer: Viewer, input: { tenantId?: number | null; meetingUrl: string }) {
      const meetingUrl = validate.baseUrl('meetingUrl', input.meetingUrl);
      return changeTenant(viewer, input.tenantId, async (tx, tenant, now) => {
        const updated = await tx.tenants.update(tenant.id, { meetingUrl });
        const record = await recordTrigger(tx, deps, now, updated, null, {
          kind: 'MEETING_URL_CHANGED',
          detail: `meeting URL ${tenant.meetingUrl} → ${meetingUrl}`,
          request: null,
          ignoredBecause:
            'a tenant meeting URL change does not migrate meetings; existing join links stop working',
          audioConferencing: false,
        });
        return { tenant: updated, ...record };
      });
    },

    /** Grant-CsTeamsUpgradePolicy -Global: never migrates meetings (§3). */
    grantTenantTeamsUpgradePolicy(
      viewer: Viewer,
      input: { tenantId?: number | null; mode: TeamsUpgradeMode },
    ) {
      return changeTenant(viewer, input.tenantId, async (tx, tenant, now) => {
        const updated = await tx.tenants.update(tenant.id, { teamsUpgradeMode: input.mode });
        const record = await recordTrigger(tx, deps, now, updated, null, {
          kind: 'TENANT_TEAMS_UPGRADE',
          detail: `tenant-wide Teams upgrade mode ${tenant.teamsUpgradeMode} → ${input.mode}`,
          request: null,
          ignoredBecause:
            'a tenant-wide Teams upgrade does not migrate meetings; upgrade users one by one to migrate theirs',
          audioConferencing: false,
        });
        return { tenant: updated, ...record };
      });
    },
  };
}
