/** Waiting for what another process does: until a check holds, or failing with what did not happen. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
  }
}
