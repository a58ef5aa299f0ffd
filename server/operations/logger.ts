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

function hidePasswordsIn<T>(value: T): T {
  if (typeof value === 'string') return hideUrlPasswords(value) as T;
  if (value instanceof Error) {
    value.message = hideUrlPasswords(value.message);
    if (value.stack) value.stack = hideUrlPasswords(value.stack);
  }
  return value;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          // Messages and errors are scrubbed in place: the JSON line is then written as usual.
          for (const [i, arg] of args.entries()) {
            args[i] = hidePasswordsIn(arg);
            if (arg && typeof arg === 'object' && 'err' in arg) hidePasswordsIn(arg.err);
          }
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
