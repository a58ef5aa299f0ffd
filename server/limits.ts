/**
 * What one client may ask of the server, and the HTTP side of enforcing it: a request body over the limit
 * is refused with 413 before it is parsed or its token looked at. The GraphQL side (page sizes, cost, depth,
 * input lengths) is server/schema/limits.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export interface Limits {
  /** Largest HTTP request body, and largest WebSocket message, in bytes (MMS_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Largest cost of one operation: every field counts once per item of the pages around it (MMS_MAX_COST). */
  maxCost: number;
  /** Deepest selection (MMS_MAX_DEPTH). */
  maxDepth: number;
  /** Most aliases in one operation (MMS_MAX_ALIASES). */
  maxAliases: number;
  /** Most tokens in one document (MMS_MAX_TOKENS). */
  maxTokens: number;
  /** Most subscriptions open at once on one WebSocket (MMS_MAX_SUBSCRIPTIONS_PER_SOCKET). */
  maxSubscriptionsPerSocket: number;
  /** How long a WebSocket may take to send connection_init before it is closed 4408 (MMS_CONNECTION_INIT_MS). */
  connectionInitMs: number;
  /** Most events a subscription starts with (`since`, open migrations) before its live ones (MMS_MAX_REPLAY_EVENTS). */
  maxReplayEvents: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 1024 * 1024,
  maxCost: 50_000,
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5_000,
  maxSubscriptionsPerSocket: 100,
  connectionInitMs: 3_000,
  maxReplayEvents: 10_000,
};

/** Items a connection page holds when neither `first` nor `last` is given, and the most it may ask for. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** The most ids one `nodes(ids:)` may name. */
export const MAX_NODE_IDS = 100;

/** The `extensions.code` of each refusal, as clients see it. */
export const LIMIT_CODES = {
  body: 'BODY_TOO_LARGE',
  pageSize: 'PAGE_SIZE_LIMIT',
  nodes: 'NODES_LIMIT',
  cost: 'COST_LIMIT',
  depth: 'DEPTH_LIMIT',
  aliases: 'ALIAS_LIMIT',
  tokens: 'TOKEN_LIMIT',
  directives: 'DIRECTIVE_LIMIT',
  subscriptions: 'SUBSCRIPTION_LIMIT',
  replay: 'REPLAY_LIMIT',
} as const;

/**
 * Answers a request whose body is left unread, and closes its connection once the answer is sent. Kept
 * alive, the connection would have Node read and throw away the whole body first (20 MB at a time, from a
 * client that keeps sending them), holding up every other client.
 */
export function refuseUnreadBody(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  errors: { message: string; extensions: Record<string, unknown> }[],
): void {
  const body = JSON.stringify({ errors });
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  });
  response.end(body);
}

function refuseBody(response: ServerResponse, maxBodyBytes: number): void {
  refuseUnreadBody(response, 413, {}, [
    {
      message: `The request body is larger than ${maxBodyBytes} bytes`,
      extensions: { code: LIMIT_CODES.body },
    },
  ]);
}

/**
 * Hands requests to `next` with their bodies read, of at most `maxBodyBytes`: a declared Content-Length over
 * it is refused at once, and a body without one (chunked) is counted as it arrives and refused past it.
 *
 * The body is gathered into one buffer, given to yoga as `request.body`, a stream of that one chunk (which it
 * takes as it is; a Buffer there would take a path several times slower). Memory is given back as soon as it
 * is no longer needed rather than at the next garbage collection, which under a stream of large bodies comes
 * late: each chunk Node read is released once copied, and the gathered body once the answer is sent.
 */
export function limitRequestBodies(next: RequestListener, maxBodyBytes: number): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      next(request, response);
      return;
    }
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      refuseBody(response, maxBodyBytes);
      return;
    }
    // Node has checked that a declared length is a number. The buffer grows with what arrives, never
    // past it: a client that announces a megabyte and sends a byte holds no more than a few kilobytes.
    const expected = declared === undefined ? maxBodyBytes : Number(declared);
    let body = Buffer.allocUnsafeSlow(0);
    let received = 0;
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > maxBodyBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        release(body);
        refuseBody(response, maxBodyBytes);
        return;
      }
      if (received + chunk.length > body.length) {
        const larger = Buffer.allocUnsafeSlow(
          Math.min(expected, Math.max(2 * body.length, received + chunk.length)),
        );
        body.copy(larger, 0, 0, received);
        release(body);
        body = larger;
      }
      received += chunk.copy(body, received);
      release(chunk);
    };
    const onEnd = () => {
      const gathered = body.subarray(0, received);
      (request as IncomingMessage & { body?: Readable }).body = Readable.from([gathered]);
      response.once('close', () => release(body));
      next(request, response);
    };
    request.on('data', onData);
    request.on('end', onEnd);
  };
}

/**
 * Frees a buffer's memory now, when it alone holds it (Node's own chunks and the bodies gathered here do;
 * a slice of a shared pool does not and is left alone). It reads as empty from then on.
 */
function release(buffer: Buffer): void {
  const memory = buffer.buffer;
  if (memory instanceof ArrayBuffer && buffer.byteOffset === 0 && buffer.length === memory.byteLength)
    memory.transfer(0);
}
