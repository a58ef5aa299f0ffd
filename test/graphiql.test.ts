/**
 * GraphiQL at /graphql in a real browser on a machine without internet: the UI must come entirely from this
 * server (no CDN), and an operator must be able to paste a token into the headers editor and run a query.
 * The page is small; its script, styles and workers are files a browser keeps, and serving them costs the
 * server next to no memory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser, Page, Request, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openOfflinePage } from './support/browser.ts';
import { run } from './support/processes.ts';
import { startServer, type TestServer } from './support/server.ts';

const TENANT_NAME = 'Fabrikam';
/** The first query of the README's GraphiQL section, as a reader would paste it. */
const README_QUERY = (() => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## GraphiQL'));
  const query = /```graphql\n([\s\S]*?)```/.exec(section)?.[1];
  if (!query) throw new Error('no GraphQL example in the README section "GraphiQL"');
  return query.trim();
})();
const ASSETS = '/graphql/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

let server: TestServer;
let browser: Browser | undefined;
let operatorToken: string;

beforeAll(async () => {
  server = await startServer();
  const created = await server.gql<{ createTenant: { tenant: { id: string } } }>(
    server.adminToken,
    `mutation($input: CreateTenantInput!) {
      createTenant(input: $input) { ... on CreateTenantPayload { tenant { id } } }
    }`,
    { input: { name: TENANT_NAME, primaryDomain: 'fabrikam.com' } },
  );
  const issued = await server.gql<{ createOperatorToken: { token: string } }>(
    server.adminToken,
    `mutation($input: CreateOperatorTokenInput!) {
      createOperatorToken(input: $input) { ... on CreateOperatorTokenPayload { token } }
    }`,
    { input: { tenantId: created.createTenant.tenant.id, name: 'graphiql' } },
  );
  operatorToken = issued.createOperatorToken.token;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** GraphiQL's Monaco editors, told apart by their model URIs (`<session>-operation.graphql` and so on). */
const editor = (page: Page, file: string) => page.locator(`.monaco-editor[data-uri$="-${file}"]`);

/** The text an editor shows; Monaco renders spaces as non-breaking ones. */
const shownText = async (page: Page, file: string) =>
  ((await editor(page, file).locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');

/**
 * Replaces the whole text of an editor. insertText sends one input event, so Monaco's auto-closing of brackets
 * and quotes (which would garble key-by-key typing) does not apply.
 */
async function replaceEditorText(page: Page, file: string, text: string): Promise<void> {
  await editor(page, file).locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  // Scroll back to the start of a long line, so the screenshot shows where it begins.
  await page.keyboard.press('Home');
  await expect.poll(() => shownText(page, file), { timeout: 5_000 }).toBe(text);
}

describe('GraphiQL', () => {
  it('loads with no internet and runs the README query and a subscription with the token from the headers editor', async () => {
    // Launched here rather than in beforeAll: a hook failure would mark the test skipped, and a missing
    // Chromium must fail it.
    browser = await launchBrowser();
    const { context, page, blocked } = await openOfflinePage(browser);
    const operations: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql')
        operations.push(request);
    });
    const assets: Response[] = [];
    context.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith(ASSETS)) assets.push(response);
    });

    // A navigation sends Accept: text/html, which is what makes yoga answer with GraphiQL.
    const response = await page.goto(server.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    // The page only names its files: under 2 kB where everything inlined made 9 MB.
    expect((await response?.body())?.byteLength).toBeLessThan(2_000);

    await editor(page, 'operation.graphql').waitFor({ state: 'visible', timeout: 20_000 });
    await expect.poll(() => page.title()).toBe('MMS — Meeting Migration Service');

    // The server's placeholder header opens the headers editor; open it by its tab if a change hides it.
    const headers = editor(page, 'request-headers.json');
    if (!(await headers.isVisible())) await page.getByRole('button', { name: 'Headers' }).click();
    await expect
      .poll(() => shownText(page, 'request-headers.json'), { timeout: 5_000 })
      .toContain('Authorization');
    await replaceEditorText(
      page,
      'request-headers.json',
      JSON.stringify({ Authorization: `Bearer ${operatorToken}` }),
    );
    await replaceEditorText(page, 'operation.graphql', README_QUERY.replace(/\s+/g, ' '));

    await page.locator('.graphiql-execute-button').click();

    // The tenant is new: no migrations yet, and no errors.
    await expect
      .poll(() => shownText(page, 'response.json'), { timeout: 15_000 })
      .toMatch(/"meetingMigrationSummary": \{ *"pending": 0,.*"meetingMigrations": \{ *"edges": \[\]/);
    expect(await shownText(page, 'response.json')).not.toContain('"errors"');
    // The query is valid against the introspected schema: once the (blob-served) worker catches up, no marker stays.
    await expect
      .poll(() => editor(page, 'operation.graphql').locator('.squiggly-error').count(), { timeout: 5_000 })
      .toBe(0);
    // Monaco repaints the operation editor in animation frames after the response pane takes its width.
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    await page.screenshot({ path: '/tmp/graphiql.png' });

    // The query ran with the token typed into the headers editor (not the placeholder).
    const executed = operations.find((request) => request.postData()?.includes('meetingMigrationSummary'));
    expect(await executed?.headerValue('authorization')).toBe(`Bearer ${operatorToken}`);

    // A subscription runs as before: over SSE (an event stream), carrying the header from the editor.
    await replaceEditorText(
      page,
      'operation.graphql',
      'subscription { meetingMigrationSummaryUpdated { pending failed } }',
    );
    const streamed = page.waitForRequest((request) =>
      decodeURIComponent(`${request.url()} ${request.postData()}`).includes('meetingMigrationSummaryUpdated'),
    );
    await page.locator('.graphiql-execute-button').click();
    const subscription = await streamed;
    expect(await subscription.headerValue('accept')).toContain('text/event-stream');
    expect(await subscription.headerValue('authorization')).toBe(`Bearer ${operatorToken}`);
    await expect
      .poll(() => shownText(page, 'response.json'), { timeout: 15_000 })
      .toMatch(/"meetingMigrationSummaryUpdated": \{ *"pending": 0, *"failed": 0/);

    // Script, styles, icon and the editors' workers each came as a file a browser may keep for good.
    const served = assets.map((asset) => new URL(asset.url()).pathname.slice(ASSETS.length).split('-')[0]);
    expect(new Set(served)).toEqual(
      new Set(['script', 'style', 'favicon', 'editorWorker', 'jsonWorker', 'graphqlWorker']),
    );
    for (const asset of assets) {
      expect({ url: asset.url(), status: asset.status(), cache: asset.headers()['cache-control'] }).toEqual({
        url: asset.url(),
        status: 200,
        cache: IMMUTABLE,
      });
    }

    // Everything (scripts, styles, workers, fonts) came from this server; nothing tried to leave the machine.
    expect(blocked).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('GraphiQL in a browser that visited before', () => {
  it('takes the script and styles from its cache and asks only for the page', async () => {
    browser ??= await launchBrowser();
    // No request routing here: Playwright turns the HTTP cache off for routed contexts.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const network = await context.newCDPSession(page);
    await network.send('Network.enable');
    /** Per asset path of the current visit: fetched from the server (with its status) or from the cache. */
    let visit = new Map<string, string>();
    const pathOf = (url: string) => new URL(url).pathname;
    const idToPath = new Map<string, string>();
    network.on('Network.requestWillBeSent', ({ requestId, request }) => {
      if (pathOf(request.url).startsWith(ASSETS)) idToPath.set(requestId, pathOf(request.url));
    });
    network.on('Network.requestServedFromCache', ({ requestId }) => {
      const path = idToPath.get(requestId);
      if (path) visit.set(path, 'cache');
    });
    network.on('Network.responseReceived', ({ requestId, response }) => {
      const path = idToPath.get(requestId);
      if (path && !visit.has(path))
        visit.set(
          path,
          response.fromDiskCache || response.fromPrefetchCache ? 'cache' : `${response.status}`,
        );
    });
    const open = async () => {
      visit = new Map();
      await page.goto(server.url, { waitUntil: 'load' });
      await editor(page, 'operation.graphql').waitFor({ state: 'visible', timeout: 20_000 });
      // This session sees the page's own requests (the workers' are their own targets'): its script and styles.
      await expect
        .poll(() => [...visit.keys()].map((path) => path.slice(ASSETS.length).split('-')[0]).sort(), {
          timeout: 10_000,
        })
        .toEqual(expect.arrayContaining(['script', 'style']));
      return visit;
    };

    const first = await open();
    expect([...first.values()].every((how) => how === '200')).toBe(true);
    // Another tab away and back: a new navigation, not a reload (which revalidates on purpose).
    await page.goto('about:blank');
    const second = await open();
    // The icon may come before or after the editors are up: only what this visit asked for is compared.
    for (const [path, how] of second) expect({ path, how }).toEqual({ path, how: 'cache' });
    await context.close();
  }, 60_000);
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP request with its path sent exactly as given: fetch would resolve `..` and `%2e%2e` first. */
function raw(path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  const { hostname, port } = new URL(server.url);
  return new Promise<RawResponse>((resolve, reject) => {
    const request = httpRequest({
      hostname,
      port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers,
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** The asset paths the page names, without a token. */
async function assetPaths(): Promise<string[]> {
  const page = await raw('/graphql', { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  return [...new Set(page.body.toString().match(/\/graphql\/assets\/[\w-]+\.\w+/g))];
}

describe('GraphiQL files over HTTP', () => {
  it('are served without a token, kept for a year, and answered 304 when the browser has them', async () => {
    const paths = await assetPaths();
    expect(paths).toHaveLength(6);
    for (const path of paths) {
      const plain = await raw(path);
      expect(plain.status).toBe(200);
      expect(plain.headers['cache-control']).toBe(IMMUTABLE);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Number(plain.headers['content-length'])).toBe(plain.body.byteLength);
      const etag = plain.headers.etag as string;
      // The name carries the hash the ETag is.
      expect(path).toContain(etag.replaceAll('"', ''));

      const brotli = await raw(path, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers.vary).toBe('Accept-Encoding');
      expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);
      const gzip = await raw(path, { headers: { 'accept-encoding': 'gzip, br;q=0' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);

      const head = await raw(path, { method: 'HEAD' });
      expect({
        status: head.status,
        length: head.headers['content-length'],
        body: head.body.byteLength,
      }).toEqual({
        status: 200,
        length: plain.headers['content-length'],
        body: 0,
      });
      const again = await raw(path, { headers: { 'if-none-match': etag } });
      expect({ status: again.status, body: again.body.byteLength }).toEqual({ status: 304, body: 0 });
      // Another ETag (a file changed since): the whole file again.
      expect((await raw(path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    }
  });

  it('answer 404 for any other name, however it tries to climb out of the folder', async () => {
    const [script] = (await assetPaths()).filter((path) => path.includes('/script-'));
    const name = script?.slice(ASSETS.length) ?? '';
    for (const path of [
      `${ASSETS}../../package.json`,
      `${ASSETS}..%2f..%2fpackage.json`,
      `${ASSETS}%2e%2e/%2e%2e/package.json`,
      `${ASSETS}%2E%2E%2F%2E%2E%2Fpackage.json`,
      `${ASSETS}..\\..\\package.json`,
      `${ASSETS}./${name}`,
      `${ASSETS}sub/../${name}`,
      `${ASSETS}${name.toUpperCase()}`,
      `${ASSETS}${name}/`,
      `${ASSETS}${name}%00`,
      `${ASSETS}script-0000000000000000.js`,
      `${ASSETS}graphiql-bundle.ts`,
      ASSETS,
    ]) {
      const response = await raw(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body.toString()).not.toContain('"name": "mms"');
    }
    // With a query string, the file itself.
    expect((await raw(`${script}?v=1`)).status).toBe(200);
    const posted = await raw(script ?? '', { method: 'POST' });
    expect({ status: posted.status, allow: posted.headers.allow }).toEqual({
      status: 405,
      allow: 'GET, HEAD',
    });
  });
});

/** The resident and peak resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

describe('GraphiQL under load', () => {
  it('20 browsers opening it at once (page and every file) add under 50 MB to the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mms-graphiql-'));
    const started = run('server/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      MMS_DB: join(dir, 'mms.sqlite'),
      MMS_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      MMS_ENGINE: 'false',
      MMS_ADMIN_TOKEN: '',
      MMS_DATABASE_URL: '',
      MMS_REDIS_URL: '',
    });
    try {
      const line = await started.line((line) => line.includes('GraphiQL and WebSocket:'), 60_000);
      const url = /(http:\S+)/.exec(line)?.[1] as string;
      const pid = started.child.pid as number;
      /** One visit as a browser makes it: the page, then each file it names, compressed. */
      const visit = async () => {
        const page = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
        const paths = [...new Set(page.match(/\/graphql\/assets\/[\w-]+\.\w+/g))];
        const sizes = await Promise.all(
          paths.map(async (path) => (await (await fetch(new URL(path, url))).arrayBuffer()).byteLength),
        );
        return sizes.length;
      };
      // The first visit loads GraphiQL's files into memory, once for the server's life.
      expect(await visit()).toBe(6);
      const before = memoryOf(pid).rss;
      // Resets the peak to the current resident size, so the peak below is that of the 20 visits alone.
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      const visits = await Promise.all(Array.from({ length: 20 }, visit));
      expect(visits).toEqual(Array(20).fill(6));
      const after = memoryOf(pid);
      expect(after.peak - before).toBeLessThan(50);
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('GraphiQL files kept for later processes', () => {
  it('are built once, read by the next server, and built again when a kept file was damaged', async () => {
    const cacheRoot = mkdtempSync(join(tmpdir(), 'mms-graphiql-cache-'));
    const opened = async () => {
      const started = await startServer({ graphiqlCacheRoot: cacheRoot });
      try {
        const page = await fetch(started.url, { headers: { accept: 'text/html' } });
        expect(page.status).toBe(200);
        const paths = [...new Set((await page.text()).match(/\/graphql\/assets\/[\w-]+\.\w+/g))];
        const script = paths.find((path) => path.includes('/script-')) as string;
        const bytes = Buffer.from(await (await fetch(new URL(script, started.url))).arrayBuffer());
        const built = started.logLines.some((line) => String(line.msg).startsWith('GraphiQL files built'));
        return { paths, bytes, built };
      } finally {
        await started.stop();
      }
    };
    try {
      const first = await opened();
      expect(first.built).toBe(true);
      const [kept] = readdirSync(cacheRoot);
      const files = readdirSync(join(cacheRoot, kept as string)).sort();
      expect(files).toHaveLength(6 * 3 + 1);
      expect(files).toContain('manifest.json');

      const second = await opened();
      expect(second.built).toBe(false);
      expect(second.paths).toEqual(first.paths);
      expect(second.bytes.equals(first.bytes)).toBe(true);

      // A kept file cut short (a disk that failed) is not served: the files are built and kept again.
      const scriptFile = join(cacheRoot, kept as string, 'script.identity');
      writeFileSync(scriptFile, readFileSync(scriptFile).subarray(0, 1000));
      const third = await opened();
      expect(third.built).toBe(true);
      expect(third.paths).toEqual(first.paths);
      expect(third.bytes.equals(first.bytes)).toBe(true);
      expect(readFileSync(scriptFile).equals(first.bytes)).toBe(true);
    } finally {
      rmSync(cacheRoot, { recursive: true, force: true });
    }
  });
});
