/**
 * The local demo credentials `npm start` leaves for the TUI and `npm run watch` (a file readable by the
 * owner only). Only meant for the local server: other servers take MMS_URL and MMS_TOKEN.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from './config.ts';
import { prepareFileLocation } from './file-location.ts';

export interface LocalCredentials {
  url: string;
  operatorToken: string;
  adminToken?: string;
}

export function readLocalCredentials(file: string): LocalCredentials | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
    return typeof parsed.url === 'string' && typeof parsed.operatorToken === 'string'
      ? (parsed as LocalCredentials)
      : null;
  } catch {
    return null;
  }
}

/** Refuses, with the setting named, a credentials file that could not be written: checked before start-up. */
export function prepareCredentialsFile(file: string): void {
  try {
    prepareFileLocation(file);
  } catch (error) {
    throw credentialsFileError(file, error);
  }
}

export function writeLocalCredentials(file: string, credentials: LocalCredentials): void {
  try {
    prepareFileLocation(file);
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    throw credentialsFileError(file, error);
  }
}

function credentialsFileError(file: string, error: unknown): ConfigError {
  return new ConfigError(
    `cannot keep the local credentials at MMS_CREDENTIALS_FILE (${file}): ${(error as Error).message}`,
  );
}
