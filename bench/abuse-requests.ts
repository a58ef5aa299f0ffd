/**
 * The requests of the abuse check (bench/abuse.ts): a plain HTTP post from a chosen local address, and every
 * attack the limits refuse (SPEC §7), each a request or socket that one call makes.
 */
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

/**
 * Each comes from an address of its own (every 127.x address is this machine's): the attacker holding a
 * valid token, the guesser of tokens, and the ordinary client. Failed authentications slow the guesser's
 * address alone, as they would in the field; the attacker's requests all reach the limits.
 */
export const ATTACKER_ADDRESS = '127.0.0.1';
export const GUESSER_ADDRESS = '127.0.0.3';
export const ORDINARY_ADDRESS = '127.0.0.2';

/** Posts a body as it is, with a token; resolves with the status (0 when the connection failed). */
export function post(
  url: string,
  body: string | Buffer,
  token: string,
  { chunked = false, localAddress = ATTACKER_ADDRESS } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          // The answer's status tells the refusal (with plain JSON every answer would be 200).
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${token}`,
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

export const query = (text: string, variables: Record<string, unknown> = {}) =>
  JSON.stringify({ query: text, variables });

/** The attacks, each a request or socket that one call makes. */
export function attacks(url: string, token: string): Record<string, () => Promise<unknown>> {
  const wsUrl = url.replace(/^http/, 'ws');
  const socket = (send: (ws: WebSocket) => void, holdMs: number) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { localAddress: ATTACKER_ADDRESS });
      ws.on('error', () => resolve('socket error'));
      ws.on('close', (code) => resolve(`closed ${code}`));
      ws.on('open', () => {
        send(ws);
        setTimeout(() => ws.terminate(), holdMs);
      });
    });
  // Each body is made once: the attackers share the server's two cores, and making a body anew for every
  // request would measure the attacker's work as much as the server's.
  const pageOf100000 = query(
    'query ($n: Int) { tenant { meetings(first: $n) { edges { node { body } } } } }',
    {
      n: 100_000,
    },
  );
  const nestedPages = query(
    '{ tenants(first: 500) { edges { node { users(first: 500) { edges { node { userPrincipalName } } } meetings(first: 500) { edges { node { body } } } } } } }',
  );
  const fiftyThousandIds = query('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
    ids: Array.from({ length: 50_000 }, (_, i) => Buffer.from(`User:${i + 1}`).toString('base64')),
  });
  const twentyMegabytes = Buffer.alloc(20 * 1024 * 1024, 32);
  const fiftyMegabytes = Buffer.alloc(50 * 1024 * 1024, 32);
  const longSipAddress = query(
    'mutation ($input: SetUserSipAddressInput!) { setUserSipAddress(input: $input) { __typename } }',
    {
      input: {
        userId: Buffer.from('User:1').toString('base64'),
        sipAddress: `sip:${'a'.repeat(1_000_000)}@contoso.com`,
      },
    },
  );
  const deepQuery = query(
    `{ ${'tenant { users(first: 1) { edges { node { '.repeat(50)}id${' } } } }'.repeat(50)} }`,
  );
  const manyAliases = query(
    `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
  );
  const init = (ws: WebSocket) =>
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
  return {
    'a page size of 100,000 passed as a variable': () => post(url, pageOf100000, token),
    'nested pages at the largest size': () => post(url, nestedPages, token),
    'nodes with 50,000 ids': () => post(url, fiftyThousandIds, token),
    'a 20 MB body with a wrong token': () =>
      post(url, twentyMegabytes, 'wrong-token', { localAddress: GUESSER_ADDRESS }),
    'a 20 MB chunked body': () => post(url, twentyMegabytes, token, { chunked: true }),
    'a 1 MB SIP address': () => post(url, longSipAddress, token),
    'a query 200 levels deep': () => post(url, deepQuery, token),
    '5,000 aliases': () => post(url, manyAliases, token),
    'wrong tokens, one after another': () =>
      post(url, query('{ viewer { kind } }'), `mms_op_guess-${Math.random()}`, {
        localAddress: GUESSER_ADDRESS,
      }),
    'a 50 MB WebSocket message before connection_init': () => socket((ws) => ws.send(fiftyMegabytes), 1_000),
    'sockets that never send connection_init': () => socket(() => {}, 10_000),
    '500 subscriptions on one socket': () =>
      socket((ws) => {
        init(ws);
        ws.once('message', () => {
          for (let i = 0; i < 500; i++) {
            ws.send(
              JSON.stringify({
                id: String(i),
                type: 'subscribe',
                payload: { query: 'subscription { meetingMigrationUpdated { id state } }' },
              }),
            );
          }
        });
      }, 3_000),
    'GraphiQL loaded in a browser': () =>
      new Promise((resolve) => {
        const request = httpRequest(url, { headers: { accept: 'text/html' } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        });
        request.on('error', resolve);
        request.end();
      }),
  };
}
