/** Configuration from the environment. A bad value stops the start with a message naming the variable. */
import { fileURLToPath } from 'node:url';

export interface Config {
  port: number;
  host: string;
  /** SQLite file, or ":memory:". */
  databasePath: string;
  holdSeconds: number;
  adminToken: string | null;
  /** Where `npm start` keeps the local demo credentials for the TUI and `npm run watch`. */
  credentialsFile: string;
}

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_CREDENTIALS_FILE = fileURLToPath(
  new URL('../data/local-credentials.json', import.meta.url),
);

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || 'localhost',
    databasePath: env.MMS_DB || fileURLToPath(new URL('../data/mms.sqlite', import.meta.url)),
    holdSeconds: integer(env, 'MMS_HOLD_SECONDS', 10, 0, 7 * 24 * 3600),
    adminToken: env.MMS_ADMIN_TOKEN || null,
    credentialsFile: env.MMS_CREDENTIALS_FILE || DEFAULT_CREDENTIALS_FILE,
  };
}
