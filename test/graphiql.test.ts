/**
 * GraphiQL at /graphql in a real browser on a machine without internet: the UI must come entirely from this
 * server (no CDN), and an operator must be able to paste a token into the headers editor and run a query.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openOfflinePage } from './support/browser.ts';
import { startServer, type TestServer } from './support/server.ts';

const TENANT_NAME = 'Fabrikam';
const QUERY = '{ viewer { kind tenant { name } } }';

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
  it('loads with no internet and runs a query with an operator token from the headers editor', async () => {
    // Launched here rather than in beforeAll: a hook failure would mark the test skipped, and a missing
    // Chromium must fail it.
    browser = await launchBrowser();
    const { context, page, blocked } = await openOfflinePage(browser);
    const operations: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql')
        operations.push(request);
    });

    // A navigation sends Accept: text/html, which is what makes yoga answer with GraphiQL.
    const response = await page.goto(server.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

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
    await replaceEditorText(page, 'operation.graphql', QUERY);

    await page.locator('.graphiql-execute-button').click();

    await expect
      .poll(() => shownText(page, 'response.json'), { timeout: 15_000 })
      .toMatch(new RegExp(`"kind": "OPERATOR",.*"name": "${TENANT_NAME}"`));
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
    const executed = operations.find((request) => request.postData()?.includes('viewer'));
    expect(await executed?.headerValue('authorization')).toBe(`Bearer ${operatorToken}`);

    // Everything (scripts, styles, workers, fonts) came from this server; nothing tried to leave the machine.
    expect(blocked).toEqual([]);
    await context.close();
  }, 60_000);
});
