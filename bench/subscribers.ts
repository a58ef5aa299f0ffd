/**
 * A separate process of N graphql-ws subscribers (so they do not share the server's event loop). Each
 * measures, for every state change it receives, the time from the migration's change to its arrival.
 * Prints "started" once loaded, connects them all on a first SIGUSR2 (so that the time to connect leaves
 * out loading the process; SIGUSR1 would start Node's inspector), prints "ready" once every subscriber is
 * live, and one JSON line of what it measured on the second SIGUSR2.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, countText] = process.argv.slice(2);
const count = Number(countText);
const latencies: number[] = [];
let ready = 0;

// A signal listener does not keep a process alive: this does, until it is told to connect.
const waiting = setInterval(() => {}, 60_000);
process.once('SIGUSR2', () => {
  clearInterval(waiting);
  for (let i = 0; i < count; i++) subscribe();
  process.once('SIGUSR2', () => {
    // Exit only once the line is out: stdout to a pipe is written asynchronously.
    process.stdout.write(`${JSON.stringify({ latencies })}\n`, () => process.exit(0));
  });
});
console.log('started');

function subscribe() {
  const client = createClient({
    url: String(url).replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  const lastState = new Map<string, string>();
  let seenFirst = false;
  client.subscribe<{ meetingMigrationUpdated: { id: string; state: string; modifiedAt: string } }>(
    { query: 'subscription { meetingMigrationUpdated { id state modifiedAt } }' },
    {
      next: ({ data, errors }) => {
        const arrived = Date.now();
        const migration = data?.meetingMigrationUpdated;
        if (!migration) {
          console.error(JSON.stringify(errors));
          process.exit(1);
        }
        if (!seenFirst) {
          // The first event is the held migration of the snapshot: from here on the subscription is live.
          seenFirst = true;
          lastState.set(migration.id, migration.state);
          if (++ready === count) console.log('ready');
          return;
        }
        // A state change: a new migration (PENDING) or another state than the last one seen. The first
        // event of an older migration (its invitation counts moved, its state did not) is none.
        const previous = lastState.get(migration.id);
        lastState.set(migration.id, migration.state);
        if (previous === undefined ? migration.state === 'PENDING' : previous !== migration.state) {
          latencies.push(arrived - Date.parse(migration.modifiedAt));
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
