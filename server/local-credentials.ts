/**
 * The local demo credentials `npm start` leaves for the TUI and `npm run watch` (a file readable by the
 * owner only). Only meant for the local server: other servers take MMS_URL and MMS_TOKEN.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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

export function writeLocalCredentials(file: string, credentials: LocalCredentials): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
