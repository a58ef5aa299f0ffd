/**
 * Live events (SPEC §5) over graphql-ws and SSE. Each subscription first sends the current state of what
 * it watches — registered before that state is read — so a client never misses a transition.
 */
import { contextCacheSymbol } from '@pothos/core';
import type { MeetingMigration, MigrationState } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import { filterId, MigrationStateEnum } from '../common.ts';
import type { Context } from '../context.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { queriedTenantId, SummaryType } from './root.ts';
import { TenantNode } from './tenant.ts';
import { TriggerEvaluationNode } from './trigger-evaluation.ts';

const OPEN_STATES: MigrationState[] = ['PENDING', 'IN_PROGRESS'];
const SNAPSHOT_LIMIT = 10_000;

/**
 * The event, to be resolved with caches of its own. A subscription's context lives as long as the
 * subscription, and Pothos keeps its loaders (and scope checks) per context: without a fresh cache per
 * event, nested fields (a migration's user, the user's latest migration) would repeat what they were at
 * the first event.
 */
function freshPerEvent<T>(context: Context, event: T): T {
  (context as unknown as Record<symbol, object>)[contextCacheSymbol] = {};
  return event;
}

builder.subscriptionType({ authScopes: { authenticated: true } });

builder.subscriptionFields((t) => ({
  meetingMigrationUpdated: t.field({
    type: MeetingMigrationNode,
    description:
      'Every state change and progress step of the tenant’s migrations (progress at most ten times a second per ' +
      'migration; the final counters always arrive). Starts with the current state of the matching open migrations, ' +
      'and of those changed since `since` when given, oldest change first.',
    args: {
      tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }),
      userId: t.arg.id({ required: false }),
      states: t.arg({
        type: [MigrationStateEnum],
        required: false,
        description: 'Only events in these states.',
      }),
      since: t.arg({
        type: 'DateTime',
        required: false,
        description:
          'Also replay migrations changed at or after this instant: catching up after a disconnection.',
      }),
    },
    subscribe: (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      const userId = args.userId ? filterId(args.userId, 'User') : null;
      const states = args.states?.length ? new Set<MigrationState>(args.states) : null;
      const keep = (m: MeetingMigration) =>
        (userId === null || m.userId === userId) && (!states || states.has(m.state));
      const { migrations } = context.services.store;
      const snapshot = async () => {
        const open = await migrations.list(
          tenantId,
          { userId, states: OPEN_STATES.filter((state) => !states || states.has(state)) },
          { limit: SNAPSHOT_LIMIT },
        );
        const changed = args.since
          ? await migrations.list(
              tenantId,
              { userId, states: states ? [...states] : null, modifiedSince: args.since },
              { limit: SNAPSHOT_LIMIT },
            )
          : [];
        const byId = new Map([...changed, ...open].map((m) => [m.id, m]));
        return [...byId.values()].sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime());
      };
      return context.services.events.stream('meetingMigration', tenantId, {
        initial: snapshot,
        initialKey: JSON.stringify([userId, args.states ?? null, args.since ?? null]),
        keep,
        // A change published while the snapshot was read may be older than what the snapshot holds.
        staleAfterInitial: (initial) => {
          const read = new Map(initial.map((m) => [m.id, m]));
          return (m) => {
            const known = read.get(m.id);
            return (
              known !== undefined &&
              (m.stateChanges < known.stateChanges ||
                (m.stateChanges === known.stateChanges && m.modifiedAt < known.modifiedAt))
            );
          };
        },
      });
    },
    resolve: (migration, _args, context) => freshPerEvent(context, migration),
  }),

  meetingMigrationSummaryUpdated: t.field({
    type: SummaryType,
    description: 'Per-state user counts of the tenant: the current ones first, then after every change.',
    args: { tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }) },
    subscribe: (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      const summaryNow = async () => [
        await context.services.store.migrations.summary(tenantId, { from: null, to: null }),
      ];
      return context.services.events.stream('meetingMigrationSummary', tenantId, {
        initial: summaryNow,
        onEnd: context.services.events.watchSummary(tenantId),
      });
    },
    resolve: (summary, _args, context) => freshPerEvent(context, { ...summary, from: null, to: null }),
  }),

  tenantSettingsUpdated: t.field({
    type: TenantNode,
    description: 'The tenant after each change of its settings: the current settings first.',
    args: { tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }) },
    subscribe: (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      return context.services.events.stream('tenantSettings', tenantId, {
        initial: () => context.services.store.tenants.byIds([tenantId]),
      });
    },
    resolve: (tenant, _args, context) => freshPerEvent(context, tenant),
  }),

  triggerEvaluated: t.field({
    type: TriggerEvaluationNode,
    description:
      'Every change that may start a migration, as it is evaluated, with its outcome. Starts with those evaluated ' +
      'since `since` when given, oldest first.',
    args: {
      tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }),
      userId: t.arg.id({ required: false }),
      since: t.arg({
        type: 'DateTime',
        required: false,
        description: 'Also replay evaluations at or after this instant: catching up after a disconnection.',
      }),
    },
    subscribe: (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      const userId = args.userId ? filterId(args.userId, 'User') : null;
      const { since } = args;
      const replay = async () =>
        since
          ? context.services.store.migrations.triggerEvaluationsSince(
              tenantId,
              since,
              { userId },
              SNAPSHOT_LIMIT,
            )
          : [];
      // One committed while the replay is read comes twice: ids only grow, so the second is dropped.
      let lastId = 0;
      return context.services.events.stream('triggerEvaluation', tenantId, {
        initial: replay,
        keep: (evaluation) => {
          if (evaluation.id <= lastId || (userId !== null && evaluation.userId !== userId)) return false;
          lastId = evaluation.id;
          return true;
        },
      });
    },
    resolve: (evaluation, _args, context) => freshPerEvent(context, evaluation),
  }),
}));
