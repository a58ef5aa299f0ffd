/**
 * The GraphQL side of the limits (README "Security and limits"), all enforced before a resolver runs:
 * - tokens, depth, aliases and directives of a document (graphql-armor), refused with a typed 400;
 * - page sizes, `nodes(ids:)` and the cost of an operation, computed with its variables applied.
 * Input string lengths are input-limits.ts.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  Lexer,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Source,
  TokenKind,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE_SIZE, LIMIT_CODES, type Limits, MAX_NODE_IDS, MAX_PAGE_SIZE } from '../limits.ts';

/** A refusal of the whole operation: HTTP 400, `extensions.code` naming the limit. */
export function limitError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/* Documents: tokens, depth, aliases and directives. */

/** Directives in one document: the schema has no directive a client needs many of. */
const MAX_DIRECTIVES = 50;

/** A document of more tokens than allowed, counted before it is parsed; null when within the limit. */
function tokenLimitError(query: string, max: number): GraphQLError | null {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 1; lexer.advance().kind !== TokenKind.EOF; count++) {
      if (count > max) {
        return limitError(LIMIT_CODES.tokens, `The document has more than ${max} tokens`, { limit: max });
      }
    }
  } catch {
    // Not a document at all: parsing says where.
  }
  return null;
}

/**
 * Over HTTP the tokens are counted from the request's parameters, so that the refusal keeps its 400 (yoga
 * answers parse failures with 200 to clients that accept application/json); elsewhere (graphql-ws) as the
 * document is parsed.
 */
function tokenLimitPlugin(limits: Limits): Plugin<Record<string, unknown>> {
  return {
    onParams({ params, setResult }) {
      const error = typeof params.query === 'string' && tokenLimitError(params.query, limits.maxTokens);
      if (error) setResult({ errors: [error] });
    },
    onParse({ context, params }) {
      if ((context as { request?: unknown }).request) return;
      const error = tokenLimitError(params.source.toString(), limits.maxTokens);
      if (error) throw error;
    },
  };
}

function armorRejection(code: string) {
  return (_context: unknown, error: GraphQLError) => {
    throw limitError(code, error.message.replace(/^Syntax Error: /, ''));
  };
}

function documentLimitsPlugin(limits: Limits) {
  return EnvelopArmorPlugin({
    // Counted before parsing, by tokenLimitPlugin.
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, onReject: [armorRejection(LIMIT_CODES.depth)] },
    maxAliases: { n: limits.maxAliases, onReject: [armorRejection(LIMIT_CODES.aliases)] },
    maxDirectives: { n: MAX_DIRECTIVES, onReject: [armorRejection(LIMIT_CODES.directives)] },
    // The cost is computed below, with the operation's variables.
    costLimit: { enabled: false },
  });
}

/* Operations: page sizes, node ids and cost, with the variables applied. */

type Variables = Record<string, unknown>;

/** An argument's value as sent, a variable replaced by its value (or its default). */
function argumentValue(field: FieldNode, name: string, variables: Variables, defaults: Variables): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  const value: ValueNode = argument.value;
  if (value.kind === Kind.VARIABLE) {
    const variable = value.name.value;
    return variable in variables ? variables[variable] : defaults[variable];
  }
  return valueFromASTUntyped(value, variables);
}

/**
 * The cost of an operation: each field counts once for every item of the pages it is in, so a connection's
 * fields count once per item its `first`/`last` asks for (50 when neither is given), and nested connections
 * multiply. Throws at the first page size or id list over its limit.
 */
function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Variables,
): number {
  const defaults: Variables = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      defaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  // A fragment costs the same wherever it is spread, times the items around it: each is reckoned once.
  const fragmentCosts = new Map<string, number>();

  function itemsPerParent(field: FieldNode, definition: GraphQLField<unknown, unknown>, where: string) {
    const args = new Set(definition.args.map((arg) => arg.name));
    if (args.has('first') && args.has('last')) {
      const first = argumentValue(field, 'first', variables, defaults);
      const last = argumentValue(field, 'last', variables, defaults);
      const size = typeof first === 'number' ? first : typeof last === 'number' ? last : DEFAULT_PAGE_SIZE;
      if (size > MAX_PAGE_SIZE) {
        throw limitError(
          LIMIT_CODES.pageSize,
          `${where}: at most ${MAX_PAGE_SIZE} items a page, not ${size}; ask for the next page with after`,
          { field: where, limit: MAX_PAGE_SIZE },
        );
      }
      return Math.max(size, 0);
    }
    if (where === 'Query.nodes') {
      const ids = argumentValue(field, 'ids', variables, defaults);
      const count = Array.isArray(ids) ? ids.length : 1;
      if (count > MAX_NODE_IDS) {
        throw limitError(LIMIT_CODES.nodes, `nodes: at most ${MAX_NODE_IDS} ids, not ${count}`, {
          field: 'ids',
          limit: MAX_NODE_IDS,
        });
      }
      return count;
    }
    return 1;
  }

  function cost(
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    path: string[],
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const definition =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        // Unknown fields were refused by validation already.
        if (!definition || !parent) continue;
        const items = itemsPerParent(selection, definition, `${parent.name}.${name}`);
        total += 1;
        if (selection.selectionSet)
          total += items * cost(selection.selectionSet, getNamedType(definition.type), path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += cost(selection.selectionSet, type, path);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment spread within itself was refused by validation already.
        if (!fragment || path.includes(name)) continue;
        let fragmentCost = fragmentCosts.get(name);
        if (fragmentCost === undefined) {
          fragmentCost = cost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), [
            ...path,
            name,
          ]);
          fragmentCosts.set(name, fragmentCost);
        }
        total += fragmentCost;
      }
    }
    return total;
  }

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return cost(operation.selectionSet, root ?? undefined, []);
}

/** Why the operation about to run is refused, or null. */
function operationLimitError(args: ExecutionArgs, limits: Limits): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!args.operationName || definition.name?.value === args.operationName)
    )
      operation ??= definition;
  }
  // No operation to run: execution itself says so.
  if (!operation) return null;
  const variables = (args.variableValues ?? {}) as Variables;
  try {
    const cost = operationCost(args.schema, operation, fragments, variables);
    if (cost <= limits.maxCost) return null;
    return limitError(
      LIMIT_CODES.cost,
      `The operation costs ${cost}, over the limit of ${limits.maxCost}: ask for smaller pages or fewer fields`,
      { cost, limit: limits.maxCost },
    );
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
}

/** Refuses an operation over a limit before it runs, over HTTP and graphql-ws alike. */
function operationLimitsPlugin(limits: Limits): Plugin<Record<string, unknown>> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = operationLimitError(args, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = operationLimitError(args, limits);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

export function graphqlLimitsPlugins(limits: Limits) {
  return [tokenLimitPlugin(limits), documentLimitsPlugin(limits), operationLimitsPlugin(limits)] as const;
}

/* graphql-ws. */

/** The refusal of one more operation on a socket that has `open` running already, or null. */
export function subscriptionLimitError(open: number, max: number): GraphQLError | null {
  if (open < max) return null;
  let refusal = subscriptionRefusals.get(max);
  if (!refusal) {
    refusal = limitError(
      LIMIT_CODES.subscriptions,
      `At most ${max} operations may run at once on one WebSocket: complete one first, or open another socket`,
      { limit: max },
    );
    subscriptionRefusals.set(max, refusal);
  }
  return refusal;
}
/** One refusal per limit, made once: a flood of subscribe messages must not cost an error (and its stack) each. */
const subscriptionRefusals = new Map<number, GraphQLError>();

/** What `prepare` returns, or the GraphQL error it threw (a syntax error, a document over a limit). */
export async function operationFailure<T>(prepare: () => Promise<T>): Promise<T | GraphQLError[]> {
  try {
    return await prepare();
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}
