/** Tenants, tokens, users, bridges and the tenant-wide settings of §2. */
import type {
  Bridge,
  BridgeNumber,
  OperatorToken,
  Tenant,
  TriggerEvaluation,
  User,
} from '../../domain/model.ts';
import { builder } from '../builder.ts';
import {
  decodeId,
  decodeOptionalId,
  EXPECTED_ERRORS,
  MailboxLocationEnum,
  SkypeHostingEnum,
  TeamsUpgradeModeEnum,
} from '../common.ts';
import { viewerOf } from '../context.ts';
import { BridgeNode, BridgeNumberNode } from '../types/bridge.ts';
import { OperatorTokenNode } from '../types/operator-token.ts';
import { TenantNode } from '../types/tenant.ts';
import { TriggerEvaluationNode } from '../types/trigger-evaluation.ts';
import { UserNode } from '../types/user.ts';

const TenantPayload = (name: string) =>
  builder.objectRef<{ tenant: Tenant }>(name).implement({
    fields: (t) => ({ tenant: t.field({ type: TenantNode, resolve: (payload) => payload.tenant }) }),
  });

const TenantTriggerPayload = (name: string) =>
  builder.objectRef<{ tenant: Tenant; evaluation: TriggerEvaluation }>(name).implement({
    fields: (t) => ({
      tenant: t.field({ type: TenantNode, resolve: (payload) => payload.tenant }),
      triggerEvaluation: t.field({ type: TriggerEvaluationNode, resolve: (payload) => payload.evaluation }),
    }),
  });

/** A payload with a new token, shown once, and its record; a rotation's also with the token it replaced. */
function NewOperatorTokenPayload(name: string, replacing = false) {
  return builder
    .objectRef<{ token: string; stored: OperatorToken; tenant?: Tenant; revoked?: OperatorToken }>(name)
    .implement({
      fields: (p) => ({
        token: p.exposeString('token', { description: 'Send as "Authorization: Bearer <token>".' }),
        operatorToken: p.field({ type: OperatorTokenNode, resolve: (payload) => payload.stored }),
        ...(replacing
          ? {
              revokedOperatorToken: p.field({
                type: OperatorTokenNode,
                resolve: (payload) => payload.revoked as OperatorToken,
              }),
            }
          : {
              tenant: p.field({
                type: TenantNode,
                resolve: (payload) => payload.tenant as Tenant,
              }),
            }),
      }),
    });
}

builder.mutationFields((t) => {
  const optionalTenantId = () =>
    t.input.id({
      required: false,
      description: "Defaults to the operator's tenant; the service admin must give it.",
    });
  return {
    createTenant: t.fieldWithInput({
      description: 'Service admin only.',
      authScopes: { serviceAdmin: true },
      type: TenantPayload('CreateTenantPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: {
        name: t.input.string(),
        primaryDomain: t.input.string(),
        meetingUrl: t.input.string({
          required: false,
          description: 'Defaults to https://meet.<primaryDomain>.',
        }),
      },
      resolve: async (_root, { input }, context) => ({
        tenant: await context.services.tenancy.createTenant(viewerOf(context), input),
      }),
    }),

    createOperatorToken: t.fieldWithInput({
      description: 'Service admin only. The token is shown here once; only its hash is kept.',
      authScopes: { serviceAdmin: true },
      type: NewOperatorTokenPayload('CreateOperatorTokenPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: {
        tenantId: t.input.id(),
        name: t.input.string({ description: 'Who or what the token is for.' }),
        expiresAt: t.input.field({
          type: 'DateTime',
          required: false,
          description:
            'When the token stops being valid (before 2200); by default it is valid until revoked.',
        }),
      },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.createOperatorToken(viewerOf(context), {
          tenantId: decodeId('tenantId', input.tenantId, 'Tenant'),
          name: input.name,
          expiresAt: input.expiresAt,
        }),
    }),

    revokeOperatorToken: t.fieldWithInput({
      description:
        "Refuses the token from now on and closes the WebSockets it opened (close 4403). An operator may revoke its own tenant's tokens, its own too.",
      type: builder.objectRef<{ stored: OperatorToken }>('RevokeOperatorTokenPayload').implement({
        fields: (p) => ({
          operatorToken: p.field({ type: OperatorTokenNode, resolve: (payload) => payload.stored }),
        }),
      }),
      errors: { types: EXPECTED_ERRORS },
      input: { operatorTokenId: t.input.id() },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.revokeOperatorToken(viewerOf(context), {
          operatorTokenId: decodeId('operatorTokenId', input.operatorTokenId, 'OperatorToken'),
        }),
    }),

    rotateOperatorToken: t.fieldWithInput({
      description:
        'A new token with the same name in place of this one, which is revoked at once. The new token is shown here once.',
      type: NewOperatorTokenPayload('RotateOperatorTokenPayload', true),
      errors: { types: EXPECTED_ERRORS },
      input: {
        operatorTokenId: t.input.id(),
        expiresAt: t.input.field({
          type: 'DateTime',
          required: false,
          description: "The new token's expiry; by default the old one's, when still ahead.",
        }),
      },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.rotateOperatorToken(viewerOf(context), {
          operatorTokenId: decodeId('operatorTokenId', input.operatorTokenId, 'OperatorToken'),
          expiresAt: input.expiresAt,
        }),
    }),

    createUser: t.fieldWithInput({
      type: builder.objectRef<{ user: User }>('CreateUserPayload').implement({
        fields: (p) => ({ user: p.field({ type: UserNode, resolve: (payload) => payload.user }) }),
      }),
      errors: { types: EXPECTED_ERRORS },
      input: {
        tenantId: optionalTenantId(),
        userPrincipalName: t.input.string(),
        displayName: t.input.string(),
        sipAddress: t.input.string({ required: false, description: 'Defaults to sip:<userPrincipalName>.' }),
        skypeHosting: t.input.field({ type: SkypeHostingEnum, required: false }),
        teamsUpgradeMode: t.input.field({ type: TeamsUpgradeModeEnum, required: false }),
        mailboxLocation: t.input.field({ type: MailboxLocationEnum, required: false }),
      },
      resolve: async (_root, { input }, context) => ({
        user: await context.services.tenancy.createUser(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
      }),
    }),

    createBridge: t.fieldWithInput({
      type: builder.objectRef<{ bridge: Bridge }>('CreateBridgePayload').implement({
        fields: (p) => ({ bridge: p.field({ type: BridgeNode, resolve: (payload) => payload.bridge }) }),
      }),
      errors: { types: EXPECTED_ERRORS },
      input: {
        tenantId: optionalTenantId(),
        name: t.input.string(),
        isDefault: t.input.boolean({
          required: false,
          description: "Defaults to true for a tenant's first bridge.",
        }),
      },
      resolve: async (_root, { input }, context) => ({
        bridge: await context.services.tenancy.createBridge(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
      }),
    }),

    addBridgeNumber: t.fieldWithInput({
      type: builder.objectRef<{ bridge: Bridge; number: BridgeNumber }>('AddBridgeNumberPayload').implement({
        fields: (p) => ({
          bridge: p.field({ type: BridgeNode, resolve: (payload) => payload.bridge }),
          bridgeNumber: p.field({ type: BridgeNumberNode, resolve: (payload) => payload.number }),
        }),
      }),
      errors: { types: EXPECTED_ERRORS },
      input: {
        bridgeId: t.input.id(),
        number: t.input.string({ description: 'E.164, such as +14255550100.' }),
        tollFree: t.input.boolean({ defaultValue: false }),
        city: t.input.string(),
        country: t.input.string({ description: 'ISO 3166 alpha-2.' }),
        language: t.input.string({ description: 'Such as en-US.' }),
      },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.addBridgeNumber(viewerOf(context), {
          ...input,
          tollFree: input.tollFree ?? false,
          bridgeId: decodeId('bridgeId', input.bridgeId, 'Bridge'),
        }),
    }),

    unassignBridgeNumber: t.fieldWithInput({
      description:
        'Takes a number off its bridge. Each user whose default it was gets a new default and a migration.',
      type: builder
        .objectRef<{ bridge: Bridge | null; records: { evaluation: TriggerEvaluation }[] }>(
          'UnassignBridgeNumberPayload',
        )
        .implement({
          fields: (p) => ({
            bridge: p.field({ type: BridgeNode, nullable: true, resolve: (payload) => payload.bridge }),
            triggerEvaluations: p.field({
              type: [TriggerEvaluationNode],
              description: 'One for each user whose default number it was.',
              resolve: (payload) => payload.records.map((record) => record.evaluation),
            }),
          }),
        }),
      errors: { types: EXPECTED_ERRORS },
      input: { bridgeNumberId: t.input.id() },
      resolve: (_root, { input }, context) =>
        context.services.users.unassignBridgeNumber(viewerOf(context), {
          bridgeNumberId: decodeId('bridgeNumberId', input.bridgeNumberId, 'BridgeNumber'),
        }),
    }),

    setTenantMigrationConfiguration: t.fieldWithInput({
      description: 'Set-CsTenantMigrationConfiguration.',
      type: TenantPayload('SetTenantMigrationConfigurationPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: { tenantId: optionalTenantId(), meetingMigrationEnabled: t.input.boolean() },
      resolve: async (_root, { input }, context) => ({
        tenant: await context.services.tenancy.setTenantMigrationConfiguration(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
      }),
    }),

    setDialInConferencingTenantSettings: t.fieldWithInput({
      description: 'Set-CsOnlineDialInConferencingTenantSettings: only the fields given change.',
      type: TenantPayload('SetDialInConferencingTenantSettingsPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: {
        tenantId: optionalTenantId(),
        automaticallyMigrateUserMeetings: t.input.boolean({ required: false }),
        automaticallyReplaceAcpProvider: t.input.boolean({ required: false }),
        automaticallySendEmailsToUsers: t.input.boolean({ required: false }),
        pinLength: t.input.int({ required: false, description: '4 to 12.' }),
      },
      resolve: async (_root, { input }, context) => ({
        tenant: await context.services.tenancy.setDialInConferencingTenantSettings(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
      }),
    }),

    updateTenantMeetingUrl: t.fieldWithInput({
      description:
        'Changes the base of Skype for Business join links. Never migrates: old links simply break.',
      type: TenantTriggerPayload('UpdateTenantMeetingUrlPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: { tenantId: optionalTenantId(), meetingUrl: t.input.string() },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.updateTenantMeetingUrl(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
    }),

    grantTenantTeamsUpgradePolicy: t.fieldWithInput({
      description: 'Grant-CsTeamsUpgradePolicy -Global: never migrates meetings.',
      type: TenantTriggerPayload('GrantTenantTeamsUpgradePolicyPayload'),
      errors: { types: EXPECTED_ERRORS },
      input: { tenantId: optionalTenantId(), mode: t.input.field({ type: TeamsUpgradeModeEnum }) },
      resolve: (_root, { input }, context) =>
        context.services.tenancy.grantTenantTeamsUpgradePolicy(viewerOf(context), {
          ...input,
          tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
        }),
    }),
  };
});
