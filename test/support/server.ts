/**
 * Starts a real MMS server on a free port with a database of its own (in memory, or on the backend
 * MMS_TEST_BACKEND names), and talks to it over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { type App, createApp } from '../../server/app.ts';
import type { EngineConfig } from '../../server/engine/engine.ts';
import type { Limits } from '../../server/limits.ts';
import { createLogger, type LogLevel } from '../../server/operations/logger.ts';
import { testDatabase } from './backend.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  app: App;
  /** Where its data is: a SQLite file or ":memory:", or a PostgreSQL URL (see backend.ts). */
  database: string;
  url: string;
  adminToken: string;
  /** Every line the server logged (pino JSON, parsed), in order. */
  logLines: LogLine[];
  /** The lines logged at level error or above (unexpected errors, masked for clients). */
  loggedErrors: LogLine[];
  /** Every SQL statement the server ran, in order. */
  queries: string[];
  /** Posts an operation with the given token (none when null) and returns the parsed body. */
  request<T = Record<string, any>>(
    token: string | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T> & { status: number }>;
  /** Like request, but fails the test on any GraphQL error and returns data. */
  gql<T = Record<string, any>>(token: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
  /** After stop(): the same server again, on the same port, database and admin token. */
  startAgain(): Promise<TestServer>;
}

/** Engine settings for tests: quick polls and retries, small batches. */
export const TEST_ENGINE: EngineConfig = {
  concurrency: 4,
  maxParticipants: 250,
  batchSize: 50,
  leaseSeconds: 30,
  retryScheduleMs: [50, 50],
  pollMs: 50,
  retentionDays: 150,
};

export interface ServerOptions {
  holdSeconds?: number;
  now?: () => Date;
  /** Run the migration engine, with TEST_ENGINE settings and these changes. Off by default. */
  engine?: Partial<EngineConfig> | boolean;
  /** A SQLite file to keep the data in; on PostgreSQL (MMS_TEST_BACKEND) a schema of its own instead. */
  databasePath?: string;
  /** The database of an earlier server (TestServer.database), to start on the same data. */
  database?: string;
  /** Deliver invitation updates by SMTP to this URL. */
  smtpUrl?: string;
  /** Listen on this port (to restart a server where clients expect it); a free one otherwise. */
  port?: number;
  adminToken?: string;
  /**
   * Failed authentications allowed per minute from one address. Every client of a test comes from
   * 127.0.0.1, and suites send bad tokens on purpose: high unless a test is about the limit itself.
   */
  authFailuresPerMinute?: number;
  /** Limits other than the defaults. */
  limits?: Partial<Limits>;
  /** MMS_LOG_LEVEL; info (the default) when absent. */
  logLevel?: LogLevel;
  corsOrigins?: string[];
  metricsToken?: string;
  /** Where GraphiQL's built files are kept; the project's own place when absent. */
  graphiqlCacheRoot?: string | null;
}

/** A log line as pino writes it: level 10 trace … 60 fatal, msg, and err for an error. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** pino's number for the error level. */
const ERROR_LEVEL = 50;

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const adminToken = options.adminToken ?? `test-admin-${randomBytes(8).toString('hex')}`;
  const logLines: LogLine[] = [];
  const loggedErrors: LogLine[] = [];
  const queries: string[] = [];
  const database = options.database ?? (await testDatabase(options.databasePath));
  const app = await createApp({
    database,
    engine: options.engine ? { ...TEST_ENGINE, ...(options.engine === true ? {} : options.engine) } : false,
    delivery: options.smtpUrl
      ? {
          smtpUrl: options.smtpUrl,
          sender: null,
          retryScheduleMs: [50, 50],
          pollMs: 50,
          batchSize: 20,
          claimSeconds: 30,
        }
      : null,
    holdSeconds: options.holdSeconds ?? 60,
    adminToken,
    authFailuresPerMinute: options.authFailuresPerMinute ?? 100_000,
    now: options.now,
    onQuery: (sql) => queries.push(sql),
    port: options.port,
    graphiqlCacheRoot: options.graphiqlCacheRoot,
    limits: options.limits,
    logger: createLogger(options.logLevel ?? 'info', {
      write(text: string) {
        const line = JSON.parse(text) as LogLine;
        logLines.push(line);
        if (line.level >= ERROR_LEVEL) loggedErrors.push(line);
      },
    }),
    corsOrigins: options.corsOrigins,
    metricsToken: options.metricsToken,
  });
  const url = await app.listen();
  const request: TestServer['request'] = async (token, query, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as GraphQLResponse<any>) };
  };
  return {
    app,
    database,
    url,
    adminToken,
    logLines,
    loggedErrors,
    queries,
    request,
    async gql(token, query, variables) {
      const result = await request(token, query, variables);
      if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as never;
    },
    stop: () => app.stop(),
    startAgain: () => startServer({ ...options, database, adminToken, port: Number(new URL(url).port) }),
  };
}
