/** A subscriber's stream: its start first, then live items in order, filtered; ending it lets go at once. */
import { expect, test } from 'vitest';
import { LiveStream } from '../../server/services/live-stream.ts';

/** A channel with one listener at most, so a test can push to it and see when it is let go. */
function channel<T>() {
  let listener: ((item: T) => void) | null = null;
  return {
    listen: (push: (item: T) => void) => {
      listener = push;
      return () => {
        listener = null;
      };
    },
    push: (item: T) => listener?.(item),
    get listening() {
      return listener !== null;
    },
  };
}

const take = async <T>(stream: AsyncIterator<T>, count: number) => {
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push((await stream.next()).value as T);
  return items;
};

test('what it starts with comes first, then what arrived meanwhile, then what comes later', async () => {
  const source = channel<number>();
  let finishInitial: (items: number[]) => void = () => {};
  const stream = new LiveStream<number>({
    listen: source.listen,
    initial: () => new Promise((resolve) => (finishInitial = resolve)),
  });
  source.push(3); // while the start is still being read
  finishInitial([1, 2]);
  source.push(4);
  expect(await take(stream, 4)).toEqual([1, 2, 3, 4]);
});

test('keep filters in the order items are received, and sees each once', async () => {
  const source = channel<number>();
  const seen: number[] = [];
  const stream = new LiveStream<number>({
    listen: source.listen,
    initial: async () => [1, 2],
    keep: (n) => {
      seen.push(n);
      return n % 2 === 0;
    },
  });
  source.push(3);
  source.push(4);
  expect(await take(stream, 2)).toEqual([2, 4]);
  expect(seen).toEqual([1, 2, 3, 4]);
});

test('ending it while it waits answers done at once, stops listening and calls onEnd once', async () => {
  const source = channel<number>();
  let ends = 0;
  const stream = new LiveStream<number>({ listen: source.listen, onEnd: () => ends++ });
  const waiting = stream.next();
  await stream.return();
  expect(await waiting).toEqual({ value: undefined, done: true });
  expect(source.listening).toBe(false);
  await stream.return();
  expect(ends).toBe(1);
  source.push(5);
  expect(await stream.next()).toEqual({ value: undefined, done: true });
});

test('a start that cannot be read ends the stream with its error', async () => {
  const source = channel<number>();
  const stream = new LiveStream<number>({
    listen: source.listen,
    initial: async () => {
      throw new Error('database is gone');
    },
  });
  await expect(stream.next()).rejects.toThrow('database is gone');
  expect(source.listening).toBe(false);
  expect(await stream.next()).toEqual({ value: undefined, done: true });
});

test('what arrived while the start was read and is older than it is not passed on', async () => {
  const source = channel<{ id: number; version: number }>();
  let finishInitial: (items: { id: number; version: number }[]) => void = () => {};
  const stream = new LiveStream<{ id: number; version: number }>({
    listen: source.listen,
    initial: () => new Promise((resolve) => (finishInitial = resolve)),
    staleAfterInitial: (initial) => (item) =>
      initial.some((read) => read.id === item.id && read.version > item.version),
  });
  source.push({ id: 1, version: 1 }); // the read saw this one and the next
  source.push({ id: 2, version: 5 }); // another item: kept
  finishInitial([{ id: 1, version: 2 }]);
  source.push({ id: 1, version: 3 });
  expect(await take(stream, 3)).toEqual([
    { id: 1, version: 2 },
    { id: 2, version: 5 },
    { id: 1, version: 3 },
  ]);
});
