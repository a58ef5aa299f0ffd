/** Calls `work`, or joins the call already under way: callers at the same moment share one answer. */
export function joinInFlight<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= work().finally(() => {
      running = null;
    });
    return running;
  };
}
