/**
 * How request bodies are read (server/limits.ts), over a real HTTP server: whole and unaltered, in one
 * chunk, and with their memory given back at once rather than left to the next garbage collection.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Readable } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { limitRequestBodies } from '../../server/limits.ts';
import { eventually } from '../support/eventually.ts';
import { sendLargeBody } from '../support/http.ts';

const MAX_BODY_BYTES = 1024 * 1024;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

interface Seen {
  /** The chunks Node read, kept to look at afterwards. */
  nodeChunks: Buffer[];
  /** The chunks of the body handed on, kept to look at afterwards. */
  handedOn: Buffer[];
  /** A copy of the body handed on, made as the next handler read it. */
  contents: Buffer;
  /** The answer has gone (the response is closed). */
  answered: Promise<unknown>;
}

/** A server whose next handler reads the body it is given and answers with its size. */
async function serve(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const limited = limitRequestBodies(async (incoming, response) => {
    const entry = seen.at(-1) as Seen;
    for await (const chunk of (incoming as IncomingMessage & { body: Readable }).body)
      entry.handedOn.push(chunk as Buffer);
    entry.contents = Buffer.concat(entry.handedOn);
    entry.answered = new Promise((resolve) => response.once('close', resolve));
    response.end(String(entry.contents.length));
  }, MAX_BODY_BYTES);
  server = createServer((incoming, response) => {
    const entry: Seen = {
      nodeChunks: [],
      handedOn: [],
      contents: Buffer.alloc(0),
      answered: Promise.resolve(),
    };
    seen.push(entry);
    // Listening first, this sees every chunk Node reads before the body reader does.
    incoming.on('data', (chunk: Buffer) => entry.nodeChunks.push(chunk));
    limited(incoming, response);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = (server as Server).address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, seen };
}

function post(url: string, body: Buffer, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.on('error', reject);
    if (!chunked) return void outgoing.end(body);
    // In many pieces, so that the gathered body has to grow.
    for (let at = 0; at < body.length; at += 10_000) outgoing.write(body.subarray(at, at + 10_000));
    outgoing.end();
  });
}

test.each([
  ['with a Content-Length', false],
  ['in chunks', true],
])(
  'a body sent %s is handed on whole, in one chunk, and its memory is freed at once',
  async (_name, chunked) => {
    const { url, seen } = await serve();
    // Every byte different from its neighbours, so that a piece lost, doubled or misplaced shows.
    const body = Buffer.from(Array.from({ length: 900_000 }, (_, i) => 32 + ((i * 7) % 90)));
    const answer = await post(url, body, chunked);
    expect(answer).toEqual({ status: 200, text: String(body.length) });
    const [entry] = seen as [Seen];
    expect(entry.handedOn).toHaveLength(1);
    expect(entry.contents.equals(body)).toBe(true);
    // Node read the body in many chunks; each was released once copied, and the body itself once answered.
    await entry.answered;
    expect(entry.nodeChunks.length).toBeGreaterThan(3);
    expect(entry.nodeChunks.map((chunk) => chunk.length)).toEqual(entry.nodeChunks.map(() => 0));
    expect(entry.handedOn.map((chunk) => chunk.length)).toEqual([0]);
  },
);

test('a chunked body over the limit is refused 413 while it grows, and nothing is handed on', async () => {
  const { url, seen } = await serve();
  const outcome = await sendLargeBody(url, 3 * MAX_BODY_BYTES, { chunked: true });
  expect(outcome).toMatchObject({ status: 413, connection: 'close' });
  expect(seen).toHaveLength(1);
  expect(seen[0]?.handedOn).toEqual([]);
});

test('clients that announce a large body and send a byte hold a few kilobytes each, not what they announced', async () => {
  const { url, seen } = await serve();
  const { port } = new URL(url);
  const before = process.memoryUsage().arrayBuffers;
  const sockets = Array.from({ length: 40 }, () => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.write(`POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${MAX_BODY_BYTES}\r\n\r\n{`);
    return socket;
  });
  try {
    await eventually(
      () => seen.filter((entry) => entry.nodeChunks.length > 0).length === 40,
      'a byte of each body read',
    );
    // Reserving what each announced would hold 40 MiB here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});
