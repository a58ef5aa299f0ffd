/** Reads from the terminal split into keys: several keys in one read each count, in order. */
import { expect, test } from 'vitest';
import { NO_KEY, splitKeys } from '../../tui/keyboard.ts';

const named = (keys: ReturnType<typeof splitKeys>) =>
  keys.map(({ input, key }) =>
    key.return
      ? '⏎'
      : key.escape
        ? 'esc'
        : key.backspace
          ? '⌫'
          : key.tab
            ? 'tab'
            : key.ctrl
              ? `^${input}`
              : input,
  );

test('a read of several characters is one key per grapheme', () => {
  expect(named(splitKeys('jjjj', NO_KEY))).toEqual(['j', 'j', 'j', 'j']);
  expect(named(splitKeys('x👨‍👩‍👧🇫🇷é', NO_KEY))).toEqual(['x', '👨‍👩‍👧', '🇫🇷', 'é']);
});

test('a pasted term with its Enter is the term, then Enter; control characters are their keys', () => {
  expect(named(splitKeys('bob\r', NO_KEY))).toEqual(['b', 'o', 'b', '⏎']);
  expect(named(splitKeys('a\tb\u0015\u007f\r\n', NO_KEY))).toEqual(['a', 'tab', 'b', '^u', '⌫', '⏎']);
  expect(splitKeys('G', { ...NO_KEY, shift: true })).toEqual([
    { input: 'G', key: { ...NO_KEY, shift: true } },
  ]);
});

test('a key Ink named stays as it is; two Esc in one read are two', () => {
  const down = { ...NO_KEY, downArrow: true };
  expect(splitKeys('', down)).toEqual([{ input: '', key: down }]);
  expect(named(splitKeys('', { ...NO_KEY, escape: true, meta: true }))).toEqual(['esc', 'esc']);
});
