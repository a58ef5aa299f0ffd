/**
 * GraphiQL as a small page and static files: the script, styles, editor workers and icon that
 * @graphql-yoga/render-graphiql would inline into a 9 MB page are served once each, from memory, under names
 * that carry their content's hash, so a browser keeps them for good and asks again only for the page.
 * Nothing comes from the internet.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
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

function loadBundle(): Promise<Assets> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./graphiql-bundle.ts', import.meta.url));
    worker.once('message', (files: BundleFile[]) => {
      const assets: Assets = new Map();
      for (const file of files) {
        const hash = createHash('sha256').update(file.identity).digest('base64url').slice(0, 16);
        const name = `${file.role}-${hash}.${file.extension}`;
        assets.set(name, { ...file, name, etag: `"${hash}"` });
      }
      resolve(assets);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`GraphiQL bundle worker exited with code ${code}`)));
  });
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

export function graphiql(endpoint: string, logger: Pick<Console, 'error'>) {
  const prefix = `${endpoint}/assets/`;
  // Loaded when GraphiQL is first opened; loaded again after a failure.
  let loading: Promise<Assets> | null = null;
  const assets = () => {
    loading ??= loadBundle().catch((error: unknown) => {
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
