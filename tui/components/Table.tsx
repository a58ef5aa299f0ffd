/**
 * A list of rows under column headers, one line each, in exactly the width given: j/k ↑/↓ select, g/G
 * Home/End go to the ends, PgUp/PgDn (Ctrl-B/Ctrl-F) turn a screenful, s sorts by the next column and S
 * reverses it; "x of y" says where the selection is. Columns come in by priority as the terminal widens:
 * at 200 columns more of them show, not wider gaps. Use: `const table = useTable(rows, options)`, call
 * `table.onKey(press)` from the screen's keys and render `table.view`.
 */
import { Box, Text } from 'ink';
import { type ReactElement, useRef } from 'react';
import { isDown, isUp, type KeyHelp, type KeyPress } from '../keyboard.ts';
import { useRemembered } from '../screen-memory.ts';
import { fitWidth, truncate } from '../width.ts';

export interface Column<Row, Order extends string = string> {
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
  /** In a list the server sorts (useServerTable): the orderBy field of this column; without it, s passes it by. */
  order?: Order;
}

/** A column that shows and sorts by one value: `column('USER', 20, (u) => u.name, { grow: 10 })`. */
export function column<Row, Order extends string = string>(
  title: string,
  width: number,
  value: (row: Row) => string | number,
  options: Partial<Column<Row, Order>> = {},
): Column<Row, Order> {
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

/** The most rows a server list loads at once: the server's largest page. */
const MAX_PAGE = 500;

export const TABLE_HELP: KeyHelp[] = [
  { keys: 'j k ↑ ↓', what: 'select' },
  { keys: 'g G Home End', what: 'first, last' },
  { keys: 'PgUp PgDn', what: 'a screenful up, down' },
  { keys: 's S', what: 'sort by the next column, reverse' },
];

/** Where a key moves the selection: to an end, or by some rows (a screenful for PgUp/PgDn). */
type Move = { to: 'first' | 'last' } | { by: number };

function moveOf(press: KeyPress, visible: number): Move | null {
  const { input, key } = press;
  if (isDown(press)) return { by: 1 };
  if (isUp(press)) return { by: -1 };
  if (input === 'g' || key.home) return { to: 'first' };
  if (input === 'G' || key.end) return { to: 'last' };
  if (key.pageDown || (key.ctrl && input === 'f')) return { by: visible };
  if (key.pageUp || (key.ctrl && input === 'b')) return { by: -visible };
  return null;
}

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

/** The header, the rows shown (one of them selected) and the position line under them. */
function tableView<Row>({
  laidOut,
  rows,
  selected,
  rowKey,
  sortedBy,
  position,
  width,
}: {
  laidOut: [Column<Row>, number][];
  rows: Row[];
  /** Which of `rows` is selected. */
  selected: number;
  rowKey: (row: Row) => string;
  /** The sorted column, marked in the header; named under the rows unless the list is in its own order. */
  sortedBy: { column: Column<Row>; descending: boolean; byDefault?: boolean } | null;
  /** "x of y". */
  position: string;
  width: number;
}): ReactElement {
  const header = laidOut.map(([column, columnWidth]) => {
    const mark = column === sortedBy?.column ? (sortedBy.descending ? '▼' : '▲') : '';
    return fitWidth(`${column.title}${mark}`, columnWidth, column.align);
  });
  const by =
    sortedBy && !sortedBy.byDefault
      ? ` · by ${sortedBy.column.title}${sortedBy.descending ? ', reversed' : ''}`
      : '';
  return (
    <Box flexDirection="column">
      <Text bold dimColor wrap="truncate-end">
        {truncate(`  ${header.join(' ')}`, width)}
      </Text>
      {rows.map((row, index) => {
        const isSelected = index === selected;
        return (
          <Text key={rowKey(row)} wrap="truncate-end" bold={isSelected} inverse={isSelected}>
            {cells(row, laidOut, isSelected).map((cell, cellIndex) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a row's cells have no identity but their place
              <Text key={cellIndex} color={cell.color}>
                {cell.text}
              </Text>
            ))}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate-end">
        {truncate(`${position}${by}`, width)}
      </Text>
    </Box>
  );
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
    const { input } = press;
    const move = moveOf(press, visible);
    if (move && 'to' in move) select(move.to === 'first' ? 0 : count - 1);
    else if (move) select(selected + move.by);
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

  const position = count === 0 ? `0 of 0${more ? '+' : ''}` : `${selected + 1} of ${count}${more ? '+' : ''}`;
  const view = tableView({
    laidOut,
    rows: sorted.slice(shownTop, shownTop + visible),
    selected: selected - shownTop,
    rowKey,
    sortedBy: sortColumn ? { column: sortColumn, descending: state.descending } : null,
    position,
    width,
  });
  return { selected: sorted[selected], count, onKey, view };
}

/** A page of a list as the server's connection gives it, counted and with a cursor for each row. */
export interface ServerPage<Row> {
  totalCount: number;
  edges: { cursor: string; node: Row }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
}

/**
 * Which rows of a server list are loaded: from its start, up to its end (`last:`), after a row or before
 * one. `start` and `end` place the rows in the whole list, as far as is known (rows come and go above).
 */
type Window =
  | { from: 'start' }
  | { from: 'end' }
  | { from: 'after'; cursor: string; start: number }
  | { from: 'before'; cursor: string; end: number };

interface ServerTableState {
  sortBy: string;
  descending: boolean;
  window: Window;
  /**
   * The selected row and the first row shown, counted in the loaded rows from the side the window is
   * anchored on: from its first row, or from its last for windows read backwards (before a row, or the end).
   */
  selected: number;
  top: number;
  /** The selected row's key, so the selection stays on it when rows come and go. */
  selectedKey: string | null;
  /** The filter the selection was made in: another filter starts at the top. */
  scope: string;
}

const backwards = (window: Window) => window.from === 'end' || window.from === 'before';

/**
 * A table over a list too long to load whole, which the server sorts and pages: it loads the rows around
 * those shown (three screenfuls) and, as the selection leaves them, the rows beyond, by cursor; G asks for
 * the last rows. "x of y" counts with the list's totalCount. s sorts by the next column that has an
 * `order`, S reverses. Use: `const list = useServerTable(options)`, ask the list's query with
 * `list.variables` (orderBy, first/last, after/before) added, then `list.show(page)` gives `view`,
 * `selected` and `onKey`.
 */
export function useServerTable<Row, Order extends string>({
  memoryKey,
  columns,
  rowKey,
  width,
  height,
  scope = '',
  defaultSort,
}: {
  memoryKey: string;
  /** Those with an `order` sort on the server: `order` is the list's orderBy field. */
  columns: Column<Row, Order>[];
  rowKey: (row: Row) => string;
  width: number;
  height: number;
  scope?: string;
  /** The column the list is sorted by at first, and which way. */
  defaultSort: { title: string; descending: boolean };
}) {
  const initial: ServerTableState = {
    sortBy: defaultSort.title,
    descending: defaultSort.descending,
    window: { from: 'start' },
    selected: 0,
    top: 0,
    selectedKey: null,
    scope,
  };
  const [remembered, setState] = useRemembered<ServerTableState>(memoryKey, initial);
  const state =
    remembered.scope === scope
      ? remembered
      : { ...initial, sortBy: remembered.sortBy, descending: remembered.descending };
  const sortColumn = columns.find((c) => c.order && c.title === state.sortBy) ?? columns.find((c) => c.order);
  const visible = Math.max(1, height - 2);
  const pageSize = Math.min(MAX_PAGE, visible * 3);
  const { window } = state;
  const direction: 'ASC' | 'DESC' = state.descending ? 'DESC' : 'ASC';
  const variables = {
    orderBy: sortColumn?.order ? { field: sortColumn.order, direction } : null,
    first: backwards(window) ? null : pageSize,
    last: backwards(window) ? pageSize : null,
    after: window.from === 'after' ? window.cursor : null,
    before: window.from === 'before' ? window.cursor : null,
  };
  // While another window loads, the last one stays on screen.
  const lastView = useRef<{ scope: string; view: ReactElement } | null>(null);
  const laidOut = layoutColumns(columns, width);
  const shownScope = `${scope}|${state.sortBy}|${state.descending}`;
  const byDefault = sortColumn?.title === defaultSort.title && state.descending === defaultSort.descending;

  function show(page: ServerPage<Row> | undefined) {
    if (!page) {
      const kept = lastView.current?.scope === shownScope ? lastView.current.view : null;
      return { view: kept, selected: undefined, count: undefined, onKey: () => false };
    }
    const rows = page.edges.map((edge) => edge.node);
    const count = rows.length;
    const fromFront = (offset: number) => (backwards(window) ? count - 1 - offset : offset);
    const toSide = fromFront; // the same reflection takes front offsets back to the anchored side
    const start =
      window.from === 'start' || (window.from === 'before' && !page.pageInfo.hasPreviousPage)
        ? 0
        : window.from === 'end' || (window.from === 'after' && !page.pageInfo.hasNextPage)
          ? page.totalCount - count
          : window.from === 'after'
            ? window.start
            : window.end - count;
    const keyed =
      state.selectedKey === null ? -1 : rows.findIndex((row) => rowKey(row) === state.selectedKey);
    const selected =
      count === 0 ? 0 : keyed >= 0 ? keyed : Math.max(0, Math.min(fromFront(state.selected), count - 1));
    const wantedTop = Math.max(0, Math.min(fromFront(state.top), selected, Math.max(0, count - visible)));
    const top = selected >= wantedTop + visible ? selected - visible + 1 : wantedTop;
    const rowsAfter = backwards(window) ? window.from === 'before' : page.pageInfo.hasNextPage;
    const rowsBefore = backwards(window) ? page.pageInfo.hasPreviousPage : window.from === 'after';

    const go = (next: Partial<ServerTableState>) => setState({ ...state, ...next, scope });
    /** Selects the row `offset` rows from the first loaded one, loading the rows around it where needed. */
    const select = (wanted: number) => {
      const last = rowsAfter ? wanted : Math.min(wanted, count - 1);
      const target = rowsBefore ? last : Math.max(0, last);
      let nextTop = top;
      if (target < nextTop) nextTop = target;
      if (target >= nextTop + visible) nextTop = target - visible + 1;
      const key = rows[target] ? rowKey(rows[target]) : null;
      if (nextTop + visible > count && rowsAfter && nextTop > 0) {
        // Past the loaded rows: load from the first row shown on.
        const anchor = Math.min(nextTop, count) - 1;
        const edge = page.edges[anchor];
        if (edge) {
          go({
            window: { from: 'after', cursor: edge.cursor, start: start + anchor + 1 },
            selected: target - anchor - 1,
            top: nextTop - anchor - 1,
            selectedKey: key,
          });
          return;
        }
      }
      if (nextTop < 0 && rowsBefore) {
        // Above the loaded rows: load those before the first row below the screen.
        const anchor = Math.min(count - 1, nextTop + visible);
        const edge = page.edges[anchor];
        if (edge) {
          go({
            window: { from: 'before', cursor: edge.cursor, end: start + anchor },
            selected: anchor - 1 - target,
            top: anchor - 1 - nextTop,
            selectedKey: key,
          });
          return;
        }
      }
      go({ selected: toSide(target), top: toSide(nextTop), selectedKey: key });
    };

    function onKey(press: KeyPress): boolean {
      const { input } = press;
      const move = moveOf(press, visible);
      if (move && 'to' in move) {
        // The ends are read afresh: the first rows, or the last ones (`last:`), the last row selected.
        go({
          window: { from: move.to === 'first' ? 'start' : 'end' },
          selected: 0,
          top: move.to === 'first' ? 0 : visible - 1,
          selectedKey: null,
        });
      } else if (move) select(selected + move.by);
      else if (input === 's') {
        // From the list's own order to the first other column, then column by column, then back to its own.
        const sortable = laidOut.map(([c]) => c).filter((c) => c.order);
        const next = byDefault
          ? sortable.find((c) => c.title !== defaultSort.title)
          : sortable[(sortColumn ? sortable.indexOf(sortColumn) : -1) + 1];
        go({
          ...initial,
          ...(next ? { sortBy: next.title, descending: false } : {}),
        });
      } else if (input === 'S') {
        go({ ...initial, sortBy: state.sortBy, descending: !state.descending });
      } else return false;
      return true;
    }

    const position = count === 0 ? '0 of 0' : `${start + selected + 1} of ${page.totalCount}`;
    const view = tableView({
      laidOut,
      rows: rows.slice(top, top + visible),
      selected: selected - top,
      rowKey,
      sortedBy: sortColumn
        ? {
            column: sortColumn,
            descending: state.descending,
            byDefault,
          }
        : null,
      position,
      width,
    });
    lastView.current = { scope: shownScope, view };
    return { view, selected: rows[selected], count: page.totalCount, onKey };
  }

  return { variables, show };
}
