/**
 * Each live event is executed once for all subscribers that ask the same of it — the same document,
 * operation, variables and viewer — instead of once per subscriber: with a thousand watching, executing
 * the selection was most of the work of an event. An object is shared only when it reaches several
 * subscribers: a live event, or the current state that subscribers connecting together read once (see
 * `initialKey` in events.ts); a state read for one subscriber alone is executed for it alone. A result with
 * errors is never shared, since error handling may rewrite it.
 */
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionResult,
  executeSubscriptionEvent,
  mapSourceToResponseEvent,
  validateSubscriptionArgs,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

type Result = ReturnType<typeof executeSubscriptionEvent>;
type ValidatedArgs = Parameters<typeof executeSubscriptionEvent>[0];

/**
 * The result as plain objects: graphql-js builds it of objects without a prototype, which JSON.stringify
 * turns into text about four times slower than plain ones (1.2 against 0.3 µs for one event's message), and
 * graphql-ws does that once per subscriber. A result with errors is left as it is: it is not shared.
 */
function plainUnlessFailed(result: ExecutionResult): ExecutionResult {
  return result.errors?.length ? result : (JSON.parse(JSON.stringify(result)) as ExecutionResult);
}

export function sharedEventExecutionPlugin(): Plugin {
  const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;

  /** Who asks what: subscribers with the same key get the same result for the same event. */
  function keyOf(args: ValidatedArgs): string {
    let id = documentIds.get(args.document);
    if (id === undefined) {
      id = ++documents;
      documentIds.set(args.document, id);
    }
    const { viewer } = args.contextValue as Context;
    return JSON.stringify([id, args.operation.name?.value ?? null, args.variableValues, viewer]);
  }

  function executeOnce(args: ValidatedArgs, key: string): Result {
    const event = args.rootValue;
    if (typeof event !== 'object' || event === null) return executeSubscriptionEvent(args);
    let results = resultsByEvent.get(event);
    if (!results) {
      results = new Map();
      resultsByEvent.set(event, results);
    }
    const known = results.get(key);
    // A result with errors is each subscriber's own: the others execute the event for themselves.
    if (known) return known.then((done) => (done.errors?.length ? executeSubscriptionEvent(args) : done));
    const result = Promise.resolve(executeSubscriptionEvent(args)).then(plainUnlessFailed);
    results.set(key, result);
    return result;
  }

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const validated = validateSubscriptionArgs(args as Parameters<typeof validateSubscriptionArgs>[0]);
        if (!('schema' in validated)) return { errors: validated };
        const stream = await createSourceEventStream(validated);
        if (!(Symbol.asyncIterator in stream)) return stream;
        const key = keyOf(validated);
        return mapSourceToResponseEvent(validated, stream, (perEvent) => executeOnce(perEvent, key));
      });
    },
  };
}
