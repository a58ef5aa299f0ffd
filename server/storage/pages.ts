/** Keyset pagination: pages are found by (sort key, id), so paging stays fast however deep it goes. */
import type { ExpressionBuilder, ReferenceExpression, SelectQueryBuilder } from 'kysely';

/** A position in a list: the sort key of an item and its id, which breaks ties. */
export interface Cursor {
  key: string | number;
  id: number;
}

export interface PageRequest {
  after?: Cursor | null;
  before?: Cursor | null;
  /** How many rows to fetch (one more than the page, so the caller can tell whether more follow). */
  limit: number;
  /** Fetch from the end (`last: N`): the rows come back in reverse order. */
  inverted?: boolean;
}

export interface SortOrder<DB, TB extends keyof DB> {
  key: ReferenceExpression<DB, TB>;
  id: ReferenceExpression<DB, TB>;
  direction: 'asc' | 'desc';
}

export function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: SortOrder<DB, TB>,
  page: PageRequest,
): SelectQueryBuilder<DB, TB, O> {
  const forward = order.direction === 'asc';
  const beyond = (eb: ExpressionBuilder<DB, TB>, cursor: Cursor, later: boolean) => {
    const op = later === forward ? '>' : '<';
    return eb.or([
      eb(order.key, op, cursor.key as never),
      eb.and([eb(order.key, '=', cursor.key as never), eb(order.id, op, cursor.id as never)]),
    ]);
  };
  let result = query;
  const { after, before } = page;
  if (after) result = result.where((eb) => beyond(eb, after, true));
  if (before) result = result.where((eb) => beyond(eb, before, false));
  const direction = page.inverted ? (forward ? 'desc' : 'asc') : order.direction;
  return result
    .orderBy(order.key as never, direction)
    .orderBy(order.id as never, direction)
    .limit(page.limit);
}
