/** Terminal columns by grapheme: what a line takes, where it is cut, how it is padded. */
import { expect, test } from 'vitest';
import { columns, fitWidth, truncate, wrapLines } from '../../tui/width.ts';

test('graphemes are measured whole: ZWJ sequences, flags, CJK, combining marks; skin tones at their widest', () => {
  expect(columns('abc')).toBe(3);
  expect(columns('👨‍👩‍👧‍👦')).toBe(2);
  expect(columns('🇫🇷')).toBe(2);
  expect(columns('漢字')).toBe(4);
  expect(columns('Zoe\u0308')).toBe(3);
  // tmux and xterm draw the tone as a cell of its own.
  expect(columns('👍🏽')).toBe(4);
});

test('truncate cuts between graphemes and ends with …; fitWidth pads to the exact width', () => {
  expect(truncate('👨‍👩‍👧‍👦 family', 5)).toBe('👨‍👩‍👧‍👦 f…');
  expect(truncate('漢字テスト', 5)).toBe('漢字…');
  expect(truncate('Zoe\u0308 Ünal', 4)).toBe('Zoe\u0308…');
  expect(truncate('short', 10)).toBe('short');
  expect(truncate('two\nlines', 20)).toBe('two lines');
  expect(fitWidth('漢字テスト', 6)).toBe('漢字… ');
  expect(fitWidth('7', 3, 'right')).toBe('  7');
  for (const text of ['👍🏽👍🏽👍🏽 tones', '🇫🇷🇩🇪🇯🇵 flags', 'a\u0301b\u0301c\u0301 marks'])
    for (let width = 1; width < 12; width++) expect(columns(fitWidth(text, width))).toBe(width);
});

test('wrapLines breaks at spaces into lines of at most the width, losing no word', () => {
  const text = 'the mailbox answered with an error that goes on and on END';
  const lines = wrapLines(text, 16);
  expect(lines.every((line) => columns(line) <= 16)).toBe(true);
  expect(lines.join(' ')).toBe(text);
  expect(wrapLines('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
});
