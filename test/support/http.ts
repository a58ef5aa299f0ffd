/** GraphQL over plain HTTP to a server in another process, as any client sends it. */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
export interface HttpResult {
  status: number;
  data?: Record<string, any>;
  errors?: unknown[];
}

/** Posts an operation with the bearer token; returns the status and the parsed body. */
export async function postGraphQL(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<HttpResult, 'status'>;
  return { status: response.status, ...body };
}

/** Like postGraphQL, but throws on any error and returns data. */
export async function queryGraphQL(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const result = await postGraphQL(url, token, query, variables);
  if (result.errors || !result.data) throw new Error(JSON.stringify(result));
  return result.data;
}

/** What a server did with a large body: its answer, and how much of the body it let the client send. */
export interface LargeBodyOutcome {
  status: number;
  connection: string | undefined;
  body: any;
  /** Bytes of the body the socket took before the server closed it (all of them if it never did). */
  sent: number;
  closedByServer: boolean;
}

/**
 * Sends a POST with a body of `size` bytes over a socket of its own (with a Content-Length, or in chunks),
 * writing as fast as the server reads, and keeps writing after the answer until the server closes the
 * connection or the body is all sent. The body is `{ viewer { kind } }` padded with spaces in an extension.
 */
export function sendLargeBody(
  url: string,
  size: number,
  {
    chunked = false,
    headers = {},
    localAddress,
  }: { chunked?: boolean; headers?: Record<string, string>; localAddress?: string },
): Promise<LargeBodyOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    let answer = Buffer.alloc(0);
    let sent = 0;
    let closedByServer = false;
    let settled = false;
    /** The answer once it is whole, by its Content-Length (or, without one, once the server has closed). */
    const whole = () => {
      const split = answer.indexOf('\r\n\r\n');
      if (split < 0) return null;
      const head = answer.subarray(0, split).toString('utf8');
      const declared = /^content-length: *(\d+)/im.exec(head)?.[1];
      const body = answer.subarray(split + 4);
      if (declared === undefined) return socket.destroyed ? { head, body: body.toString('utf8') } : null;
      return body.length >= Number(declared)
        ? { head, body: body.subarray(0, Number(declared)).toString('utf8') }
        : null;
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      const answered = whole();
      socket.destroy();
      const { head = '', body = '' } = answered ?? whole() ?? {};
      let parsed: any = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        // no answer: left null, which the caller's expectations show
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
        connection: /^connection: *(.*)$/im.exec(head)?.[1]?.trim(),
        body: parsed,
        sent,
        closedByServer,
      });
    };
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      // All sent and answered, on a connection the server keeps open: nothing more will come.
      if (sent === size && whole()) finish();
    });
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') closedByServer = true;
      else reject(error);
    });
    socket.on('close', finish);
    const head = [
      `POST ${new URL(url).pathname} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      'content-type: application/json',
      chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    const prefix = Buffer.from('{"query":"{ viewer { kind } }","extensions":{"pad":"');
    const suffix = Buffer.from('"}}');
    const framed = (part: Buffer) =>
      chunked
        ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')])
        : part;
    socket.write(framed(prefix));
    sent = prefix.length;
    pourSpaces(socket, size - prefix.length - suffix.length, {
      frame: framed,
      stopped: () => closedByServer,
      written: (bytes) => {
        sent += bytes;
      },
      done: () => {
        sent += suffix.length;
        // Not ended: a client's half-close lets the server drop the connection before it answers.
        socket.write(Buffer.concat([framed(suffix), Buffer.from(chunked ? '0\r\n\r\n' : '')]));
        if (whole()) finish();
      },
    });
  });
}

/** What a server did with a large WebSocket message: the close code it sent, and how much it let through. */
export interface LargeMessageOutcome {
  closeCode: number | null;
  /** Bytes of the message the socket took before the server closed it (all of them if it never did). */
  sent: number;
  closedByServer: boolean;
}

/**
 * Opens a graphql-transport-ws socket of its own and sends one text message of `size` spaces, writing as
 * fast as the server reads, until the server cuts the connection or the message is all sent. Like a client
 * that pays no heed (ws's own, for one), it goes on sending after the server's close frame and FIN.
 */
export function sendLargeMessage(url: string, size: number): Promise<LargeMessageOutcome> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    let received = Buffer.alloc(0);
    let upgraded = false;
    let sent = 0;
    let closedByServer = false;
    let cut = false;
    const closeCode = () => {
      // A close frame from a server: opcode 8, unmasked, its code in the first two bytes of its payload.
      const at = received.indexOf(0x88);
      return at >= 0 && received.length >= at + 4 ? received.readUInt16BE(at + 2) : null;
    };
    const finish = () => resolve({ closeCode: closeCode(), sent, closedByServer });
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') closedByServer = cut = true;
      else reject(error);
    });
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (upgraded) return;
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) return;
      if (!received.subarray(0, split).toString('latin1').startsWith('HTTP/1.1 101')) {
        socket.destroy();
        return;
      }
      upgraded = true;
      received = received.subarray(split + 4);
      // A final text frame, masked (as every client frame must be) with a zero key, so its bytes go as they are.
      const header = Buffer.alloc(14);
      header[0] = 0x81;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(size), 2);
      socket.write(header);
      pourSpaces(socket, size, {
        stopped: () => cut,
        written: (bytes) => {
          sent += bytes;
        },
        done: () => socket.end(),
      });
    });
    socket.write(
      [
        `GET ${pathname} HTTP/1.1`,
        `host: ${hostname}:${port}`,
        'upgrade: websocket',
        'connection: Upgrade',
        `sec-websocket-key: ${randomBytes(16).toString('base64')}`,
        'sec-websocket-version: 13',
        'sec-websocket-protocol: graphql-transport-ws',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

const SPACES = Buffer.alloc(64 * 1024, ' ');

/**
 * Writes `count` spaces in pieces, as fast as the peer reads them, each through `frame`; stops early once
 * the socket is gone or `stopped` says so, and calls `done` only when all were written.
 */
function pourSpaces(
  socket: Socket,
  count: number,
  {
    frame = (part) => part,
    stopped,
    written,
    done,
  }: {
    frame?: (part: Buffer) => Buffer;
    stopped: () => boolean;
    written: (bytes: number) => void;
    done: () => void;
  },
): void {
  let left = count;
  const more = () => {
    while (left > 0 && !socket.destroyed && !stopped()) {
      const part = SPACES.subarray(0, Math.min(SPACES.length, left));
      left -= part.length;
      written(part.length);
      if (!socket.write(frame(part))) return void socket.once('drain', more);
    }
    if (left === 0 && !socket.destroyed && !stopped()) done();
  };
  more();
}
