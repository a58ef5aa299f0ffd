/**
 * A separate process of N graphql-ws subscribers (so they do not share the server's event loop). Each
 * measures, for every state change it receives, the time from the migration's change to its arrival.
 * Prints "started" once loaded, connects them all (OPENING_AT_ONCE at a time) on a first SIGUSR2 (so that the time to connect leaves
 * out loading the process; SIGUSR1 would start Node's inspector), prints "ready" once every subscriber is
 * live, "received" once every subscriber has received as many state changes as expected, and one JSON line
 * of what it measured on the second SIGUSR2: each latency, and the migration it belongs to.
 *   node bench/subscribers.ts <url> <token> <subscribers> <state changes each is to receive>
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, countText, expectedText] = process.argv.slice(2);
const count = Number(countText);
/** State changes each subscriber is to receive: "received" is printed once every one has them all. */
const expected = Number(expectedText);
let complete = 0;
const latencies: number[] = [];
/** The migration each latency belongs to, in the same order. */
const migrationIds: string[] = [];
let ready = 0;
/**
 * Subscriptions being opened at once by this process: the next opens as one goes live. A burst of
 * thousands of connections overflows the server's listen backlog, and the connections it drops are reset.
 */
const OPENING_AT_ONCE = 100;
let opened = 0;
const openNext = () => {
  if (opened === count) return;
  opened += 1;
  subscribe();
};

// A signal listener does not keep a process alive: this does, until it is told to connect.
const waiting = setInterval(() => {}, 60_000);
process.once('SIGUSR2', () => {
  clearInterval(waiting);
  for (let i = 0; i < OPENING_AT_ONCE; i++) openNext();
  process.once('SIGUSR2', () => {
    // Exit only once the line is out: stdout to a pipe is written asynchronously.
    process.stdout.write(`${JSON.stringify({ latencies, migrationIds })}\n`, () => process.exit(0));
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
  let changes = 0;
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
          openNext();
          return;
        }
        // A state change: a new migration (PENDING) or another state than the last one seen. The first
        // event of an older migration (its invitation counts moved, its state did not) is none.
        const previous = lastState.get(migration.id);
        lastState.set(migration.id, migration.state);
        if (previous === undefined ? migration.state === 'PENDING' : previous !== migration.state) {
          latencies.push(arrived - Date.parse(migration.modifiedAt));
          migrationIds.push(migration.id);
          if (++changes === expected && ++complete === count) console.log('received');
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
