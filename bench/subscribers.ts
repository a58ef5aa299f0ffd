/**
 * A separate process of N graphql-ws subscribers (so they do not share the server's event loop). Each
 * measures, for every state change it receives, the time from the migration's commit to its arrival.
 * Prints "ready" once every subscriber is live, then one JSON line of latencies when all are done.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, countText, expectText] = process.argv.slice(2);
const count = Number(countText);
/** Migrations to see finish before reporting. */
const expected = Number(expectText);
const latencies: number[] = [];
let ready = 0;
let finished = 0;

for (let i = 0; i < count; i++) {
  const client = createClient({
    url: String(url).replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  const lastState = new Map<string, string>();
  let seenFirst = false;
  let done = 0;
  client.subscribe<{ meetingMigrationUpdated: { id: string; state: string; modifiedAt: string } }>(
    { query: 'subscription { meetingMigrationUpdated { id state modifiedAt } }' },
    {
      next: ({ data }) => {
        const arrived = Date.now();
        const migration = data?.meetingMigrationUpdated;
        if (!migration) return;
        if (!seenFirst) {
          // The first event is the held migration of the snapshot: from here on the subscription is live.
          seenFirst = true;
          lastState.set(migration.id, migration.state);
          if (++ready === count) console.log('ready');
          return;
        }
        if (lastState.get(migration.id) !== migration.state) {
          latencies.push(arrived - Date.parse(migration.modifiedAt));
          lastState.set(migration.id, migration.state);
        }
        if (migration.state === 'SUCCEEDED' && ++done === expected && ++finished === count) {
          console.log(JSON.stringify({ latencies }));
          process.exit(0);
        }
      },
      error: (error) => {
        console.error(error);
        process.exit(1);
      },
      complete: () => {},
    },
  );
}
