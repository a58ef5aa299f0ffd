/**
 * The MMS server as an object tests and `npm start` drive alike: GraphQL over HTTP (and SSE) by yoga, and
 * graphql-ws on the same path and port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { GraphQLError } from 'graphql';
// Renamed: graphql-ws's useServer is no React hook, whatever its name says.
import { useServer as serveGraphqlWs } from 'graphql-ws/use/ws';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import { ConfigError, DEFAULT_MAX_PARTICIPANTS } from './config.ts';
import { createDelivery, type DeliveryConfig } from './engine/delivery.ts';
import { createEngine, type Engine, type EngineConfig } from './engine/engine.ts';
import { graphiql } from './graphiql.ts';
import { DEFAULT_LIMITS, LIMIT_CODES, type Limits, limitRequestBodies, refuseUnreadBody } from './limits.ts';
import { corsPolicy } from './operations/cors.ts';
import { createLogger, type Logger } from './operations/logger.ts';
import { createMetrics } from './operations/metrics.ts';
import { type OperationsRoutes, operationsRoutes } from './operations/routes.ts';
import { BEARER_CHALLENGE, type Context } from './schema/context.ts';
import { schema } from './schema/index.ts';
import { graphqlLimitsPlugins, operationFailure, subscriptionLimitError } from './schema/limits.ts';
import { sharedEventExecutionPlugin } from './schema/shared-events.ts';
import { type Authenticated, bearerToken, ensureAdminToken, tokenAuthority } from './services/access.ts';
import { authThrottle } from './services/auth-throttle.ts';
import { databaseHealth } from './services/database-health.ts';
import { databaseRelay, type EventRelay } from './services/event-relay.ts';
import { createEvents } from './services/events.ts';
import { createServices, type Services } from './services/index.ts';
import {
  connectRedisRelay,
  type RedisRelay,
  type RedisRelayConfig,
  RedisUnreachableError,
} from './services/redis-relay.ts';
import type { Viewer } from './services/viewer.ts';
import { type OpenedDatabase, openDatabase } from './storage/database.ts';
import { isPostgresUrl } from './storage/location.ts';
import { createStore } from './storage/store.ts';

export interface AppOptions {
  /** A SQLite file, ":memory:", or a postgres:// URL. */
  database: string;
  /** Run the migration engine in this process, with these settings; false to leave it to workers. */
  engine: EngineConfig | false;
  /** Send invitation updates by SMTP from this process; null or absent keeps them for export. */
  delivery?: DeliveryConfig | null;
  port?: number;
  host?: string;
  holdSeconds: number;
  adminToken: string | null;
  now?: () => Date;
  onQuery?: (sql: string) => void;
  /** Carry live events between processes through Redis rather than the database file. */
  redis?: RedisRelayConfig | null;
  /** Failed authentications one address may make per minute before it is refused with 429. */
  authFailuresPerMinute?: number;
  /** What one client may ask of the server; DEFAULT_LIMITS for any not given. */
  limits?: Partial<Limits>;
  /** Origins whose pages may call the API from a browser, with credentials (MMS_CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** The bearer token of /metrics; null or absent turns /metrics off. */
  metricsToken?: string | null;
  /** The process's log (server/operations/logger.ts); one at level info on stdout when absent. */
  logger?: Logger;
  /** Where GraphiQL's built files are kept for later processes; null keeps them in memory only. */
  graphiqlCacheRoot?: string | null;
}

export interface App {
  services: Services;
  database: OpenedDatabase;
  engine: Engine | null;
  /** Set when no admin token was configured and this start generated one. */
  generatedAdminToken: string | null;
  /** Starts listening and the background work; resolves with the GraphQL endpoint URL. */
  listen(): Promise<string>;
  /** /healthz, /readyz and /metrics, for a process that serves them on a port of their own. */
  operations: OperationsRoutes;
  /** Starts the engine and invitation delivery alone: a worker process that serves no API. */
  startBackgroundWork(): void;
  readonly url: string;
  stop(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 10;
const THROTTLED_CODE = 'TOO_MANY_FAILED_AUTHENTICATIONS';

/** The peer's address, which failed authentications are counted by. */
function addressOf(request: IncomingMessage | undefined): string {
  return request?.socket.remoteAddress ?? 'unknown';
}

/**
 * graphql-ws sockets are closed with this code ("service restart") when live events from other processes
 * may have been lost: graphql-ws clients retry it by themselves, and every subscription starts again
 * from the current state.
 */
export const LIVE_EVENTS_INTERRUPTED = 1012;

/** Redis out of reach at start is a setting at fault: one line that names it. */
async function reachingRedis<T>(connecting: () => Promise<T>): Promise<T> {
  try {
    return await connecting();
  } catch (error) {
    if (error instanceof RedisUnreachableError) throw new ConfigError(`MMS_REDIS_URL: ${error.message}`);
    throw error;
  }
}

/** The setting at fault when the server cannot listen, in one line; other errors as they are. */
function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(`PORT ${port} is in use on ${host}; set PORT to another port`);
    case 'EACCES':
      return new ConfigError(
        `PORT ${port} on ${host} needs privileges this process lacks; set PORT to 1024 or more`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new ConfigError(`HOST ${host} does not resolve to an address (${error.code})`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`HOST ${host} is not an address of this machine`);
    default:
      return error;
  }
}

export async function createApp(options: AppOptions): Promise<App> {
  const logger = options.logger ?? createLogger('info');
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  // First, so that an unreachable Redis stops the start before anything else is opened.
  const redisConfig = options.redis;
  const redis: RedisRelay | null = redisConfig
    ? await reachingRedis(() => connectRedisRelay({ ...redisConfig, logger }))
    : null;
  const database = await openDatabase(options.database, { onQuery: options.onQuery });
  const store = createStore(database);
  const now = options.now ?? (() => new Date());
  const health = databaseHealth(logger);
  // Other processes may share the database (workers beside an API process); one in memory is ours alone.
  const relay: EventRelay | null =
    redis ??
    (options.database === ':memory:'
      ? null
      : databaseRelay({
          store,
          // SQLite's write-ahead log changes with every commit of any process: a wake-up for readers.
          watchFile: isPostgresUrl(options.database) ? null : `${options.database}-wal`,
          now,
          logger,
          health,
        }));
  const events = createEvents({
    summaryOf: (tenantId) => store.migrations.summary(tenantId, { from: null, to: null }),
    tenant: async (id) => (await store.tenants.byIds([id]))[0] ?? null,
    triggerEvaluations: (ids) => store.migrations.triggerEvaluationsByIds(null, ids),
    migrations: (ids) => store.migrations.byIds(null, ids),
    relay,
  });
  const metrics = createMetrics({ store, now });
  const { counters } = metrics;
  const engine = options.engine
    ? createEngine({ store, events, config: options.engine, now, logger, health, counters })
    : null;
  const delivery = options.delivery
    ? createDelivery({ store, events, config: options.delivery, now, logger, health, counters })
    : null;
  const operations = operationsRoutes({
    database,
    engine,
    metrics,
    metricsToken: options.metricsToken ?? null,
  });
  const services = createServices({
    store,
    config: {
      holdSeconds: options.holdSeconds,
      smtpSender: options.delivery?.sender ?? null,
      maxParticipants: options.engine ? options.engine.maxParticipants : DEFAULT_MAX_PARTICIPANTS,
      maxReplayEvents: limits.maxReplayEvents,
    },
    now,
    events,
    onMigrationQueued: () => {
      engine?.wake();
      redis?.announceWork();
    },
  });
  // Work queued by another process (an API process without an engine) is started at once, not at the next poll.
  if (engine && redis) {
    await reachingRedis(() =>
      redis.hearWork(() => {
        if (engine.isRunning) engine.wake();
      }),
    );
  }
  const { adminTokenHash, generatedToken } = await ensureAdminToken(store, options.adminToken);
  const authority = tokenAuthority(store, adminTokenHash, now);
  const throttle = authThrottle(options.authFailuresPerMinute ?? DEFAULT_AUTH_FAILURES_PER_MINUTE);

  const throttledMessage = (retryAfter: number) =>
    `Too many failed authentications from this address: try again in ${retryAfter} s`;

  /** An address that failed too often is refused before its token is even looked at. */
  function refuseThrottled(address: string) {
    const retryAfter = throttle.retryAfterSeconds(address);
    if (retryAfter === null) return;
    throw new GraphQLError(throttledMessage(retryAfter), {
      extensions: {
        code: THROTTLED_CODE,
        retryAfterSeconds: retryAfter,
        http: { status: 429, headers: { 'Retry-After': String(retryAfter) } },
      },
    });
  }

  /**
   * The same refusal for an HTTP request that carries a token, made before its body is read: a guesser's
   * address costs the server no parsing, however large its bodies. True when it was refused.
   */
  function refusedThrottledRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.headers.authorization === undefined) return false;
    const retryAfter = throttle.retryAfterSeconds(addressOf(request));
    if (retryAfter === null) return false;
    refuseUnreadBody(response, 429, { 'retry-after': String(retryAfter) }, [
      {
        message: throttledMessage(retryAfter),
        extensions: { code: THROTTLED_CODE, retryAfterSeconds: retryAfter },
      },
    ]);
    return true;
  }

  async function contextFor(token: string | null, address: string): Promise<Context> {
    if (!token) return { viewer: null, services };
    refuseThrottled(address);
    const authenticated = await authority.authenticate(token);
    if (!authenticated) {
      throttle.failed(address);
      throw new GraphQLError('Invalid token: unknown, revoked or expired', {
        extensions: {
          code: 'UNAUTHENTICATED',
          http: {
            status: 401,
            headers: { 'WWW-Authenticate': `${BEARER_CHALLENGE['WWW-Authenticate']}, error="invalid_token"` },
          },
        },
      });
    }
    return { viewer: authenticated.viewer, services };
  }

  /**
   * The viewer each graphql-ws socket authenticated as when it connected: its subscriptions start without
   * reading the token from the database again. A socket is closed when its token is revoked (in any
   * process) or expires.
   */
  const socketViewers = new WeakMap<object, Viewer>();
  /**
   * Each socket's operations start one per turn of the event loop. A burst of subscribe messages arrives in
   * one read and would otherwise be prepared (parsed, validated, subscribed) all in one go, while every other
   * client's request waits: a hundred subscriptions at once held the loop for 100–200 ms.
   */
  const socketTurns = new WeakMap<object, Promise<void>>();
  const takeTurn = (socket: object): Promise<void> => {
    const turn = (socketTurns.get(socket) ?? Promise.resolve()).then(
      () => new Promise<void>((resolve) => setImmediate(resolve)),
    );
    socketTurns.set(socket, turn);
    return turn;
  };
  const socketsOfToken = new Map<number, Set<WebSocket>>();
  const closeForToken = (socket: WebSocket) =>
    socket.close(4403, 'Forbidden: the token was revoked or expired');
  /**
   * Tokens this process was told were revoked. A socket whose token was read as valid just before the
   * revocation was told is let in only after its sockets were closed: it is refused by this instead.
   */
  const revokedTokens = new Set<number>();
  events.onOperatorTokenRevoked((tokenId) => {
    revokedTokens.add(tokenId);
    for (const socket of socketsOfToken.get(tokenId) ?? []) closeForToken(socket);
  });
  const revokedSince = ({ viewer }: Authenticated) =>
    viewer.kind === 'operator' && revokedTokens.has(viewer.tokenId);
  function watchToken(socket: WebSocket, { viewer, expiresAt }: Authenticated) {
    if (viewer.kind !== 'operator') return;
    const sockets = socketsOfToken.get(viewer.tokenId) ?? new Set();
    socketsOfToken.set(viewer.tokenId, sockets);
    sockets.add(socket);
    let expiry: NodeJS.Timeout | undefined;
    const closeAtExpiry = () => {
      if (!expiresAt) return;
      const left = expiresAt.getTime() - now().getTime();
      // Timers take at most 2^31 - 1 ms: a later expiry is looked at again then.
      expiry = left <= 0 ? undefined : setTimeout(closeAtExpiry, Math.min(left, 2 ** 31 - 1));
      if (left <= 0) closeForToken(socket);
    };
    closeAtExpiry();
    socket.once('close', () => {
      clearTimeout(expiry);
      sockets.delete(socket);
      if (sockets.size === 0) socketsOfToken.delete(viewer.tokenId);
    });
  }

  const graphiqlFiles = graphiql(GRAPHQL_PATH, logger, options.graphiqlCacheRoot);
  const yoga = createYoga<{ connectionParams?: Record<string, unknown> }, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: logger,
    cors: corsPolicy(options.corsOrigins ?? []),
    renderGraphiQL: graphiqlFiles.renderPage,
    graphiql: {
      title: 'MMS — Meeting Migration Service',
      // Subscriptions from GraphiQL go over SSE, which carries this header (a WebSocket would not).
      headers: JSON.stringify({ Authorization: 'Bearer <operator token printed by npm start>' }, null, 2),
    },
    plugins: [...metrics.yogaPlugins, sharedEventExecutionPlugin(), ...graphqlLimitsPlugins(limits)],
    context: (
      initial: YogaInitialContext & {
        connectionParams?: Record<string, unknown>;
        socket?: object;
        req?: IncomingMessage;
      },
    ) => {
      const known = initial.socket && socketViewers.get(initial.socket);
      if (known) return { viewer: known, services };
      return contextFor(
        initial.request
          ? bearerToken(initial.request.headers.get('authorization'))
          : bearerToken(initial.connectionParams?.Authorization ?? initial.connectionParams?.authorization),
        addressOf(initial.req),
      );
    },
  });

  const limitedYoga = limitRequestBodies(yoga, limits.maxBodyBytes);
  const server: Server = createServer(
    graphiqlFiles.serveAssets(
      (request, response) =>
        operations(request, response) ||
        refusedThrottledRequest(request, response) ||
        limitedYoga(request, response),
    ),
  );
  // Upgrades are handed over here rather than through ws's `server` option, which would also pass the HTTP
  // server's listen errors to graphql-ws, and it prints them as a WebSocket trace before start-up's one line.
  const webSockets = new WebSocketServer({
    noServer: true,
    path: GRAPHQL_PATH,
    maxPayload: limits.maxBodyBytes,
  });
  server.on('upgrade', (request, socket, head) => {
    const retryAfter = throttle.retryAfterSeconds(addressOf(request));
    if (retryAfter !== null) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfter}\r\nConnection: close\r\n\r\n`);
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      refuseOversizedMessages(webSocket, socket, logger);
      webSockets.emit('connection', webSocket, request);
    });
  });
  const wsServer = serveGraphqlWs<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: limits.connectionInitMs,
      // Close 4403 before any operation when the token is missing or wrong.
      onConnect: async (ctx) => {
        const token = bearerToken(ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization);
        const authenticated = token === null ? null : await authority.authenticate(token);
        if (!authenticated || revokedSince(authenticated)) {
          throttle.failed(addressOf(ctx.extra.request));
          return false;
        }
        socketViewers.set(ctx.extra.socket, authenticated.viewer);
        watchToken(ctx.extra.socket, authenticated);
        return true;
      },
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) =>
        (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        // This operation is already counted among the socket's subscriptions.
        const overLimit = subscriptionLimitError(
          Object.keys(ctx.subscriptions).length - 1,
          limits.maxSubscriptionsPerSocket,
        );
        if (overLimit) return [overLimit];
        await takeTurn(ctx.extra.socket);
        const {
          schema: envelopedSchema,
          execute,
          subscribe,
          contextFactory,
          parse,
          validate,
        } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        // A document refused (syntax, a limit) is an error for this operation alone, not the socket's end.
        return operationFailure(async () => {
          const args = {
            schema: envelopedSchema,
            operationName: params.operationName,
            document: parse(params.query),
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
          const errors = validate(args.schema, args.document);
          return errors.length > 0 ? errors : args;
        });
      },
    },
    webSockets,
  );

  let url = '';
  const startBackgroundWork = () => {
    engine?.start();
    delivery?.start();
  };
  return {
    startBackgroundWork,
    operations,
    services,
    database,
    engine,
    generatedAdminToken: generatedToken,
    get url() {
      return url;
    },
    listen: () =>
      new Promise((resolve, reject) => {
        const port = options.port ?? 0;
        const host = options.host ?? '127.0.0.1';
        server.once('error', (error) => reject(listenFailure(error, host, port)));
        server.listen(port, host, () => {
          const { port } = server.address() as AddressInfo;
          const shown = host !== '0.0.0.0' && host !== '::' ? host : '127.0.0.1';
          url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}${GRAPHQL_PATH}`;
          startBackgroundWork();
          // This process serves subscribers: it takes in the changes of the processes beside it. When some
          // may have been lost, its subscribers reconnect and read the current state again (SSE streams
          // end; their clients subscribe again likewise).
          events
            .receiveFromOtherProcesses(() => {
              for (const socket of webSockets.clients) {
                socket.close(LIVE_EVENTS_INTERRUPTED, 'Live events were interrupted: subscribe again');
              }
              events.endStreams();
            })
            .then(() => resolve(url), reject);
        });
      }),
    async stop() {
      // Both are told at once: neither starts anything new while the other finishes.
      await Promise.all([engine?.stop(), delivery?.stop()]);
      await events.close();
      await wsServer.dispose();
      webSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/**
 * How long a client is given to read the 1009 that refuses its message before its connection is cut: cut at
 * once, a client still busy sending would find its connection reset before it had read why.
 */
const OVERSIZED_CLOSE_GRACE_MS = 1_000;

/**
 * ws refuses a message over the size limit itself (close 1009) and also emits it as an 'error', which
 * graphql-ws would print to stderr with its stack as an internal error. It is a client's refusal: one log
 * line at info, like every other. ws then waits up to 30 s for the client's own close frame, reading and
 * throwing away all it sends meanwhile (the rest of a 50 MB message, say). Instead nothing more is read,
 * and the connection is cut once the 1009 is out and the client has had a moment to read it.
 */
function refuseOversizedMessages(webSocket: WebSocket, socket: Duplex, logger: Logger): void {
  const emit = webSocket.emit.bind(webSocket);
  webSocket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'error' && (args[0] as { code?: unknown })?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      logger.info({ code: LIMIT_CODES.body }, 'a WebSocket message over the size limit: socket closed 1009');
      // After ws's own resumption of the socket, queued just before this: the rest stays unread.
      process.nextTick(() => socket.pause());
      const cut = () => {
        const timer = setTimeout(() => socket.destroy(), OVERSIZED_CLOSE_GRACE_MS);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
      };
      if (socket.writableFinished) cut();
      else socket.once('finish', cut);
      return true;
    }
    return emit(event, ...args);
  }) as typeof webSocket.emit;
}
