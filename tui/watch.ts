#!/usr/bin/env node
/**
 * `mms-watch` (`npx mms-watch …`, `npm run -s watch -- …`): one JSON object per migration event on stdout
 * (NDJSON), for monitoring scripts. Rides out server restarts; exits 1 on a refused token.
 */
import { parseArgs } from 'node:util';
import { MIGRATION_STATES, type MigrationState } from '../server/domain/model.ts';
import { ConnectionSetupError, liveClient, serverAddress, TOKEN_ON_COMMAND_LINE } from './connection.ts';
import { graphql, type ResultOf, requestOf } from './graphql.ts';

const USAGE = `usage: mms-watch [options]   (or npm run -s watch -- [options])

Prints one JSON object per migration event (NDJSON) on stdout: first the current state of the matching
open migrations, then every change from now on. Messages go to stderr.

  --state S         only migrations in state S (PENDING, IN_PROGRESS, SUCCEEDED, FAILED, CANCELLED);
                    repeat for several. --state FAILED prints new failures only, not old ones
  --user UPN        only this user's migrations
  --since WHEN      also print what changed since WHEN: an ISO 8601 instant or an age such as 30s,
                    15m, 2h, 1d
  --replay          also print every change the server still keeps (at most MMS_MAX_REPLAY_EVENTS)
  --retries N       give up (exit 1) after N failed attempts to reach the server; retries forever
                    without it
  --url URL         the server (MMS_URL; default http://localhost:4000/graphql)
  --token-file FILE a file holding an operator token (MMS_TOKEN; default: the local demo's)
  -h, --help        this text

Exit codes: 0 when stdout is closed (| head), 1 when the token is refused or the retries are spent,
2 for bad options.`;

const USER_BY_NAME = graphql(`
  query UserByName($q: String!) { tenant { users(search: $q, first: 20) { edges { node { id userPrincipalName } } } } }
`);
/** Every event printed, in these fields. */
const MIGRATION_UPDATES = graphql(`
  subscription WatchMigrations($states: [MeetingMigrationState!], $userId: ID, $since: DateTime) {
    meetingMigrationUpdated(states: $states, userId: $userId, since: $since) {
      id correlationId state migrationType sourceMeetingType targetMeetingType
      user { userPrincipalName } createdAt modifiedAt notBefore startedAt finishedAt retryCount nextAttemptAt
      lastMessage totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated
    }
  }
`);

/** Replays from here ask for everything: no migration is older. */
const BEGINNING = '1970-01-01T00:00:00.000Z';
const AGE_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function fail(message: string, code: number): never {
  process.stderr.write(`watch: ${message}\n`);
  process.exit(code);
}

// A reader that stops reading (`| head`) is not an error: the watch has nobody left to tell.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  fail(error.message, 1);
});

let options: {
  state?: string[];
  user?: string;
  since?: string;
  replay?: boolean;
  retries?: string;
  url?: string;
  'token-file'?: string;
  token?: string;
  help?: boolean;
};
try {
  options = parseArgs({
    options: {
      state: { type: 'string', multiple: true },
      user: { type: 'string' },
      since: { type: 'string' },
      replay: { type: 'boolean' },
      retries: { type: 'string' },
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

if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const isState = (state: string): state is MigrationState =>
  (MIGRATION_STATES as readonly string[]).includes(state);
const named = (options.state ?? []).map((state) => state.toUpperCase());
const unknown = named.find((state) => !isState(state));
if (unknown) fail(`unknown state "${unknown}"\n${USAGE}`, 2);
const states = named.filter(isState);

if (options.token !== undefined) fail(TOKEN_ON_COMMAND_LINE, 2);
if (options.since !== undefined && options.replay) fail(`give --since or --replay, not both\n${USAGE}`, 2);

/** The instant --since names: an ISO 8601 instant, or an age back from now. */
function sinceInstant(value: string): string {
  const age = /^(\d+)([smhd])$/.exec(value);
  if (age) return new Date(Date.now() - Number(age[1]) * (AGE_UNITS_MS[age[2] as string] ?? 0)).toISOString();
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(instant.getTime())) {
    fail(`--since "${value}" is neither an ISO 8601 instant nor an age such as 15m\n${USAGE}`, 2);
  }
  return instant.toISOString();
}

let retries: number | null = null;
if (options.retries !== undefined) {
  retries = /^\d+$/.test(options.retries) ? Number(options.retries) : Number.NaN;
  if (!Number.isSafeInteger(retries))
    fail(`--retries "${options.retries}" is not a whole number\n${USAGE}`, 2);
}

let address: ReturnType<typeof serverAddress>;
try {
  address = serverAddress(options);
} catch (error) {
  if (error instanceof ConnectionSetupError) fail(error.message, 2);
  throw error;
}

const client = liveClient(address, {
  connected: () => process.stderr.write(`watch: connected to ${address.url}\n`),
  reconnecting: () => process.stderr.write('watch: connection lost; reconnecting…\n'),
  refused: () => fail(`${address.url} refused the token (close 4403): check --token-file or MMS_TOKEN`, 1),
  unreachable: (reason, attempt) =>
    process.stderr.write(
      `watch: cannot reach ${address.url}: ${reason}; ${
        retries === null
          ? `retry ${attempt}`
          : attempt <= retries
            ? `retry ${attempt} of ${retries}`
            : `giving up after ${retries} ${retries === 1 ? 'retry' : 'retries'}`
      }\n`,
    ),
  retries,
});

/** The reason a client gave up (its retries spent), in words. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const { reason, code, message } = error as { reason?: string; code?: number; message?: string };
  return message || reason || (code ? `connection closed (${code})` : 'connection failed');
}

/** The id of the user with exactly this principal name. */
async function userIdOf(upn: string): Promise<string> {
  for await (const result of client.iterate<ResultOf<typeof USER_BY_NAME>>(
    requestOf(USER_BY_NAME, { q: upn }),
  )) {
    if (result.errors) fail(result.errors.map((e) => e.message).join('; '), 1);
    const match = result.data?.tenant?.users.edges.find(
      (e) => e.node.userPrincipalName === upn.toLowerCase(),
    );
    if (match) return match.node.id;
    break;
  }
  return fail(`no user ${upn} in this tenant`, 1);
}

try {
  const userId = options.user ? await userIdOf(options.user) : null;
  /**
   * After a reconnection the subscription starts again and replays what changed since the watch began (or
   * since the history it was asked for); each migration's last printed state is remembered so that nothing
   * is printed twice.
   */
  const printed = new Map<string, string>();
  const since = options.replay
    ? BEGINNING
    : options.since !== undefined
      ? sinceInstant(options.since)
      : new Date().toISOString();
  for await (const result of client.iterate<ResultOf<typeof MIGRATION_UPDATES>>(
    requestOf(MIGRATION_UPDATES, { states: states.length > 0 ? states : null, userId, since }),
  )) {
    if (result.errors) fail(result.errors.map((e) => e.message).join('; '), 1);
    const migration = result.data?.meetingMigrationUpdated;
    const line = JSON.stringify(migration);
    if (!migration || printed.get(migration.id) === line) continue;
    printed.set(migration.id, line);
    process.stdout.write(
      `${JSON.stringify({ event: 'meetingMigrationUpdated', receivedAt: new Date().toISOString(), migration })}\n`,
    );
  }
} catch (error) {
  fail(`stopped: ${reasonOf(error)}`, 1);
}
