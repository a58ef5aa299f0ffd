/**
 * A client of several API processes behind a load balancer, as an operator's screen is: it follows every
 * migration live (meetingMigrationUpdated, replaying from `since` each time it connects) and reads the list
 * over HTTP now and then. When the process it talks to goes away, it turns to the next one, reads the list
 * again and subscribes there: nothing it shows may be lost on the way.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { postGraphQL } from './http.ts';

export type Migration = Record<string, unknown> & { id: string; state: string };

export interface FailoverClient {
  /** The latest state of each migration this client knows of, by id. */
  migrations: Map<string, Migration>;
  /** The endpoint of each WebSocket connection it made, in order. */
  connections: string[];
  /** Requests answered (by whichever process), and those lost with the process they were sent to. */
  requests: { answered: number; lost: number };
  /** Anything a process answered with an error: none is expected. */
  errors: unknown[];
  /** Stops reading now and then; the subscription stays. */
  stopReading(): Promise<void>;
  close(): Promise<void>;
}

export interface FailoverClientOptions {
  /** The API processes' endpoints: the first is this client's own, the others where it turns after. */
  urls: string[];
  token: string;
  /** The migration fields it keeps. */
  fields: string;
  /** Where every subscription's replay starts (the product's clients start a few minutes early). */
  since: string;
  /** How long it waits between two reads of the list. */
  readEveryMs: number;
}

/** The page size of a full read; the reads now and then take the first page of this size. */
const PAGE = 100;
const FIRST_PAGE = 20;

/** Reads the tenant's migrations, newest first, page by page: `query` sends one and returns its data. */
export async function eachMigrationPage(
  query: (text: string, variables: Record<string, unknown>) => Promise<Record<string, any> | undefined>,
  fields: string,
  visit: (nodes: Migration[]) => void,
  { pages = Number.POSITIVE_INFINITY, pageSize = PAGE } = {},
): Promise<void> {
  let after: string | null = null;
  for (let page = 0; page < pages; page++) {
    const data = await query(
      `query($first: Int!, $after: String) { meetingMigrations(first: $first, after: $after) {
        edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      { first: pageSize, after },
    );
    if (!data) return;
    visit(data.meetingMigrations.edges.map((edge: { node: Migration }) => edge.node));
    if (!data.meetingMigrations.pageInfo.hasNextPage) return;
    after = data.meetingMigrations.pageInfo.endCursor;
  }
}

export function failoverClient(options: FailoverClientOptions): FailoverClient {
  const { urls, token, fields } = options;
  const migrations = new Map<string, Migration>();
  const connections: string[] = [];
  const requests = { answered: 0, lost: 0 };
  const errors: unknown[] = [];
  let current = 0;
  /** The process the WebSocket connects (or last connected) to. */
  let socketIndex = 0;
  let closing = false;
  let reading = true;
  /** Reads under way, each with the migrations events told of since it was sent: those are newer. */
  const reads = new Set<Set<string>>();

  const turnFrom = (index: number) => {
    // Only once per failure, however many requests noticed it.
    if (current === index) current = (index + 1) % urls.length;
  };

  /** A request to the process in use; sent again to the next one when its process is gone. */
  async function request(query: string, variables: Record<string, unknown> = {}) {
    for (;;) {
      const index = current;
      try {
        const result = await postGraphQL(urls[index] as string, token, query, variables);
        requests.answered++;
        if (result.status !== 200 || result.errors) errors.push(result);
        return result.data;
      } catch {
        // The connection was refused or dropped: the process went away.
        requests.lost++;
        if (closing) return undefined;
        turnFrom(index);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Reads the list, page by page; an event that arrived meanwhile is newer than what the page says. */
  async function read(pages = Number.POSITIVE_INFINITY, pageSize = PAGE) {
    const seen = new Set<string>();
    reads.add(seen);
    try {
      await eachMigrationPage(
        request,
        fields,
        (nodes) => {
          for (const node of nodes) if (!seen.has(node.id)) migrations.set(node.id, node);
        },
        { pages, pageSize },
      );
    } finally {
      reads.delete(seen);
    }
  }

  const live = createClient({
    url: () => {
      socketIndex = current;
      return (urls[current] as string).replace(/^http/, 'ws');
    },
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => !closing,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
    on: {
      connected: () => {
        connections.push(urls[socketIndex] as string);
        // Read again on every connection: what changed while it had none is in the list or the replay.
        void read();
      },
      closed: () => {
        if (!closing) turnFrom(socketIndex);
      },
    },
  });
  const unsubscribe = live.subscribe<{ meetingMigrationUpdated: Migration }>(
    {
      query: `subscription($since: DateTime) { meetingMigrationUpdated(since: $since) { ${fields} } }`,
      variables: { since: options.since },
    },
    {
      next: (result) => {
        if (result.errors || !result.data) {
          errors.push(result);
          return;
        }
        const migration = result.data.meetingMigrationUpdated;
        migrations.set(migration.id, migration);
        for (const seen of reads) seen.add(migration.id);
      },
      error: (error) => errors.push(error),
      complete: () => {
        if (!closing) errors.push(new Error('the server completed the subscription'));
      },
    },
  );

  /** Reads the summary and the first page in turn until told to stop, as a screen refreshing would. */
  const reader = (async () => {
    for (let i = 0; reading; i++) {
      if (i % 2 === 0) await request('{ meetingMigrationSummary { pending inProgress succeeded } }');
      else await read(1, FIRST_PAGE);
      await new Promise((resolve) => setTimeout(resolve, options.readEveryMs));
    }
  })();

  return {
    migrations,
    connections,
    requests,
    errors,
    async stopReading() {
      reading = false;
      await reader;
    },
    async close() {
      reading = false;
      closing = true;
      await reader;
      unsubscribe();
      await Promise.resolve(live.dispose()).catch(() => {});
    },
  };
}
