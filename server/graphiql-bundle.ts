/**
 * Runs in a worker thread: loads GraphiQL's prebuilt bundle (some 9 MB of strings, and some 40 MB of heap to
 * load them), turns each part into a file with its gzip and brotli forms, and hands the bytes over. The
 * heap that loaded them ends with the worker; the server keeps the bytes alone.
 */
import { parentPort } from 'node:worker_threads';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as bundle from '@graphql-yoga/render-graphiql/graphiql';

export interface BundleFile {
  /** The part of GraphiQL this is: the page refers to each by its role. */
  role: 'script' | 'style' | 'favicon' | 'editorWorker' | 'jsonWorker' | 'graphqlWorker';
  extension: 'js' | 'css' | 'ico';
  contentType: string;
  identity: Uint8Array;
  gzip: Uint8Array;
  brotli: Uint8Array;
}

const FAVICON_PREFIX = 'data:image/x-icon;base64,';

/** The bytes in a buffer of their own: a view into a shared (pooled) buffer could not be transferred alone. */
const separate = (bytes: Uint8Array) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);

function file(
  role: BundleFile['role'],
  extension: BundleFile['extension'],
  identity: Uint8Array,
): BundleFile {
  const contentType = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    ico: 'image/x-icon',
  }[extension];
  return {
    role,
    extension,
    contentType,
    identity: separate(identity),
    // Level 6 and quality 6 rather than the highest: a fifth of the time (the first page load waits for it,
    // and other clients share the cores meanwhile) for files 2 % larger.
    gzip: separate(gzipSync(identity, { level: 6 })),
    brotli: separate(
      brotliCompressSync(identity, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 6,
          [constants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength,
        },
      }),
    ),
  };
}

if (!bundle.favicon.startsWith(FAVICON_PREFIX)) throw new Error('GraphiQL favicon is not a base64 icon');
const text = (value: string) => new TextEncoder().encode(value);
const files: BundleFile[] = [
  file('script', 'js', text(bundle.js)),
  file('style', 'css', text(bundle.css)),
  file('favicon', 'ico', Buffer.from(bundle.favicon.slice(FAVICON_PREFIX.length), 'base64')),
  file('editorWorker', 'js', text(bundle.editorWorkerService)),
  file('jsonWorker', 'js', text(bundle.jsonWorker)),
  file('graphqlWorker', 'js', text(bundle.graphqlWorker)),
];
parentPort?.postMessage(
  files,
  files.flatMap(({ identity, gzip, brotli }) =>
    [identity, gzip, brotli].map((bytes) => bytes.buffer as ArrayBuffer),
  ),
);
