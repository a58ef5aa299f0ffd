/**
 * One subscriber's stream of a channel: what it starts with, then every event that passes its filter, in
 * order. It listens from the moment it is made, so no event between its first read and its first live
 * event is lost. Ending it (return) lets go of the channel at once, even while it is waiting for an event
 * — which a chain of async generators cannot do: theirs would wait for the next event first.
 */
export interface LiveStreamOptions<T> {
  /** Starts listening; returns the function that stops. */
  listen: (push: (item: T) => void) => () => void;
  /** What the stream starts with, read after listening has begun. */
  initial?: () => Promise<readonly T[]>;
  /** Whether an item is passed on; called once per item, in the order the subscriber receives them. */
  keep?: (item: T) => boolean;
  /**
   * Given what the stream starts with, which of the live items that arrived while it was read are older
   * than it (the read saw their changes and later ones): those are not passed on.
   */
  staleAfterInitial?: (initial: readonly T[]) => (item: T) => boolean;
  /** Called once when the stream ends. */
  onEnd?: () => void;
}

export class LiveStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  /** Live items that arrived while the initial ones were being read. */
  private early: T[] | null = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null =
    null;
  private failure: { error: unknown } | null = null;
  private ended = false;
  private readonly unlisten: () => void;
  private readonly keep: (item: T) => boolean;
  private readonly onEnd?: () => void;
  /** Settles once what the stream starts with is read; rejects, the stream ended, when it could not be. */
  readonly started: Promise<void>;

  constructor(options: LiveStreamOptions<T>) {
    this.keep = options.keep ?? (() => true);
    this.onEnd = options.onEnd;
    this.unlisten = options.listen((item) => {
      if (this.ended) return;
      if (this.early) this.early.push(item);
      else this.offer(item);
    });
    this.started = (options.initial?.() ?? Promise.resolve([])).then(
      (items) => {
        const stale = options.staleAfterInitial?.(items);
        const early = (this.early ?? []).filter((item) => !stale?.(item));
        this.early = null;
        for (const item of [...items, ...early]) this.offer(item);
      },
      (error: unknown) => {
        this.fail(error);
        throw error;
      },
    );
    // Its reader, when there is one, learns of a failure from next() too.
    this.started.catch(() => {});
  }

  private offer(item: T) {
    if (this.ended || !this.keep(item)) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
    } else this.queue.push(item);
  }

  private fail(error: unknown) {
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
    } else this.failure = { error };
    this.end();
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    this.unlisten();
    this.onEnd?.();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.end();
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
