/**
 * Live events (SPEC §5) over graphql-ws and SSE. Each subscription first sends the current state of what
 * it watches — registered before that state is read — so a client never misses a transition.
 */
import { contextCacheSymbol } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { MeetingMigration, MigrationState } from '../../domain/model.ts';
import { LIMIT_CODES } from '../../limits.ts';
import { NEWEST_FIRST } from '../../storage/migrations-store.ts';
import { builder } from '../builder.ts';
import { filterId, MigrationStateEnum } from '../common.ts';
import type { Context } from '../context.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { queriedTenantId, SummaryType } from './root.ts';
import { TenantNode } from './tenant.ts';
import { TriggerEvaluationNode } from './trigger-evaluation.ts';

const OPEN_STATES: MigrationState[] = ['PENDING', 'IN_PROGRESS'];

/**
 * What a subscription starts with, read with one more than it may hold: when there is more, the client is
 * told to read it page by page rather than given part of it in silence.
 */
function withinReplayLimit<T>(context: Context, items: T[], what: string, howToPage: string): T[] {
  const max = context.services.config.maxReplayEvents;
  if (items.length <= max) return items;
  throw new GraphQLError(`More than ${max} ${what} to start with: ${howToPage}`, {
    extensions: { code: LIMIT_CODES.replay, limit: max },
  });
}

function replayLimitNote(what: string, howToPage: string): string {
  return (
    ` When more than MMS_MAX_REPLAY_EVENTS (default 10,000) ${what} would come first, the subscription is ` +
    `refused with REPLAY_LIMIT: ${howToPage}.`
  );
}
const MIGRATIONS_PAGING =
  'read them page by page with meetingMigrations, then subscribe with a later `since` (or a userId)';
const EVALUATIONS_PAGING =
  'read them page by page with Tenant.triggerEvaluations, then subscribe with a later `since` (or a userId)';

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
      'and of those changed since `since` when given, oldest change first.' +
      replayLimitNote('migrations', MIGRATIONS_PAGING),
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
    subscribe: async (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      const userId = args.userId ? filterId(args.userId, 'User') : null;
      const limit = context.services.config.maxReplayEvents + 1;
      const states = args.states?.length ? new Set<MigrationState>(args.states) : null;
      const keep = (m: MeetingMigration) =>
        (userId === null || m.userId === userId) && (!states || states.has(m.state));
      const { migrations } = context.services.store;
      // Asked for finished states alone, there is nothing open to start with: an empty list of states would
      // read as no filter and replay every migration.
      const openStates = OPEN_STATES.filter((state) => !states || states.has(state));
      const snapshot = async () => {
        const open =
          openStates.length > 0
            ? await migrations.list(tenantId, { userId, states: openStates }, NEWEST_FIRST, { limit })
            : [];
        const changed = args.since
          ? await migrations.changedSince(
              tenantId,
              args.since,
              { userId, states: states ? [...states] : null },
              limit,
            )
          : [];
        const byId = new Map([...changed, ...open].map((m) => [m.id, m]));
        const all = [...byId.values()].sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime());
        return withinReplayLimit(context, all, 'migrations', MIGRATIONS_PAGING);
      };
      const stream = context.services.events.stream('meetingMigration', tenantId, {
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
      await stream.started;
      return stream;
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
      'since `since` when given, oldest first.' +
      replayLimitNote('evaluations', EVALUATIONS_PAGING),
    args: {
      tenantId: t.arg.id({ required: false, description: 'Required for the service admin.' }),
      userId: t.arg.id({ required: false }),
      since: t.arg({
        type: 'DateTime',
        required: false,
        description: 'Also replay evaluations at or after this instant: catching up after a disconnection.',
      }),
    },
    subscribe: async (_root, args, context: Context) => {
      const tenantId = queriedTenantId(context, args.tenantId);
      const userId = args.userId ? filterId(args.userId, 'User') : null;
      const { since } = args;
      const replay = async () =>
        since
          ? withinReplayLimit(
              context,
              await context.services.store.migrations.triggerEvaluationsSince(
                tenantId,
                since,
                { userId },
                context.services.config.maxReplayEvents + 1,
              ),
              'evaluations',
              EVALUATIONS_PAGING,
            )
          : [];
      // One committed while the replay is read comes twice: ids only grow, so the second is dropped.
      let lastId = 0;
      const stream = context.services.events.stream('triggerEvaluation', tenantId, {
        initial: replay,
        keep: (evaluation) => {
          if (evaluation.id <= lastId || (userId !== null && evaluation.userId !== userId)) return false;
          lastId = evaluation.id;
          return true;
        },
      });
      await stream.started;
      return stream;
    },
    resolve: (evaluation, _args, context) => freshPerEvent(context, evaluation),
  }),
}));
