/** How many subscriptions a server holds open, from its /metrics: a subscription counts once it listens. */
import type { TestServer } from './server.ts';

export async function openSubscriptions(server: TestServer, metricsToken: string): Promise<number> {
  const response = await fetch(new URL('/metrics', server.url), {
    headers: { authorization: `Bearer ${metricsToken}` },
  });
  const line = (await response.text()).split('\n').find((l) => l.startsWith('mms_open_subscriptions '));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** Waits until the server holds this many subscriptions open: they listen from then on. */
export async function untilSubscriptionsOpen(
  server: TestServer,
  metricsToken: string,
  count: number,
  timeoutMs = 10_000,
): Promise<void> {
  for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const open = await openSubscriptions(server, metricsToken);
    if (open === count) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${open} subscriptions open, not ${count}`);
  }
}
