/**
 * The one log of a process: pino, one JSON line per event on stdout, at the level MMS_LOG_LEVEL sets. Every
 * part of the server logs through it. Secrets never reach it: tokens and Authorization headers are redacted
 * by name wherever they sit, and the password of any URL in a message or error is hidden.
 */
import { type DestinationStream, type LevelWithSilent, pino } from 'pino';

/** What the server's parts log with: pino's methods, `logger.error({ err }, 'what failed')`. */
export type Logger = Pick<pino.Logger, 'error' | 'warn' | 'info' | 'debug'>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number] & LevelWithSilent;

const SECRET_KEYS = ['authorization', 'Authorization', 'token', 'adminToken', 'operatorToken', 'password'];

/** Keys of any name that hold a secret, at the top or one or two levels down (headers, connectionParams). */
const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** `scheme://user:password@host` with the password hidden; such URLs come in messages of drivers. */
export function hideUrlPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^@/\s]+@/gi, '$1:***@');
}

/** pino's error serializer, with the passwords of URLs hidden throughout (causes and wrapped errors too). */
function serializeError(error: Error): Record<string, unknown> {
  return JSON.parse(hideUrlPasswords(JSON.stringify(pino.stdSerializers.err(error))));
}

export function createLogger(level: LogLevel, destination?: DestinationStream): pino.Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          // An error alone (as GraphQL Yoga logs one) takes its message for the line's: hidden likewise.
          const scrubbed =
            first instanceof Error
              ? [{ err: first }, typeof rest[0] === 'string' ? rest[0] : first.message, ...rest.slice(1)]
              : args;
          return method.apply(
            this,
            scrubbed.map((arg) => (typeof arg === 'string' ? hideUrlPasswords(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
