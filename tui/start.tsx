/**
 * The operator console (`npm run tui -- [--url URL] [--token-file FILE]`, entered through main.tsx). A bad token or an unreachable server
 * is one line and a non-zero exit; without a terminal it prints the dashboard once and exits 0.
 */
import { parseArgs } from 'node:util';
import { render } from 'ink';
import { useSyncExternalStore } from 'react';
import { App } from './App.tsx';
import { mmsClient } from './client.ts';
import type { ConnectionState } from './components/Dashboard.tsx';
import {
  ConnectionSetupError,
  DEFAULT_URL,
  liveClient,
  type ServerAddress,
  serverAddress,
  TOKEN_ON_COMMAND_LINE,
} from './connection.ts';
import { requestOf } from './graphql.ts';
import { plainSnapshot, SNAPSHOT_QUERY, type SnapshotData } from './snapshot.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`mms tui: ${message}\n`);
  process.exit(code);
}

/** One query over HTTP: says exactly what is wrong when the server cannot be used. */
async function firstLook(address: ServerAddress): Promise<SnapshotData> {
  let response: Response;
  try {
    response = await fetch(address.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${address.token}` },
      body: JSON.stringify(requestOf(SNAPSHOT_QUERY, {})),
    });
  } catch (error) {
    // fetch hides the reason in its cause, or in the cause's errors when several addresses were tried.
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
      .cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    return fail(`cannot reach ${address.url} (${reason}); is the server running? (npm start)`, 1);
  }
  if (response.status === 401)
    return fail(`${address.url} refused the token; check --token-file or MMS_TOKEN`, 1);
  const result = (await response.json().catch(() => ({}))) as {
    data?: SnapshotData;
    errors?: { message: string }[];
  };
  if (!result.data)
    return fail(`${address.url} answered ${response.status}: ${result.errors?.[0]?.message ?? 'no data'}`, 1);
  return result.data;
}

const USAGE = `usage: npm run tui -- [--url URL] [--token-file FILE]

  --url URL          the MMS GraphQL endpoint (or MMS_URL; default ${DEFAULT_URL})
  --token-file FILE  a file holding an operator token (or MMS_TOKEN; default: the one npm start left
                     for the local server). Never a token itself: the process list would show it.

Keys: d dashboard, m migrations, u users, e activity, t settings, ? all keys, q quit.
`;

let flags: { url?: string; 'token-file'?: string; token?: string; help?: boolean };
try {
  flags = parseArgs({
    options: {
      url: { type: 'string' },
      'token-file': { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (flags.token !== undefined) fail(TOKEN_ON_COMMAND_LINE, 2);
let address: ServerAddress;
try {
  address = serverAddress(flags);
} catch (error) {
  if (error instanceof ConnectionSetupError) fail(error.message, 2);
  throw error;
}

const first = await firstLook(address);
if (!process.stdout.isTTY) {
  process.stdout.write(plainSnapshot(first, address.url, new Date()));
} else {
  // The connection state lives outside React: the client may connect before the first render.
  let connection: ConnectionState = 'reconnecting';
  const listeners = new Set<() => void>();
  const setConnection = (state: ConnectionState) => {
    connection = state;
    for (const listener of listeners) listener();
  };
  const live = liveClient(address, {
    connected: () => setConnection('live'),
    reconnecting: () => setConnection('reconnecting'),
    refused: () => setConnection('offline'),
  });
  const client = mmsClient(address, live);
  function Root() {
    const state = useSyncExternalStore(
      (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      () => connection,
    );
    return <App client={client} tenantName={first.viewer.tenant?.name ?? 'all tenants'} connection={state} />;
  }
  // A terminal is at hand (checked above): stay live even where a CI variable is set. Redraws are bounded.
  const instance = render(<Root />, { interactive: true, alternateScreen: true, maxFps: 15 });
  await instance.waitUntilExit();
  await live.dispose();
}
