/**
 * The process's metrics in Prometheus text format: GraphQL requests and their durations by operation, open
 * subscriptions, and the work of the engine and invitation delivery. Counters count what this process did
 * since it started; gauges of shared state (migrations by state, queue depth) are read from the database
 * when scraped, so every process reports the same.
 */
// Renamed: a yoga plugin, no React hook, whatever its name says.
import {
  createCounter,
  createHistogram,
  usePrometheus as yogaPrometheus,
} from '@graphql-yoga/plugin-prometheus';
import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Store } from '../storage/store.ts';
import { joinInFlight } from './in-flight.ts';

/** What the engine and invitation delivery count as they work. */
export interface WorkCounters {
  meetingsRewritten(count: number): void;
  invitationUpdates(outcome: 'queued' | 'delivered' | 'failed', count: number): void;
}

/**
 * Requests are labelled by operation type and root field (`query`, `meetingMigrations`), never by the name a
 * client gives its operation: labels a client chooses would let it make series without end.
 */
const OPERATION_LABELS = ['operationType', 'rootField'] as const;

function operationLabels(params: {
  document?: DocumentNode;
  operationName?: string;
  operationType?: string;
}) {
  // The plugin names anonymous operations "Anonymous": then the document's only operation is the one.
  const operation = params.document
    ? (getOperationAST(params.document, params.operationName) ?? getOperationAST(params.document))
    : null;
  const first = operation?.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  return {
    operationType: params.operationType ?? operation?.operation ?? 'unknown',
    rootField: first?.kind === Kind.FIELD ? first.name.value : 'unknown',
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A gauge of shared state, read from the database at each scrape. While the database is away it shows no
 * samples rather than stale ones, and the scrape goes on: the process's own metrics matter most then.
 */
function databaseGauge(
  registry: Registry,
  gauge: { name: string; help: string; label: string; read: () => Promise<Record<string, number>> },
) {
  return new Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: [gauge.label],
    registers: [registry],
    async collect() {
      this.reset();
      const values = await gauge.read().catch(() => ({}));
      for (const [key, value] of Object.entries(values)) this.set({ [gauge.label]: key }, value);
    },
  });
}

/**
 * Memory, CPU, event-loop delay and garbage collection belong to the process, not to one app in it (tests run
 * many): collected once, and shown with every app's metrics.
 */
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

export function createMetrics(deps: { store: Store; now: () => Date }) {
  const { store, now } = deps;
  const registry = new Registry();
  const registers = [registry];

  const meetingsRewritten = new Counter({
    name: 'mms_meetings_rewritten_total',
    help: 'Meetings whose online meeting block this process rewrote',
    registers,
  });
  const invitationUpdates = new Counter({
    name: 'mms_invitation_updates_total',
    help: 'Invitation updates this process queued (for attendees of rewritten meetings), delivered, or failed for good',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['queued', 'delivered', 'failed']) invitationUpdates.inc({ outcome }, 0);
  const openSubscriptions = new Gauge({
    name: 'mms_open_subscriptions',
    help: 'GraphQL subscriptions open on this process (WebSocket and SSE)',
    registers,
  });
  databaseGauge(registry, {
    name: 'mms_migrations',
    help: 'Meeting migrations of every tenant by state (read from the database when scraped)',
    label: 'state',
    read: () => store.migrations.countByState(),
  });
  // Both queue gauges of a scrape take one reading.
  const queues = joinInFlight(async () => {
    const at = now();
    return [
      { queue: 'migrations', ...(await store.engine.dueQueue(at)) },
      { queue: 'invitation_updates', ...(await store.invitations.dueQueue(at)) },
    ].map(({ queue, depth, oldestDueAt }) => ({
      queue,
      depth,
      age: oldestDueAt ? Math.max(0, (at.getTime() - oldestDueAt.getTime()) / 1000) : 0,
    }));
  });
  databaseGauge(registry, {
    name: 'mms_queue_depth',
    help: 'Items due and waiting to be taken: PENDING migrations, QUEUED invitation updates',
    label: 'queue',
    read: async () => Object.fromEntries((await queues()).map(({ queue, depth }) => [queue, depth])),
  });
  databaseGauge(registry, {
    name: 'mms_queue_oldest_due_age_seconds',
    help: 'How long the longest waiting due item of the queue has been due (0 when none is)',
    label: 'queue',
    read: async () => Object.fromEntries((await queues()).map(({ queue, age }) => [queue, age])),
  });

  /** Counts a subscription from the moment its stream opens until it ends. */
  const subscriptionsPlugin: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult: ({ result }) => {
        if (!(Symbol.asyncIterator in result)) return;
        openSubscriptions.inc();
        return { onEnd: () => openSubscriptions.dec() };
      },
    }),
  };

  const labelled = { registry, fillLabelsFn: operationLabels };
  const prometheusPlugin = yogaPrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        ...labelled,
        counter: {
          name: 'graphql_envelop_request',
          help: 'GraphQL operations executed, by operation type and root field',
          labelNames: OPERATION_LABELS,
        },
      }),
      graphql_envelop_request_duration: createHistogram({
        ...labelled,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time to execute GraphQL operations, in seconds, by operation type and root field',
          labelNames: OPERATION_LABELS,
        },
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        // A document that did not parse or validate may name fields the schema lacks: those are not labels.
        fillLabelsFn: (params) => {
          const phase = params.errorPhase ?? 'unknown';
          const labels = operationLabels(params);
          const checked = phase !== 'parse' && phase !== 'validate';
          return { ...labels, rootField: checked ? labels.rootField : 'invalid', phase };
        },
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'GraphQL operations that ended with errors, by operation type, root field and phase',
          labelNames: [...OPERATION_LABELS, 'phase'],
        },
      }),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      // Its labels include the request URL, which any client chooses.
      graphql_yoga_http_duration: false,
    },
  });

  return {
    /** Everything this process shows at /metrics, in Prometheus text format. */
    render: () => Registry.merge([registry, processRegistry()]).metrics(),
    contentType: registry.contentType,
    counters: {
      meetingsRewritten: (count: number) => meetingsRewritten.inc(count),
      invitationUpdates: (outcome: 'queued' | 'delivered' | 'failed', count: number) =>
        invitationUpdates.inc({ outcome }, count),
    } satisfies WorkCounters,
    yogaPlugins: [prometheusPlugin, subscriptionsPlugin],
  };
}
