/**
 * A monitoring script in a few lines: print every migration event of your tenant as one JSON line.
 *   MMS_URL=http://localhost:4000/graphql MMS_TOKEN=<operator token> npx node examples/watch-migrations.ts
 * Needs only the graphql-ws client (and ws, on Node.js versions without a global WebSocket).
 */
import { createClient } from 'graphql-ws';

const url = (process.env.MMS_URL ?? 'http://localhost:4000/graphql').replace(/^http/, 'ws');
const client = createClient({
  url,
  connectionParams: { Authorization: `Bearer ${process.env.MMS_TOKEN}` },
  retryAttempts: Number.POSITIVE_INFINITY,
  // Retry while the server restarts; a refused token (4403) will not get better.
  shouldRetry: (event) => (event as { code?: number }).code !== 4403,
  on: { closed: (event) => (event as { code?: number }).code === 4403 && process.exit(1) },
});

const subscription = client.iterate({
  query: `subscription {
    meetingMigrationUpdated {
      correlationId state migrationType user { userPrincipalName }
      totalMeetings succeededMeetings failedMeetings lastMessage modifiedAt
    }
  }`,
});

for await (const event of subscription) {
  console.log(JSON.stringify(event.data?.meetingMigrationUpdated ?? event.errors));
}
