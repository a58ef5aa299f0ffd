/** Which columns a table shows at a width, and how wide: more columns as the terminal widens, not wider gaps. */
import { expect, test } from 'vitest';
import { column, layoutColumns } from '../../tui/components/Table.tsx';

const COLUMNS = [
  column('STATE', 11, (row: string) => row),
  column('USER', 20, (row: string) => row, { grow: 10 }),
  column('TYPE', 14, (row: string) => row, { priority: 2 }),
  column('MESSAGE', 20, (row: string) => row, { priority: 3, grow: 40 }),
];
const shown = (width: number) => layoutColumns(COLUMNS, width).map(([c, w]) => `${c.title}:${w}`);

test('columns come in by priority as the width allows, in their own order', () => {
  expect(shown(40)).toEqual(['STATE:11', 'USER:26']);
  expect(shown(60)).toEqual(['STATE:11', 'USER:30', 'TYPE:14']);
  expect(shown(200)).toEqual(['STATE:11', 'USER:30', 'TYPE:14', 'MESSAGE:60']);
});

test('no column grows past its limit: the rest of a wide line stays empty', () => {
  const total = (width: number) =>
    2 + layoutColumns(COLUMNS, width).reduce((sum, [, w], index) => sum + w + (index > 0 ? 1 : 0), 0);
  expect(total(80)).toBeLessThanOrEqual(80);
  expect(total(300)).toBe(2 + 11 + 1 + 30 + 1 + 14 + 1 + 60);
});
