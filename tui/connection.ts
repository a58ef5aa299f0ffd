/**
 * How terminal clients find and reach an MMS server: the URL from --url or MMS_URL, the token from the file
 * --token-file names or MMS_TOKEN (never from the command line, which every user of the machine can read
 * in the process list), else both from the local demo credentials that `npm start` leaves. And a graphql-ws client that rides
 * out server restarts but gives up at once on a refused token.
 */
import { readFileSync } from 'node:fs';
import type { CombinedError } from '@urql/core';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEFAULT_CREDENTIALS_FILE } from '../server/config.ts';
import { readLocalCredentials } from '../server/local-credentials.ts';

export const DEFAULT_URL = 'http://localhost:4000/graphql';
/** graphql-ws closes with this code when the token is missing or wrong. */
export const FORBIDDEN = 4403;

export interface ServerAddress {
  url: string;
  token: string;
}

export class ConnectionSetupError extends Error {}

/** The flag a token used to be given by: refused with a pointer to what replaced it. */
export const TOKEN_ON_COMMAND_LINE =
  '--token is not taken: a token on the command line shows in the process list; use --token-file FILE or MMS_TOKEN';

export function serverAddress(
  flags: { url?: string; 'token-file'?: string },
  env: NodeJS.ProcessEnv = process.env,
  credentialsFile = env.MMS_CREDENTIALS_FILE || DEFAULT_CREDENTIALS_FILE,
): ServerAddress {
  const url = flags.url ?? env.MMS_URL ?? DEFAULT_URL;
  let token = flags['token-file'] ? tokenFromFile(flags['token-file']) : env.MMS_TOKEN;
  if (!token) {
    const local = readLocalCredentials(credentialsFile);
    if (local && local.url === url) token = local.operatorToken;
  }
  if (!token) {
    throw new ConnectionSetupError(
      `no token for ${url}: pass --token-file FILE or set MMS_TOKEN (an operator token from createOperatorToken); ` +
        'for the local demo server, `npm start` leaves one for this command',
    );
  }
  try {
    new URL(url);
  } catch {
    throw new ConnectionSetupError(`"${url}" is not a URL; pass --url or set MMS_URL such as ${DEFAULT_URL}`);
  }
  return { url, token };
}

/** The token a file holds: its one line, without the line end. */
function tokenFromFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConnectionSetupError(`--token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) {
    throw new ConnectionSetupError(`--token-file ${file} must hold one token on one line`);
  }
  return token;
}

/**
 * Where a subscription's `since` replay starts for a screen opened at `nowMs`: a few minutes early, since
 * the server's clock, not this machine's, dates what changed, and what the two disagree by must not fall
 * between the screen's first read and its stream. What is replayed twice is dropped by id.
 */
export function replayFrom(nowMs: number): string {
  return new Date(nowMs - 5 * 60_000).toISOString();
}

/**
 * Whether a stream was refused because its `since` asks for more changes than the server replays at once
 * (REPLAY_LIMIT, MMS_MAX_REPLAY_EVENTS): on a busy tenant, a few minutes hold more. The stream is then asked
 * again from the moment of the refusal, and the screen's own reads stand for what came before.
 */
export function isReplayRefused(error: CombinedError | undefined): boolean {
  return error?.graphQLErrors.some((refusal) => refusal.extensions?.code === 'REPLAY_LIMIT') ?? false;
}

/**
 * What to do when a stream from `refusedSince` was refused for its replay: ask again from now, unless it
 * already started moments ago, when what the server would not replay is the migrations open (counted in
 * every stream's start), and asking again would be refused the same way: then it is not live.
 */
export function afterReplayRefused(refusedSince: string, nowMs: number): { since: string } | 'not live' {
  return Date.parse(refusedSince) > nowMs - 10_000 ? 'not live' : { since: new Date(nowMs).toISOString() };
}

export interface LiveClientEvents {
  connected?: () => void;
  /** The connection dropped and will be retried. */
  reconnecting?: () => void;
  /** The server refused the token: nothing will be retried. */
  refused?: () => void;
  /** An attempt to connect failed (the reason in words); `attempt` counts those since the last connection. */
  unreachable?: (reason: string, attempt: number) => void;
  /** Retries after which the client gives up (its operations fail); forever when null or absent. */
  retries?: number | null;
}

export function liveClient(address: ServerAddress, on: LiveClientEvents = {}): Client {
  let refused = false;
  let connected = false;
  let failedAttempts = 0;
  let lastError = '';
  const retries = on.retries ?? null;
  return createClient({
    url: address.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${address.token}` },
    lazy: false,
    retryAttempts: retries ?? Number.POSITIVE_INFINITY,
    // Giving up is told by the operations that fail with it.
    onNonLazyError: () => {},
    // A server that restarts refuses connections for a while: retry that, never a refused token.
    shouldRetry: (event) => {
      refused = (event as { code?: number }).code === FORBIDDEN;
      return !refused;
    },
    retryWait: async (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** retries))),
    on: {
      connected: () => {
        connected = true;
        failedAttempts = 0;
        on.connected?.();
      },
      error: (error) => {
        lastError = (error as { message?: string }).message || String(error);
      },
      closed: (event) => {
        const { code, reason } = event as { code?: number; reason?: string };
        if (code === FORBIDDEN) on.refused?.();
        else if (refused) return;
        else if (connected) on.reconnecting?.();
        else {
          failedAttempts += 1;
          on.unreachable?.(lastError || reason || `connection closed (${code})`, failedAttempts);
        }
        connected = false;
        lastError = '';
      },
    },
  });
}
