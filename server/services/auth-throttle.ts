/**
 * Slows guessing of tokens (SPEC §7): an address that failed to authenticate `maxFailures` times within a
 * minute is refused (HTTP 429 with Retry-After) until the oldest of those failures is a minute old.
 */
const WINDOW_MS = 60_000;
/** Addresses remembered at most: past this, the longest-remembered are forgotten first. */
const MAX_ADDRESSES = 100_000;

export type AuthThrottle = ReturnType<typeof authThrottle>;

export function authThrottle(maxFailures: number, now: () => number = Date.now) {
  /** Each address's failures within the window, oldest first. */
  const failures = new Map<string, number[]>();

  const recent = (address: string): number[] => {
    const list = failures.get(address);
    if (!list) return [];
    const since = now() - WINDOW_MS;
    while (list.length > 0 && (list[0] as number) <= since) list.shift();
    if (list.length === 0) failures.delete(address);
    return list;
  };

  return {
    /** Seconds until this address may try again, or null when it may now. */
    retryAfterSeconds(address: string): number | null {
      const list = recent(address);
      if (list.length < maxFailures) return null;
      return Math.max(1, Math.ceil(((list[0] as number) + WINDOW_MS - now()) / 1000));
    },

    failed(address: string): void {
      const list = recent(address);
      list.push(now());
      // Only the last maxFailures count; re-inserted, the address becomes the most recently remembered.
      if (list.length > maxFailures) list.splice(0, list.length - maxFailures);
      failures.delete(address);
      failures.set(address, list);
      if (failures.size > MAX_ADDRESSES) failures.delete(failures.keys().next().value as string);
    },
  };
}
