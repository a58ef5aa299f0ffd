/**
 * A list of rows under column headers, one line each, in exactly the width given: j/k ↑/↓ select, g/G
 * Home/End go to the ends, PgUp/PgDn (Ctrl-B/Ctrl-F) turn a screenful, s sorts by the next column and S
 * reverses it; "x of y" says where the selection is. Columns come in by priority as the terminal widens:
 * at 200 columns more of them show, not wider gaps. Use: `const table = useTable(rows, options)`, call
 * `table.onKey(press)` from the screen's keys and render `table.view`.
 */
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { isDown, isUp, type KeyHelp, type KeyPress } from '../keyboard.ts';
import { useRemembered } from '../screen-memory.ts';
import { fitWidth, truncate } from '../width.ts';

export interface Column<Row> {
  title: string;
  /** Columns it takes at least. */
  width: number;
  /** Columns it may take beyond `width` when the terminal has room. */
  grow?: number;
  align?: 'left' | 'right';
  /** 1 shows always; higher numbers show as the terminal widens, in their order. */
  priority?: number;
  text: (row: Row) => string;
  color?: (row: Row) => string | undefined;
  /** What the column sorts by; without it, s passes the column by. */
  sort?: (row: Row) => string | number;
}

/** A column that shows and sorts by one value: `column('USER', 20, (u) => u.name, { grow: 10 })`. */
export function column<Row>(
  title: string,
  width: number,
  value: (row: Row) => string | number,
  options: Partial<Column<Row>> = {},
): Column<Row> {
  return { title, width, text: (row) => String(value(row)), sort: value, ...options };
}

interface TableState {
  /** The selected row's key, so the selection stays on it when rows come and go. */
  selectedKey: string | null;
  selected: number;
  top: number;
  sortBy: string | null;
  descending: boolean;
  /** The filter the selection was made in: another filter starts at the top. */
  scope: string;
}

const START: TableState = {
  selectedKey: null,
  selected: 0,
  top: 0,
  sortBy: null,
  descending: false,
  scope: '',
};

export const TABLE_HELP: KeyHelp[] = [
  { keys: 'j k ↑ ↓', what: 'select' },
  { keys: 'g G Home End', what: 'first, last' },
  { keys: 'PgUp PgDn', what: 'a screenful up, down' },
  { keys: 's S', what: 'sort by the next column, reverse' },
];

/** The columns that fit `width`, by priority, each with the width it gets. */
export function layoutColumns<Row>(columns: Column<Row>[], width: number): [Column<Row>, number][] {
  const byPriority = columns
    .map((column, index) => ({ column, index }))
    .sort((a, b) => (a.column.priority ?? 1) - (b.column.priority ?? 1) || a.index - b.index);
  const chosen: typeof byPriority = [];
  let used = 2; // the selection marker
  for (const entry of byPriority) {
    const needs = entry.column.width + (chosen.length > 0 ? 1 : 0);
    if (used + needs > width) {
      if ((entry.column.priority ?? 1) === 1 && chosen.length === 0) chosen.push(entry);
      break;
    }
    chosen.push(entry);
    used += needs;
  }
  chosen.sort((a, b) => a.index - b.index);
  let spare = Math.max(0, width - used);
  return chosen.map(({ column }) => {
    const extra = Math.min(spare, column.grow ?? 0);
    spare -= extra;
    return [column, column.width + extra];
  });
}

/** A row's text, with neighbouring cells of one colour joined: fewer pieces for the terminal to lay out. */
function cells<Row>(row: Row, laidOut: [Column<Row>, number][], selected: boolean) {
  const joined: { text: string; color?: string }[] = [{ text: selected ? '› ' : '  ' }];
  laidOut.forEach(([column, width], index) => {
    const text = `${index > 0 ? ' ' : ''}${fitWidth(column.text(row), width, column.align)}`;
    const color = column.color?.(row);
    const last = joined[joined.length - 1];
    if (last && last.color === color) last.text += text;
    else joined.push({ text, color });
  });
  return joined;
}

export function useTable<Row>(
  rows: Row[] | undefined,
  {
    memoryKey,
    columns,
    rowKey,
    width,
    height,
    more = false,
    scope = '',
  }: {
    /** Names the table, so its selection and sort are kept while another screen shows. */
    memoryKey: string;
    columns: Column<Row>[];
    rowKey: (row: Row) => string;
    width: number;
    /** Lines for the header, the rows and the position line. */
    height: number;
    /** More rows exist than were loaded: the count says "500+". */
    more?: boolean;
    /** The filter shown (states, search): when it changes, the selection goes back to the first row. */
    scope?: string;
  },
) {
  const [remembered, setState] = useRemembered<TableState>(memoryKey, { ...START, scope });
  const state =
    remembered.scope === scope
      ? remembered
      : { ...START, sortBy: remembered.sortBy, descending: remembered.descending, scope };
  const laidOut = layoutColumns(columns, width);
  const sortColumn = columns.find((c) => c.title === state.sortBy && c.sort);
  const sorted = rows ? [...rows] : [];
  if (sortColumn?.sort) {
    const value = sortColumn.sort;
    const direction = state.descending ? -1 : 1;
    // Stable: rows that sort alike keep the server's order.
    sorted.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * direction;
    });
  }
  const count = sorted.length;
  const visible = Math.max(1, height - 2);
  const keyed =
    state.selectedKey === null ? -1 : sorted.findIndex((row) => rowKey(row) === state.selectedKey);
  const selected = count === 0 ? 0 : keyed >= 0 ? keyed : Math.min(state.selected, count - 1);
  const top = Math.max(0, Math.min(state.top, selected, Math.max(0, count - visible)));
  const shownTop = selected >= top + visible ? selected - visible + 1 : top;

  const select = (index: number, patch: Partial<TableState> = {}) => {
    const next = Math.max(0, Math.min(index, count - 1));
    const row = sorted[next];
    let nextTop = shownTop;
    if (next < nextTop) nextTop = next;
    if (next >= nextTop + visible) nextTop = next - visible + 1;
    setState({ ...state, ...patch, selected: next, selectedKey: row ? rowKey(row) : null, top: nextTop });
  };

  function onKey(press: KeyPress): boolean {
    const { input, key } = press;
    if (isDown(press)) select(selected + 1);
    else if (isUp(press)) select(selected - 1);
    else if (input === 'g' || key.home) select(0);
    else if (input === 'G' || key.end) select(count - 1);
    else if (key.pageDown || (key.ctrl && input === 'f')) select(selected + visible);
    else if (key.pageUp || (key.ctrl && input === 'b')) select(selected - visible);
    else if (input === 's') {
      const sortable = laidOut.map(([c]) => c).filter((c) => c.sort);
      const at = sortable.findIndex((c) => c.title === state.sortBy);
      const next = sortable[(at + 1) % (sortable.length + 1)] ?? null;
      setState({ ...state, sortBy: next?.title ?? null, descending: false });
    } else if (input === 'S') {
      if (state.sortBy) setState({ ...state, descending: !state.descending });
    } else return false;
    return true;
  }

  const header = laidOut.map(([column, columnWidth]) => {
    const mark = column === sortColumn ? (state.descending ? '▼' : '▲') : '';
    return fitWidth(`${column.title}${mark}`, columnWidth, column.align);
  });
  const position = count === 0 ? `0 of 0${more ? '+' : ''}` : `${selected + 1} of ${count}${more ? '+' : ''}`;
  const view: ReactElement = (
    <Box flexDirection="column">
      <Text bold dimColor wrap="truncate-end">
        {truncate(`  ${header.join(' ')}`, width)}
      </Text>
      {sorted.slice(shownTop, shownTop + visible).map((row, offset) => {
        const isSelected = shownTop + offset === selected;
        return (
          <Text key={rowKey(row)} wrap="truncate-end" bold={isSelected} inverse={isSelected}>
            {cells(row, laidOut, isSelected).map((cell, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a row's cells have no identity but their place
              <Text key={index} color={cell.color}>
                {cell.text}
              </Text>
            ))}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate-end">
        {truncate(
          `${position}${sortColumn ? ` · by ${sortColumn.title}${state.descending ? ', reversed' : ''}` : ''}`,
          width,
        )}
      </Text>
    </Box>
  );
  return { selected: sorted[selected], count, onKey, view };
}
