/**
 * A real browser for tests: Debian's Chromium (installed by apt, never downloaded) driven by playwright-core,
 * with every request that would leave the machine blocked and recorded.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches headless Chromium. Throws (so the test fails rather than skips) when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Containers often have a tiny /dev/shm, where Chromium's renderer crashes; Debian's launcher only
      // adds this flag when it can measure /dev/shm, which fails in some containers.
      '--disable-dev-shm-usage',
    ],
  });
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for URLs that stay on this machine; data:, blob: and about: URLs never touch the network. */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return LOCAL_HOSTS.has(hostname);
}

export interface OfflinePage {
  context: BrowserContext;
  page: Page;
  /** URLs the page tried to fetch from other hosts: each was aborted. */
  blocked: string[];
}

/**
 * Opens a page in a fresh context where any request to a host other than localhost is aborted and recorded,
 * as if the machine had no internet. Service workers are blocked since page.route cannot see their requests.
 */
export async function openOfflinePage(browser: Browser): Promise<OfflinePage> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  // WebSockets bypass context.route; record and refuse those leaving the machine too.
  await context.routeWebSocket(/.*/, (ws) => {
    if (isLocal(ws.url())) {
      ws.connectToServer();
      return;
    }
    blocked.push(ws.url());
    ws.close({ code: 1008, reason: 'blocked: no internet in tests' });
  });
  const page = await context.newPage();
  return { context, page, blocked };
}
