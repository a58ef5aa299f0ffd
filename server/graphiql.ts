/**
 * GraphiQL as a small page and static files: the script, styles, editor workers and icon that
 * @graphql-yoga/render-graphiql would inline into a 9 MB page are served once each, from memory, under names
 * that carry their content's hash, so a browser keeps them for good and asks again only for the page.
 * Nothing comes from the internet. Built once, they are kept on disk for the processes that follow.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { BundleFile } from './graphiql-bundle.ts';

interface Asset extends BundleFile {
  name: string;
  etag: string;
}

type Assets = Map<string, Asset>;

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Escapes what could end an inline script or open a comment in it. */
const inlineJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);

/** Builds GraphiQL's files in a worker thread (some 1.5 s of CPU and 100 MB of transient memory). */
function buildBundle(): Promise<BundleFile[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./graphiql-bundle.ts', import.meta.url));
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`GraphiQL bundle worker exited with code ${code}`)));
  });
}

/** What a kept bundle's manifest lists: each file's description and the digest of each form's bytes. */
type KeptFile = Pick<BundleFile, 'role' | 'extension' | 'contentType'> & { digests: string[] };
const FORMS = ['identity', 'gzip', 'brotli'] as const;
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The folder GraphiQL's files are kept in once built, named for the exact bundle they come from (its file's
 * place, size and time) and the way this code builds them: every later process reads them instead of
 * building them again. Beside the dependencies, as trusted as they are.
 */
function keptBundleDir(cacheRoot: string): string {
  const source = fileURLToPath(import.meta.resolve('@graphql-yoga/render-graphiql/graphiql'));
  const { size, mtimeMs } = statSync(source);
  const builder = readFileSync(new URL('./graphiql-bundle.ts', import.meta.url));
  const key = createHash('sha256').update(`${source}\0${size}\0${mtimeMs}\0`).update(builder).digest('hex');
  return join(cacheRoot, key.slice(0, 16));
}

/** The kept files, or null when there are none or one differs from its digest (a disk that failed). */
async function readKept(dir: string): Promise<BundleFile[] | null> {
  let manifest: KeptFile[];
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as KeptFile[];
  } catch {
    return null;
  }
  const files = await Promise.all(
    manifest.map(async ({ digests, ...kept }) => {
      const forms = await Promise.all(
        FORMS.map(async (form) => new Uint8Array(await readFile(join(dir, `${kept.role}.${form}`)))),
      );
      if (forms.some((bytes, i) => digest(bytes) !== digests[i])) return null;
      const [identity, gzip, brotli] = forms as [Uint8Array, Uint8Array, Uint8Array];
      return { ...kept, identity, gzip, brotli };
    }),
  ).catch(() => null);
  if (files === null || files.some((file) => file === null)) {
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  return files as BundleFile[];
}

/** Writes the files to a folder of their own and renames it into place: a reader sees all of them or none. */
async function keep(dir: string, files: BundleFile[]): Promise<void> {
  const partial = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await mkdir(partial, { recursive: true });
  try {
    for (const file of files) {
      for (const form of FORMS) await writeFile(join(partial, `${file.role}.${form}`), file[form]);
    }
    const manifest: KeptFile[] = files.map(({ role, extension, contentType, ...forms }) => ({
      role,
      extension,
      contentType,
      digests: FORMS.map((form) => digest(forms[form])),
    }));
    await writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest));
    await rename(partial, dir).catch((error: NodeJS.ErrnoException) => {
      // Another process kept the same files first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    // Left over when another process kept them first, or when writing failed.
    await rm(partial, { recursive: true, force: true });
  }
}

/**
 * GraphiQL's files: read from where they were kept, or built and kept (also for the processes after this
 * one); a place that cannot be written to only means building them again next time.
 */
async function loadBundle(cacheRoot: string | null, log: GraphiqlLog): Promise<Assets> {
  const dir = cacheRoot === null ? null : keptBundleDir(cacheRoot);
  let files = dir === null ? null : await readKept(dir);
  if (files === null) {
    const started = performance.now();
    files = await buildBundle();
    log.info(`GraphiQL files built in ${Math.round(performance.now() - started)} ms`);
    if (dir !== null) {
      await keep(dir, files).catch((error: unknown) =>
        log.info(`GraphiQL files not kept in ${dir} (${(error as Error).message}): built again next start`),
      );
    }
  }
  const assets: Assets = new Map();
  for (const file of files) {
    const hash = createHash('sha256').update(file.identity).digest('base64url').slice(0, 16);
    const name = `${file.role}-${hash}.${file.extension}`;
    assets.set(name, { ...file, name, etag: `"${hash}"` });
  }
  return assets;
}

/** The encoding to send, from the forms every asset has: brotli, then gzip, else none. */
function chosenEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, ...parameters]) => !parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter)))
      .map(([coding]) => coding?.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

function send(request: IncomingMessage, response: ServerResponse, asset: Asset | undefined): void {
  if (!asset) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  const common = {
    'Cache-Control': IMMUTABLE,
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  };
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) {
    response.writeHead(304, common).end();
    return;
  }
  const encoding = chosenEncoding(request.headers['accept-encoding']);
  const body = encoding === 'br' ? asset.brotli : encoding === 'gzip' ? asset.gzip : asset.identity;
  response.writeHead(200, {
    ...common,
    'Content-Type': asset.contentType,
    'Content-Length': body.byteLength,
    ...(encoding ? { 'Content-Encoding': encoding } : {}),
  });
  // The same bytes for every request: nothing is copied or built per request.
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Where the loading of GraphiQL's files tells what it did. */
type GraphiqlLog = { info(message: string): void };

/** Where GraphiQL's built files are kept by default (see keptBundleDir). */
export const GRAPHIQL_CACHE_ROOT = fileURLToPath(
  new URL('../node_modules/.cache/mms-graphiql', import.meta.url),
);

export function graphiql(
  endpoint: string,
  logger: Pick<Console, 'error'> & GraphiqlLog,
  cacheRoot: string | null = GRAPHIQL_CACHE_ROOT,
) {
  const prefix = `${endpoint}/assets/`;
  // Loaded when GraphiQL is first opened; loaded again after a failure.
  let loading: Promise<Assets> | null = null;
  const assets = () => {
    loading ??= loadBundle(cacheRoot, logger).catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
  const pathOf = (assets: Assets, role: BundleFile['role']) =>
    `${prefix}${[...assets.values()].find((asset) => asset.role === role)?.name}`;

  return {
    /** The page yoga answers a browser's GET of the endpoint with (yoga's `renderGraphiQL`): about 1 kB. */
    async renderPage(options: GraphiQLOptions): Promise<string> {
      const loaded = await assets();
      const workers = {
        editorWorkerService: pathOf(loaded, 'editorWorker'),
        json: pathOf(loaded, 'jsonWorker'),
        graphql: pathOf(loaded, 'graphqlWorker'),
      };
      return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${pathOf(loaded, 'favicon')}" />
    <link rel="stylesheet" href="${pathOf(loaded, 'style')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${inlineJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${pathOf(loaded, 'script')}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${inlineJson(options)});
    </script>
  </body>
</html>
`;
    },

    /** Serves GET and HEAD under `<endpoint>/assets/`; hands every other request to `next`. */
    serveAssets(next: RequestListener): RequestListener {
      return (request, response) => {
        // The path as sent, undecoded: only the exact names of the assets match, so no `..` can lead elsewhere.
        const path = (request.url ?? '').split('?')[0] ?? '';
        if (!path.startsWith(prefix)) {
          next(request, response);
          return;
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          response.writeHead(405, { Allow: 'GET, HEAD' }).end();
          return;
        }
        assets().then(
          (loaded) => send(request, response, loaded.get(path.slice(prefix.length))),
          (error: unknown) => {
            logger.error('GraphiQL assets could not be loaded', error);
            response.writeHead(500).end();
          },
        );
      };
    },
  };
}
