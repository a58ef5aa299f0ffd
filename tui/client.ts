/** The TUI's GraphQL client: urql, with queries over HTTP and subscriptions over graphql-ws. */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';
import type { ServerAddress } from './connection.ts';

export function mmsClient(address: ServerAddress, live: WsClient): Client {
  return new Client({
    url: address.url,
    fetchOptions: { headers: { authorization: `Bearer ${address.token}` } },
    // Live data comes from subscriptions; queries always ask the server.
    requestPolicy: 'network-only',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: live.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
}
