/** Subscription clients for tests: graphql-ws over a real WebSocket, and GraphQL over SSE with fetch. */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveSubscription<T> {
  /** Every event received so far. */
  events: T[];
  /**
   * Resolves with the first event not yet taken by an earlier `until` that satisfies the predicate: one that
   * already arrived (it may beat the mutation's own answer) or the next to come.
   */
  until(predicate: (event: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function collector<T>() {
  const events: T[] = [];
  const waiters: { predicate: (event: T) => boolean; resolve: (event: T) => void }[] = [];
  /** Events before this index were taken by an earlier `until`. */
  let taken = 0;
  return {
    events,
    push(event: T) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          taken = events.length;
          waiter.resolve(event);
        }
      }
    },
    until(predicate: (event: T) => boolean, timeoutMs = 10_000) {
      const index = events.findIndex((event, i) => i >= taken && predicate(event));
      if (index >= 0) {
        taken = index + 1;
        return Promise.resolve(events[index] as T);
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events).slice(0, 2000)}`),
            ),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}

export function subscribeOverWebSocket<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> & { closeCodes: number[] } {
  /** The code of every close of the socket (graphql-ws reconnects by itself after most). */
  const closeCodes: number[] = [];
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
  });
  const events = collector<T>();
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        events.push(result.data as T);
      },
      error: (error) => {
        throw error instanceof Error ? error : new Error(JSON.stringify(error));
      },
      complete: () => {},
    },
  );
  return {
    events: events.events,
    closeCodes,
    until: events.until,
    async close() {
      unsubscribe();
      // Closed while it waits to reconnect, the client has no socket to close, and rejects with that.
      await Promise.resolve(client.dispose()).catch((error: { reason?: string }) => {
        if (error.reason !== 'All Subscriptions Gone') throw error;
      });
    },
  };
}

export function subscribeOverSse<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> & { ended: Promise<void> } {
  const events = collector<T>();
  const abort = new AbortController();
  const done = (async () => {
    const response = await fetch(url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    if (!response.body) throw new Error(`no event stream: HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (message.includes('event: next') && data) {
          const result = JSON.parse(data) as { data?: T; errors?: unknown };
          if (result.errors) throw new Error(JSON.stringify(result.errors));
          events.push(result.data as T);
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
  return {
    events: events.events,
    /** Resolves when the server ends the stream (or it is closed here). */
    ended: done,
    until: events.until,
    async close() {
      abort.abort();
      await done;
    },
  };
}
