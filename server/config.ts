/** Configuration from the environment. A bad value stops the start with a message naming the variable. */
import { fileURLToPath } from 'node:url';
import { emailAddress } from './domain/validation.ts';
import type { DeliveryConfig } from './engine/delivery.ts';
import type { EngineConfig } from './engine/engine.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { LOG_LEVELS, type LogLevel } from './operations/logger.ts';
import { DEFAULT_UNSENT_LIMIT, type RedisRelayConfig } from './services/redis-relay.ts';
import { connectTimeoutProblem, DatabaseUnavailableError, isPostgresUrl } from './storage/location.ts';
import { SchemaMigrationError } from './storage/migrations.ts';

export interface Config {
  port: number;
  host: string;
  /** A PostgreSQL URL (MMS_DATABASE_URL), or else a SQLite file or ":memory:" (MMS_DB). */
  database: string;
  holdSeconds: number;
  adminToken: string | null;
  /** Failed authentications one address may make per minute before it is refused with 429. */
  authFailuresPerMinute: number;
  /** Where `npm start` keeps the local demo credentials for the TUI and `npm run watch`. */
  credentialsFile: string;
  /** Run the migration engine in this process (off when separate `npm run worker` processes do). */
  runEngine: boolean;
  engine: EngineConfig;
  /** Invitation delivery; null keeps updates in the outbox for export. */
  delivery: DeliveryConfig | null;
  /** Live events between processes through Redis; null carries them through the database file. */
  redis: RedisRelayConfig | null;
  /** What one client may ask of the server (README "Security and limits"). */
  limits: Limits;
  logLevel: LogLevel;
  /** Origins whose pages may call the API from a browser (CORS, with credentials); none by default. */
  corsOrigins: string[];
  /** The bearer token /metrics asks for; null leaves /metrics off. */
  metricsToken: string | null;
  /** Where a worker process serves /healthz, /readyz and /metrics; null: it serves nothing. */
  healthPort: number | null;
}

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_CREDENTIALS_FILE = fileURLToPath(
  new URL('../data/local-credentials.json', import.meta.url),
);

export class ConfigError extends Error {}

/** The one line a process that cannot start prints: the setting at fault and why. Null for anything else. */
export function startupFailure(error: unknown): string | null {
  return error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof SchemaMigrationError
    ? error.message
    : null;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() would also take "0x10", "1e3", " 80" and "8.0".
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** A wait longer than a month is a typing mistake (and past some length no date can be reckoned from it). */
const MAX_DURATION_MS = 31 * 24 * 3_600_000;

/** A comma-separated list of durations such as "1m,4m,10m". */
function durations(env: NodeJS.ProcessEnv, name: string, fallback: string): number[] {
  const raw = env[name] || fallback;
  if (raw.trim() === 'none') return [];
  return raw.split(',').map((part) => {
    const match = DURATION.exec(part.trim());
    if (!match) throw new ConfigError(`${name} must list durations such as "30s,4m,1h", not "${raw}"`);
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms > MAX_DURATION_MS)
      throw new ConfigError(`${name} must list durations of at most 744h, not "${raw}"`);
    return ms;
  });
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, not "${raw}"`);
}

/** MMS_DATABASE_URL, when set: PostgreSQL instead of the embedded SQLite file. */
function databaseUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = env.MMS_DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  // The value itself is not repeated: it may hold a password.
  if (!isPostgresUrl(raw)) {
    throw new ConfigError('MMS_DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (!URL.canParse(raw)) throw new ConfigError('MMS_DATABASE_URL is not a well-formed URL');
  const timeoutProblem = connectTimeoutProblem(raw);
  if (timeoutProblem) throw new ConfigError(timeoutProblem);
  return raw;
}

/** Redis when MMS_REDIS_URL is set. The URL is never repeated in a message: it may hold a password. */
function redisRelay(env: NodeJS.ProcessEnv): RedisRelayConfig | null {
  const url = env.MMS_REDIS_URL;
  if (url === undefined || url === '') return null;
  const protocol = URL.parse(url)?.protocol;
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new ConfigError(
      'MMS_REDIS_URL must be a URL such as redis://localhost:6379 (or rediss:// for TLS)',
    );
  }
  return {
    url,
    prefix: env.MMS_REDIS_PREFIX || 'mms:',
    unsentLimit: integer(env, 'MMS_REDIS_UNSENT_LIMIT', DEFAULT_UNSENT_LIMIT, 0, 1_000_000),
  };
}

/** The shortest secret token a setting takes: one that cannot be guessed. */
export const MIN_SECRET_TOKEN_LENGTH = 32;

/** A secret token from a setting (MMS_ADMIN_TOKEN, MMS_METRICS_TOKEN), never repeated in a message. */
function secretToken(env: NodeJS.ProcessEnv, name: string): string | null {
  const token = env[name];
  if (token === undefined || token === '') return null;
  if (token.length < MIN_SECRET_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(
      `${name} must be at least ${MIN_SECRET_TOKEN_LENGTH} characters without spaces (it has ${token.length}); openssl rand -base64 32 makes one`,
    );
  }
  return token;
}

/** MMS_SMTP_URL: smtp:// or smtps://. The URL is never repeated in a message: it may hold a password. */
function smtpUrl(env: NodeJS.ProcessEnv): string | null {
  const url = env.MMS_SMTP_URL;
  if (url === undefined || url === '') return null;
  const parsed = URL.parse(url);
  if ((parsed?.protocol !== 'smtp:' && parsed?.protocol !== 'smtps:') || !parsed.hostname) {
    throw new ConfigError(
      'MMS_SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587 (or smtps:// for TLS)',
    );
  }
  return url;
}

/** MMS_SMTP_SENDER: the mailbox invitations are sent from, an e-mail address. */
function smtpSender(env: NodeJS.ProcessEnv): string | null {
  const sender = env.MMS_SMTP_SENDER;
  if (sender === undefined || sender === '') return null;
  try {
    return emailAddress('MMS_SMTP_SENDER', sender);
  } catch {
    throw new ConfigError(
      `MMS_SMTP_SENDER must be an e-mail address such as mms@example.com, not "${sender}"`,
    );
  }
}

function limits(env: NodeJS.ProcessEnv): Limits {
  const d = DEFAULT_LIMITS;
  return {
    maxBodyBytes: integer(env, 'MMS_MAX_BODY_BYTES', d.maxBodyBytes, 1024, 64 * 1024 * 1024),
    maxCost: integer(env, 'MMS_MAX_COST', d.maxCost, 100, 10_000_000),
    maxDepth: integer(env, 'MMS_MAX_DEPTH', d.maxDepth, 2, 100),
    maxAliases: integer(env, 'MMS_MAX_ALIASES', d.maxAliases, 0, 1000),
    maxTokens: integer(env, 'MMS_MAX_TOKENS', d.maxTokens, 100, 1_000_000),
    maxSubscriptionsPerSocket: integer(
      env,
      'MMS_MAX_SUBSCRIPTIONS_PER_SOCKET',
      d.maxSubscriptionsPerSocket,
      1,
      10_000,
    ),
    connectionInitMs: integer(env, 'MMS_CONNECTION_INIT_MS', d.connectionInitMs, 100, 60_000),
    maxReplayEvents: integer(env, 'MMS_MAX_REPLAY_EVENTS', d.maxReplayEvents, 1, 1_000_000),
  };
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.MMS_LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`MMS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${raw}"`);
  }
  return raw as LogLevel;
}

/** MMS_CORS_ORIGINS: a comma-separated list of origins such as https://ops.example.com, each exactly. */
function corsOrigins(env: NodeJS.ProcessEnv): string[] {
  const raw = env.MMS_CORS_ORIGINS;
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const origin = part.trim();
    const parsed = URL.parse(origin);
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(
        `MMS_CORS_ORIGINS must list origins such as https://ops.example.com (scheme, host and port only), not "${origin}"`,
      );
    }
    return origin;
  });
}

/** MMS retries up to 9 times over 24 hours; these waits add up to exactly that. */
/** MMS's participant limit (organizer included). */
export const DEFAULT_MAX_PARTICIPANTS = 250;

export const DEFAULT_RETRY_SCHEDULE = '1m,4m,10m,25m,40m,80m,160m,320m,800m';

/** Waits before each new attempt at an invitation a mail server put off (4xx, lost connection). */
export const DEFAULT_SMTP_RETRY_SCHEDULE = '1m,5m,15m,1h,4h';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const smtp = smtpUrl(env);
  const sender = smtpSender(env);
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || 'localhost',
    database:
      databaseUrl(env) ?? (env.MMS_DB || fileURLToPath(new URL('../data/mms.sqlite', import.meta.url))),
    holdSeconds: integer(env, 'MMS_HOLD_SECONDS', 10, 0, 7 * 24 * 3600),
    adminToken: secretToken(env, 'MMS_ADMIN_TOKEN'),
    authFailuresPerMinute: integer(env, 'MMS_AUTH_FAILURES_PER_MINUTE', 10, 1, 100_000),
    credentialsFile: env.MMS_CREDENTIALS_FILE || DEFAULT_CREDENTIALS_FILE,
    runEngine: flag(env, 'MMS_ENGINE', true),
    engine: {
      concurrency: integer(env, 'MMS_CONCURRENCY', 4, 1, 256),
      maxParticipants: integer(env, 'MMS_MAX_PARTICIPANTS', DEFAULT_MAX_PARTICIPANTS, 1, 100_000),
      batchSize: integer(env, 'MMS_BATCH_SIZE', 250, 1, 10_000),
      leaseSeconds: integer(env, 'MMS_LEASE_SECONDS', 30, 1, 3600),
      retryScheduleMs: durations(env, 'MMS_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE),
      pollMs: integer(env, 'MMS_POLL_MS', 1000, 10, 60_000),
      retentionDays: integer(env, 'MMS_RETENTION_DAYS', 150, 1, 36_500),
    },
    delivery: smtp
      ? {
          smtpUrl: smtp,
          sender,
          retryScheduleMs: durations(env, 'MMS_SMTP_RETRY_SCHEDULE', DEFAULT_SMTP_RETRY_SCHEDULE),
          pollMs: integer(env, 'MMS_POLL_MS', 1000, 10, 60_000),
          batchSize: 50,
          claimSeconds: integer(env, 'MMS_SMTP_CLAIM_SECONDS', 120, 1, 3600),
        }
      : null,
    redis: redisRelay(env),
    limits: limits(env),
    logLevel: logLevel(env),
    corsOrigins: corsOrigins(env),
    metricsToken: secretToken(env, 'MMS_METRICS_TOKEN'),
    healthPort: env.MMS_HEALTH_PORT ? integer(env, 'MMS_HEALTH_PORT', 0, 0, 65535) : null,
  };
}
