/**
 * A selection in a page of a Relay connection: ↑/↓ move it and run on into the next or previous page,
 * ←/→ (or b/n) turn a whole page. Only one page is ever loaded.
 */
import type { Key } from 'ink';
import { useRef } from 'react';
import { useRemembered } from './screen-memory.ts';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface Position {
  page: { after?: string; before?: string };
  selected: number;
}

/** `key` names the list, so its position is kept while another screen is shown. */
export function usePaging(pageSize: number, key: string) {
  const [position, setPosition] = useRemembered<Position>(key, { page: {}, selected: 0 });
  // Keys can come faster than renders: each one must see where the last one left the selection.
  const latest = useRef(position);
  const moveTo = (next: Position) => {
    latest.current = next;
    setPosition(next);
  };
  const { page } = position;
  const variables = page.before
    ? { last: pageSize, before: page.before, first: null, after: null }
    : { first: pageSize, after: page.after ?? null, last: null, before: null };
  const clamp = (selected: number, count: number) => Math.max(0, Math.min(selected, count - 1));

  function next(info: PageInfo | undefined) {
    if (info?.hasNextPage && info.endCursor) moveTo({ page: { after: info.endCursor }, selected: 0 });
  }
  function previous(info: PageInfo | undefined, selected: number) {
    const current = latest.current.page;
    // Paging forward, a cursor to start after means there is a page before it.
    const hasPrevious = current.before ? info?.hasPreviousPage === true : current.after !== undefined;
    if (!hasPrevious) return;
    moveTo({ page: info?.startCursor ? { before: info.startCursor } : {}, selected });
  }

  return {
    variables,
    /** The selected row of the page shown, which has `count` rows. */
    selectedOf: (count: number) => clamp(latest.current.selected, count),
    /** Back to the first page, first row: after the filter changed. */
    reset: () => moveTo({ page: {}, selected: 0 }),
    /**
     * Handles a paging key; false when the key is not one. `count` is undefined while the page is loading
     * (a filter just changed): a move then waits in the selection and applies to the page once it is there.
     */
    onKey(input: string, key: Key, info: PageInfo | undefined, count: number | undefined): boolean {
      const down = key.downArrow || input === 'j';
      const up = key.upArrow || input === 'k';
      if (count === undefined && (down || up)) {
        const selected = Math.max(0, latest.current.selected + (down ? 1 : -1));
        moveTo({ ...latest.current, selected: Math.min(selected, pageSize - 1) });
        return true;
      }
      const rows = count ?? 0;
      const current = clamp(latest.current.selected, rows);
      if (down) {
        if (current < rows - 1) moveTo({ ...latest.current, selected: current + 1 });
        else next(info);
      } else if (up) {
        if (current > 0) moveTo({ ...latest.current, selected: current - 1 });
        else previous(info, pageSize - 1);
      } else if (key.rightArrow || input === 'n') next(info);
      else if (key.leftArrow || input === 'b') previous(info, 0);
      else return false;
      return true;
    },
  };
}
