/** GraphQL over plain HTTP to a server in another process, as any client sends it. */
import { connect } from 'node:net';
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
    const piece = Buffer.alloc(64 * 1024, ' ');
    const framed = (part: Buffer) =>
      chunked
        ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')])
        : part;
    socket.write(framed(prefix));
    sent = prefix.length;
    const more = () => {
      while (sent < size - suffix.length && !socket.destroyed && !closedByServer) {
        const part = piece.subarray(0, Math.min(piece.length, size - suffix.length - sent));
        sent += part.length;
        if (!socket.write(framed(part))) return void socket.once('drain', more);
      }
      if (socket.destroyed || closedByServer) return;
      sent += suffix.length;
      // Not ended: a client's half-close lets the server drop the connection before it answers.
      socket.write(Buffer.concat([framed(suffix), Buffer.from(chunked ? '0\r\n\r\n' : '')]));
      if (whole()) finish();
    };
    more();
  });
}
