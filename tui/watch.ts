/**
 * `npm run watch -- [--state S]... [--user UPN] [--url URL] [--token-file FILE]`: one JSON object per migration
 * event on stdout (NDJSON), for monitoring scripts. Rides out server restarts; exits 1 on a refused token.
 */
import { parseArgs } from 'node:util';
import { MIGRATION_STATES, type MigrationState } from '../server/domain/model.ts';
import { ConnectionSetupError, liveClient, serverAddress, TOKEN_ON_COMMAND_LINE } from './connection.ts';

const USAGE =
  'usage: npm run watch -- [--state PENDING|IN_PROGRESS|SUCCEEDED|FAILED|CANCELLED]... [--user UPN] [--url URL] [--token-file FILE]';

const MIGRATION_FIELDS = `id correlationId state migrationType sourceMeetingType targetMeetingType
  user { userPrincipalName } createdAt modifiedAt notBefore startedAt finishedAt retryCount nextAttemptAt lastMessage
  totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated`;

function fail(message: string, code: number): never {
  process.stderr.write(`watch: ${message}\n`);
  process.exit(code);
}

let options: { state?: string[]; user?: string; url?: string; 'token-file'?: string; token?: string };
try {
  options = parseArgs({
    options: {
      state: { type: 'string', multiple: true },
      user: { type: 'string' },
      url: { type: 'string' },
      'token-file': { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}

const states = (options.state ?? []).map((state) => state.toUpperCase());
const unknown = states.find((state) => !MIGRATION_STATES.includes(state as MigrationState));
if (unknown) fail(`unknown state "${unknown}"\n${USAGE}`, 2);

if (options.token !== undefined) fail(TOKEN_ON_COMMAND_LINE, 2);

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
});

/** The id of the user with exactly this principal name. */
async function userIdOf(upn: string): Promise<string> {
  for await (const result of client.iterate<{
    tenant: { users: { edges: { node: { id: string; userPrincipalName: string } }[] } };
  }>({
    query:
      'query($q: String!) { tenant { users(search: $q, first: 20) { edges { node { id userPrincipalName } } } } }',
    variables: { q: upn },
  })) {
    if (result.errors) fail(result.errors.map((e) => e.message).join('; '), 1);
    const match = result.data?.tenant.users.edges.find((e) => e.node.userPrincipalName === upn.toLowerCase());
    if (match) return match.node.id;
    break;
  }
  return fail(`no user ${upn} in this tenant`, 1);
}

const userId = options.user ? await userIdOf(options.user) : null;
/**
 * After a reconnection the subscription starts again and replays what changed since the watch began;
 * each migration's last printed state is remembered so that nothing is printed twice.
 */
const printed = new Map<string, string>();
const since = new Date().toISOString();
for await (const result of client.iterate<{ meetingMigrationUpdated: { id: string; modifiedAt: string } }>({
  query: `subscription($states: [MeetingMigrationState!], $userId: ID, $since: DateTime) {
    meetingMigrationUpdated(states: $states, userId: $userId, since: $since) { ${MIGRATION_FIELDS} }
  }`,
  variables: { states: states.length > 0 ? states : null, userId, since },
})) {
  if (result.errors) fail(result.errors.map((e) => e.message).join('; '), 1);
  const migration = result.data?.meetingMigrationUpdated;
  const line = JSON.stringify(migration);
  if (!migration || printed.get(migration.id) === line) continue;
  printed.set(migration.id, line);
  process.stdout.write(
    `${JSON.stringify({ event: 'meetingMigrationUpdated', receivedAt: new Date().toISOString(), migration })}\n`,
  );
}
